"""Transfer of at-risk Afghan nationals: the embassy's request and the form of each gate (docs/procedures.md §2)."""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from flows.forms_common import (
    FLIGHT_NUMBER,
    BookedDeparture,
    CoaHandOver,
    FitnessOutcome,
    PastDate,
    no_one_twice,
    with_companions,
)
from models import PersonBase
from passage.programme import HEALTH, Document, DocumentState, GateForm, Intake


class TransferRequest(Intake):
    """The Dutch embassy's request: a group of persons considered at risk, waiting in a transit country."""

    embassy_ref: str = Field(pattern=r"^[A-Z0-9][A-Z0-9/-]{3,39}$", description="the embassy's request number")
    transit_country: str = Field(
        default="PK", pattern=r"^[A-Z]{2}$", description="ISO code; most transfers depart from Pakistan"
    )
    persons: list[PersonBase] = Field(min_length=1, max_length=60)
    medical_needs: bool = Field(default=False, description="the embassy reports medical needs in the group")

    def external_ref(self) -> str:
        return self.embassy_ref

    @model_validator(mode="after")
    def _one_contact_no_duplicates(self) -> "TransferRequest":
        # Assumption: one person of the group is its principal (the embassy's contact person).
        if sum(p.is_principal for p in self.persons) != 1:
            raise ValueError("persons: exactly one person must be the principal")
        no_one_twice(self.persons, "persons")
        return self

    def people(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.persons]

    def case_flags(self) -> list[str]:
        return ["medical_needs"] if self.medical_needs else []

    def summary(self) -> str:
        principal = next(p for p in self.persons if p.is_principal)
        named = with_companions(principal.full_name, len(self.persons))
        return self.title or f"{named} from {self.transit_country}, {self.embassy_ref}"


class IdentityDocument(StrEnum):
    PASSPORT = "passport"
    TAZKIRA = "tazkira"
    EMBASSY_LETTER = "embassy_letter"
    TRANSIT_VISA = "transit_visa"


class IdentityVerified(GateForm):
    """Identity and documents of every person checked against the request: approve = verified (case worker)."""

    documents: list[IdentityDocument] = []

    @model_validator(mode="after")
    def _documents_seen(self) -> "IdentityVerified":
        if self.approved and not self.documents:
            raise ValueError("documents: list the documents seen to approve the identity check")
        return self

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        return [Document(document=seen, state=DocumentState.VERIFIED) for seen in data.get("documents", [])]


class TransitAccommodation(GateForm):
    """Accommodation for the group in the transit country, with its cost (movement officer)."""

    place: str = Field(min_length=2, max_length=80, description="guesthouse or hotel, and city")
    check_in_on: date = Field(title="Check-in on")
    nights: int = Field(ge=1, le=365)
    cost_euros: int = Field(title="Cost (euros)", ge=0, le=1_000_000, description="total for the group, whole euros")


class AccommodationCost(GateForm):
    """The programme manager approves the accommodation and its cost (shown in the task's context)."""


class TravelHealthNeed(StrEnum):
    WHEELCHAIR = "wheelchair"
    OXYGEN = "oxygen"
    MEDICAL_ESCORT = "medical_escort"
    FOLLOW_UP_ON_ARRIVAL = "follow_up_on_arrival"


class MedicalScreening(FitnessOutcome):
    """Medical support and screening of the group: outcome only, never a diagnosis (medical officer)."""

    needs: list[TravelHealthNeed] = Field(default=[], json_schema_extra=HEALTH)


class ExitPermit(GateForm):
    """The transit country's exit permit for the group: approve = issued (case worker)."""

    permit_reference: str = Field(min_length=2, max_length=60)
    issued_on: PastDate

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        reference = str(data.get("permit_reference", ""))
        return (
            [Document(document="exit_permit", state=DocumentState.IN_HAND, reference=reference)]
            if data["approved"]
            else []
        )


class TransferFlight(GateForm):
    """The flight booked for the group (movement officer)."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. TK711")
    departure_on: BookedDeparture
    escorts: int = Field(default=0, ge=0, le=20)


class TransferArrival(CoaHandOver):
    """Safe arrival in the Netherlands and hand-over to COA (case worker)."""
