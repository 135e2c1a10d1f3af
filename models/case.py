"""A case (one family or group travelling together, or a project) and its persons."""

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from pydantic import ConfigDict, field_validator
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import clean_text, enum_field, json_field, optional_time_field, time_field

TITLE_LENGTH = 200


class CaseStatus(StrEnum):
    NEW = "new"  # recorded, flow run not started yet (the reconciler starts it)
    ACTIVE = "active"
    CLOSED = "closed"  # reached its end (arrival, publication...)
    REJECTED = "rejected"  # a gate said no
    REFUSED = "refused"  # an automated check said no (quota, completeness)
    WITHDRAWN = "withdrawn"  # ended by a person (applicant withdrew, no-show...); reopened by a manager


class WithdrawReason(StrEnum):
    """Why a case was withdrawn (passage/services/lifecycle.py); `other` needs a note saying what."""

    APPLICANT = "applicant"  # withdrawn by the applicant
    NO_SHOW = "no-show"
    DECEASED = "deceased"
    INELIGIBLE = "ineligible"  # found ineligible
    TRANSFERRED = "transferred"  # transferred to another programme
    OTHER = "other"


class PersonBase(SQLModel):
    # A mistyped key ("birthdate") is refused by name rather than dropped unseen.
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    # Names in Arabic or Dari script are stored exactly as given: no case folding, no transliteration.
    full_name: str = Field(min_length=1, max_length=200)
    nationality: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2, e.g. SY")
    birth_date: date | None = None
    is_principal: bool = False

    _text = field_validator("*", mode="before")(clean_text)

    @field_validator("full_name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        if not value.strip() or any(unicodedata.category(ch) == "Cc" for ch in value):
            raise ValueError("a name must have visible characters and no control characters")
        return value

    @field_validator("nationality")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if not (len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()):
            raise ValueError("use a two-letter ISO country code in capitals, e.g. SY")
        return value

    @field_validator("birth_date")
    @classmethod
    def _born_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("a birth date must lie between 1900 and today")
        return value


class Person(PersonBase, table=True):
    # A name and a birth date are how a likely duplicate is found (passage/services/duplicates.py).
    __table_args__ = (Index("ix_person_name_key_birth_date", "name_key", "birth_date"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    # The name's spelling-independent key (passage.core.names.name_key), set on every write of the row.
    name_key: str = ""
    # Its place in the case as opened (1, 2...), a newcomer's after the last: kept when an amendment removes
    # another, so that a gate asked per person (`needs-3`) stays that person's (passage/services/amend.py).
    number: int


class CaseBase(SQLModel):
    programme: str = Field(index=True, max_length=60)
    title: str = Field(max_length=TITLE_LENGTH)


class Case(CaseBase, table=True):
    # One case per partner number in a programme: the database refuses the second, whoever races to open it.
    # A programme's cases newest first, for the case search's walk (passage/services/case_matching.py).
    __table_args__ = (
        UniqueConstraint("programme", "external_ref", name="uq_case_programme_external_ref"),
        Index("ix_case_programme_id", "programme", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, index=True, max_length=40)
    # Globally unique: the idempotency key of the case's flow run, even across databases (a new one on reopening).
    uid: str = Field(default_factory=lambda: uuid4().hex, unique=True, max_length=32)
    status: CaseStatus = enum_field(CaseStatus, CaseStatus.NEW, index=True)
    current_step: str | None = None
    flow_run_id: str | None = Field(default=None, index=True)
    data: dict[str, Any] = json_field()
    flags: list[str] = json_field(list)
    outcome: str | None = None
    opened_by: str
    created_at: datetime = time_field()
    closed_at: datetime | None = optional_time_field()
    # Retention: names and contact data replaced after the configured period; statistics kept.
    pseudonymised_at: datetime | None = optional_time_field()
    # On hold since (passage/services/lifecycle.py): its tasks wait undecided, reminders and expiry skip it.
    held_at: datetime | None = optional_time_field()
    hold_reason: str | None = Field(default=None, max_length=500)
    # A withdrawn case's flow run still to be cancelled in Prefect (it did not answer): the reconciler retries.
    run_to_cancel: str | None = Field(default=None, index=True, max_length=40)
    # The partner's number of the case (UNHCR, embassy, IND; Intake.external_ref), None where there is none.
    external_ref: str | None = Field(default=None, max_length=40)
    # A digest of the validated case file: how a repeated submission of the same file is recognised.
    intake_hash: str | None = Field(default=None, index=True, max_length=64)


class StepRun(SQLModel, table=True):
    """An automated step done for a case: its idempotency key and its place in the timeline."""

    __table_args__ = (UniqueConstraint("case_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    step: str = Field(max_length=80)
    title: str
    result: dict[str, Any] = json_field()
    started_at: datetime = time_field()
    finished_at: datetime = time_field()
