"""A case beyond its procedure: put on hold and resumed, withdrawn (no-show, deceased...), reopened.

- **Hold** (a programme manager, with a reason): the case waits where it is. Its tasks cannot be decided
  (decisions.require_decider), reminders, escalations and expiry skip it, and a decision taken before the
  hold is not delivered; on **resume** its open tasks' due and expiry dates move by the time held.
- **Withdraw** (a case worker or programme manager, with a reason from a list): the case closes at once
  (a guarded UPDATE: only one withdrawal, and nothing a run still going does, wins over it), its open
  tasks are cancelled and the people they waited for told, what it reserved from quotas and budgets is
  given back once, then its flow run is cancelled in Prefect (cancellation.py; the reconciler retries).
- **Reopen** a withdrawn or rejected case (a programme manager, with a reason): what was given back is
  taken again (refused when there is no room), the decision that rejected it is set aside (kept in the
  trail, not replayed), and a new flow run replays the case's steps and decisions to where it ended.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Case, CaseStatus, Decision, HumanTask, Role, TaskStatus
from models.case import WithdrawReason
from models.common import clean_text, utcnow
from passage.core.errors import CaseNotOpen, CaseOnHold, FormInvalid, NotPermitted, PassageError
from passage.services import access, audit, cancellation, cases, delivery, human_tasks, notifications, quota

BULK_LIMIT = 200
REOPENABLE = (CaseStatus.WITHDRAWN, CaseStatus.REJECTED)


# The case's outcome for each reason, in English as every outcome is stored; the note follows it.
OUTCOMES = {
    WithdrawReason.APPLICANT: "withdrawn by the applicant",
    WithdrawReason.NO_SHOW: "withdrawn: no-show",
    WithdrawReason.DECEASED: "withdrawn: deceased",
    WithdrawReason.INELIGIBLE: "withdrawn: found ineligible",
    WithdrawReason.TRANSFERRED: "withdrawn: transferred to another programme",
    WithdrawReason.OTHER: "withdrawn",
}
NOTE_NEEDED = "say in the note why the case is withdrawn"


class CaseAction(StrEnum):
    HOLD = "hold"
    RESUME = "resume"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


class Reason(BaseModel):
    """Why a case is put on hold or reopened: plain text, said once, kept in the audit trail."""

    reason: str = Field(min_length=1, max_length=500)

    _text = field_validator("*", mode="before")(clean_text)


class Withdrawal(BaseModel):
    reason: WithdrawReason
    note: str = Field(default="", max_length=500)

    _text = field_validator("*", mode="before")(clean_text)


class Outcome(BaseModel):
    """One case of a bulk hold or resume: done, or refused with the reason."""

    ref: str
    ok: bool
    status: CaseStatus | None = None
    on_hold: bool = False
    reason: str = ""


def _valid(model: type[BaseModel], **values: Any) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise FormInvalid.from_validation(exc) from None


def _manager(session: Session, actor: str, ref: str) -> Case:
    case = cases.get_case(session=session, ref=ref, actor=actor)
    access.require_role(session=session, actor=actor, role=Role.PROGRAMME_MANAGER, programme=case.programme)
    return case


def actions_for(*, session: Session, ref: str, actor: str) -> list[CaseAction]:
    """What `actor` may do to the case as it stands (the case page offers these; each service checks again)."""
    case = cases.get_case(session=session, ref=ref, actor=actor)
    roles = (
        set(Role)
        if access.is_service(session=session, actor=actor)
        else access.roles_in(session=session, actor=actor, programme=case.programme)
    )
    manager, is_open = Role.PROGRAMME_MANAGER in roles, case.closed_at is None
    offered = {
        CaseAction.HOLD: manager and is_open and case.held_at is None,
        CaseAction.RESUME: manager and is_open and case.held_at is not None,
        CaseAction.WITHDRAW: is_open and bool(roles & {Role.PROGRAMME_MANAGER, Role.CASE_WORKER}),
        CaseAction.REOPEN: manager and case.status in REOPENABLE,
    }
    return [action for action, allowed in offered.items() if allowed]


def manages_any(*, session: Session, actor: str) -> bool:
    """Whether `actor` is a programme manager anywhere (the Cases page offers bulk hold and resume)."""
    return any(g.role == Role.PROGRAMME_MANAGER for g in access.grants(session=session, username=actor))


def hold(*, session: Session, ref: str, actor: str, reason: str, now: datetime | None = None) -> Case:
    """Put an open case on hold (its programme's manager, with a reason)."""
    case = _manager(session, actor, ref)
    why: Reason = _valid(Reason, reason=reason)
    if case.closed_at is not None:
        raise CaseNotOpen("case {ref} is {status}: only an open case is put on hold", ref=ref, status=case.status.value)
    if case.held_at is not None:
        raise CaseOnHold("case {ref} is already on hold since {since:%Y-%m-%d %H:%M}", ref=ref, since=case.held_at)
    now = now or utcnow()
    held = session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.held_at).is_(None), col(Case.closed_at).is_(None))
        .values(held_at=now, hold_reason=why.reason)
    )
    if held.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise CaseOnHold("case {ref} was put on hold or closed just now", ref=ref)
    audit.record(session=session, actor=actor, action="case.held", case_id=case.id, detail={"reason": why.reason})
    session.commit()
    session.refresh(case)
    return case


