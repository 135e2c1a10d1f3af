"""The audit trail: hash-chained, verified, a tampered or deleted row named by `verify`."""

from sqlalchemy import text
from sqlmodel import Session, col, select

from models import AuditEvent
from passage.services import audit, seal
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
    report = audit.verify(session=db)
    assert (report.ok, report.checked, report.decisions) == (True, len(events), 1)


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


def resealed_with_plain_sha256(db: Session, events: list[AuditEvent], change: dict[str, object]) -> None:
    """What anyone holding the database could do to a plain SHA-256 chain: change a row, re-seal all after it."""
    previous = ""
    for event in events:
        for name, value in (change if event is events[1] else {}).items():
            setattr(event, name, value)
        event.prev_hash = previous
        event.hash = seal.plain(audit.event_content(event))
        previous = event.hash
        db.add(event)
    db.commit()


def test_a_chain_resealed_without_the_key_is_refused(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    resealed_with_plain_sha256(db, events, {"actor": "someone.else"})
    report = audit.verify(session=db)
    assert (report.ok, report.reason) == (False, "its content was changed")


def test_a_changed_decision_is_found_though_its_table_is_outside_the_chain(db: Session) -> None:
    trail_of_a_decided_case(db)
    db.execute(text("UPDATE decision SET decided_by = 'pm.joost'"))
    db.commit()
    report = audit.verify(session=db)
    assert (report.ok, report.reason.endswith("decision was changed")) == (False, True)


def test_a_deleted_decision_is_found(db: Session) -> None:
    trail_of_a_decided_case(db)
    db.execute(text("DELETE FROM decision"))
    db.commit()
    assert audit.verify(session=db).reason.endswith("decision is gone")


def test_deleting_the_newest_events_is_found_once_checkpointed(db: Session) -> None:
    events = trail_of_a_decided_case(db)
    made = audit.checkpoint(session=db)
    assert made is not None and (made.id, made.count) == (events[-1].id, len(events))
    assert audit.checkpoint(session=db) is None  # nothing new
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})
    db.commit()
    report = audit.verify(session=db)
    assert (report.ok, report.reason) == (False, "a checkpointed event is gone (events deleted)")


def test_a_forged_checkpoint_is_refused(db: Session) -> None:
    trail_of_a_decided_case(db)
    audit.checkpoint(session=db)
    path = seal.checkpoint_file(str(db.get_bind().engine.url))
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:-1], lines[-1].replace('"count":', '"count":1')]) + "\n")
    assert "not signed with the audit key" in audit.verify(session=db).reason


def test_events_written_before_the_key_keep_their_plain_hashes(db: Session) -> None:
    """An installation upgraded to the keyed chain: its earlier events verify as they were written."""
    events = trail_of_a_decided_case(db)
    path = seal.checkpoint_file(str(db.get_bind().engine.url))
    path.unlink()  # as before this release: no checkpoint, every event plain
    resealed_with_plain_sha256(db, events, {})
    db.execute(text("UPDATE audit_event SET detail = :d WHERE action = 'task.approved'"), {"d": '{"step": "x"}'})
    db.commit()
    resealed_with_plain_sha256(db, list(db.exec(select(AuditEvent).order_by(col(AuditEvent.id)))), {})
    new_case(session=db)  # the first event under the key anchors the chain: keyed from here on
    assert audit.verify(session=db).ok
    assert seal.read_checkpoints(path)[0].keyed_from == events[-1].id + 1  # type: ignore[operator]
