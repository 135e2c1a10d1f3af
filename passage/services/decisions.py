"""Recording a decision: the one code path used by the inbox, the CLI, the flows' tests and benchmarks."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Approval, Case, Decision, HumanTask, Outcome, TaskStatus
from models.common import utcnow
from passage.core.errors import CaseOnHold, FormInvalid, NotFound, NotPermitted, TaskNotOpen
from passage.programme.registry import get_form
from passage.services import access, audit, case_search, delivery, seal
from passage.services.human_tasks import approvals_of, decision_for, get_task
from passage.services.users import has_role


def _refuse_closed(session: Session, task: HumanTask) -> TaskNotOpen:
    decision = decision_for(session=session, task_id=task.id or 0)
    if decision is None and task.status == TaskStatus.EXPIRED:
        return TaskNotOpen(
            "task {task_id} expired (nobody decided it in time): a programme manager can re-open it", task_id=task.id
        )
    if decision is None:
        return TaskNotOpen("task {task_id} is {status}", task_id=task.id, status=task.status.value)
    return TaskNotOpen(
        "task {task_id} was already decided by {decided_by} at {decided_at:%Y-%m-%d %H:%M} ({outcome})",
        task_id=task.id,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        outcome=decision.outcome.value,
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


def require_decider(*, session: Session, task: HumanTask, actor: str) -> None:
    """Refuse anyone who may not decide `task` now: other programme, other role, its requester, not its assignee."""
    case = session.get(Case, task.case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=task.case_id)
    access.require_case_access(session=session, actor=actor, case=case)
    access.require_role(session=session, actor=actor, role=task.role, programme=task.programme)
    if task.status != TaskStatus.OPEN:
        raise _refuse_closed(session, task)
    if case.held_at is not None:
        raise CaseOnHold(
            "case {ref} is on hold since {since:%Y-%m-%d %H:%M}: its tasks are decided once a programme "
            "manager resumes it",
            ref=case.ref,
            since=case.held_at,
        )
    if actor == task.requested_by:
        raise NotPermitted("four-eyes: {actor} requested or prepared this task and cannot decide it", actor=actor)
    stand_in_for = access.delegators_of(session=session, username=actor)
    if task.assignee is not None and task.assignee not in (actor, *stand_in_for):
        raise NotPermitted("task {task_id} is claimed by {assignee}", task_id=task.id, assignee=task.assignee)


def _delegation(session: Session, task: HumanTask, actor: str) -> dict[str, Any]:
    """Audit detail naming whose role a delegate decided in, when not their own."""
    if access.is_service(session=session, actor=actor) or has_role(
        session=session, username=actor, role=task.role, programme=task.programme
    ):
        return {}
    return {"on_behalf_of": access.delegators_of(session=session, username=actor)}


def _approval(session: Session, task: HumanTask, actor: str, comment: str, form_data: dict[str, Any]) -> int:
    """Record one person's approval of an N-of-M task; returns how many distinct approvals it has now."""
    if session.get_bind().dialect.name == "postgresql":
        # Two last approvers counting at once must not both see N-1: lock the task row until commit.
        session.exec(select(HumanTask).where(col(HumanTask.id) == task.id).with_for_update()).one()
    if actor in {a.username for a in approvals_of(session=session, task_id=task.id or 0)}:
        raise NotPermitted("four-eyes: {actor} already approved this task; it needs distinct approvers", actor=actor)
    session.add(Approval(task_id=task.id or 0, username=actor, comment=comment, data=form_data))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise NotPermitted(
            "four-eyes: {actor} already approved this task; it needs distinct approvers", actor=actor
        ) from None
    return len(approvals_of(session=session, task_id=task.id or 0))


