"""Recording a decision: validation, who may decide, once only, audited."""

import threading

import pytest
from sqlmodel import Session, select

from models import AuditEvent, Decision, HumanTask, Role, TaskStatus
from passage.core.db import get_engine
from passage.core.errors import FormInvalid, NotPermitted, TaskNotOpen
from passage.core.i18n import local
from passage.services.decisions import decide, take_decision
from tests.factories import new_case, open_gate


@pytest.fixture
def task_id(db: Session) -> int:
    return open_gate(session=db, case_id=new_case(session=db))


def decisions(db: Session) -> list[Decision]:
    return list(db.exec(select(Decision)).all())


def test_approval_is_stored_with_its_audit_event(db: Session, task_id: int) -> None:
    decision = decide(session=db, task_id=task_id, actor="pm.anna", approve=True, comment="ok", deliver=False)
    assert decision is not None
    assert decision.decided_by == "pm.anna" and decision.data == {"priority": "normal"}
    assert db.get(HumanTask, task_id).status == TaskStatus.DECIDED  # type: ignore[union-attr]
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.task_id == task_id))]
    assert actions == ["task.opened", "task.approved"]


def test_a_gate_takes_its_decision_once_it_exists_and_marks_it_applied(db: Session, task_id: int) -> None:
    task = db.get(HumanTask, task_id)
    assert task is not None
    case_id, step = task.case_id, task.step
    assert take_decision(session=db, case_id=case_id, step=step) is None
    decide(session=db, task_id=task_id, actor="pm.anna", approve=False, comment="no place", deliver=False)
    payload = take_decision(session=db, case_id=case_id, step=step)
    assert payload == {"priority": "normal", "approved": False, "comment": "no place", "decided_by": "pm.anna"}
    [taken] = decisions(db)
    assert taken.applied_at is not None  # the reconciler leaves it alone
    assert take_decision(session=db, case_id=case_id, step="another-step") is None


@pytest.mark.parametrize(
    ("approve", "comment", "data", "field"),
    [
        (False, "  ", {}, "comment"),
        (True, "", {"priority": "whenever"}, "priority"),
        (True, "", {"unknown_field": 1}, "unknown_field"),
    ],
)
def test_invalid_form_names_the_field_and_stores_nothing(
    db: Session, task_id: int, approve: bool, comment: str, data: dict[str, object], field: str
) -> None:
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task_id, actor="pm.anna", approve=approve, comment=comment, data=data, deliver=False)
    assert field in refused.value.fields
    assert decisions(db) == []
    assert db.get(HumanTask, task_id).status == TaskStatus.OPEN  # type: ignore[union-attr]


def test_second_decision_is_refused_with_who_and_when(db: Session, task_id: int) -> None:
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)
    with pytest.raises(TaskNotOpen) as refused:
        decide(session=db, task_id=task_id, actor="pm.joost", approve=False, comment="no", deliver=False)
    (decision,) = decisions(db)
    # When, on the office's clock (the decision is stored in UTC).
    assert str(refused.value).endswith(
        f"already decided by pm.anna at {local(decision.decided_at):%Y-%m-%d %H:%M} (approve)"
    )


def test_requester_cannot_decide_their_own_request(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db), requested_by="pm.joost")
    with pytest.raises(NotPermitted, match="four-eyes"):
        decide(session=db, task_id=task_id, actor="pm.joost", approve=True, deliver=False)
    assert decisions(db) == []


@pytest.mark.parametrize("actor", ["cw.amal", "mo.sara", "mv.tom", "admin", "cw.other"])
def test_only_the_gates_role_may_decide(db: Session, task_id: int, actor: str) -> None:
    with pytest.raises(NotPermitted):
        decide(session=db, task_id=task_id, actor=actor, approve=True, deliver=False)
    assert decisions(db) == []


def test_concurrent_deciders_record_exactly_one_decision(db: Session, task_id: int) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def attempt(actor: str) -> None:
        with Session(get_engine()) as session:
            start.wait()
            try:
                decide(session=session, task_id=task_id, actor=actor, approve=True, deliver=False)
                outcomes.append("decided")
            except TaskNotOpen:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(a,)) for a in ["pm.anna", "pm.joost", "pm.anna", "pm.joost"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["decided", "refused", "refused", "refused"]
    assert len(decisions(db)) == 1


def test_travel_documents_cannot_be_approved_with_the_documents_left_out(db: Session) -> None:
    task = open_gate(
        session=db,
        case_id=new_case(session=db),
        step="travel-documents",
        title="Travel documents and exit permits",
        form_type="travel-documents",
        role=Role.CASE_WORKER,
    )
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task, actor="cw.pieter", approve=True, data={}, deliver=False)
    assert "laissez-passer and exit permits" in str(refused.value)
    assert decisions(db) == []
