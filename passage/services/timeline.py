"""A case as people read it: who is in it, where it waits, and what happened when."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from models import Case, CaseStatus, Decision, HumanTask, Outcome, Role, TaskStatus
from passage.programme import Document
from passage.programme.registry import form_types, get_programme
from passage.services import access, audit, cases, reviews, steps
from passage.services.human_tasks import approvals_of, gates_of_case
from passage.services.process import ProcessStep, process_of


class PersonView(BaseModel):
    id: int  # what an amendment names the person by (passage/services/amend.py)
    full_name: str
    nationality: str
    birth_date: str | None
    is_principal: bool


class Event(BaseModel):
    at: datetime
    kind: str  # "case", "step", "gate-opened", "gate-decided", "amendment"
    title: str
    actor: str
    detail: str = ""
    duration_seconds: float | None = None
    data: dict[str, Any] = {}  # a decision's form, special-category fields masked for the reader
    role: Role | None = None  # an opened gate's: who decides it, by when (the inbox words it per language)
    due_at: datetime | None = None
    review: bool = False  # a decision an amendment marked for review, not yet cleared (reviews.py)


class CaseDocument(Document):
    """A document's latest state as recorded by the case file or a decision (`step`), and when."""

    step: str
    at: datetime


class TrailEntry(BaseModel):
    """One audit event of the case, as its page lists them."""

    id: int
    at: datetime
    actor: str
    action: str
    task_id: int | None
    detail: dict[str, Any]
    who: str = ""  # the actor as shown: "pm.anna (via cli by root)" where an operator acted as them


class CaseView(BaseModel):
    ref: str
    programme: str
    title: str
    status: CaseStatus
    waiting_at: str | None
    outcome: str | None
    flags: list[str]
    opened_by: str
    opened_at: datetime
    data: dict[str, Any]
    persons: list[PersonView]
    timeline: list[Event]
    trail: list[TrailEntry] = []
    process: list[ProcessStep] = []  # the procedure: done, current, to come
    documents: list[CaseDocument] = []
    held_at: datetime | None = None  # on hold since (passage/services/lifecycle.py), with the manager's reason
    hold_reason: str | None = None
    flow_run_id: str | None = None  # its Prefect run (None until started): the case page links to it


Gates = Sequence[tuple[HumanTask, Decision | None]]


def _as_seen(
    session: Session, actor: str, case: Case, task: HumanTask, data: dict[str, Any], comment: str
) -> dict[str, Any]:
    """A decision's fields and comment as `actor` may see them (a comment on a health gate is health data)."""
    return access.reveal(
        session=session,
        actor=actor,
        case=case,
        data={**data, access.COMMENT: comment},
        where="timeline",
        task_id=task.id,
        form_type=task.form_type,
    )


def _gate_events(session: Session, case: Case, actor: str, gates: Gates) -> list[Event]:
    events = []
    for_review = reviews.under_review(session=session, case_id=case.id or 0)
    for task, decision in gates:
        events.append(
            Event(
                at=task.created_at,
                kind="gate-opened",
                title=task.title,
                actor=task.requested_by,
                detail=f"for {task.role.value.replace('_', ' ')}, due {task.due_at:%Y-%m-%d}",
                role=task.role,
                due_at=task.due_at,
            )
        )
        events += [
            Event(
                at=a.at,
                kind="gate-approval",
                title=f"{task.title}: approval",
                actor=a.username,
                detail=_as_seen(session, actor, case, task, {}, a.comment)[access.COMMENT],
            )
            for a in approvals_of(session=session, task_id=task.id or 0)
            if task.approvals_required > 1
        ]
        if decision is not None:
            data = _as_seen(session, actor, case, task, decision.data, decision.comment)
            verdict = "approved" if decision.outcome.value == "approve" else "rejected"
            if task.set_aside_at is not None:  # the decision a reopening set aside: its gate was asked again
                verdict += " (set aside on reopening)"
            events.append(
                Event(
                    at=decision.decided_at,
                    kind="gate-decided",
                    title=f"{task.title}: {verdict}",
                    actor=decision.decided_by,
                    detail=data.pop(access.COMMENT),
                    duration_seconds=(decision.decided_at - task.created_at).total_seconds(),
                    data=data,
                    review=decision.id in for_review,
                )
            )
        elif task.status == TaskStatus.CANCELLED:
            events.append(
                Event(
                    at=task.created_at,
                    kind="gate-decided",
                    title=f"{task.title}: cancelled",
                    actor="system",
                )
            )
    return events


