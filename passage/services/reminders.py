"""The reminder sweep and the daily digest: decide in a few queries what is due, enqueue it once.

A reminder at offset h (business hours from the due date) has come for every open task due at or
before one moment, computed once per sweep (`due_threshold`): the database answers "which tasks
reached which stage" with one range scan, however many tasks are open.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case as when_case
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func

from models import Case, HumanTask, NotificationKind, NotifyPreference, ReminderMark, RoleGrant, TaskStatus, User
from models.common import utcnow
from passage.core import messages
from passage.core.business_hours import due_threshold, is_office_time, is_working_day
from passage.core.settings import get_settings
from passage.services.notifications import (
    Recipient,
    dialect_insert,
    enqueue,
    message,
    office_hours,
    personal_message,
)
from passage.services.users import ANY_PROGRAMME

TASK_COLUMNS = (
    col(HumanTask.id),
    col(HumanTask.title),
    col(HumanTask.role),
    col(HumanTask.programme),
    col(HumanTask.due_at),
    col(Case.ref),
)


class SweepResult(BaseModel):
    """What one sweep decided (rows offered to the outbox; a key already there is not sent again)."""

    tasks: int = 0
    reminders: int = 0
    escalations: int = 0
    digests: int = 0


class Audience:
    """Who holds which role where, loaded once per sweep: (role, programme) -> the people to tell."""

    def __init__(self, session: Session, *, digest_only: bool = False) -> None:
        query = (
            sql_select(
                col(User.username),
                col(User.language),
                col(NotifyPreference.digest),
                col(RoleGrant.role),
                col(RoleGrant.programme),
            )
            .join(RoleGrant, col(RoleGrant.username) == col(User.username))
            .outerjoin(NotifyPreference, col(NotifyPreference.username) == col(User.username))
            .where(col(User.active))
            .order_by(col(User.username))
        )
        if digest_only:
            query = query.where(col(NotifyPreference.digest))
        self.grants: dict[str, list[tuple[str, Recipient]]] = defaultdict(list)
        self.people: dict[str, Recipient] = {}
        self.held: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for username, language, digest, role, programme in session.execute(query).all():
            person = Recipient(username, language, bool(digest))
            self.grants[role.value].append((programme, person))
            self.people[username] = person
            self.held[username].add((role.value, programme))
        self._cache: dict[tuple[str, str], list[Recipient]] = {}

    def of(self, role: str, programme: str) -> list[Recipient]:
        key = (role, programme)
        if key not in self._cache:
            found = {p.username: p for prog, p in self.grants.get(role, []) if prog in (programme, ANY_PROGRAMME)}
            self._cache[key] = list(found.values())
        return self._cache[key]


def _facts(row: Any) -> messages.TaskFacts:
    task_id, title, role, programme, due_at, ref = row
    return messages.TaskFacts(task_id, ref, title, role.value, programme, due_at)


def _tasks_past_a_stage(session: Session, now: datetime) -> list[tuple[messages.TaskFacts, int, int]]:
    """(task, stage reached, stage already handled) of every open task that reached a new reminder stage."""
    hours, offsets = office_hours(), sorted(get_settings().reminder_offsets)
    thresholds = [due_threshold(now, offset, hours) for offset in offsets]
    if not thresholds:
        return []
    due = col(HumanTask.due_at)
    stage = when_case(*[(due <= t, n) for n, t in reversed(list(enumerate(thresholds, 1)))], else_=0)
    handled = func.coalesce(col(ReminderMark.stage), 0)
    query = (
        sql_select(*TASK_COLUMNS, stage, handled)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .outerjoin(ReminderMark, col(ReminderMark.task_id) == col(HumanTask.id))
        .where(col(HumanTask.status) == TaskStatus.OPEN, due <= max(thresholds), stage > handled)
        .where(col(Case.held_at).is_(None))  # a case on hold is reminded of nothing (its due dates move on resume)
    )
    return [(_facts(row[:6]), int(row[6]), int(row[7])) for row in session.execute(query).all()]


def _mark(session: Session, marks: list[dict[str, int]]) -> None:
    """Record the stage each task reached (never lowering it: a slower concurrent sweep cannot undo it)."""
    if not marks:
        return
    statement = dialect_insert(session, ReminderMark)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["task_id"],
            set_={"stage": statement.excluded.stage},
            where=col(ReminderMark.stage) < statement.excluded.stage,
        ),
        marks,
    )


def reminder_sweep(*, session: Session, now: datetime | None = None) -> SweepResult:
    """Remind the people of each task that reached a new stage; escalate past K reminders to the lead, once.

    Only in office hours (nothing is decided or sent at night or at weekends). A task that reached
    several stages at once (the sweep did not run for a while) gets one reminder, for the latest.
    """
    now, settings, hours = now or utcnow(), get_settings(), office_hours()
    if not is_office_time(now, hours):
        return SweepResult()
    audience, found = Audience(session), _tasks_past_a_stage(session, now)
    result, rows, limit = SweepResult(tasks=len(found)), [], settings.escalate_after
    for facts, stage, handled in found:
        for person in audience.of(facts.role, facts.programme):
            if person.digest:
                continue  # the digest lists the task instead
            title, body = messages.reminder(facts, person.language, hours.zone, settings.inbox_url, now)
            rows.append(
                personal_message(
                    person,
                    key=f"reminder:{facts.task_id}:{stage}:{person.username}",
                    kind=NotificationKind.REMINDER,
                    title=title,
                    body=body,
                    now=now,
                    task_id=facts.task_id,
                )
            )
            result.reminders += 1
        if limit and stage > limit >= handled:
            language = settings.notify_language
            title, body = messages.escalation(facts, limit, language, hours.zone, settings.inbox_url)
            rows.append(
                message(
                    key=f"escalation:{facts.task_id}",
                    kind=NotificationKind.ESCALATION,
                    tags=[f"lead:{facts.programme}"],
                    title=title,
                    body=body,
                    now=now,
                    language=language,
                    task_id=facts.task_id,
                )
            )
            result.escalations += 1
    enqueue(session=session, rows=rows)
    _mark(session, [{"task_id": facts.task_id, "stage": stage} for facts, stage, _ in found])
    session.commit()
    return result


def digest_sweep(*, session: Session, now: datetime | None = None) -> SweepResult:
    """One message per person who chose the digest, listing all their open and overdue tasks (once a day)."""
    now, settings, hours = now or utcnow(), get_settings(), office_hours()
    today = now.astimezone(hours.zone).date()
    if not is_working_day(today, hours):  # weekends and holidays: the next working morning's digest lists it all
        return SweepResult()
    audience = Audience(session, digest_only=True)
    if not audience.people:
        return SweepResult()
    by_work: dict[tuple[str, str], list[messages.TaskFacts]] = defaultdict(list)
    query = (
        sql_select(*TASK_COLUMNS)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(col(HumanTask.status) == TaskStatus.OPEN, col(Case.held_at).is_(None))
    )
    for row in session.execute(query).all():
        facts = _facts(row)
        by_work[(facts.role, facts.programme)].append(facts)
        by_work[(facts.role, ANY_PROGRAMME)].append(facts)
    rows = []
    for username, person in audience.people.items():
        tasks = {facts.task_id: facts for work in audience.held[username] for facts in by_work.get(work, [])}
        if not tasks:
            continue  # nothing open: no message
        title, body = messages.digest(list(tasks.values()), person.language, hours.zone, settings.inbox_url, now)
        rows.append(
            personal_message(
                person,
                key=f"digest:{username}:{today.isoformat()}",
                kind=NotificationKind.DIGEST,
                title=title,
                body=body,
                now=now,
            )
        )
    enqueue(session=session, rows=rows)
    session.commit()
    return SweepResult(digests=len(rows))
