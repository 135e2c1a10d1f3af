"""Hold, resume, withdraw and reopen a case through the service layer (Prefect cut off: no flow runs here)."""

from datetime import date, datetime, timedelta
from itertools import count
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, Case, CaseStatus, HumanTask, Notification, NotificationKind, QuotaUsage, TaskStatus
from models.common import utcnow
from passage.core import prefect_bridge
from passage.core.errors import CaseNotOpen, CaseOnHold, FormInvalid, NotPermitted, QuotaExceeded, TaskNotOpen
from passage.services import assignment, budget, cancellation, lifecycle, quota
from passage.services.budget import Budget
from passage.services.cases import close_case
from passage.services.decisions import decide, take_decisions
from passage.services.delivery import unapplied
from passage.services.expiry import expire_due
from passage.services.inbox import bulk_approve
from passage.services.reminders import reminder_sweep
from passage.services.timeline import case_view
from tests.factories import new_case, open_gate
from tests.offline import cut_off_prefect

AMS = ZoneInfo("Europe/Amsterdam")
DUE = datetime(2026, 1, 9, 15, 0, tzinfo=AMS)  # a Friday afternoon: reminded from Thursday 15:00
TRAVEL = Budget("test-travel", "Test travel budget", 1000)
IND = {"step": "ind-decision", "form_type": "ind-decision", "title": "Record IND decision", "role": "case_worker"}
_numbers = count(200)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    cut_off_prefect(monkeypatch)


def a_case(db: Session, **overrides: object) -> Case:
    """A resettlement case of its own: its own UNHCR number and family (no duplicate of another)."""
    n = next(_numbers)
    family = [
        {
            "full_name": "محمد الأحمد",
            "nationality": "SY",
            "birth_date": str(date(1980, 1, 1) + timedelta(n)),
            "is_principal": True,
        },
        {"full_name": "زینب احمدی", "nationality": "SY", "birth_date": str(date(2010, 1, 1) + timedelta(n))},
    ]
    case_id = new_case(session=db, unhcr_ref=f"LEB-24-{n:06d}", persons=family, **overrides)
    return db.get(Case, case_id)  # type: ignore[return-value]


def actions(db: Session, case_id: int | None) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.id))
    return [a for a in db.exec(query) if a.startswith(("case.", "task.", "run.")) and a != "case.viewed"]


def used(db: Session) -> dict[tuple[str, str], int]:
    db.expire_all()
    return {(row.rule, row.period): row.used for row in db.exec(select(QuotaUsage))}


def test_a_case_on_hold_is_not_decided_reminded_or_expired_and_resuming_moves_its_dates(db: Session) -> None:
    case = a_case(db)
    task_id = open_gate(session=db, case_id=case.id or 0, due_at=DUE, expires_at=utcnow() - timedelta(minutes=1))
    held_at = utcnow()
    lifecycle.hold(session=db, ref=case.ref, actor="pm.joost", reason="security check by the embassy", now=held_at)

    with pytest.raises(CaseOnHold, match=f"case {case.ref} is on hold since"):
        decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)
    [row] = bulk_approve(session=db, actor="pm.anna", task_ids=[task_id])
    assert not row.ok and "is on hold" in row.reason
    assert reminder_sweep(session=db, now=datetime(2026, 1, 12, 15, 0, tzinfo=AMS)).reminders == 0
    assert expire_due(session=db) == 0
    view = case_view(session=db, ref=case.ref, actor="cw.amal")
    assert view.hold_reason == "security check by the embassy" and view.held_at == held_at

    task = db.get(HumanTask, task_id)
    assert task is not None
    due, expires = task.due_at, task.expires_at
    lifecycle.resume(session=db, ref=case.ref, actor="pm.anna", now=held_at + timedelta(days=3))
    db.refresh(task)
    assert task.status == TaskStatus.OPEN
    assert task.due_at == due + timedelta(days=3) and task.expires_at == expires + timedelta(days=3)  # type: ignore[operator]
    assert actions(db, case.id) == ["case.opened", "task.opened", "case.held", "case.resumed"]
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)


