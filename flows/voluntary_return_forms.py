"""Voluntary return and reintegration: the application and the form of each gate (docs/procedures.md §6)."""

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from flows.forms_common import FLIGHT_NUMBER, BookedDeparture, PastDate, no_one_twice, with_companions
from models import PersonBase
from passage.programme import Document, DocumentState, GateForm, Intake


class ReturnApplication(Intake):
    """A person (or family) in the Netherlands who asks for help to return and reintegrate."""

    persons: list[PersonBase] = Field(min_length=1, max_length=20)
    country_of_return: str = Field(pattern=r"^[A-Z]{2}$", description="ISO code, e.g. IQ")
    language: str = Field(default="en", min_length=2, max_length=40, description="for counselling")
    health_needs: bool = False

    @model_validator(mode="after")
    def _one_applicant(self) -> "ReturnApplication":
        if sum(p.is_principal for p in self.persons) != 1:
            raise ValueError("persons: exactly one person must be the applicant (principal)")
        no_one_twice(self.persons, "persons")
        return self

    def people(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.persons]

    def case_flags(self) -> list[str]:
        return ["health_needs"] if self.health_needs else []

    def summary(self) -> str:
        applicant = next(p for p in self.persons if p.is_principal)
        named = with_companions(applicant.full_name, len(self.persons))
        return self.title or f"{named} returning to {self.country_of_return}"


class ReturnCounselling(GateForm):
    """Counselling held; approve = the applicant confirms the voluntary return, reject = withdraws (case worker)."""

    held_on: PastDate
    language: str = Field(min_length=2, max_length=40)


class ReturnDocuments(GateForm):
    """Travel documents for the return, e.g. a laissez-passer from the embassy (case worker)."""

    document: Literal["passport", "laissez_passer", "emergency_travel_document"]
    document_reference: str = Field(min_length=2, max_length=60)

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:
        state = DocumentState.IN_HAND if data["approved"] else DocumentState.TO_OBTAIN
        return [Document(document=str(data["document"]), state=state, reference=str(data["document_reference"]))]


class InKindSupport(StrEnum):
    BUSINESS_START_UP = "business_start_up"
    EDUCATION = "education"
    JOB_PLACEMENT = "job_placement"
    HOUSING = "housing"
    MEDICAL_CARE = "medical_care"


class ReintegrationPlan(GateForm):
    """The reintegration plan: in-kind support only, delivered by a partner in the country of return."""

    support: list[InKindSupport] = []
    value_euros: int = Field(title="Value (euros)", ge=0, le=20_000, description="in-kind value, whole euros")
    partner: str = Field(min_length=2, max_length=80, description="the reintegration partner")

    @model_validator(mode="after")
    def _has_support(self) -> "ReintegrationPlan":
        if self.approved and not self.support:
            raise ValueError("support: choose the in-kind support of the plan")
        return self


class ReintegrationPlanApproval(GateForm):
    """The programme manager approves the plan and its value (four-eyes against its author)."""


class ReturnTravel(GateForm):
    """The return flight with departure and arrival assistance (movement officer)."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. TK1952")
    departure_on: BookedDeparture


class InKindDelivered(GateForm):
    """The partner reports the support delivered: approve = delivered (case worker)."""

    delivered_on: PastDate
    partner_report: str = Field(default="", max_length=60, description="the partner's report number")
