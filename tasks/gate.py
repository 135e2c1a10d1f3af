"""The human gate: record the task once, wait without a process, return the typed decision."""

import re
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, ClassVar, Generic, TypeVar

from prefect import get_run_logger
from prefect.input import RunInput
from pydantic import Field, field_validator
from sqlalchemy.exc import SQLAlchemyError

from models import Role
from models.common import clean_text, plausible_date, utcnow
from passage import prefect_bridge as prefect
from passage.db import session_scope
from passage.documents import Document
from passage.services import decisions, human_tasks
from passage.settings import get_settings
from tasks.base import retried
from tasks.case import CaseInfo

PAUSE_KEY = re.compile(r"^[a-z0-9-]+$")
# How often a warm gate looks for its decision during the grace period: a cheap indexed read.
GRACE_POLL_SECONDS = 0.1


class GateForm(RunInput):
    """Base of every gate's form: the decision itself plus the form's own fields."""

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

    def round(self, attempt: int) -> "Gate[F]":
        """The same gate asked again (attempt 2, 3...): a new task with its own pause key."""
        return self if attempt == 1 else replace(self, step=f"{self.step}-{attempt}")

    def needing(self, approvals: int) -> "Gate[F]":
        """The same gate decided by `approvals` distinct people (e.g. two managers for a risky plan)."""
        return replace(self, approvals=approvals)

    def __post_init__(self) -> None:
        # Prefect leaves a run with any other pause key suspended with no input schema: unresumable.
        if not PAUSE_KEY.match(self.step):
            raise ValueError(f"gate step '{self.step}' must match [a-z0-9-]+")
        if not 1 <= self.approvals <= 5:
            raise ValueError(f"gate '{self.step}' needs between 1 and 5 approvals")


@retried
def open_gate_task(
    case: CaseInfo, spec: Gate[Any], requested_by: str, context: dict[str, Any]
) -> dict[str, Any] | None:
    """Record the human task (idempotently); return its decision payload if one exists.

    Not a Prefect task run: a gate opens and is looked at again after its resume, two records a
    programme has nine or more of, and each a Prefect task run would cost more than the write itself.
    The run's log and the case's timeline show the gate.
    """
    with session_scope() as session:
        request = human_tasks.TaskRequest(
            case_id=case.id,
            programme=case.programme,
            step=spec.step,
            title=spec.title,
            form_type=spec.form.form_type(),
            role=spec.role,
            flow_run_id=prefect.current_run_id(),
            requested_by=requested_by,
            due_at=utcnow() + spec.due,
            context=context,
            approvals_required=spec.approvals,
            expires_at=utcnow() + (spec.expires or timedelta(days=get_settings().gate_expiry_days)),
        )
        human_tasks.open_task(session=session, request=request)
        return decisions.take_decision(session=session, case_id=case.id, step=spec.step)


def decision_soon(case: CaseInfo, step: str) -> dict[str, Any] | None:
    """The gate's decision if it arrives within the grace period (PASSAGE_GATE_GRACE_SECONDS), taken.

    Why wait at all: a suspended run costs a flow-run segment to resume (submission, a process, the
    engine's start, the replay), about a CPU-second on the embedded default; a decision that comes while
    the gate is still warm saves all of it. It is taken here, with no Prefect task run of its own: if
    the process dies after this, the re-run replays the decision from the database like any other. A
    database that does not answer ends the look: the run suspends as it would have, and the decision
    resumes it.
    """
    deadline = time.monotonic() + get_settings().gate_grace_seconds
    while time.monotonic() < deadline:
        time.sleep(GRACE_POLL_SECONDS)
        try:
            with session_scope() as session:
                payload = decisions.take_decision(session=session, case_id=case.id, step=step)
        except SQLAlchemyError:
            return None
        if payload is not None:
            return payload
    return None


def gate(
    case: CaseInfo,
    spec: Gate[F],
    *,
    requested_by: str = "system",
    context: dict[str, Any] | None = None,
) -> F:
    """Ask a person to decide `spec` for `case`; returns their typed decision.

    The decision lives in Passage's database, so a re-run replays decided gates from there
    (from the case's snapshot when the run already took them) and suspends only at the first
    undecided one.
    """
    if spec.step in case.decided:
        return spec.form.model_validate(case.decided[spec.step])
    payload = open_gate_task(case, spec, requested_by, context or {})
    if payload is None:
        payload = decision_soon(case, spec.step)
    if payload is None:
        get_run_logger().info("case %s waits for %s (%s)", case.ref, spec.title, spec.role.value)
        prefect.suspend(spec.form, key=spec.step)  # the process exits here until resumed
        payload = open_gate_task(case, spec, requested_by, context or {})
        if payload is None:
            raise RuntimeError(f"run resumed at {spec.step} without a recorded decision")
    return spec.form.model_validate(payload)
