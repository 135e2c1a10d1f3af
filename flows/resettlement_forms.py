"""Resettlement to the Netherlands: the case file and the form of each gate (docs/procedures.md §1)."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from flows.forms_common import (
    FLIGHT_NUMBER,
    MINOR,
    CoaHandOver,
    Fitness,
    FitnessOutcome,
    PastDate,
    is_minor,
    no_one_twice,
    not_past,
    with_companions,
)
from models import PersonBase
from passage.programme import HEALTH, Document, DocumentState, GateForm, ImportLayout, Intake


class Vulnerability(StrEnum):
    MEDICAL_NEEDS = "medical_needs"
    WOMEN_AND_CHILDREN_AT_RISK = "women_and_children_at_risk"
    UNACCOMPANIED_MINOR = "unaccompanied_minor"


class Referral(Intake):
    """A UNHCR referral: one family (or single person) travelling together."""

    unhcr_ref: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{3,29}$", description="UNHCR referral number")
    country_of_asylum: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code, e.g. LB")
    quota_year: int = Field(ge=2013, le=2100, description="the quota year the referral counts against")
    persons: list[PersonBase] = Field(min_length=1, max_length=30)
    vulnerabilities: list[Vulnerability] = []

    def external_ref(self) -> str:
        return self.unhcr_ref

    @model_validator(mode="after")
    def _one_principal_no_duplicates(self) -> "Referral":
        if sum(p.is_principal for p in self.persons) != 1:
            raise ValueError("persons: exactly one person must be the principal applicant")
        no_one_twice(self.persons, "persons")
        return self

    def people(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.persons]

    def case_flags(self) -> list[str]:
        vulnerabilities = sorted({v.value for v in self.vulnerabilities})
        return [*vulnerabilities, MINOR] if any(is_minor(p.birth_date) for p in self.persons) else vulnerabilities

    def quota_counted_in(self) -> int:
        return self.quota_year

    def summary(self) -> str:
        principal = next(p for p in self.persons if p.is_principal)
        return self.title or f"{with_companions(principal.full_name, len(self.persons))}, {self.unhcr_ref}"


class AcceptForSelection(GateForm):
    """Accept the referral for the Dutch selection mission (programme manager)."""

    priority: Literal["normal", "urgent", "emergency"] = "normal"


class IndDecision(GateForm):
    """Record IND's decision after the selection mission: approve = IND accepted (case worker)."""

    ind_reference: str = Field(min_length=3, max_length=40, description="IND decision number")
    decided_on: PastDate


class TravelHealthNeed(StrEnum):
    WHEELCHAIR = "wheelchair"
    OXYGEN = "oxygen"
    MEDICAL_ESCORT = "medical_escort"
    PRE_TRAVEL_TB_TREATMENT = "pre_travel_tb_treatment"


class FitToTravel(FitnessOutcome):
    """Health assessment outcome, never a diagnosis: approve = fit to travel (medical officer)."""

    needs: list[TravelHealthNeed] = Field(default=[], json_schema_extra=HEALTH)

    @model_validator(mode="after")
    def _escort_needs_listed(self) -> "FitToTravel":
        if self.fitness == Fitness.FIT_WITH_ESCORT and TravelHealthNeed.MEDICAL_ESCORT not in self.needs:
            raise ValueError("needs: 'fit with escort' requires the medical_escort need")
        return self


class OrientationAttended(GateForm):
    """Pre-departure cultural orientation attended (case worker)."""

    attended_on: PastDate


class TravelDocuments(GateForm):
    """Embassy travel documents, exit permits and transit visas in hand (case worker)."""

    laissez_passer: bool = Field(default=False, title="Laissez-passer")
    exit_permits: bool = False
    transit_visas: bool = False
    document_reference: str = Field(default="", max_length=60)

    @model_validator(mode="after")
    def _complete_when_approved(self) -> "TravelDocuments":
        # A model validator: a field validator would not run on fields left at their default.
        if self.approved and not (self.laissez_passer and self.exit_permits):
            raise ValueError("approve only when the laissez-passer and exit permits are issued")
        return self

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        reference = str(data.get("document_reference", ""))
        return [
            Document(
                document=name,
                state=DocumentState.IN_HAND if data.get(name) else DocumentState.TO_OBTAIN,
                reference=reference,
            )
            for name in ("laissez_passer", "exit_permits", "transit_visas")
        ]


class EscortArranged(GateForm):
    """An escort for a vulnerable traveller (movement officer)."""

    escort_kind: Literal["medical", "operational", "child_protection"]
    escort_reference: str = Field(min_length=2, max_length=60)


class MovementPlan(GateForm):
    """The movement plan as the movement officer proposes it."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. KL566")
    departure_on: Annotated[date, not_past("a departure cannot be planned in the past")]
    travel_group: str = Field(min_length=1, max_length=40)
    transit_via: str = Field(default="", max_length=60)
    escorts: int = Field(default=0, ge=0, le=20)


class MovementPlanApproval(GateForm):
    """The programme manager approves the proposed plan (four-eyes against its author)."""


class PreEmbarkationCheck(GateForm):
    """Fitness checked just before boarding: approve = fit to board (medical officer)."""


class Arrival(CoaHandOver):
    """Arrival in the Netherlands and hand-over to COA reception (case worker)."""


# A UNHCR referral list: one row per person, the rows of one referral share its number (README).
IMPORT_LAYOUT = ImportLayout(
    key="unhcr_ref",
    members="persons",
    member_columns=("full_name", "nationality", "birth_date", "is_principal"),
    case_columns={
        "unhcr_ref": "unhcr_ref",
        "country_of_asylum": "country_of_asylum",
        "quota_year": "quota_year",
        "vulnerabilities": "vulnerabilities",
    },
    required=frozenset({"unhcr_ref", "country_of_asylum", "quota_year", "full_name", "nationality", "is_principal"}),
    list_columns=frozenset({"vulnerabilities"}),
)
