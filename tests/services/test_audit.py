"""The audit trail: hash-chained, verified, a tampered or deleted row named by `verify`."""

from sqlalchemy import text
from sqlmodel import Session, col, select

from models import AuditEvent
from passage.services import audit
from passage.services.decisions import decide
from tests.factories import new_case, open_gate


def trail_of_a_decided_case(db: Session) -> list[AuditEvent]:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, comment="ok", deliver=False)
    return list(db.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


def test_each_event_carries_the_hash_of_the_one_before(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    assert [e.action for e in events][-3:] == ["case.opened", "task.opened", "task.approved"]
    assert events[0].prev_hash == ""
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert audit.verify(session=db).model_dump() == {"checked": len(events), "broken_at": None, "reason": ""}


def test_a_row_changed_with_raw_sql_is_named(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    target = events[-2]
    db.execute(text("UPDATE audit_event SET actor = 'someone.else' WHERE id = :id"), {"id": target.id})
    db.commit()
    report = audit.verify(session=db)
    assert (report.broken_at, report.reason) == (target.id, "its content was changed")


def test_a_deleted_row_breaks_the_link_of_the_next(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-2].id})
    db.commit()
    report = audit.verify(session=db)
    assert (report.broken_at, report.reason) == (events[-1].id, "its link to the previous event")


def test_a_rehashed_forgery_still_breaks_the_following_link(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    forged = events[-2]
    forged.detail = {"step": "forged"}
    forged.hash = audit.event_hash(forged)  # the forger recomputes the row's own hash...
    db.add(forged)
    db.commit()
    report = audit.verify(session=db)  # ...but the next event still points at the original
    assert report.broken_at == events[-1].id
