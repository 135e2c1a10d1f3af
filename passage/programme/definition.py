"""What a programme is: its case file (intake), its gates and forms, its demo cases, its import layout."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.case import TITLE_LENGTH
from models.common import clean_text, plausible_date
from passage.core.settings import get_settings
from passage.programme.documents import Document
from passage.programme.gates import Gate, GateForm

if TYPE_CHECKING:
    from prefect import Flow


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

    def external_ref(self) -> str | None:
        """The partner's number for this case (UNHCR, embassy, IND): one case per number in a programme."""
        return None

    def quota_counted_in(self) -> int | None:
        """The year whose quotas the case's persons count against (None: the programme has no quota)."""
        return None

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
    decided: tuple[tuple[Gate[Any], dict[str, Any]], ...] = ()
    overdue: Gate[Any] | None = None


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
    # Every gate the flow may open, in the procedure's order: what the inbox's step filter, the case page's
    # steps to come and the step titles read (a test fails when a flow opens a step not declared here).
    gates: tuple[Gate[Any], ...] = field(default_factory=tuple)
    examples: tuple[Example, ...] = field(default_factory=tuple)
    # Cases of this programme can be imported from CSV or Excel (passage/services/importing.py).
    import_layout: ImportLayout | None = None

    deployment_name = "passage"

    @property
    def forms(self) -> tuple[type[GateForm], ...]:
        """The forms of its gates, each once, in the procedure's order."""
        return tuple(dict.fromkeys(spec.form for spec in self.gates))

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
        return get_settings().schedules.get(self.flow.name, self.cron)