def resume(*, session: Session, ref: str, actor: str, now: datetime | None = None) -> Case:
    """Take a case off hold: its open tasks are due (and expire) later by the time they were held."""
    case = _manager(session, actor, ref)
    since = case.held_at
    if since is None:
        raise CaseNotOpen("case {ref} is not on hold", ref=ref)
    now = now or utcnow()
    resumed = session.execute(
        update(Case).where(col(Case.id) == case.id, col(Case.held_at) == since).values(held_at=None, hold_reason=None)
    )
    if resumed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise CaseNotOpen("case {ref} was resumed just now", ref=ref)
    moved = _move_due_dates(session, case.id or 0, since, now)
    detail = {"held_hours": round((now - since).total_seconds() / 3600, 2), "tasks_moved": moved}
    audit.record(session=session, actor=actor, action="case.resumed", case_id=case.id, detail=detail)
    session.commit()
    session.refresh(case)
    return case


def _move_due_dates(session: Session, case_id: int, since: datetime, now: datetime) -> list[int]:
    """Each open task's clock stood still while held: since the hold, or since it opened during the hold."""
    query = select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN)
    moved = []
    for task in session.exec(query).all():
        held_for = now - max(since, task.created_at)
        if held_for.total_seconds() <= 0:
            continue
        task.due_at += held_for
        if task.expires_at is not None:
            task.expires_at += held_for
        session.add(task)
        moved.append(task.id or 0)
    return moved


def _each(refs: Sequence[str], act: Callable[[str], Case], session: Session) -> list[Outcome]:
    if not 0 < len(refs) <= BULK_LIMIT:
        raise PassageError("select between 1 and {limit} cases", limit=BULK_LIMIT)
    outcomes = []
    for ref in dict.fromkeys(refs):  # each case once, in the order given
        try:
            case = act(ref)
        except PassageError as exc:
            session.rollback()
            outcomes.append(Outcome(ref=ref, ok=False, reason=str(exc)))
        else:
            outcomes.append(Outcome(ref=ref, ok=True, status=case.status, on_hold=case.held_at is not None))
    return outcomes


def hold_many(*, session: Session, refs: Sequence[str], actor: str, reason: str) -> list[Outcome]:
    """Put several cases on hold with one reason; each case refused on its own row (the reason is checked once)."""
    _valid(Reason, reason=reason)
    return _each(refs, lambda ref: hold(session=session, ref=ref, actor=actor, reason=reason), session)


def resume_many(*, session: Session, refs: Sequence[str], actor: str) -> list[Outcome]:
    """Resume several cases; each refused on its own row."""
    return _each(refs, lambda ref: resume(session=session, ref=ref, actor=actor), session)


