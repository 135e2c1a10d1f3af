"""Diaspora assignments (CD4D): the assignment's file and the form of each gate (docs/procedures.md §7)."""

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from flows.forms_common import FLIGHT_NUMBER, BookedDeparture, PastDate
from models import PersonBase
from passage.programme import GateForm, Intake


class Sector(StrEnum):
    """Assumption: CD4D's priority sectors as the office groups them."""

    HEALTH = "health"
    EDUCATION = "education"
    AGRICULTURE_AND_FOOD = "agriculture_and_food"
    WATER = "water"
    JUSTICE_AND_SECURITY = "justice_and_security"
    ECONOMIC_DEVELOPMENT = "economic_development"


class DiasporaAssignment(Intake):
    """A diaspora expert living in the Netherlands, to be placed with an institution in the country of origin."""

    expert: PersonBase
    country: Literal["AF", "IQ", "NG", "SO"] = Field(description="Afghanistan, Iraq, Nigeria or Somalia")
    institution: str = Field(min_length=2, max_length=120)
    sector: Sector
    mode: Literal["physical", "online"]
    weeks: int = Field(ge=1, le=52)

    def people(self) -> list[dict[str, Any]]:
        return [{**self.expert.model_dump(), "is_principal": True}]

    def summary(self) -> str:
        return self.title or f"{self.expert.full_name} at {self.institution} ({self.country}, {self.mode})"


class ExpertMatch(GateForm):
    """The programme manager confirms the expert's match with the institution and its terms of reference."""

    terms_of_reference: str = Field(min_length=2, max_length=60, description="document number")
    start_on: date


class InstitutionAgreement(GateForm):
    """The host institution's agreement, as a case worker records it (the institution does not log in)."""

    agreement_reference: str = Field(min_length=2, max_length=60)


class SecurityClearance(GateForm):
    """Travel security for a physical assignment: approve = cleared (movement officer)."""

    risk_level: Literal["low", "medium", "high"]


class AssignmentTravel(GateForm):
    """The expert's travel to the institution (movement officer)."""

    flight: str = Field(pattern=FLIGHT_NUMBER, description="e.g. TK874")
    departure_on: BookedDeparture


class AssignmentCompleted(GateForm):
    """The assignment done and its final report received: approve = completed (case worker)."""

    completed_on: PastDate
    final_report: str = Field(min_length=2, max_length=60, description="document number")
