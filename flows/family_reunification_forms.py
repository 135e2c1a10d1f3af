"""Family reunification with DNA sample collection: IND's request and the form of each gate (docs/procedures.md §3).

Special-category data: a DNA gate stores the sample's id and IND's verdict on the relationship, a
health gate the fitness outcome; never genetic data or a diagnosis.
"""

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from flows.forms_common import FLIGHT_NUMBER, BookedDeparture, FitnessOutcome, PastDate, no_one_twice, with_companions
from models import PersonBase
from passage.programme import DNA, Document, DocumentState, GateForm, ImportLayout, Intake


class Relationship(StrEnum):
    SPOUSE = "spouse"
    PARTNER = "partner"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


class Sponsor(PersonBase):
    """The person in the Netherlands entitled to reunite with the family."""

    municipality: str = Field(min_length=2, max_length=80)


class FamilyMember(PersonBase):
    """A family member abroad; IND says whether it wants a DNA test of the relationship."""

    relationship: Relationship
    country_of_stay: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code, e.g. ET")
    dna_requested: bool = False


class ReunificationRequest(Intake):
    """IND's request: the sponsor in the Netherlands and the family members abroad."""

    ind_ref: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{3,39}$", description="IND case number")
    sponsor: Sponsor
    members: list[FamilyMember] = Field(min_length=1, max_length=20)

    def external_ref(self) -> str:
        return self.ind_ref

    @model_validator(mode="after")
    def _no_duplicates(self) -> "ReunificationRequest":
        no_one_twice(self.members, "members")
        return self

    def people(self) -> list[dict[str, Any]]:
        # The sponsor is the case's principal (assumption); the members are the travellers.
        base = set(PersonBase.model_fields)
        sponsor = {**self.sponsor.model_dump(include=base), "is_principal": True}
        return [sponsor, *({**m.model_dump(include=base), "is_principal": False} for m in self.members)]

    def case_flags(self) -> list[str]:
        return ["dna_requested"] if any(m.dna_requested for m in self.members) else []

    def summary(self) -> str:
        # "Sponsor (+2), IND ref": words in no language, as the other programmes' titles (it is stored once).
        return self.title or f"{with_companions(self.sponsor.full_name, len(self.members) + 1)}, {self.ind_ref}"


class MhacSite(StrEnum):
    ETHIOPIA = "ethiopia"
    IRAN = "iran"
    LEBANON = "lebanon"
    SUDAN = "sudan"
    TURKEY = "turkey"
    AD_HOC = "ad_hoc"


class DnaAppointment(GateForm):
    """The family's DNA sampling appointment at an MHAC, or an ad-hoc location (case worker)."""

    site: MhacSite
    ad_hoc_location: str = Field(
        default="", title="Ad-hoc location", max_length=80, description="city, only for an ad-hoc site"
    )
    appointment_on: date

    @model_validator(mode="after")
    def _ad_hoc_has_a_place(self) -> "DnaAppointment":
        if self.approved and self.site == MhacSite.AD_HOC and not self.ad_hoc_location.strip():
            raise ValueError("ad_hoc_location: name the place of an ad-hoc appointment")
        return self


class DnaSample(GateForm):
    """One member's sample collected with consent: approve = collected (case worker, from the MHAC)."""

    sample_id: str = Field(
        default="",
        pattern=r"^([A-Z0-9][A-Z0-9-]{3,39})?$",
        description="the MHAC's sample id",
        json_schema_extra=DNA,
    )
    consent_recorded: bool = False
    collected_on: PastDate = Field(default_factory=date.today)

    @model_validator(mode="after")
    def _complete_when_collected(self) -> "DnaSample":
        if self.approved and not (self.sample_id and self.consent_recorded):
            raise ValueError("sample_id: a collected sample needs its id and the member's recorded consent")
        return self


class DnaResult(GateForm):
    """IND's result for one member: only whether the relationship is confirmed (case worker)."""

    relationship: Literal["confirmed", "not_confirmed"] = Field(json_schema_extra=DNA)
    ind_reference: str = Field(min_length=3, max_length=40)

    @field_validator("relationship")
    @classmethod
    def _matches_decision(cls, value: str, info: ValidationInfo) -> str:
        if (value == "confirmed") != bool(info.data.get("approved")):
            raise ValueError("approve means 'confirmed', reject means 'not_confirmed'")
        return value


class MvvVisa(GateForm):
    """The entry visa (MVV) for the members who travel: approve = issued (case worker)."""

    visa_reference: str = Field(min_length=3, max_length=40)
    issued_on: PastDate


class MissingDocument(StrEnum):
    PASSPORT = "passport"
    BIRTH_CERTIFICATE = "birth_certificate"
    EXIT_PERMIT = "exit_permit"


class MemberNeeds(GateForm):
    """One member's needs for the journey: approve = can travel once they are met (case worker)."""

    medical_condition: bool = Field(default=False, description="needs a fitness check; no diagnosis here")
    missing_documents: list[MissingDocument] = []
    unaccompanied_minor: bool = False

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        return [Document(document=name, state=DocumentState.MISSING) for name in data.get("missing_documents", [])]


class MemberFitness(FitnessOutcome):
    """One member's fitness to travel, the outcome only: approve = fit (medical officer)."""

    approved_unfit_error = rejected_fit_error = "approve means fit (or fit with escort), reject means 'unfit'"


class MemberEscort(GateForm):
    """An escort for an unaccompanied minor or a member fit only with escort (movement officer)."""

    escort_kind: Literal["medical", "child_protection", "operational"]
    escort_reference: str = Field(min_length=2, max_length=60)


class ReunificationTravel(GateForm):
    """The journey of the members who travel: approve = booked (movement officer)."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. ET714")
    departure_on: BookedDeparture


class ReunificationArrival(GateForm):
    """The members arrived and the sponsor is informed (case worker; phone hours Mon-Fri 13:30-16:30)."""

    arrived_on: PastDate
    sponsor_informed: bool = False
    informed_by: Literal["phone", "email", "in_person"] = "phone"

    @model_validator(mode="after")
    def _sponsor_told(self) -> "ReunificationArrival":
        if self.approved and not self.sponsor_informed:
            raise ValueError("sponsor_informed: inform the sponsor before closing the case")
        return self


# IND's requests: one row per family member abroad, the rows of one request share its IND number and
# repeat the sponsor (README).
IMPORT_LAYOUT = ImportLayout(
    key="ind_ref",
    members="members",
    member_columns=("full_name", "nationality", "birth_date", "relationship", "country_of_stay", "dna_requested"),
    case_columns={
        "ind_ref": "ind_ref",
        "sponsor_full_name": "sponsor.full_name",
        "sponsor_nationality": "sponsor.nationality",
        "sponsor_birth_date": "sponsor.birth_date",
        "sponsor_municipality": "sponsor.municipality",
    },
    required=frozenset(
        {
            "ind_ref",
            "sponsor_full_name",
            "sponsor_nationality",
            "sponsor_municipality",
            "full_name",
            "nationality",
            "relationship",
            "country_of_stay",
        }
    ),
)