def withdraw(*, session: Session, ref: str, actor: str, reason: WithdrawReason | str, note: str = "") -> Case:
    """Close an open case as withdrawn (a case worker or programme manager); see the module's docstring."""
    case = cases.get_case(session=session, ref=ref, actor=actor)
    if not access.is_service(session=session, actor=actor) and not access.roles_in(
        session=session, actor=actor, programme=case.programme
    ) & {Role.CASE_WORKER, Role.PROGRAMME_MANAGER}:
        raise NotPermitted(
            "{actor} is not a case worker or programme manager of {programme}", actor=actor, programme=case.programme
        )
    why: Withdrawal = _valid(Withdrawal, reason=reason, note=note)
    if why.reason == WithdrawReason.OTHER and not why.note:
        raise FormInvalid({"note": NOTE_NEEDED})
    if case.closed_at is not None:
        raise CaseNotOpen(
            "case {ref} is already {status}: only an open case is withdrawn", ref=ref, status=case.status.value
        )
    outcome = f"{OUTCOMES[why.reason]}: {why.note}" if why.note else OUTCOMES[why.reason]
    now = utcnow()
    closed = session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.closed_at).is_(None))
        .values(
            status=CaseStatus.WITHDRAWN,
            outcome=outcome,
            closed_at=now,
            current_step=None,
            held_at=None,
            hold_reason=None,
            run_to_cancel=case.flow_run_id,
        )
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise CaseNotOpen("case {ref} was closed just now: only an open case is withdrawn", ref=ref)
    tasks = _cancel_tasks(session, case.id or 0, actor, now)
    released = quota.release(session=session, case_id=case.id or 0)
    detail = {
        "reason": why.reason.value,
        "note": why.note,
        "tasks_cancelled": tasks,
        "released": [{"rule": r.rule, "period": r.period, "amount": r.amount} for r in released],
        "flow_run_id": case.flow_run_id,
    }
    audit.record(session=session, actor=actor, action="case.withdrawn", case_id=case.id, detail=detail)
    session.commit()
    cancellation.cancel_run(session=session, case_id=case.id or 0)
    session.refresh(case)
    return case


def _cancel_tasks(session: Session, case_id: int, actor: str, now: datetime) -> list[int]:
    """Cancel the case's tasks still waiting (open, or expired for a manager to re-open) and tell their people."""
    query = select(HumanTask).where(HumanTask.case_id == case_id, col(HumanTask.status).in_(human_tasks.WAITING))
    cancelled = []
    for task in session.exec(query).all():
        # One decided this very moment is left: its decision stays, and is not delivered (the case is closed).
        if human_tasks.cancel_waiting(session=session, task=task, actor=actor):
            notifications.enqueue_cancellation(session=session, task=task, now=now)
            cancelled.append(task.id or 0)
    return cancelled


def reopen(*, session: Session, ref: str, actor: str, reason: str) -> Case:
    """Reopen a withdrawn or rejected case (its programme's manager, with a reason); its flow resumes where it ended."""
    case = _manager(session, actor, ref)
    why: Reason = _valid(Reason, reason=reason)
    if case.status not in REOPENABLE:
        raise CaseNotOpen(
            "case {ref} is {status}: only a withdrawn or rejected case is reopened", ref=ref, status=case.status.value
        )
    if not cancellation.cancel_run(session=session, case_id=case.id or 0):
        raise CaseNotOpen(
            "case {ref}: its previous flow run is not stopped yet (Prefect did not answer); try again shortly", ref=ref
        )
    status, previous_run = case.status, case.flow_run_id
    set_aside = _set_aside_last_decision(session, case) if status == CaseStatus.REJECTED else None
    retaken = quota.retake(session=session, case_id=case.id or 0)
    reopened = session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.status) == status, col(Case.closed_at).is_not(None))
        .values(status=CaseStatus.NEW, outcome=None, closed_at=None, flow_run_id=None, uid=uuid4().hex)
    )
    if reopened.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise CaseNotOpen("case {ref} was reopened just now", ref=ref)
    detail = {
        "reason": why.reason,
        "was": status.value,
        "set_aside": set_aside,
        "reserved": [{"rule": r.rule, "period": r.period, "amount": r.amount} for r in retaken],
        "previous_run": previous_run,
    }
    audit.record(session=session, actor=actor, action="case.reopened", case_id=case.id, detail=detail)
    session.commit()
    delivery.launch_case(session=session, case_id=case.id or 0)  # or the reconciler, when Prefect is down
    session.refresh(case)
    return case


def _set_aside_last_decision(session: Session, case: Case) -> dict[str, Any]:
    """Set aside the case's last decision, the one that rejected it: its gate is asked again."""
    query = (
        select(HumanTask, Decision)
        .join(Decision, col(Decision.task_id) == col(HumanTask.id))
        .where(HumanTask.case_id == case.id, col(HumanTask.set_aside_at).is_(None))
        .order_by(col(Decision.id).desc())
        .limit(1)
    )
    found = session.exec(query).first()
    if found is None:
        raise CaseNotOpen("case {ref} was not rejected by a decision: there is none to set aside", ref=case.ref)
    task, decision = found
    task.set_aside_at = utcnow()
    session.add(task)
    return {"task_id": task.id, "step": task.step, "decided_by": decision.decided_by}
