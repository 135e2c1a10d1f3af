"""Fault tests: a private stack that a test may break, and the figures `make reliability` reports.

With PASSAGE_RELIABILITY_FIGURES set to a file, each fault test adds its row (cases, decisions,
losses, duplicates, time) to that JSON file; `python -m tests.reliability.report FILE` prints the table.
The scale of the heavy faults comes from the environment, small by default so `make test` stays short.
"""

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import Session

from models.common import utcnow
from passage.core.db import get_engine
from passage.core.settings import Settings, get_settings
from passage.orchestration import stack
from tests.mailboxes import free_port
from tests.ui.conftest import app  # noqa: F401 - the inbox page fixture, for the database fault

FIGURES = os.environ.get("PASSAGE_RELIABILITY_FIGURES")
# Cases parked at a gate when Prefect is killed (the issue asks for 50), and gates decided in one burst (500).
OUTAGE_CASES = int(os.environ.get("PASSAGE_RELIABILITY_OUTAGE_CASES", "4"))
BURST_CASES = int(os.environ.get("PASSAGE_RELIABILITY_BURST_CASES", "6"))


@dataclass
class Figures:
    """One fault's row of the Reliability table."""

    fault: str
    values: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def record(self, **values: Any) -> None:
        self.values.update(values)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    """The test's figures, written to PASSAGE_RELIABILITY_FIGURES when the test passed."""
    row = Figures(fault=request.node.name)
    yield row
    if not FIGURES or not row.values:
        return
    path = Path(FIGURES)
    rows = json.loads(path.read_text()) if path.is_file() else {}
    rows[row.fault] = {"seconds": round(time.monotonic() - row.started, 1), **row.values}
    path.write_text(json.dumps(rows, indent=2))


@dataclass
class OwnStack:
    """A Prefect server and a `passage serve` of the test's own (home, port), on the test's app database."""

    settings: Settings
    server: subprocess.Popen[bytes] | None = None
    runner: subprocess.Popen[bytes] | None = None

    def start_server(self) -> None:
        """Start the server; a restart keeps its SQLite database (in the home).

        Generous: a fresh server migrates its database first, slow on a loaded 2-core machine.
        """
        self.server = stack.start_prefect_server(self.settings, timeout=300)

    def kill_server(self) -> None:
        """SIGKILL the server's whole process group: no shutdown, as in a crash."""
        assert self.server is not None
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait(timeout=10)

    def start_runner(self) -> None:
        since = utcnow()
        self.runner = stack.start_flow_runner(self.settings)
        stack.wait_for_worker(self.settings, since=since, timeout=120)

    def runner_log(self) -> str:
        return (self.settings.home / "logs" / "runner.log").read_text(errors="replace")

    def close(self) -> None:
        for process in (self.runner, self.server):
            if process is not None:
                stack.stop(process)


@pytest.fixture
def own_stack(db: Session, tmp_path: Path) -> Iterator[OwnStack]:
    """A stack this test may break; the test process's Prefect client points at it meanwhile."""
    settings = Settings(home=tmp_path / "stack", prefect_port=free_port(), database_url=get_settings().db_url)
    own = OwnStack(settings)
    with temporary_settings(updates={PREFECT_API_URL: settings.prefect_api_url}):
        try:
            yield own
        finally:
            own.close()


def state_names(flow_run_id: str) -> list[str]:
    """Every state the run went through, oldest first (Prefect's own history of the run)."""
    with get_client(sync_client=True) as client:
        states = client.read_flow_run_states(UUID(flow_run_id))
    return [state.name or "" for state in states]


@contextmanager
def writes_locked() -> Iterator[None]:
    """Hold the app database's write lock from another connection (reads still pass), as a long writer would."""
    engine = get_engine()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql('LOCK TABLE human_task, steprun, audit_event, "case" IN EXCLUSIVE MODE')
        try:
            yield
        finally:
            connection.rollback()


def task_run_states(flow_run_id: str, name: str) -> list[str]:
    """Every state of the flow run's task runs called `name` (one task run per attempt of the run), in order."""
    run_filter = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)]))
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=run_filter)
        return [
            state.name or ""
            for run in sorted(runs, key=lambda r: r.created or 0)
            if run.name.startswith(name)
            for state in client.read_task_run_states(run.id)
        ]
