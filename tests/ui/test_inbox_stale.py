"""The task page left open while the task moved on: pressing a button refuses in words and changes nothing."""

from sqlmodel import Session, select

from models import AuditEvent, HumanTask, TaskStatus
from passage.core.db import get_engine
from passage.services.assignment import reassign
from tests.factories import new_case, open_gate
from tests.fuzz.harness import row_counts
from tests.ui.conftest import OpenApp, assert_clean

READS = ("task.viewed", "case.viewed", "sensitive.read")  # the page's own reading is audited: no change


def changes() -> tuple[dict[str, int], list[str]]:
    """Every table's rows but the audit trail's, and the audit trail's actions but the reads."""
    with Session(get_engine()) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)) if e.action not in READS]
    return {k: v for k, v in row_counts(get_engine()).items() if k != "audit_event"}, actions


def test_approving_a_task_cancelled_meanwhile_says_so_and_records_nothing(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    task = db.get(HumanTask, task_id)
    assert task is not None
    task.status = TaskStatus.CANCELLED  # the flow withdrew the gate
    db.commit()
    before = changes()
    at.button(key="approve").click().run()
    assert_clean(at)
    assert [i.value for i in at.info] == ["This task is cancelled: it is no longer open."]
    assert not at.success
    assert changes() == before


def test_approving_a_task_reassigned_meanwhile_names_the_new_assignee(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    reassign(session=db, task_id=task_id, actor="pm.joost", to="pm.joost")
    before = changes()
    at.button(key="approve").click().run()
    assert_clean(at)
    assert f"task {task_id} is claimed by pm.joost" in [e.value for e in at.error]
    assert not at.success
    assert changes() == before


def test_a_link_to_a_task_number_too_large_for_the_database_says_there_is_no_such_task(
    db: Session, app: OpenApp
) -> None:
    """Regression: 2**70 reached SQLite as an integer it cannot hold (OverflowError on the page)."""
    at = app("pm.anna", task=str(2**70))
    assert_clean(at)
    assert [e.value for e in at.error] == [f"no task {2**70}"]


def test_a_link_with_a_superscript_digit_shows_the_inbox(db: Session, app: OpenApp) -> None:
    """Regression: "²" is a digit to str.isdigit() but int() refused it (ValueError on the page)."""
    at = app("pm.anna", task="²")
    assert_clean(at)
