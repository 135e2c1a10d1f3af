"""A gate of a procedure and the form its decider fills in; the markers of special-category fields."""

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models import Role
from models.common import clean_text, plausible_date
from passage.programme.documents import Document
from passage.programme.steps import numbered

PAUSE_KEY = re.compile(r"^[a-z0-9-]+$")

# Special-category markers for a gate form's field (`Field(json_schema_extra=HEALTH)`): the services
# show such a field in full only to the roles that need it (passage/services/access.py).
HEALTH: dict[str, Any] = {"sensitive": "health"}
DNA: dict[str, Any] = {"sensitive": "dna"}


class GateForm(BaseModel):
    """Base of every gate's form: the decision itself plus the form's own fields.

    It stays in Passage: Prefect is told only that a gate was decided, never what (a form can carry
    health and DNA data). A key the form does not know is refused, not dropped unseen.
    """

    model_config = ConfigDict(extra="forbid")

    approved: bool = Field(description="approve (true) or reject (false)")
    comment: str = Field(default="", max_length=4000)
    decided_by: str = Field(max_length=60)  # a username

    base_fields: ClassVar[frozenset[str]] = frozenset({"approved", "comment", "decided_by"})

    _text = field_validator("*", mode="before")(clean_text)
    _dates = field_validator("*")(plausible_date)

    @classmethod
    def form_type(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower()

    @classmethod
    def field_names(cls) -> list[str]:
        """The form's own fields, in declaration order (what the inbox renders)."""
        return [name for name in cls.model_fields if name not in cls.base_fields]

    @classmethod
    def description(cls) -> str:
        """What the decider is asked, as the task page says it: the form's docstring on one line (an English
        key of the catalogue); empty for a form without one."""
        own = cls.__dict__.get("__doc__")
        return " ".join(own.split()) if isinstance(own, str) else ""

    def data(self) -> dict[str, Any]:
        """The form's own fields as JSON-ready values (what the decision stores)."""
        return self.model_dump(mode="json", include=set(self.field_names()))

    @classmethod
    def documents_of(cls, data: dict[str, Any]) -> list[Document]:  # noqa: ARG003 (a hook; most forms record none)
        """The documents a decision records: `data` is its stored form fields and `approved`.

        Read from the stored data, not a re-validated form: a decision of an older release still shows.
        """
        return []


F = TypeVar("F", bound=GateForm)


@dataclass(frozen=True)
class Gate(Generic[F]):
    """A gate of a procedure: who decides it, with which form, within how long."""

    step: str
    title: str
    form: type[F]
    role: Role
    due: timedelta = timedelta(days=5)
    # N-of-M: approvals by distinct people of `role` before the gate passes; one rejection ends it.
    approvals: int = 1
    # How long the wait may last before the task expires (None: PASSAGE_GATE_EXPIRY_DAYS).
    expires: timedelta | None = None

    @property
    def description(self) -> str:
        """What its decider is asked: its form's description (the same form may serve several gates)."""
        return self.form.description()

    def round(self, attempt: int) -> "Gate[F]":
        """The same gate asked again (attempt 2, 3...): a new task with its own pause key."""
        return self if attempt == 1 else replace(self, step=numbered(self.step, attempt))

    def numbered(self, number: int, title: str) -> "Gate[F]":
        """The same gate asked once per person or item (`number` 1, 2...): its own task, titled for it."""
        return replace(self, step=numbered(self.step, number), title=title)

    def needing(self, approvals: int) -> "Gate[F]":
        """The same gate decided by `approvals` distinct people (e.g. two managers for a risky plan)."""
        return replace(self, approvals=approvals)

    def __post_init__(self) -> None:
        # Prefect leaves a run with any other pause key suspended with no input schema: unresumable.
        if not PAUSE_KEY.match(self.step):
            raise ValueError(f"gate step '{self.step}' must match [a-z0-9-]+")
        if not 1 <= self.approvals <= 5:
            raise ValueError(f"gate '{self.step}' needs between 1 and 5 approvals")
