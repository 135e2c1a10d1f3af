"""Recording a decision: the one code path used by the inbox, the CLI, the flows' tests and benchmarks."""

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Decision, HumanTask, Outcome, TaskStatus
from models.common import utcnow
from passage.programmes import get_form
from passage.services import audit
from passage.services.errors import FormInvalid, NotPermitted, TaskNotOpen
from passage.services.human_tasks import decision_for, get_task
from passage.services.users import require_role


def _refuse_closed(session: Session, task: HumanTask) -> TaskNotOpen:
    decision = decision_for(session=session, task_id=task.id or 0)
    if decision is None:
        return TaskNotOpen(f"task {task.id} is {task.status.value}")
    return TaskNotOpen(
        f"task {task.id} was already decided by {decision.decided_by}"
        f" at {decision.decided_at:%Y-%m-%d %H:%M} UTC ({decision.outcome.value})"
    )


def validate_form(*, task: HumanTask, actor: str, approve: bool, comment: str, data: dict[str, Any]) -> dict[str, Any]:
    """The task's form checked field by field; returns the form data to store."""
    form = get_form(task.form_type)
    errors: dict[str, str] = {}
    if not approve and not comment.strip():
        errors["comment"] = "a rejection needs a reason"
    try:
        values = form.model_validate({**data, "approved": approve, "comment": comment, "decided_by": actor})
    except ValidationError as exc:
        errors = {**FormInvalid.from_validation(exc).fields, **errors}
    if errors:
        raise FormInvalid(errors)
    return values.data()


def decide(
    *,
    session: Session,
    task_id: int,
    actor: str,
    approve: bool,
    comment: str = "",
    data: dict[str, Any] | None = None,
    deliver: bool = True,
) -> Decision:
    """Validate, check who decides, store decision and audit event together, then deliver to Prefect."""
    task = get_task(session=session, task_id=task_id)
    require_role(session=session, username=actor, role=task.role, programme=task.programme)
    if task.status != TaskStatus.OPEN:
        raise _refuse_closed(session, task)
    if actor == task.requested_by:
        raise NotPermitted(f"four-eyes: {actor} requested this task and cannot decide it")
    form_data = validate_form(task=task, actor=actor, approve=approve, comment=comment, data=data or {})
    # The guarded UPDATE is the lock: of two concurrent deciders exactly one changes the row.
    claimed = session.execute(
        update(HumanTask)
        .where(col(HumanTask.id) == task_id, col(HumanTask.status) == TaskStatus.OPEN)
        .values(status=TaskStatus.DECIDED)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise _refuse_closed(session, get_task(session=session, task_id=task_id))
    decision = Decision(
        task_id=task_id,
        outcome=Outcome.APPROVE if approve else Outcome.REJECT,
        comment=comment,
        data=form_data,
        decided_by=actor,
    )
    session.add(decision)
    audit.record(
        session=session,
        actor=actor,
        action="task.approved" if approve else "task.rejected",  # spelled out: f"{outcome}d" gave "rejectd"
        case_id=task.case_id,
        task_id=task_id,
        detail={"step": task.step, "comment": comment},
    )
    session.commit()
    session.refresh(decision)
    if deliver:
        from passage.services.delivery import deliver_decision

        deliver_decision(session=session, decision=decision)
    return decision


def mark_applied(*, session: Session, task_id: int) -> None:
    """The flow run has taken the decision: nothing more to deliver."""
    decision = decision_for(session=session, task_id=task_id)
    if decision is not None and decision.applied_at is None:
        decision.applied_at = utcnow()
        session.commit()


def unapplied(*, session: Session, flow_run_id: str | None = None) -> Sequence[tuple[Decision, HumanTask]]:
    """Decisions whose flow run has not taken them yet (of one run, or all), oldest first."""
    query = (
        select(Decision, HumanTask)
        .join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
        .where(col(Decision.applied_at).is_(None))
        .order_by(col(Decision.id))
    )
    if flow_run_id is not None:
        query = query.where(col(HumanTask.flow_run_id) == flow_run_id)
    return session.exec(query).all()


def run_input(*, decision: Decision) -> dict[str, Any]:
    """The decision as the gate's RunInput payload."""
    return {
        **decision.data,
        "approved": decision.outcome == Outcome.APPROVE,
        "comment": decision.comment,
        "decided_by": decision.decided_by,
    }
