"""Resettlement from the Netherlands to a third country: the application and its gates' forms (procedures.md §5)."""

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from flows.forms_common import FLIGHT_NUMBER, BookedDeparture, PastDate, no_one_twice, with_companions
from models import PersonBase
from passage.programme import Document, DocumentState, GateForm, Intake


class ResidenceBasis(StrEnum):
    """What the destination country grants; only the first two guarantee permanent residence."""

    PERMANENT_RESIDENCE = "permanent_residence"
    CITIZENSHIP = "citizenship"
    TEMPORARY_RESIDENCE = "temporary_residence"
    SHORT_STAY_VISA = "short_stay_visa"
    INVESTMENT_PROGRAMME = "investment_programme"


class SupportNeed(StrEnum):
    UNACCOMPANIED_MINOR = "unaccompanied_minor"
    TRAFFICKING_VICTIM = "trafficking_victim"
    HEALTH_NEEDS = "health_needs"


class ThirdCountryApplication(Intake):
    """An application for resettlement assistance from the Netherlands to a third country."""

    persons: list[PersonBase] = Field(min_length=1, max_length=20, description="the applicant and family")
    destination_country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code, e.g. CA")
    residence_basis: ResidenceBasis
    travel_document: Literal["valid", "obtainable", "none"]
    last_assisted_departure: date | None = Field(
        default=None, description="last departure from the Netherlands assisted by IOM or the Dutch government"
    )
    pending_permit_procedures: bool = Field(default=False, description="a residence procedure or Dutch/EU permit")
    language: str = Field(default="en", min_length=2, max_length=40, description="for counselling")
    support_needs: list[SupportNeed] = []

    @model_validator(mode="after")
    def _one_applicant(self) -> "ThirdCountryApplication":
        if sum(p.is_principal for p in self.persons) != 1:
            raise ValueError("persons: exactly one person must be the applicant (principal)")
        no_one_twice(self.persons, "persons")
        return self

    @property
    def applicant(self) -> PersonBase:
        return next(p for p in self.persons if p.is_principal)

    def people(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.persons]

    def case_flags(self) -> list[str]:
        return sorted(n.value for n in self.support_needs)

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        state = {"valid": DocumentState.IN_HAND, "obtainable": DocumentState.TO_OBTAIN}
        held = data.get("travel_document", "none")
        return [Document(document="travel_document", state=state.get(held, DocumentState.MISSING))]

    def summary(self) -> str:
        named = with_companions(self.applicant.full_name, len(self.persons))
        return self.title or f"{named} to {self.destination_country}"


class ConditionJudgement(GateForm):
    """One eligibility condition judged by a person: approve = met, reject = not met (say why)."""

    evidence: str = Field(default="", max_length=200, description="what the judgement rests on")


class Counselling(GateForm):
    """Information and counselling in the applicant's own language (case worker)."""

    held_on: PastDate
    language: str = Field(min_length=2, max_length=40)
    interpreter: bool = False


class VisaAssistance(GateForm):
    """The destination's visa, with help in the final stages where needed: approve = in hand (case worker)."""

    assistance_given: bool = False
    visa_reference: str = Field(default="", max_length=60, description="empty where no visa is needed")


class VisaCosts(GateForm):
    """The mandatory visa costs to reimburse, from the receipts (case worker)."""

    amount_euros: int = Field(
        title="Amount (euros)", ge=0, le=10_000, description="whole euros; 0 when there were none"
    )
    receipts_checked: bool = False

    @model_validator(mode="after")
    def _receipts(self) -> "VisaCosts":
        if self.approved and self.amount_euros and not self.receipts_checked:
            raise ValueError("receipts_checked: check the receipts before asking for a reimbursement")
        return self


class VisaCostsApproval(GateForm):
    """The programme manager approves the reimbursement (amount and budget in the task's context)."""


class ExtraSupport(GateForm):
    """Support for an unaccompanied minor, a victim of trafficking or health needs (case worker)."""

    measures: list[
        Literal["escort", "medical_escort", "child_protection", "anti_trafficking_partner", "reception"]
    ] = []
    partner_reference: str = Field(default="", max_length=60, description="the partner receiving at destination")

    @model_validator(mode="after")
    def _something_arranged(self) -> "ExtraSupport":
        if self.approved and not self.measures:
            raise ValueError("measures: choose what was arranged")
        return self


class ThirdCountryTravel(GateForm):
    """Ticket and logistics, with assistance at departure, in transit and on arrival (movement officer)."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. AC825")
    departure_on: BookedDeparture
    transit_via: str = Field(default="", max_length=60)
    transit_assistance: bool = False


class ArrivalAllowance(GateForm):
    """The allowance for the first expenses and in-land travel after arrival (programme manager)."""

    amount_euros: int = Field(title="Amount (euros)", ge=0, le=5_000, description="whole euros, for the whole family")