def test_a_task_opened_during_the_hold_moves_by_the_time_it_was_held_only(db: Session) -> None:
    case = a_case(db)
    lifecycle.hold(
        session=db, ref=case.ref, actor="pm.anna", reason="waiting for UNHCR", now=utcnow() - timedelta(days=2)
    )
    task_id = open_gate(session=db, case_id=case.id or 0)  # the run reached its next gate while held
    task = db.get(HumanTask, task_id)
    assert task is not None
    opened, due = task.created_at, task.due_at
    lifecycle.resume(session=db, ref=case.ref, actor="pm.anna", now=opened + timedelta(hours=5))
    db.refresh(task)
    assert task.due_at == due + timedelta(hours=5)


def test_hold_and_resume_are_refused_where_they_do_not_apply(db: Session) -> None:
    case, closed = a_case(db), a_case(db)
    close_case(session=db, case_id=closed.id or 0, status=CaseStatus.CLOSED, outcome="arrived")
    with pytest.raises(NotPermitted, match="cw.amal is not a programme manager of resettlement-nl"):
        lifecycle.hold(session=db, ref=case.ref, actor="cw.amal", reason="checks")
    with pytest.raises(FormInvalid) as refused:
        lifecycle.hold(session=db, ref=case.ref, actor="pm.anna", reason="  ")
    assert list(refused.value.fields) == ["reason"]
    with pytest.raises(CaseNotOpen, match=f"case {case.ref} is not on hold"):
        lifecycle.resume(session=db, ref=case.ref, actor="pm.anna")
    with pytest.raises(CaseNotOpen, match=f"case {closed.ref} is closed: only an open case is put on hold"):
        lifecycle.hold(session=db, ref=closed.ref, actor="pm.anna", reason="checks")
    lifecycle.hold(session=db, ref=case.ref, actor="pm.anna", reason="checks")
    with pytest.raises(CaseOnHold, match=f"case {case.ref} is already on hold since"):
        lifecycle.hold(session=db, ref=case.ref, actor="pm.joost", reason="more checks")
    assert actions(db, case.id) == ["case.opened", "case.held"]


def test_bulk_hold_and_resume_report_each_case(db: Session) -> None:
    first, second, closed = a_case(db), a_case(db), a_case(db)
    close_case(session=db, case_id=closed.id or 0, status=CaseStatus.REJECTED, outcome="not accepted")
    refs = [first.ref, closed.ref, second.ref, "RST-99999"]
    held = lifecycle.hold_many(session=db, refs=refs, actor="pm.anna", reason="security review")
    assert [(o.ref, o.ok, o.on_hold) for o in held] == [
        (first.ref, True, True),
        (closed.ref, False, False),
        (second.ref, True, True),
        ("RST-99999", False, False),
    ]
    assert held[1].reason == f"case {closed.ref} is rejected: only an open case is put on hold"
    assert held[3].reason == "no case 'RST-99999'"
    with pytest.raises(FormInvalid):
        lifecycle.hold_many(session=db, refs=refs, actor="pm.anna", reason="")
    resumed = lifecycle.resume_many(session=db, refs=[first.ref, second.ref], actor="pm.anna")
    assert [(o.ok, o.on_hold) for o in resumed] == [(True, False), (True, False)]


