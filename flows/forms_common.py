"""Building blocks the programmes' gate forms share: date checks, the fitness outcome, the COA hand-over."""

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from models import PersonBase
from passage.programme import HEALTH, GateForm

FLIGHT_NUMBER = r"^[A-Z0-9]{2}\d{1,4}$"
"""An airline's flight number, e.g. KL566 (pair with a `description` naming an example)."""


def with_companions(name: str, persons: int) -> str:
    """A case's title starts with its principal: "Name (+2)" for a family of three, "Name" alone."""
    return f"{name} (+{persons - 1})" if persons > 1 else name


def _not_future(value: date) -> date:
    if value > date.today():
        raise ValueError("this date cannot be in the future")
    return value


def not_past(message: str) -> AfterValidator:
    """A check that a date is today or later, failing with `message`."""

    def check(value: date) -> date:
        if value < date.today():
            raise ValueError(message)
        return value

    return AfterValidator(check)


PastDate = Annotated[date, AfterValidator(_not_future)]
"""Something that happened: today or earlier."""

BookedDeparture = Annotated[date, not_past("a departure cannot be booked in the past")]
"""The departure date of a booked flight: today or later."""


ADULT_AGE = 18
MINOR = "minor"
"""The case flag of a case with a person under 18 today (recomputed when an amendment changes its persons)."""


def is_minor(born: date | None) -> bool:
    if born is None:
        return False
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < ADULT_AGE


def no_one_twice(people: Sequence[PersonBase], field: str) -> None:
    """Refuse a list of persons naming someone twice (same name and birth date): one case, one row each."""
    if len({(p.full_name, p.birth_date) for p in people}) != len(people):
        raise ValueError(f"{field}: the same person is listed twice")


class Fitness(StrEnum):
    FIT = "fit"
    FIT_WITH_ESCORT = "fit_with_escort"
    UNFIT = "unfit"


class FitnessOutcome(GateForm):
    """Base of a medical officer's form: the fitness outcome (never a diagnosis) matching the decision.

    Approve = fit (or fit with escort), reject = unfit. Subclasses name the form (its form type comes
    from the class name) and may reword the two errors.
    """

    fitness: Fitness = Field(json_schema_extra=HEALTH)

    approved_unfit_error: ClassVar[str] = "an approval means fit to travel; reject to record 'unfit'"
    rejected_fit_error: ClassVar[str] = "a rejection means unfit to travel; choose 'unfit'"

    @field_validator("fitness")
    @classmethod
    def _matches_decision(cls, value: Fitness, info: ValidationInfo) -> Fitness:
        approved = info.data.get("approved")
        if approved is True and value == Fitness.UNFIT:
            raise ValueError(cls.approved_unfit_error)
        if approved is False and value != Fitness.UNFIT:
            raise ValueError(cls.rejected_fit_error)
        return value


class CoaHandOver(GateForm):
    """Base of an arrival form: arrived in the Netherlands and handed over to a COA location (case worker)."""

    arrived_on: PastDate
    reception_location: str = Field(min_length=2, max_length=80, description="COA location")
