"""The inbox list: filters read from a shared link, counts beside each choice, sorting, bulk approval."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from models import HumanTask, Role, TaskStatus
from models.common import utcnow
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown
from ui import inbox_list

IND = {"step": "ind-decision", "form_type": "ind-decision", "title": "IND decision", "role": Role.CASE_WORKER}
ACCEPT = "accept-for-selection"


def gate(db: Session, n: int, due_in_days: float, **overrides: Any) -> int:
    case = {"unhcr_ref": f"LEB-24-{n:06d}", **overrides.pop("case", {})}
    due = utcnow() + timedelta(days=due_in_days)
    return open_gate(session=db, case_id=new_case(session=db, **case), due_at=due, **overrides)


def listed(at: AppTest) -> list[int]:
    return [int(str(b.key).removeprefix("open-")) for b in at.button if str(b.key).startswith("open-")]


def options(at: AppTest, field: str) -> list[str]:
    return list(at.selectbox(key=f"filter-{field}").options)


def test_filters_from_the_url_with_counts_and_priority_sort(db: Session, app: OpenApp) -> None:
    late = gate(db, 1, -2)
    minor = gate(db, 2, 20, case={"vulnerabilities": ["unaccompanied_minor"]})
    later = gate(db, 3, 30)
    gate(db, 4, -1, **IND)  # a case worker's: never in a manager's inbox
    at = app("pm.anna", due="overdue")
    assert_clean(at)
    assert listed(at) == [late]
    assert at.selectbox(key="filter-due").value == "overdue"
    assert options(at, "due") == ["All due dates (3)", "Overdue (1)", "Due today (1)", "Due this week (1)"]
    assert options(at, "programme")[:2] == ["All programmes", "Resettlement to the Netherlands (1)"]
    assert options(at, "step") == ["All steps", "Accept for selection mission (1)"]
    # With no programme or step in the URL, "All …" is shown chosen (not an empty "Choose an option").
    assert (at.selectbox(key="filter-programme").index, at.selectbox(key="filter-step").index) == (0, 0)
    assert options(at, "assignee") == ["Anyone (1)", "Me (0)", "Unassigned (1)"]
    assert options(at, "vulnerable") == ["All cases", "Vulnerable cases only (0)"]
    assert at.caption[0].value == "1 open task for pm.anna"
    # Choosing writes the URL (defaults left out), and the list follows the URL.
    at.selectbox(key="filter-due").set_value("all").run()
    at.selectbox(key="filter-sort").set_value("priority").run()
    assert_clean(at)
    assert (at.query_params.get("sort"), "due" in at.query_params) == ("priority", False)
    assert listed(at) == [minor, late, later]
    assert any(":red-badge[urgent]" in m for m in markdown(at))
    at.selectbox(key="filter-vulnerable").set_value(True).run()
    assert (listed(at), at.query_params["vulnerable"]) == ([minor], "true")
    at.selectbox(key="filter-programme").set_value("resettlement-nl").run()
    assert at.query_params["programme"] == "resettlement-nl"
    at.selectbox(key="filter-programme").set_value(inbox_list.ALL).run()
    assert_clean(at)
    assert ("programme" in at.query_params, listed(at)) == (False, [minor])


def test_a_link_with_a_bad_filter_says_which_and_offers_to_clear_it(db: Session, app: OpenApp) -> None:
    task_id = gate(db, 1, 2)
    at = app("pm.anna", due="yesterday", programme="resettlement-nl")
    assert_clean(at)
    [error] = [e.value for e in at.error]
    assert error.startswith("This link's filter “due” is not valid: Input should be 'all', 'overdue'")
    assert listed(at) == []
    at.button(key="clear-filters").click().run()
    assert_clean(at)
    assert (listed(at), dict(at.query_params)) == ([task_id], {})


def test_claimed_by_me_filter(db: Session, app: OpenApp) -> None:
    mine, other = gate(db, 1, 2), gate(db, 2, 3)
    at = app("pm.anna", task=str(mine))
    at.button(key="claim").click().run()
    assert [c.value for c in at.caption if c.value.startswith("Claimed")] == ["Claimed by pm.anna"]
    at.button(key="back").click().run()
    at.selectbox(key="filter-assignee").set_value("me").run()
    assert_clean(at)
    assert (listed(at), at.query_params["assignee"]) == ([mine], "me")
    assert options(at, "assignee") == ["Anyone (2)", "Me (1)", "Unassigned (1)"]
    at.selectbox(key="filter-assignee").set_value("unassigned").run()
    assert listed(at) == [other]


def test_bulk_approval_confirms_once_and_reports_the_refused_row(db: Session, app: OpenApp) -> None:
    first, second = gate(db, 1, 2), gate(db, 2, 3)
    own = gate(db, 3, 4, requested_by="pm.anna")  # four-eyes: she prepared it
    at = app("pm.anna", step=ACCEPT)
    assert_clean(at)
    for task_id in (first, second, own):
        at.checkbox(key=f"select-{task_id}").check().run()  # each tick reruns, as in the browser
    assert at.button(key="bulk-approve").label == "Approve selected (3)"
    at.button(key="bulk-approve").click().run()
    assert [w.value for w in at.warning] == ["Approve 3 task(s)? Each is recorded as your own decision and audited."]
    assert _statuses(db, first, second, own) == [TaskStatus.OPEN] * 3  # nothing before the confirmation
    at.button(key="bulk-confirm-button").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["2 task(s) approved; their cases move on within seconds."]
    assert [e.value for e in at.error] == ["1 task(s) not approved:"]
    result = at.dataframe[0].value
    assert result["case"].tolist() == ["RST-00001", "RST-00002", "RST-00003"]
    assert result["outcome"].tolist() == ["approved", "approved", "not approved"]
    assert result["reason"].tolist()[2].startswith("four-eyes: pm.anna requested or prepared this task")
    assert _statuses(db, first, second, own) == [TaskStatus.DECIDED, TaskStatus.DECIDED, TaskStatus.OPEN]
    assert listed(at) == [own]


def test_bulk_is_not_offered_for_a_gate_whose_form_asks_for_values(db: Session, app: OpenApp) -> None:
    gate(db, 1, 2, **IND)
    at = app("cw.pieter", step="ind-decision")
    assert_clean(at)
    assert not [c for c in at.checkbox if str(c.key).startswith("select-")]
    assert "This gate's form asks for values per case: open each task to decide it." in [c.value for c in at.caption]


def _statuses(db: Session, *task_ids: int) -> list[TaskStatus]:
    db.expire_all()
    rows = {t.id: t.status for t in db.exec(select(HumanTask).where(col(HumanTask.id).in_(task_ids)))}
    return [rows[i] for i in task_ids]


def test_pages_follow_the_url(db: Session, app: OpenApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_list, "PAGE_SIZE", 2)
    first, second, third = gate(db, 1, 1), gate(db, 2, 2), gate(db, 3, 3)
    at = app("pm.anna")
    assert listed(at) == [first, second]
    assert "Showing 1–2 of 3" in [c.value for c in at.caption]
    at.button(key="page-next").click().run()
    assert_clean(at)
    assert (listed(at), at.query_params["page"]) == ([third], "2")
    at.button(key="page-back").click().run()
    assert (listed(at), "page" in at.query_params) == ([first, second], False)
