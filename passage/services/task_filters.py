"""The inbox's filters as one typed model, turned into SQL conditions on `human_task`.

The same model reads a shared link's query parameters (`from_query`, field errors for a bad value)
and writes them back (`to_query`), so the inbox's state lives in its URL. Every condition is on a
column of `human_task` (status, programme, step, role, assignee, due_at, priority): no per-row
lookup, and the list and its counts share them.
"""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import ColumnElement, and_, true
from sqlmodel import col

from models import HumanTask
from models.common import clean_text
from passage.core.errors import FormInvalid
from passage.core.i18n import local
from passage.programme.registry import all_programmes
from passage.services.users import USERNAME

ME, UNASSIGNED, ANYONE = "me", "unassigned", "anyone"
PAGE_SIZE = 50
# Flags a case may carry that say nothing about a person's vulnerability (a child travelling with its family is
# not one by itself: UNHCR's flags say when children are at risk or unaccompanied).
NOT_VULNERABILITIES = frozenset({"dna_requested", "minor"})
# Vulnerabilities that cannot wait (assumption: a child alone or a medical need goes first).
URGENT = frozenset({"unaccompanied_minor", "medical_needs", "health_needs"})


class Due(StrEnum):
    ALL = "all"
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"


class Sort(StrEnum):
    DUE = "due"
    PRIORITY = "priority"


def priority_of(flags: list[str]) -> int:
    """2 for an urgent vulnerability, 1 for any other, 0 for none (stored on the task when it opens)."""
    if URGENT & set(flags):
        return 2
    return 1 if set(flags) - NOT_VULNERABILITIES else 0


class TaskFilter(BaseModel):
    """What the inbox shows: every field has a default, so an empty URL is the whole inbox."""

    programme: str | None = None
    step: str | None = None
    assignee: str = Field(default=ANYONE, description="me, unassigned, anyone or a username")
    due: Due = Due.ALL
    vulnerable: bool = False
    sort: Sort = Sort.DUE
    page: int = Field(default=1, ge=1, le=10_000)

    # A link is typed input too: `?step=%00` would reach the query (PostgreSQL cannot take NUL in text).
    _text = field_validator("*", mode="before")(clean_text)

    @field_validator("assignee")
    @classmethod
    def _known_scope(cls, value: str) -> str:
        if value not in (ME, UNASSIGNED, ANYONE) and not re.match(USERNAME, value):
            raise ValueError("use me, unassigned, anyone or a username")
        return value

    @field_validator("programme")
    @classmethod
    def _known_programme(cls, value: str | None) -> str | None:

        if value is not None and value not in all_programmes():
            raise ValueError(f"no programme '{value}'")
        return value

    def without(self, field: str) -> "TaskFilter":
        """The same filter with one field back at its default (a facet's counts ignore its own choice)."""
        return self.model_copy(update={field: type(self).model_fields[field].default})


def from_query(params: Mapping[str, str]) -> TaskFilter:
    """The filter a URL asks for; unknown parameters are ignored, bad values raise FormInvalid by field."""
    known = {k: v for k, v in params.items() if k in TaskFilter.model_fields and v != ""}
    try:
        return TaskFilter.model_validate(known)
    except ValidationError as exc:
        raise FormInvalid.from_validation(exc) from None


def to_query(filters: TaskFilter) -> dict[str, str]:
    """Only the fields that differ from their default, so a plain inbox has a plain URL."""
    values = filters.model_dump(mode="json", exclude_defaults=True)
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in values.items()}


def due_before(due: Due, now: datetime) -> datetime | None:
    """The due date a task must fall before; today and this week end at midnight on the office's clock, the day
    the inbox shows beside each task.

    The windows nest (overdue within today within this week): what must be done by then.
    """
    midnight = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if due == Due.OVERDUE:
        return now
    if due == Due.TODAY:
        return midnight + timedelta(days=1)
    if due == Due.WEEK:
        return midnight + timedelta(days=7 - midnight.weekday())
    return None


def conditions(filters: TaskFilter, *, actor: str, now: datetime) -> ColumnElement[bool]:
    """The filter as one SQL condition on `human_task`."""
    parts: list[ColumnElement[bool]] = []
    if filters.programme:
        parts.append(col(HumanTask.programme) == filters.programme)
    if filters.step:
        parts.append(col(HumanTask.step) == filters.step)
    if filters.assignee == UNASSIGNED:
        parts.append(col(HumanTask.assignee).is_(None))
    elif filters.assignee != ANYONE:
        parts.append(col(HumanTask.assignee) == (actor if filters.assignee == ME else filters.assignee))
    if (until := due_before(filters.due, now)) is not None:
        parts.append(col(HumanTask.due_at) < until)
    if filters.vulnerable:
        parts.append(col(HumanTask.priority) > 0)
    return and_(true(), *parts)


def ordering(sort: Sort) -> list[Any]:
    """Earliest due first; by priority: most urgent first, then earliest due. The id breaks ties (stable pages)."""
    by_due = [col(HumanTask.due_at), col(HumanTask.id)]
    return [col(HumanTask.priority).desc(), *by_due] if sort == Sort.PRIORITY else by_due
