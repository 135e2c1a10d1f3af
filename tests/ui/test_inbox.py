"""The inbox page: whose tasks it lists, deciding one, and refusals shown where the user looks."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AuditEvent, Decision, HumanTask, Outcome, Role, TaskStatus
from passage.core.db import get_engine
from passage.services.decisions import decide
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, login_form_shown, markdown

IND_DECISION = {"step": "ind-decision", "form_type": "ind-decision", "title": "IND decision", "role": Role.CASE_WORKER}
FIT_TO_TRAVEL = {
    "step": "fit-to-travel",
    "form_type": "fit-to-travel",
    "title": "Fit to travel",
    "role": Role.MEDICAL_OFFICER,
}


def open_buttons(at: AppTest) -> list[str]:
    return [str(b.key) for b in at.button if str(b.key).startswith("open-")]


def fill(at: AppTest, task_id: int, values: dict[str, Any]) -> None:
    """Set the task form's widgets, found by the key the form renderer gives each field."""
    widgets = [*at.text_input, *at.selectbox, *at.multiselect, *at.date_input, *at.checkbox, *at.number_input]
    for name, value in values.items():
        widget = next(w for w in widgets if w.key == f"task-{task_id}-{name}")
        widget.set_value(value)


def stored(task_id: int) -> tuple[HumanTask, list[Decision], list[AuditEvent]]:
    """The task, its decisions and its changes in the audit trail (not the reads), read afresh."""
    with Session(get_engine()) as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        found = list(session.exec(select(Decision).where(Decision.task_id == task_id)))
        events = [
            e
            for e in session.exec(select(AuditEvent).where(AuditEvent.task_id == task_id))
            if e.action not in ("task.viewed", "sensitive.read")
        ]
        return task, found, events


def test_manager_sees_the_task_waiting_for_their_role_and_a_case_worker_does_not(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    manager = app("pm.anna")
    assert_clean(manager)
    assert open_buttons(manager) == [f"open-{task_id}"]
    assert any(m.startswith("`RST-00001` **") for m in markdown(manager))
    assert [c.value for c in manager.caption] == ["1 open task for pm.anna"]
    worker = app("cw.pieter")
    assert_clean(worker)
    assert open_buttons(worker) == []
    assert [c.value for c in worker.caption] == ["0 open tasks for cw.pieter"]


def test_the_sidebar_says_who_is_logged_in_and_logging_out_shows_the_login(db: Session, app: OpenApp) -> None:
    at = app("pm.joost")
    assert "**Joost Bakker** (pm.joost)" in [m.value for m in at.sidebar.markdown]
    at.sidebar.button(key="logout").click().run()
    assert_clean(at)
    assert open_buttons(at) == []
    assert login_form_shown(at) and not at.button


@pytest.mark.parametrize(
    ("button", "comment", "outcome", "flash"),
    [("approve", "", Outcome.APPROVE, "approved"), ("reject", "referral incomplete", Outcome.REJECT, "rejected")],
)
def test_deciding_a_task_records_it_and_returns_to_the_list(
    db: Session, app: OpenApp, button: str, comment: str, outcome: Outcome, flash: str
) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna")
    at.button(key=f"open-{task_id}").click().run()
    assert_clean(at)
    assert at.query_params["task"] == str(task_id)
    assert [t.value for t in at.title] == ["Accept for selection mission"]
    assert at.subheader[0].value == "\u2068محمد الأحمد\u2069 (+1), LEB-24-000101"  # the name isolated (ui/i18n.py)
    assert at.dataframe[0].value["name"].tolist() == ["محمد الأحمد", "زینب احمدی"]  # exactly as stored
    assert at.selectbox(key=f"task-{task_id}-priority").value == "normal"
    at.selectbox(key=f"task-{task_id}-priority").set_value("urgent")
    at.text_area(key=f"comment-{task_id}").input(comment)
    at.button(key=button).click().run()
    assert_clean(at)
    assert "task" not in at.query_params
    assert [s.value for s in at.success] == [f"Task {task_id} {flash}; the case moves on."]
    assert open_buttons(at) == []
    task, decisions, events = stored(task_id)
    assert task.status == TaskStatus.DECIDED
    [decision] = decisions
    assert (decision.outcome, decision.decided_by, decision.comment) == (outcome, "pm.anna", comment)
    assert decision.data == {"priority": "urgent"}
    # Prefect did not answer: the decision stays recorded, undelivered, for the reconciler.
    assert decision.delivered_at is None and decision.delivery_error is not None
    assert [(e.action, e.actor) for e in events] == [("task.opened", "cw.amal"), (f"task.{flash}", "pm.anna")]


@pytest.mark.parametrize(
    ("gate", "user", "button", "values", "error"),
    [
        pytest.param(
            IND_DECISION,
            "cw.pieter",
            "approve",
            {"ind_reference": "IND-2026-42", "decided_on": date.today() + timedelta(days=3)},
            "decided_on: this date cannot be in the future",
            id="ind-decision-dated-in-the-future",
        ),
        pytest.param({}, "pm.anna", "reject", {}, "comment: a rejection needs a reason", id="reject-without-comment"),
        pytest.param(
            FIT_TO_TRAVEL,
            "mo.sara",
            "approve",
            {"fitness": "fit_with_escort"},
            "needs: 'fit with escort' requires the medical_escort need",
            id="rule-across-fields",
        ),
        pytest.param(
            {},
            "cw.pieter",
            "approve",
            {},
            "cw.pieter is not a programme manager of resettlement-nl",
            id="not-the-gates-role",
        ),
    ],
)
def test_a_refused_decision_shows_why_and_stores_nothing(
    db: Session, app: OpenApp, gate: dict[str, Any], user: str, button: str, values: dict[str, Any], error: str
) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db), **gate)
    at = app(user, task=str(task_id))
    fill(at, task_id, values)
    at.button(key=button).click().run()
    assert_clean(at)
    assert error in [e.value for e in at.error]
    assert at.query_params["task"] == str(task_id)  # still on the form, to correct it
    task, decisions, events = stored(task_id)
    assert (task.status, decisions, [e.action for e in events]) == (TaskStatus.OPEN, [], ["task.opened"])


def test_a_decided_task_says_who_decided_it_and_offers_no_form(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    decide(session=db, task_id=task_id, actor="pm.joost", approve=False, comment="incomplete", deliver=False)
    at = app("pm.anna", task=str(task_id))
    assert_clean(at)
    [note] = [i.value for i in at.info]
    assert note.startswith("This task is no longer open: rejected by pm.joost on ")
    assert not [b for b in at.button if b.key in ("approve", "reject")]


def test_approving_a_task_someone_decided_meanwhile_records_nothing_and_says_who(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    decide(session=db, task_id=task_id, actor="pm.joost", approve=True, deliver=False)
    at.button(key="approve").click().run()
    assert_clean(at)
    assert [i.value.split(" on ")[0] for i in at.info] == ["This task is no longer open: approved by pm.joost"]
    assert not at.success
    _task, decisions, _events = stored(task_id)
    assert [d.decided_by for d in decisions] == ["pm.joost"]


def test_a_link_to_a_task_that_does_not_exist_says_so(db: Session, app: OpenApp) -> None:
    at = app("pm.anna", task="999")
    assert_clean(at)
    assert [e.value for e in at.error] == ["no task 999"]
