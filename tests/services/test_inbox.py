"""The inbox's filters, counts and bulk approval, in the service layer (one query per list or facet)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from models import AuditEvent, Decision, HumanTask, Role, TaskStatus
from passage.core.errors import FormInvalid, PassageError
from passage.programme.registry import step_title
from passage.services import assignment
from passage.services.decisions import decide
from passage.services.human_tasks import list_tasks
from passage.services.inbox import bulk_approvable, bulk_approve, count_tasks
from passage.services.task_filters import Due, Sort, TaskFilter, from_query, to_query
from passage.services.users import set_language
from tests.factories import new_case, open_gate

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
IND = {"step": "ind-decision", "form_type": "ind-decision", "title": "IND decision", "role": Role.CASE_WORKER}


def task(db: Session, n: int, due: datetime, **overrides: Any) -> int:
    case_overrides = {"unhcr_ref": f"LEB-24-{n:06d}", **overrides.pop("case", {})}
    return open_gate(session=db, case_id=new_case(session=db, **case_overrides), due_at=due, **overrides)


@pytest.fixture
def inbox(db: Session) -> dict[str, int]:
    """Four gates of pm.anna's role due in each window around Wednesday noon; one for case workers."""
    return {
        "overdue": task(db, 1, WEDNESDAY_NOON - timedelta(days=1)),
        "today": task(db, 2, WEDNESDAY_NOON + timedelta(hours=6), case={"vulnerabilities": ["unaccompanied_minor"]}),
        "week": task(
            db, 3, WEDNESDAY_NOON + timedelta(days=3), case={"vulnerabilities": ["women_and_children_at_risk"]}
        ),
        "later": task(db, 4, WEDNESDAY_NOON + timedelta(days=20)),
        "ind": task(db, 5, WEDNESDAY_NOON - timedelta(days=2), **IND),
    }


def ids(db: Session, actor: str = "pm.anna", **filters: Any) -> list[int]:
    return [r.id for r in list_tasks(session=db, actor=actor, filters=TaskFilter(**filters), now=WEDNESDAY_NOON)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["overdue", "today", "week", "later"]),
        ({"due": Due.OVERDUE}, ["overdue"]),
        ({"due": Due.TODAY}, ["overdue", "today"]),
        ({"due": Due.WEEK}, ["overdue", "today", "week"]),
        ({"vulnerable": True}, ["today", "week"]),
        ({"sort": Sort.PRIORITY}, ["today", "week", "overdue", "later"]),
        ({"step": "ind-decision"}, []),
        ({"programme": "afghan-transfer"}, []),
        ({"assignee": "unassigned", "due": Due.TODAY}, ["overdue", "today"]),
    ],
)
def test_the_list_applies_each_filter_and_sort(
    db: Session, inbox: dict[str, int], filters: dict[str, Any], expected: list[str]
) -> None:
    assert ids(db, **filters) == [inbox[name] for name in expected]


@pytest.mark.parametrize(
    ("step", "title"),
    [
        ("accept-for-selection", "Accept for selection mission"),
        ("movement-plan-2", "Propose movement plan (2)"),  # a second round
        ("dna-sample-3", "DNA sample collected (3)"),  # the third family member's
        ("condition-safe", "Eligibility (9): the resettlement can be safely organised"),  # made per condition
        ("step-0", "step-0"),  # no gate declares it (e.g. an earlier release's): shown as it is
    ],
)
def test_a_step_is_named_by_its_gates_title(step: str, title: str) -> None:
    assert step_title(step) == title


def test_counts_per_filter_value_keep_the_other_filters(db: Session, inbox: dict[str, int]) -> None:
    assignment.claim(session=db, task_id=inbox["week"], actor="pm.anna")
    counts = count_tasks(session=db, actor="pm.anna", filters=TaskFilter(due=Due.WEEK), now=WEDNESDAY_NOON)
    assert counts.total == 3
    assert counts.due == {Due.OVERDUE: 1, Due.TODAY: 2, Due.WEEK: 3, Due.ALL: 4}  # the due choice itself ignored
    assert counts.programme == {"resettlement-nl": 3}
    assert counts.step == {"accept-for-selection": 3}
    assert counts.step_titles == {"accept-for-selection": "Accept for selection mission"}
    assert counts.assignee == {"pm.anna": 1, "unassigned": 2}
    assert counts.vulnerable == 2
    worker = count_tasks(session=db, actor="cw.pieter", filters=TaskFilter(), now=WEDNESDAY_NOON)
    assert (worker.total, worker.step, worker.due[Due.OVERDUE]) == (1, {"ind-decision": 1}, 1)


def test_today_ends_at_midnight_on_the_office_clock(db: Session) -> None:
    """Due 23:30 UTC on Wednesday is 00:30 on Thursday in Amsterdam: the inbox shows it due Thursday."""
    before = task(db, 1, WEDNESDAY_NOON.replace(hour=22, minute=30))  # 23:30 in Amsterdam
    after = task(db, 2, WEDNESDAY_NOON.replace(hour=23, minute=30))
    assert ids(db, due=Due.TODAY) == [before]
    assert after in ids(db, due=Due.WEEK)


def test_claimed_by_me_and_by_a_colleague(db: Session, inbox: dict[str, int]) -> None:
    assignment.claim(session=db, task_id=inbox["later"], actor="pm.joost")
    assert ids(db, "pm.joost", assignee="me") == [inbox["later"]]
    assert ids(db, "pm.joost", assignee="pm.joost") == [inbox["later"]]
    assert inbox["later"] not in ids(db, "pm.anna")  # claimed by a colleague: not hers to decide


