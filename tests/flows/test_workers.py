"""Production shape: Prefect's server and the app database on PostgreSQL, several `passage worker`s in one pool.

Real processes on 127.0.0.1: a Prefect server on a fresh PostgreSQL database, `passage deploy`, two
`passage worker` and one `passage reconciler`, a fresh PostgreSQL app database.
"""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import Session, col, select

from models import AuditEvent, QuotaUsage, StepRun
from passage.core.db import get_engine, init_db
from passage.core.prefect_bridge import WORKER_LABEL
from passage.core.settings import get_settings
from passage.orchestration import stack
from passage.services.orphans import WORKER_LOST
from passage.services.recovery import RECOVERED
from tests.conftest import wait_for
from tests.factories import seed_staff
from tests.flows.driver import decide_at, start, task_at
from tests.postgres import SERVER, fresh_database, needs_postgres, url

pytestmark = needs_postgres


@dataclass
class Installation:
    prefect_database: str
    app_database: str
    workers: list[subprocess.Popen[bytes]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _polling(pids: set[int]) -> bool:
    """True once a worker of every pid in `pids` heart-beats to the pool (worker names end in the pid)."""
    with get_client(sync_client=True) as client:
        workers = client.read_workers_for_work_pool(work_pool_name=get_settings().work_pool)
    return pids <= {int(worker.name.rsplit(" ", 1)[-1]) for worker in workers if worker.name.startswith("passage ")}


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Installation]:
    with fresh_database("passage_prefect") as prefect_db, fresh_database("passage_app") as app_db:
        monkeypatch.setenv("PASSAGE_HOME", str(tmp_path))
        monkeypatch.setenv("PASSAGE_PREFECT_PORT", str(_free_port()))
        monkeypatch.setenv("PASSAGE_PREFECT_DATABASE_URL", url(prefect_db, "asyncpg"))
        monkeypatch.setenv("PASSAGE_DATABASE_URL", url(app_db, "psycopg"))
        monkeypatch.setenv("PASSAGE_WORKER_HEARTBEAT_SECONDS", "1")  # a dead worker is noticed after 6 s
        get_settings.cache_clear()
        get_engine.cache_clear()
        settings = get_settings()
        init_db()
        with Session(get_engine()) as session:
            seed_staff(session=session)
        try:
            with ExitStack() as running:
                running.enter_context(stack.prefect_server(settings))
                running.enter_context(temporary_settings(updates={PREFECT_API_URL: settings.prefect_api_url}))
                deploy = subprocess.run(
                    [sys.executable, "-m", "passage.cli", "deploy"],
                    env=stack.child_env(settings),
                    capture_output=True,
                    timeout=180,
                )
                assert deploy.returncode == 0, deploy.stderr
                workers = [
                    running.enter_context(stack.passage_process("worker", settings, f"worker-{n}")) for n in (1, 2)
                ]
                running.enter_context(stack.passage_process("reconciler", settings, "reconciler"))
                wait_for(lambda: _polling({w.pid for w in workers}), timeout=90, what="both workers polling")
                yield Installation(prefect_db, app_db, workers)
        finally:
            get_engine().dispose()
            get_settings.cache_clear()
            get_engine.cache_clear()


def worker_of(flow_run_id: str) -> str:
    with get_client(sync_client=True) as client:
        return str(client.read_flow_run(UUID(flow_run_id)).labels.get(WORKER_LABEL) or "")


def is_alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_case_reaches_a_gate_and_resumes_with_prefect_on_postgresql(installation: Installation) -> None:
    case = start()
    decide_at(case.id or 0, "accept-for-selection")
    task = task_at(case.id or 0, "ind-decision")
    with psycopg.connect(f"{SERVER} dbname={installation.prefect_database}") as prefect_db:
        row = prefect_db.execute("SELECT count(*) FROM flow_run WHERE id = %s", (task.flow_run_id,)).fetchone()
    assert row == (1,)  # the run lives in PostgreSQL, not in a SQLite file


def test_a_worker_killed_in_a_step_leaves_the_run_to_the_other_worker_and_the_step_done_once(
    installation: Installation,
) -> None:
    case = start()
    task = task_at(case.id or 0, "accept-for-selection")
    app_db = f"{SERVER} dbname={installation.app_database}"
    with psycopg.connect(app_db) as blocker, psycopg.connect(app_db, autocommit=True) as observer:
        # The step after this gate (quota-reserved) books the quota and records itself; with its table
        # locked, the resumed run stops inside the step's transaction, the quota booked but not committed.
        blocker.execute(f"LOCK TABLE {StepRun.__tablename__} IN EXCLUSIVE MODE")
        decide_at(case.id or 0, "accept-for-selection")
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            f" WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO {StepRun.__tablename__}%'"
        )
        wait_for(lambda: observer.execute(waiting).fetchone() == (1,), what="the run blocked inside its step")
        name = worker_of(task.flow_run_id)
        victims = [w for w in installation.workers if name.endswith(f" {w.pid}")]
        assert len(victims) == 1, f"run {task.flow_run_id} is labelled {name!r}"
        victim = victims[0]
        forks = stack.descendants(victim.pid)
        assert forks, "the run's process is a fork of the worker's forkserver"
        os.kill(victim.pid, signal.SIGKILL)
        wait_for(lambda: not any(map(is_alive, forks)), timeout=15, what="the killed worker's run processes to die")
        blocker.rollback()  # the lock goes; the dead process's transaction never committed
    task_at(case.id or 0, "ind-decision", timeout=120)
    assert worker_of(task.flow_run_id) not in ("", name)
    with Session(get_engine()) as session:
        steps = session.exec(select(StepRun.step).where(col(StepRun.case_id) == case.id)).all()
        booked = session.exec(select(QuotaUsage.used).where(col(QuotaUsage.rule) == "national")).one()
        trail = session.exec(select(AuditEvent).where(col(AuditEvent.case_id) == case.id)).all()
    assert steps.count("quota-reserved") == 1
    assert booked == 2  # the family of two, booked once
    lost = [event for event in trail if event.action == WORKER_LOST]
    assert len(lost) == 1 and lost[0].detail["worker"] == name
    assert [event.detail["state"] for event in trail if event.action == RECOVERED] == ["Crashed"]
