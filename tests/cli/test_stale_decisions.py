"""Deciding, claiming or reassigning a task that moved on meanwhile: a clear refusal, exit 1, nothing changed."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from models import HumanTask, Role, TaskStatus
from passage.core.db import get_engine
from passage.services.assignment import reassign
from passage.services.decisions import decide
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate
from tests.fuzz.harness import row_counts

Meanwhile = Callable[[Session, int], None]


def decided(session: Session, task_id: int) -> None:
    decide(session=session, task_id=task_id, actor="pm.joost", approve=True, deliver=False)


def cancelled(session: Session, task_id: int) -> None:
    """The flow withdrew the gate (e.g. the member left the journey)."""
    task = session.get(HumanTask, task_id)
    assert task is not None
    task.status = TaskStatus.CANCELLED
    session.commit()


def reassigned(session: Session, task_id: int) -> None:
    reassign(session=session, task_id=task_id, actor="pm.joost", to="pm.joost")


STALE: list[tuple[Meanwhile, list[str], str]] = [
    (decided, ["decide", "{id}", "--reject", "--comment", "no", "--as", "pm.anna"], "was already decided by pm.joost"),
    (decided, ["decide", "{id}", "--approve", "--as", "pm.joost"], "was already decided by pm.joost"),  # twice
    (cancelled, ["decide", "{id}", "--approve", "--as", "pm.anna"], "task {id} is cancelled"),
    (reassigned, ["decide", "{id}", "--approve", "--as", "pm.anna"], "task {id} is claimed by pm.joost"),
    (decided, ["claim", "{id}", "--as", "pm.anna"], "task {id} is decided"),
    (cancelled, ["reassign", "{id}", "--to", "pm.anna", "--as", "pm.joost"], "task {id} is cancelled"),
    (reassigned, ["claim", "{id}", "--as", "pm.anna"], "task {id} is claimed by pm.joost"),
]


@pytest.mark.parametrize(
    ("meanwhile", "command", "error"), STALE, ids=[f"{m.__name__}-{c[0]}-{i}" for i, (m, c, _e) in enumerate(STALE)]
)
def test_a_task_that_moved_on_is_refused_and_left_as_it_is(
    db: Session, passage: Passage, meanwhile: Meanwhile, command: list[str], error: str
) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    meanwhile(db, task_id)
    before = row_counts(get_engine())
    ran = passage("tasks", *(arg.format(id=task_id) for arg in command))
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith("error: ") and error.format(id=task_id) in ran.err and ran.err.count("\n") == 1
    assert row_counts(get_engine()) == before


def test_the_second_of_two_approvals_by_the_same_person_is_refused(db: Session, passage: Passage) -> None:
    """N-of-M: pressing approve twice (or in two terminals) is not a second approver."""
    task_id = open_gate(session=db, case_id=new_case(session=db), approvals_required=2, role=Role.PROGRAMME_MANAGER)
    assert passage("tasks", "decide", str(task_id), "--approve", "--as", "pm.anna").code == 0
    before = row_counts(get_engine())
    ran = passage("tasks", "decide", str(task_id), "--approve", "--as", "pm.anna")
    assert ran.code == 1 and "pm.anna already approved this task" in ran.err
    assert row_counts(get_engine()) == before
