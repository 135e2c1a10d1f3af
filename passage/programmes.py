"""What a programme is to the rest of Passage, and the lookups over the registry in `flows`."""

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.case import TITLE_LENGTH
from models.common import clean_text, plausible_date
from passage.documents import Document
from passage.services.errors import NotFound

if TYPE_CHECKING:
    from prefect import Flow

    from tasks.gate import Gate, GateForm


# Special-category markers for a gate form's field (`Field(json_schema_extra=HEALTH)`): the services
# show such a field in full only to the roles that need it (passage/services/access.py).
HEALTH: dict[str, Any] = {"sensitive": "health"}
DNA: dict[str, Any] = {"sensitive": "dna"}


class Intake(BaseModel):
    """Base of every programme's case file: what a case worker submits to open a case.

    A key the model does not know is refused: a mistyped optional field would otherwise be dropped unseen.
    """

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=TITLE_LENGTH)

    _text = field_validator("*", mode="before")(clean_text)
    _dates = field_validator("*")(plausible_date)

    def people(self) -> list[dict[str, Any]]:
        """The persons of the case (empty where the case is not a person, e.g. a project)."""
        return []

    def case_flags(self) -> list[str]:
        return []

    def summary(self) -> str:
        return self.title or "case"

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:  # noqa: ARG003 (a hook; most record none)
        """The documents the stored case file records on opening (most record none)."""
        return []


@dataclass(frozen=True)
class Example:
    """A demo case of a programme: its case file, the gates already approved, the gate left overdue."""

    case_file: dict[str, Any]
    decided: tuple[tuple["Gate[Any]", dict[str, Any]], ...] = ()
    overdue: "Gate[Any] | None" = None


@dataclass(frozen=True)
class ImportLayout:
    """How a spreadsheet of cases (one row per person) maps onto the programme's case file.

    Rows with the same `key` make one case; `case_columns` (column -> dotted path in the case file)
    repeat on each of its rows, `member_columns` are the fields of each row's person in the list
    `members`; a column of `list_columns` holds several values separated by ';'.
    """

    key: str
    members: str
    member_columns: tuple[str, ...]
    case_columns: dict[str, str]
    required: frozenset[str]
    list_columns: frozenset[str] = frozenset()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.case_columns, *self.member_columns)


@dataclass(frozen=True)
class Programme:
    slug: str
    title: str
    ref_prefix: str
    flow: "Flow[..., Any]"
    intake: type[Intake]
    forms: tuple[type["GateForm"], ...] = field(default_factory=tuple)
    examples: tuple[Example, ...] = field(default_factory=tuple)
    # Cases of this programme can be imported from CSV or Excel (passage/services/importing.py).
    import_layout: ImportLayout | None = None

    deployment_name = "passage"

    @property
    def deployment(self) -> str:
        """The full name of the programme's deployment, as `run_deployment` takes it."""
        return f"{self.flow.name}/{self.deployment_name}"


@dataclass(frozen=True)
class Scheduled:
    """An operations flow (no case) that Prefect runs on a cron schedule, e.g. the reminder sweep."""

    flow: "Flow[..., Any]"
    cron: str  # the default; PASSAGE_SCHEDULES overrides it by flow name
    deployment_name = "passage"

    @property
    def schedule(self) -> str:
        from passage.settings import get_settings

        return get_settings().schedules.get(self.flow.name, self.cron)


@cache
def all_scheduled() -> tuple[Scheduled, ...]:
    """Every scheduled operations flow (the list lives in `flows/__init__.py`)."""
    from flows import SCHEDULED

    return tuple(SCHEDULED)


@cache
def all_programmes() -> dict[str, Programme]:
    """Every registered programme by slug (the one list lives in `flows/__init__.py`)."""
    from flows import PROGRAMMES

    return {programme.slug: programme for programme in PROGRAMMES}


def get_programme(slug: str) -> Programme:
    try:
        return all_programmes()[slug]
    except KeyError:
        known = ", ".join(sorted(all_programmes()))
        # repr: a name with a line break or a quote in it still makes one line between quotes.
        raise NotFound(f"unknown programme {slug!r} (known: {known})") from None


def flow_named(name: str) -> "Flow[..., Any]":
    """The programme or scheduled flow called `name` (what the worker runs for a flow run)."""
    for programme in all_programmes().values():
        if programme.flow.name == name:
            return programme.flow
    for scheduled in all_scheduled():
        if scheduled.flow.name == name:
            return scheduled.flow
    raise NotFound(f"no programme or scheduled flow '{name}'")


@cache
def form_types() -> dict[str, type["GateForm"]]:
    """Every gate form by its form type name, which must name one form across all programmes."""
    found: dict[str, type[GateForm]] = {}
    for programme in all_programmes().values():
        for form in programme.forms:
            other = found.setdefault(form.form_type(), form)
            if other is not form:
                # Tasks store only the form type: two forms of one name would validate against the wrong one.
                raise ValueError(f"form type '{form.form_type()}' of {programme.slug} is already taken by {other}")
    return found


def get_form(form_type: str) -> type["GateForm"]:
    try:
        return form_types()[form_type]
    except KeyError:
        raise NotFound(f"unknown form type '{form_type}'") from None


@cache
def gates_of(slug: str) -> tuple["Gate[Any]", ...]:
    """The programme's gates in the order its flow module defines them (its procedure's order).

    Read from the module rather than a second list kept by hand; a gate asked only under a condition
    (an escort, a second round) is among them.
    """
    import sys

    from tasks.gate import Gate

    module = sys.modules[get_programme(slug).flow.fn.__module__]
    found: dict[str, Gate[Any]] = {}
    for value in vars(module).values():
        if isinstance(value, Gate):
            found.setdefault(value.step, value)
    return tuple(found.values())


@cache
def _gate_titles() -> dict[str, str]:
    """Every gate's step and title across the programmes (the first, where two share a step)."""
    titles: dict[str, str] = {}
    for slug in all_programmes():
        for spec in gates_of(slug):
            titles.setdefault(spec.step, spec.title)
    return titles


def step_title(step: str) -> str:
    """A step as the inbox's filter names it: its gate's title, with the number of a second round or of a
    family member ("Collect DNA sample (2)"); a step no gate declares is shown as it is."""
    titles = _gate_titles()
    base, _dash, number = step.rpartition("-")
    if step not in titles and number.isdigit() and base in titles:
        return f"{titles[base]} ({number})"
    return titles.get(step, step)