def _documents(case: Case, gates: Gates) -> list[CaseDocument]:
    """Each document's latest state per step that recorded it: the case file's, then each decision's."""
    opened = [
        (document, "Case opened", case.created_at)
        for document in get_programme(case.programme).intake.documents_of(case.data)
    ]
    decided = []
    for task, decision in gates:
        form = form_types().get(task.form_type)
        if decision is None or form is None:  # undecided, or a form of an earlier release
            continue
        recorded = {**decision.data, "approved": decision.outcome == Outcome.APPROVE}
        decided += [(document, task.title, decision.decided_at) for document in form.documents_of(recorded)]
    latest = {
        (document.document, step): CaseDocument(**document.model_dump(), step=step, at=at)
        for document, step, at in sorted(opened + decided, key=lambda found: found[2])
    }
    return list(latest.values())


def _trail(session: Session, actor: str, case: Case, gates: Gates) -> list[TrailEntry]:
    """The case's audit events; a decision's comment in them as `actor` may see it (see `_as_seen`)."""
    tasks = {task.id: task for task, _decision in gates}
    entries = []
    for e in audit.case_trail(session=session, case_id=case.id or 0):
        detail, task = e.detail, tasks.get(e.task_id)
        if task is not None and detail.get(access.COMMENT):
            detail = {
                **detail,
                access.COMMENT: _as_seen(session, actor, case, task, {}, detail[access.COMMENT])[access.COMMENT],
            }
        entries.append(
            TrailEntry(
                id=e.id or 0,
                at=e.at,
                actor=e.actor,
                action=e.action,
                task_id=e.task_id,
                detail=detail,
                who=audit.shown_actor(e),
            )
        )
    return entries


def case_view(*, session: Session, ref: str, actor: str) -> CaseView:
    """The case as `actor` may see it: persons, one timeline of steps and decisions, and its audit trail.

    A person's reading is itself audited (and any special-category field shown to them).
    """
    case = cases.get_case(session=session, ref=ref, actor=actor)
    case_id = case.id or 0
    if not access.is_service(session=session, actor=actor):
        audit.record(session=session, actor=actor, action="case.viewed", case_id=case_id)
    timeline = [Event(at=case.created_at, kind="case", title="Case opened", actor=case.opened_by)]
    done = steps.steps_of(session=session, case_id=case_id)
    timeline += [
        Event(
            at=s.finished_at,
            kind="step",
            title=s.title,
            actor="system",
            duration_seconds=(s.finished_at - s.started_at).total_seconds(),
        )
        for s in done
    ]
    gates = gates_of_case(session=session, case_id=case_id)
    timeline += _gate_events(session, case, actor, gates)
    if case.closed_at is not None:
        timeline.append(
            Event(
                at=case.closed_at,
                kind="case",
                title=f"Case {case.status.value}",
                actor="system",
                detail=case.outcome or "",
            )
        )
    persons = [
        PersonView(
            id=p.id or 0,
            full_name=p.full_name,
            nationality=p.nationality,
            is_principal=p.is_principal,
            birth_date=p.birth_date.isoformat() if p.birth_date else None,
        )
        for p in cases.persons_of(session=session, case_id=case_id)
    ]
    trail = _trail(session, actor, case, gates)
    timeline += [
        Event(
            at=e.at,
            kind="amendment",
            title=f"Case amended: person {e.detail.get('change')}",
            actor=e.actor,
            detail=str(e.detail.get("reason", "")),
        )
        for e in trail
        if e.action == "case.amended"
    ]
    session.commit()  # the reading's own events
    return CaseView(
        ref=case.ref,
        programme=case.programme,
        title=case.title,
        status=case.status,
        waiting_at=case.current_step if case.closed_at is None else None,
        outcome=case.outcome,
        flags=case.flags,
        opened_by=case.opened_by,
        opened_at=case.created_at,
        data=case.data,
        persons=persons,
        timeline=sorted(timeline, key=lambda e: e.at),
        trail=trail,
        process=process_of(session=session, case=case, gates=gates, done=done),
        documents=_documents(case, gates),
        held_at=case.held_at,
        hold_reason=case.hold_reason,
        flow_run_id=case.flow_run_id,
    )
