"""A comment on a gate that records health or DNA data is itself special-category data."""

from sqlmodel import Session, select

from models import AuditEvent, Case, Decision, Role
from passage.services.access import WITHHELD
from passage.services.decisions import decide, decision_view
from passage.services.timeline import case_view
from tests.factories import new_case, open_gate

COMMENT = "TB treatment until March; oxygen on the flight"


def health_decision(db: Session) -> tuple[str, int]:
    """A resettlement case whose fit-to-travel gate a medical officer decided with a comment."""
    case_id = new_case(session=db)
    task = open_gate(
        session=db,
        case_id=case_id,
        step="fit-to-travel",
        title="Fit to travel",
        form_type="fit-to-travel",
        role=Role.MEDICAL_OFFICER,
    )
    decide(
        session=db,
        task_id=task,
        actor="mo.sara",
        approve=True,
        comment=COMMENT,
        data={"fitness": "fit", "needs": ["oxygen"]},
        deliver=False,
    )
    case = db.get(Case, case_id)
    assert case is not None
    return case.ref, task


def comments_seen(db: Session, ref: str, actor: str) -> list[str]:
    view = case_view(session=db, ref=ref, actor=actor)
    timeline = [e.detail for e in view.timeline if e.kind == "gate-decided"]
    trail = [e.detail.get("comment", "") for e in view.trail if e.action == "task.approved"]
    return timeline + trail


def test_a_programme_manager_reads_that_a_health_comment_exists_not_what_it_says(db: Session) -> None:
    ref, task = health_decision(db)
    assert comments_seen(db, ref, "pm.anna") == [WITHHELD, WITHHELD]
    decision = decide_view(db, task, "pm.anna")
    assert (decision.comment, decision.data["needs"]) == (WITHHELD, WITHHELD)


def test_a_medical_officer_reads_it_and_the_reading_is_audited(db: Session) -> None:
    ref, task = health_decision(db)
    before = reads(db)
    assert comments_seen(db, ref, "mo.sara") == [COMMENT, COMMENT]
    assert decide_view(db, task, "mo.sara").comment == COMMENT
    assert reads(db) > before


def decide_view(db: Session, task_id: int, actor: str) -> Decision:
    decision = db.exec(select(Decision).where(Decision.task_id == task_id)).one()
    return decision_view(session=db, decision=decision, actor=actor)


def reads(db: Session) -> int:
    return len(db.exec(select(AuditEvent).where(AuditEvent.action == "sensitive.read")).all())
