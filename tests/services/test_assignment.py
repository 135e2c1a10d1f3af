"""N-of-M approvals, four-eyes against the preparer, claim / reassign, and delegation while on leave."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from models import Approval, AuditEvent, Decision, HumanTask, Outcome, Role, TaskStatus
from passage.core.errors import NotPermitted
from passage.services import assignment
from passage.services.decisions import decide
from passage.services.human_tasks import list_tasks
from tests.factories import new_case, open_gate

PLAN_APPROVAL = {
    "step": "movement-plan-approval",
    "form_type": "movement-plan-approval",
    "title": "Approve movement plan",
    "requested_by": "mv.tom",  # the movement officer who proposed the plan
}


def actions(db: Session, task_id: int) -> list[tuple[str, str]]:
    query = select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(col(AuditEvent.id))
    return [(e.action, e.actor) for e in db.exec(query)]


@pytest.fixture
def two_of_m(db: Session) -> int:
    return open_gate(session=db, case_id=new_case(session=db), approvals_required=2, **PLAN_APPROVAL)


def test_the_task_stays_open_until_the_second_distinct_approval(db: Session, two_of_m: int) -> None:
    assert decide(session=db, task_id=two_of_m, actor="pm.anna", approve=True, comment="ok", deliver=False) is None
    assert db.get(HumanTask, two_of_m).status == TaskStatus.OPEN  # type: ignore[union-attr]
    with pytest.raises(NotPermitted, match="already approved"):
        decide(session=db, task_id=two_of_m, actor="pm.anna", approve=True, deliver=False)
    decision = decide(session=db, task_id=two_of_m, actor="pm.joost", approve=True, deliver=False)
    assert decision is not None and (decision.outcome, decision.decided_by) == (Outcome.APPROVE, "pm.joost")
    assert [a.username for a in db.exec(select(Approval))] == ["pm.anna", "pm.joost"]
    assert actions(db, two_of_m) == [
        ("task.opened", "mv.tom"),
        ("task.approval", "pm.anna"),
        ("task.approved", "pm.joost"),
    ]


def test_a_single_rejection_ends_an_n_of_m_task(db: Session, two_of_m: int) -> None:
    decide(session=db, task_id=two_of_m, actor="pm.anna", approve=True, deliver=False)
    decision = decide(session=db, task_id=two_of_m, actor="pm.joost", approve=False, comment="no", deliver=False)
    assert decision is not None and decision.outcome == Outcome.REJECT
    assert len(list(db.exec(select(Decision)))) == 1


def test_whoever_prepared_the_gate_decides_nothing_on_it(db: Session) -> None:
    from passage.services.users import Grant, UserCreate, create_user

    # Even holding the deciding role too, the plan's author may not approve it.
    create_user(
        session=db,
        user_create=UserCreate(
            username="mv.tom",
            full_name="Tom Smit",
            email="mv.tom@example.org",
            grants=[Grant(role=Role.PROGRAMME_MANAGER)],
        ),
    )
    db.commit()
    task_id = open_gate(session=db, case_id=new_case(session=db), approvals_required=2, **PLAN_APPROVAL)
    with pytest.raises(NotPermitted, match="four-eyes"):
        decide(session=db, task_id=task_id, actor="mv.tom", approve=True, deliver=False)
    with pytest.raises(NotPermitted, match="four-eyes"):
        assignment.reassign(session=db, task_id=task_id, actor="pm.anna", to="mv.tom")


def test_a_claimed_task_is_decided_by_its_assignee_until_reassigned(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    assignment.claim(session=db, task_id=task_id, actor="pm.anna")
    assert [t.id for t in list_tasks(session=db, actor="pm.joost")] == []
    with pytest.raises(NotPermitted, match="claimed by pm.anna"):
        decide(session=db, task_id=task_id, actor="pm.joost", approve=True, deliver=False)
    assignment.reassign(session=db, task_id=task_id, actor="pm.anna", to="pm.joost")
    decide(session=db, task_id=task_id, actor="pm.joost", approve=True, deliver=False)
    assert [a for a, _ in actions(db, task_id)] == ["task.opened", "task.claimed", "task.reassigned", "task.approved"]


def test_unclaim_gives_the_task_back_and_only_the_gates_role_may_claim(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    with pytest.raises(NotPermitted):
        assignment.claim(session=db, task_id=task_id, actor="cw.pieter")
    assignment.claim(session=db, task_id=task_id, actor="pm.anna")
    assignment.unclaim(session=db, task_id=task_id, actor="pm.anna")
    assert [t.id for t in list_tasks(session=db, actor="pm.joost")] == [task_id]


def test_a_stand_in_decides_in_the_roles_of_a_colleague_on_leave_only_during_the_leave(db: Session) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    today = date.today()
    with pytest.raises(NotPermitted):
        decide(session=db, task_id=task_id, actor="cw.pieter", approve=True, deliver=False)
    leave = assignment.DelegationCreate(
        delegator="pm.joost",
        delegate="cw.pieter",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=9),
    )
    assignment.delegate(session=db, actor="pm.joost", request=leave)
    assert list_tasks(session=db, actor="cw.pieter") == []  # the leave has not started
    current = leave.model_copy(update={"starts_on": today - timedelta(days=1)})
    row = assignment.delegate(session=db, actor="admin", request=current)
    assert [t.id for t in list_tasks(session=db, actor="cw.pieter")] == [task_id]
    decide(session=db, task_id=task_id, actor="cw.pieter", approve=True, deliver=False)
    [event] = list(db.exec(select(AuditEvent).where(AuditEvent.action == "task.approved")))
    assert event.detail["on_behalf_of"] == ["pm.joost"]
    assignment.revoke_delegation(session=db, actor="pm.joost", delegation_id=row.id or 0)
    with pytest.raises(NotPermitted):
        assignment.delegate(session=db, actor="cw.amal", request=current)  # only oneself or an administrator