def test_withdrawing_cancels_the_tasks_tells_their_people_and_gives_back_places_and_budget_once(db: Session) -> None:
    case = a_case(db, quota_year=2014)
    case_id = case.id or 0
    quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=2, case_id=case_id)
    budget.spend(session=db, budget=TRAVEL, year=2026, euros=700, case_id=case_id)
    quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=3)  # another case's places stay taken
    db.commit()
    claimed = open_gate(session=db, case_id=case_id)
    assignment.claim(session=db, task_id=claimed, actor="pm.joost")
    waiting = open_gate(session=db, case_id=case_id, **IND)
    assert used(db) == {("national", "2014"): 5, ("syrian", "2013-2014"): 5, ("budget-test-travel", "2026"): 700}

    lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="no-show", note="did not come to the airport")

    db.expire_all()
    ended = db.get(Case, case_id)
    assert ended is not None and ended.status == CaseStatus.WITHDRAWN and ended.closed_at is not None
    assert ended.outcome == "withdrawn: no-show: did not come to the airport"
    assert {db.get(HumanTask, t).status for t in (claimed, waiting)} == {TaskStatus.CANCELLED}  # type: ignore[union-attr]
    assert used(db) == {("national", "2014"): 3, ("syrian", "2013-2014"): 3, ("budget-test-travel", "2026"): 0}
    told = db.exec(select(Notification).where(Notification.kind == NotificationKind.CANCELLED)).all()
    assert {(n.task_id, n.recipient) for n in told if n.task_id == claimed} == {(claimed, "pm.joost")}
    assert {n.recipient for n in told if n.task_id == waiting} == {"cw.amal", "cw.pieter"}
    assert "no-show" not in " ".join(n.body for n in told)  # the reason stays in Passage

    with pytest.raises(CaseNotOpen, match=f"case {case.ref} is already withdrawn: only an open case is withdrawn"):
        lifecycle.withdraw(session=db, ref=case.ref, actor="pm.anna", reason="applicant")
    assert quota.release(session=db, case_id=case_id) == []  # a retry gives nothing back twice
    db.commit()
    assert used(db) == {("national", "2014"): 3, ("syrian", "2013-2014"): 3, ("budget-test-travel", "2026"): 0}
    with pytest.raises(TaskNotOpen, match="is cancelled"):
        decide(session=db, task_id=waiting, actor="cw.pieter", approve=True, deliver=False)
    assert actions(db, case_id)[-3:] == ["task.cancelled", "task.cancelled", "case.withdrawn"]


def test_nothing_is_reserved_for_a_withdrawn_case(db: Session) -> None:
    case = a_case(db)
    lifecycle.withdraw(session=db, ref=case.ref, actor="pm.anna", reason="deceased")
    with pytest.raises(CaseNotOpen, match="is closed: nothing is reserved for it"):
        quota.reserve(session=db, year=2026, nationalities={"SY"}, persons=2, case_id=case.id)
    with pytest.raises(CaseNotOpen):
        open_gate(session=db, case_id=case.id or 0, **IND)  # a run still going opens nothing
    assert used(db).get(("national", "2026"), 0) == 0


def test_withdrawal_is_refused_where_it_does_not_apply(db: Session) -> None:
    case = a_case(db)
    with pytest.raises(NotPermitted, match="mo.sara is not a case worker or programme manager of resettlement-nl"):
        lifecycle.withdraw(session=db, ref=case.ref, actor="mo.sara", reason="applicant")
    with pytest.raises(FormInvalid) as other:
        lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="other")
    assert other.value.fields == {"note": lifecycle.NOTE_NEEDED}
    with pytest.raises(FormInvalid) as unknown:
        lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="bored")
    assert list(unknown.value.fields) == ["reason"]
    assert db.get(Case, case.id).status == CaseStatus.NEW  # type: ignore[union-attr]


def test_a_decision_not_delivered_before_a_hold_or_withdrawal_does_not_move_the_case(db: Session) -> None:
    held, withdrawn = a_case(db), a_case(db)
    for case in (held, withdrawn):
        decide(
            session=db,
            task_id=open_gate(session=db, case_id=case.id or 0),
            actor="pm.anna",
            approve=True,
            deliver=False,
        )
    lifecycle.hold(session=db, ref=held.ref, actor="pm.anna", reason="checks")
    lifecycle.withdraw(session=db, ref=withdrawn.ref, actor="cw.amal", reason="applicant")
    assert unapplied(session=db) == []
    lifecycle.resume(session=db, ref=held.ref, actor="pm.anna")
    assert [task.case_id for _decision, task in unapplied(session=db)] == [held.id]


