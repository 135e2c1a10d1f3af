"""The human gate: record the task once, wait without a process, return the typed decision."""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from prefect import get_run_logger
from sqlalchemy.exc import SQLAlchemyError

from models.common import utcnow
from passage.core import prefect_bridge as prefect
from passage.core.db import session_scope
from passage.core.errors import CaseNotOpen
from passage.core.settings import get_settings
from passage.programme import Gate, GateForm
from passage.programme.registry import declares
from passage.services import decisions, human_tasks
from tasks.base import retried
from tasks.case import CaseInfo

F = TypeVar("F", bound=GateForm)

# How often a warm gate looks for its decision during the grace period: a cheap indexed read.
GRACE_POLL_SECONDS = 0.1


@retried
def request_decision(
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
        try:
            human_tasks.open_task(session=session, request=request)
        except CaseNotOpen:
            # Withdrawn while this run was still going: it ends here, Cancelled, and opens nothing.
            prefect.end_cancelled(message=f"case {case.ref} was closed while its run went on")
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
    if not declares(case.programme, spec.step):
        # The inbox's step filter, step titles and the case page's steps to come read the declared gates.
        raise ValueError(f"gate '{spec.step}' is not declared by {case.programme}: add it to its Programme(gates=…)")
    if spec.step in case.decided:
        return spec.form.model_validate(case.decided[spec.step])
    payload = request_decision(case, spec, requested_by, context or {})
    if payload is None:
        payload = decision_soon(case, spec.step)
    if payload is None:
        # Identifiers only: a title may name a person (`DNA sample collected: <name>`), and Prefect's logs
        # are readable by whoever holds its API.
        get_run_logger().info("case %s waits at %s (%s)", case.ref, spec.step, spec.role.value)
        prefect.suspend(key=spec.step)  # the process exits here until resumed
        payload = request_decision(case, spec, requested_by, context or {})
        while payload is None:
            # Resumed with no decision recorded: not by Passage (a resume sent to Prefect directly). The
            # gate waits on, and the case's trail says so; failing would spend one of the case's recoveries.
            stray_resume(case, spec.step)
            prefect.suspend_again(key=spec.step)
            payload = request_decision(case, spec, requested_by, context or {})
    return spec.form.model_validate(payload)


@retried
def stray_resume(case: CaseInfo, step: str) -> None:
    with session_scope() as session:
        decisions.record_stray_resume(session=session, case_id=case.id, step=step)


P = TypeVar("P", bound=GateForm)
A = TypeVar("A", bound=GateForm)


def agreed(
    case: CaseInfo,
    proposal: Gate[P],
    approval: Gate[A],
    *,
    rounds: int,
    context: dict[str, Any] | None = None,
    approval_context: Callable[[P], dict[str, Any]] = GateForm.data,
) -> tuple[P, A] | None:
    """A proposal and its approval, asked round after round until approved, at most `rounds` times.

    Four-eyes lives here: the proposal's author is the approval's requester, and a requester can never
    decide their own request. Round 2 and later are tasks of their own (`plan-ok-2`). The approver sees
    `approval_context(proposal)`, the proposal's own fields unless the flow adds to them. None when every
    round was sent back.
    """
    for attempt in range(1, rounds + 1):
        proposed = gate(case, proposal.round(attempt), context=context)
        verdict = gate(
            case, approval.round(attempt), requested_by=proposed.decided_by, context=approval_context(proposed)
        )
        if verdict.approved:
            return proposed, verdict
    return None