def decide(
    *,
    session: Session,
    task_id: int,
    actor: str,
    approve: bool,
    comment: str = "",
    data: dict[str, Any] | None = None,
    deliver: bool = True,
) -> Decision | None:
    """Validate, check who decides, store decision and audit event together, then deliver to Prefect.

    A task that needs N approvals (N-of-M) records each approval and returns None until the N-th, which
    becomes its Decision; a single rejection decides it at once. The flow sees one decision either way.
    """
    task = get_task(session=session, task_id=task_id)
    require_decider(session=session, task=task, actor=actor)
    form_data = validate_form(task=task, actor=actor, approve=approve, comment=comment, data=data or {})
    detail: dict[str, Any] = {"step": task.step, "comment": comment, **_delegation(session, task, actor)}
    if approve and task.approvals_required > 1:
        approvals = _approval(session, task, actor, comment, form_data)
        detail |= {"approvals": approvals, "required": task.approvals_required}
        if approvals < task.approvals_required:
            audit.record(
                session=session,
                actor=actor,
                action="task.approval",
                case_id=task.case_id,
                task_id=task_id,
                detail=detail,
            )
            session.commit()
            return None
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
    if any(case_search.is_reference_field(name) for name in form_data):  # an IND decision's number: findable
        case_search.index_case(session=session, case_id=task.case_id)
    audit.record(
        session=session,
        actor=actor,
        action="task.approved" if approve else "task.rejected",  # spelled out: f"{outcome}d" gave "rejectd"
        case_id=task.case_id,
        task_id=task_id,
        detail={**detail, audit.DECISION: seal.decision_seal(decision)},  # the decision row, sealed in the chain
    )
    session.commit()
    session.refresh(decision)
    if deliver:
        delivery.deliver_decision(session=session, decision=decision)
    return decision


def take_decisions(*, session: Session, case_id: int) -> dict[str, dict[str, Any]]:
    """Every decision of the case as its gate's input, by step, marked taken by the run loading them.

    A (re)started run replays these from memory instead of asking its gates one by one; marking
    them applied here tells the reconciler they need no delivery. A run that crashes later loads
    them again on its next start, so nothing is lost by taking them early.
    """
    query = (
        select(Decision, HumanTask.step)
        .join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
        .where(col(HumanTask.case_id) == case_id, col(HumanTask.set_aside_at).is_(None))
    )
    rows = session.exec(query).all()
    now = utcnow()
    for decision, _step in rows:
        if decision.applied_at is None:
            decision.applied_at = now
    session.commit()
    return {step: run_input(decision=decision) for decision, step in rows}


def take_decision(*, session: Session, case_id: int, step: str) -> dict[str, Any] | None:
    """The decision of the case's task at `step` as its gate's input, marked taken; None while undecided.

    An N-of-M task has its decision row only once all its approvals are in.
    """
    query = select(Decision).join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
    live = col(HumanTask.set_aside_at).is_(None)
    decision = session.exec(query.where(HumanTask.case_id == case_id, HumanTask.step == step, live)).first()
    if decision is None:
        return None
    if decision.applied_at is None:
        decision.applied_at = utcnow()
        session.commit()
    return run_input(decision=decision)


def run_input(*, decision: Decision) -> dict[str, Any]:
    """The decision as the gate's RunInput payload."""
    return {
        **decision.data,
        "approved": decision.outcome == Outcome.APPROVE,
        "comment": decision.comment,
        "decided_by": decision.decided_by,
    }


def decision_view(*, session: Session, decision: Decision, actor: str) -> Decision:
    """A copy of `decision` as `actor` may see it: special-category form fields (and a comment on a gate
    that records such fields) masked for their roles."""
    task = get_task(session=session, task_id=decision.task_id)
    case = session.get(Case, task.case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=task.case_id)
    access.require_case_access(session=session, actor=actor, case=case)
    values = decision.model_dump()  # before the commit below expires the instance
    shown = access.reveal(
        session=session,
        actor=actor,
        case=case,
        data={**decision.data, access.COMMENT: decision.comment},
        where="decision",
        task_id=task.id,
        form_type=task.form_type,
    )
    session.commit()
    return Decision.model_validate({**values, "comment": shown.pop(access.COMMENT), "data": shown})


def approved_at(*, session: Session, programme: str, step: str) -> list[tuple[Case, dict[str, Any]]]:
    """Every approved decision at `step` in the programme's cases, with its case and its form's fields."""
    query = (
        select(Case, Decision)
        .join(HumanTask, col(HumanTask.case_id) == col(Case.id))
        .join(Decision, col(Decision.task_id) == col(HumanTask.id))
        .where(Case.programme == programme, HumanTask.step == step, Decision.outcome == Outcome.APPROVE)
    )
    return [(case, decision.data) for case, decision in session.exec(query).all()]


def record_stray_resume(*, session: Session, case_id: int, step: str) -> None:
    """Note in the case's trail that its run was resumed at `step` with no decision, and waits on there."""
    audit.record(
        session=session,
        actor=access.SYSTEM,
        action="gate.resumed-without-decision",
        case_id=case_id,
        detail={"step": step},
    )
    session.commit()