def test_pages_are_stable_and_the_list_is_one_query(db: Session, inbox: dict[str, int]) -> None:
    page = [list_tasks(session=db, actor="pm.anna", filters=TaskFilter(page=p), limit=3) for p in (1, 2)]
    assert [[r.id for r in rows] for rows in page] == [
        [inbox["overdue"], inbox["today"], inbox["week"]],
        [inbox["later"]],
    ]
    for n in range(6, 26):
        task(db, n, WEDNESDAY_NOON)
    with count_queries(db) as statements:
        rows = list_tasks(session=db, actor="system", filters=TaskFilter())
    # No query per row: the list, and once the actor's own row (is it a service account? its kind says).
    assert (len(rows), len(statements)) == (25, 2)
    assert sum(bool(re.search(r'FROM "?user"?\s', statement)) for statement in statements) == 1  # PostgreSQL quotes it


@contextmanager
def count_queries(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"due": "soon"}, "due"),
        ({"programme": "atlantis"}, "programme"),
        ({"assignee": "Robert'); DROP"}, "assignee"),
        ({"page": "0"}, "page"),
        ({"vulnerable": "perhaps"}, "vulnerable"),
    ],
)
def test_a_bad_url_value_names_its_field(query: dict[str, str], field: str) -> None:
    with pytest.raises(FormInvalid) as refused:
        from_query(query)
    assert list(refused.value.fields) == [field]


def test_the_url_holds_only_what_differs_from_the_default_and_reads_back_the_same() -> None:
    chosen = TaskFilter(programme="resettlement-nl", due=Due.OVERDUE, vulnerable=True, sort=Sort.PRIORITY)
    query = to_query(chosen)
    assert query == {"programme": "resettlement-nl", "due": "overdue", "vulnerable": "true", "sort": "priority"}
    assert from_query({**query, "task": "12"}) == chosen  # other parameters belong to other views
    assert to_query(TaskFilter()) == {}


def test_bulk_approval_decides_each_task_and_reports_a_refusal_by_row(db: Session) -> None:
    now = datetime.now(UTC)
    first, second = task(db, 1, now), task(db, 2, now)
    own = task(db, 3, now, requested_by="pm.anna")  # four-eyes: she prepared this one
    rows = bulk_approve(session=db, actor="pm.anna", task_ids=[first, own, second, 999], comment="batch")
    # Unknown tasks first, then the tasks in id order.
    assert [(r.task_id, r.case_ref, r.ok) for r in rows] == [
        (999, "", False),
        (first, "RST-00001", True),
        (second, "RST-00002", True),
        (own, "RST-00003", False),
    ]
    assert rows[0].reason == "no task 999"
    assert next(r for r in rows if r.task_id == own).reason.startswith("four-eyes: pm.anna requested")
    statuses = {t.id: t.status for t in db.exec(select(HumanTask).where(col(HumanTask.id).in_([first, second, own])))}
    assert statuses == {first: TaskStatus.DECIDED, second: TaskStatus.DECIDED, own: TaskStatus.OPEN}
    approved = db.exec(select(AuditEvent.task_id).where(AuditEvent.action == "task.approved")).all()
    assert sorted(i or 0 for i in approved) == sorted([first, second])
    # Recorded, not yet delivered: the reconciler resumes the runs (no Prefect call in the approver's request).
    recorded = db.exec(select(Decision)).all()
    assert [(d.delivery_attempts, d.delivered_at, d.applied_at) for d in recorded] == [(0, None, None)] * 2


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_a_rejection_without_a_reason_is_refused_by_the_service_and_stores_nothing(db: Session, comment: str) -> None:
    task_id = task(db, 1, datetime.now(UTC))
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task_id, actor="pm.anna", approve=False, comment=comment, deliver=False)
    assert refused.value.fields == {"comment": "a rejection needs a reason"}
    assert db.get(HumanTask, task_id).status == TaskStatus.OPEN  # type: ignore[union-attr]


def test_bulk_approval_is_refused_for_mixed_gates_and_forms_that_ask_for_values(db: Session) -> None:
    now = datetime.now(UTC)
    accept, ind = task(db, 1, now), task(db, 2, now, **IND)
    with pytest.raises(PassageError, match="one gate"):
        bulk_approve(session=db, actor="system", task_ids=[accept, ind])
    with pytest.raises(PassageError, match="one at a time"):
        bulk_approve(session=db, actor="cw.pieter", task_ids=[ind])
    assert (bulk_approvable("accept-for-selection"), bulk_approvable("ind-decision")) == (True, False)
    assert db.exec(select(HumanTask.status)).all() == [TaskStatus.OPEN, TaskStatus.OPEN]


def test_a_person_sets_their_language_and_only_to_a_known_one(db: Session) -> None:
    assert set_language(session=db, actor="pm.anna", language="nl").language == "nl"
    with pytest.raises(PassageError, match="language"):
        set_language(session=db, actor="pm.anna", language="fr")


def test_the_command_lines_keyword_filters_still_apply(db: Session, inbox: dict[str, int]) -> None:
    def listed(**kwargs: Any) -> list[int]:
        return [r.id for r in list_tasks(session=db, actor="system", now=WEDNESDAY_NOON, **kwargs)]

    assert listed(overdue_only=True) == [inbox["ind"], inbox["overdue"]]
    assert listed(step="ind-decision") == [inbox["ind"]]
    assert listed(role=Role.PROGRAMME_MANAGER, programme="resettlement-nl", overdue_only=True) == [inbox["overdue"]]