def test_a_withdrawn_run_prefect_did_not_cancel_is_cancelled_by_the_reconciler_before_any_reopening(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = a_case(db)
    run_id = str(uuid4())
    case.flow_run_id, case.status = run_id, CaseStatus.ACTIVE
    db.add(case)
    db.commit()
    lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="transferred")  # Prefect does not answer
    assert db.get(Case, case.id).run_to_cancel == run_id  # type: ignore[union-attr]
    with pytest.raises(CaseNotOpen, match="its previous flow run is not stopped yet"):
        lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="the transfer fell through")

    asked: list[tuple[str, bool]] = []

    def cancelled(flow_run_id: str, *, force: bool = False) -> prefect_bridge.RunState:
        asked.append((flow_run_id, force))
        return prefect_bridge.RunState(type="CANCELLED", name="Cancelled")

    monkeypatch.setattr(prefect_bridge, "cancel", cancelled)
    assert cancellation.cancel_pending(session=db, now=utcnow() + timedelta(minutes=5)) == 1
    assert asked == [(run_id, True)]  # still waiting after a minute: made Cancelled outright
    db.expire_all()
    assert db.get(Case, case.id).run_to_cancel is None  # type: ignore[union-attr]
    assert actions(db, case.id)[-1] == "run.cancelled"


def test_reopening_a_withdrawn_case_takes_its_places_again_or_says_there_is_no_room(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSAGE_QUOTAS", '[{"key": "national", "label": "National resettlement quota", "limit": 4}]')
    from passage.core.settings import get_settings

    get_settings.cache_clear()
    case = a_case(db)
    quota.reserve(session=db, year=2026, nationalities={"SY"}, persons=2, case_id=case.id)
    db.commit()
    lifecycle.withdraw(session=db, ref=case.ref, actor="cw.amal", reason="applicant")
    quota.reserve(session=db, year=2026, nationalities={"SY"}, persons=3)  # the place went to another family
    db.commit()
    with pytest.raises(QuotaExceeded, match=r"National resettlement quota \(2026\) has 1 of 4 left; this case needs 2"):
        lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="the family came back")
    assert used(db) == {("national", "2026"): 3}
    with pytest.raises(NotPermitted):
        lifecycle.reopen(session=db, ref=case.ref, actor="cw.amal", reason="the family came back")

    db.exec(select(QuotaUsage)).one().used = 2
    db.commit()
    uid = db.get(Case, case.id).uid  # type: ignore[union-attr]
    reopened = lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="the family came back")
    assert reopened.status == CaseStatus.NEW and reopened.closed_at is None and reopened.outcome is None
    assert reopened.uid != uid  # a new flow run, started by the reconciler here (Prefect cut off)
    assert used(db) == {("national", "2026"): 4}
    with pytest.raises(CaseNotOpen, match=f"case {case.ref} is new: only a withdrawn or rejected case is reopened"):
        lifecycle.reopen(session=db, ref=case.ref, actor="pm.anna", reason="again")


def test_reopening_a_rejected_case_sets_its_rejection_aside_and_asks_that_gate_again(db: Session) -> None:
    case = a_case(db)
    accept = open_gate(session=db, case_id=case.id or 0)
    decide(session=db, task_id=accept, actor="pm.anna", approve=True, data={"priority": "normal"}, deliver=False)
    ind = open_gate(session=db, case_id=case.id or 0, **IND)
    ind_form = {"ind_reference": "IND-7", "decided_on": "2026-01-05"}
    decide(
        session=db, task_id=ind, actor="cw.pieter", approve=False, comment="IND said no", data=ind_form, deliver=False
    )
    close_case(session=db, case_id=case.id or 0, status=CaseStatus.REJECTED, outcome="IND did not accept")

    lifecycle.reopen(session=db, ref=case.ref, actor="pm.joost", reason="IND reconsidered on appeal")

    assert set(take_decisions(session=db, case_id=case.id or 0)) == {"accept-for-selection"}
    again = open_gate(session=db, case_id=case.id or 0, **IND)
    assert again != ind and db.get(HumanTask, ind).set_aside_at is not None  # type: ignore[union-attr]
    decide(session=db, task_id=again, actor="cw.pieter", approve=True, data=ind_form, deliver=False)
    assert take_decisions(session=db, case_id=case.id or 0)["ind-decision"]["approved"] is True
    titles = [e.title for e in case_view(session=db, ref=case.ref, actor="pm.anna").timeline]
    assert "Record IND decision: rejected (set aside on reopening)" in titles
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.reopened")).one()
    assert event.detail["set_aside"]["step"] == "ind-decision" and event.detail["was"] == "rejected"
