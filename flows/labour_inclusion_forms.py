"""LEARN and other labour-inclusion projects: the activity's file and the form of each gate (docs/procedures.md §4).

Here a case is a Learning Network session or a work-study programme, not a person: participants are
counted by group, never named.
"""

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from flows.forms_common import PastDate
from passage.programme import GateForm, Intake


class Project(StrEnum):
    LEARN = "learn"
    VOORWERK = "voorwerk"
    SKILLS2WORK = "skills2work"
    INCLUD_EU = "includ_eu"


class Group(StrEnum):
    EMPLOYERS = "employers"
    EDUCATORS = "educators"
    MUNICIPALITIES = "municipalities"
    PERMIT_HOLDERS = "permit_holders"


class LearningActivity(Intake):
    """A network session or a work-study programme, as the case worker plans it."""

    project: Project = Project.LEARN
    kind: Literal["network_session", "work_study_programme"]
    topic: str = Field(min_length=3, max_length=160)
    planned_on: date
    location: str = Field(min_length=2, max_length=80, description="a city, or 'online'")
    groups: list[Group] = Field(min_length=1, description="the groups invited")

    def summary(self) -> str:
        kind = self.kind.replace("_", " ")
        return self.title or f"{self.project.value.upper()} {kind}: {self.topic} ({self.planned_on})"


class ActivityPlan(GateForm):
    """The programme manager approves the plan: agenda, invitations, budget line."""

    expected_participants: int = Field(default=20, ge=1, le=500)


class ActivityHeld(GateForm):
    """The activity took place: participants counted by group (case worker); reject = cancelled."""

    held_on: PastDate
    employers: int = Field(default=0, ge=0, le=1000)
    educators: int = Field(default=0, ge=0, le=1000)
    municipalities: int = Field(default=0, ge=0, le=1000)
    permit_holders: int = Field(default=0, ge=0, le=1000)

    @model_validator(mode="after")
    def _someone_came(self) -> "ActivityHeld":
        if self.approved and self.participants() == 0:
            raise ValueError("permit_holders: record the participants of each group to approve")
        return self

    def participants(self) -> int:
        return self.employers + self.educators + self.municipalities + self.permit_holders


class Theme(StrEnum):
    DUAL_LEARNING = "dual_learning"
    LANGUAGE_SUPPORT = "language_support"
    MENTORING = "mentoring"
    EMPLOYER_ENGAGEMENT = "employer_engagement"
    RECOGNITION_OF_QUALIFICATIONS = "recognition_of_qualifications"


class GoodPractices(GateForm):
    """Good practices collected from the activity (case worker)."""

    practices: int = Field(ge=0, le=100, description="how many were recorded")
    themes: list[Theme] = []
    summary: str = Field(default="", max_length=2000)


class Recommendations(GateForm):
    """Practical and policy recommendations drafted for SZW (case worker)."""

    kinds: list[Literal["practical", "policy"]] = ["practical", "policy"]
    document_ref: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,39}$", description="the draft's document number")


class SzwSignOff(GateForm):
    """SZW's sign-off of the recommendations, as a case worker records it (SZW does not log in)."""

    szw_reference: str = Field(default="", max_length=60, description="SZW's letter or e-mail reference")

    @model_validator(mode="after")
    def _reference_when_signed(self) -> "SzwSignOff":
        if self.approved and not self.szw_reference.strip():
            raise ValueError("szw_reference: record SZW's reference for a sign-off")
        return self
