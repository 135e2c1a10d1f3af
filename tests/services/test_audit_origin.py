"""The operator and channel behind an event's actor: sealed in the event, shown beside the actor, chain intact."""

from sqlmodel import Session

from passage.services import audit


def test_events_inside_operating_name_the_operator_and_the_chain_verifies(db: Session) -> None:
    before = audit.record(session=db, actor="pm.anna", action="test.before")
    with audit.operating(channel="cli", operator="ops.root"):
        acted_as = audit.record(session=db, actor="pm.anna", action="test.acted", detail={"n": 1})
        with audit.operating(channel="inbox", operator="pm.anna"):
            herself = audit.record(session=db, actor="pm.anna", action="test.herself")
        again = audit.record(session=db, actor="system", action="test.again")
    after = audit.record(session=db, actor="pm.anna", action="test.after")
    db.commit()
    assert acted_as.detail == {"n": 1, "origin": {"channel": "cli", "operator": "ops.root"}}
    assert [audit.shown_actor(e) for e in (before, acted_as, herself, again, after)] == [
        "pm.anna",
        "pm.anna (via cli by ops.root)",
        "pm.anna",
        "system (via cli by ops.root)",
        "pm.anna",
    ]
    assert "origin" not in before.detail and "origin" not in after.detail
    assert audit.verify(session=db).ok
