"""Races between OS processes on PostgreSQL (where several workers and inbox servers share one database).

Each process has its own connection and starts its work at a barrier, so both read the same open
state before either commits: only the database's guards (the guarded UPDATE of a decision, the
outbox's insert-or-ignore) keep the outcome single. Skipped where no PostgreSQL answers.
"""

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from sqlmodel import Session, col, func, select

from models import Decision, Notification
from tests.factories import new_case, open_gate
from tests.services.test_reminders import DUE, at

SPAWN = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited connections or threads


def decide_each(task_ids: list[int], actor: str, start: Barrier, results: "Queue[tuple[int, str, str]]") -> None:
    """In a process of its own: decide every task as `actor`, each at the same moment as the other process."""
    from passage.core.db import get_engine
    from passage.core.errors import TaskNotOpen
    from passage.services.decisions import decide

    for task_id in task_ids:
        with Session(get_engine()) as session:
            session.connection()  # connected before the barrier: the race is the decision, not the login
            start.wait(timeout=120)
            try:
                decide(session=session, task_id=task_id, actor=actor, approve=True, data={"priority": "normal"})
                results.put((task_id, actor, "decided"))
            except TaskNotOpen as refused:
                results.put((task_id, actor, str(refused)))
            except Exception as exc:
                results.put((task_id, actor, f"failed: {type(exc).__name__}: {exc}"[:300]))


def sweep_once(start: Barrier, results: "Queue[tuple[int, str, str]]") -> None:
    """In a process of its own: one reminder sweep, started at the same moment as the other."""
    from passage.core.db import get_engine
    from passage.services.reminders import reminder_sweep

    with Session(get_engine()) as session:
        session.connection()
        start.wait(timeout=120)
        try:
            result = reminder_sweep(session=session, now=at("2026-01-14 15:00"))
            results.put((0, "sweep", f"reminders={result.reminders}"))
        except Exception as exc:
            results.put((0, "sweep", f"failed: {type(exc).__name__}: {exc}"))


def race(target: Any, args: list[tuple[Any, ...]], expected: int) -> list[tuple[int, str, str]]:
    """Run `target` in one process per args tuple, all sharing a barrier; their reports."""
    start, results = SPAWN.Barrier(len(args)), SPAWN.Queue()
    processes = [SPAWN.Process(target=target, args=(*a, start, results)) for a in args]
    for process in processes:
        process.start()
    reports = [results.get(timeout=180) for _ in range(expected)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return reports


def test_two_processes_deciding_the_same_task_record_one_decision_and_one_delivery(pg_db: Session) -> None:
    tasks = [open_gate(session=pg_db, case_id=new_case(session=pg_db)) for _ in range(5)]
    reports = race(decide_each, [(tasks, "pm.anna"), (tasks, "pm.joost")], expected=2 * len(tasks))
    for task_id in tasks:
        outcomes = sorted((outcome for t, _actor, outcome in reports if t == task_id), key=lambda o: o != "decided")
        assert outcomes[0] == "decided"
        assert "already decided by pm." in outcomes[1], outcomes
        pg_db.expire_all()
        decisions = pg_db.exec(select(Decision).where(Decision.task_id == task_id)).all()
        assert len(decisions) == 1
        # Only the process that decided tried to resume the run; the refused one delivered nothing.
        assert decisions[0].delivery_attempts == 1


def test_two_reminder_sweeps_in_two_processes_enqueue_each_message_once(pg_db: Session) -> None:
    for _ in range(30):
        open_gate(session=pg_db, case_id=new_case(session=pg_db), due_at=DUE)
    reports = race(sweep_once, [(), ()], expected=2)
    assert not [r for r in reports if r[2].startswith("failed")], reports
    pg_db.expire_all()
    total = pg_db.exec(select(func.count()).select_from(Notification)).one()
    distinct = pg_db.exec(select(func.count(func.distinct(col(Notification.key))))).one()
    reminded = pg_db.exec(select(func.count()).where(col(Notification.key).startswith("reminder:"))).one()
    assert total == distinct
    assert reminded == 30 * 2  # each task's two managers, reminded once (the sweep catches up to the latest stage)
