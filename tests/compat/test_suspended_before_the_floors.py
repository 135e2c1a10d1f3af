"""A case suspended at a gate by the release before the floors (a29d691) moves on after them.

The floors' must-not-change clause: a database and Prefect state made by the current release keep
working. tests/compat/a29d691/ is a home that release left (tests/compat/make_fixture.py made it with
that release's code): its app database at its default place, `passage.db`, and Prefect's SQLite
database, with one resettlement case whose run is suspended at `accept-for-selection`. That release
suspended a gate with the gate's form as the run's input schema and resumed it with the whole form;
this one suspends with a key only and resumes with nothing, so a run still waiting the old way must
be resumed the old way: with an input its saved schema accepts (passage.core.prefect_bridge.resume,
which swaps that schema for `{}`). Without that, Prefect refuses every resume (the empty input lacks
the form's required fields) and the case waits at a decided gate for ever.

Here this release's Prefect server and `passage serve` start on a copy of that home, a programme
manager decides the waiting task through the service, and the same run goes on to the next gate.
"""

import json
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import Session, col, func, select

from models import AuditEvent, Decision, HumanTask, QuotaUsage, StepRun, TaskStatus
from models.common import utcnow
from passage.core import prefect_bridge
from passage.core.db import get_engine, init_db
from passage.core.settings import Settings, get_settings
from passage.orchestration import stack
from passage.services.decisions import decide
from tests.conftest import wait_for
from tests.factories import FORMS
from tests.mailboxes import free_port

FIXTURE = Path(__file__).resolve().parent / "a29d691"
RECORD: dict[str, Any] = json.loads((FIXTURE / "fixture.json").read_text())
FIRST, NEXT = "accept-for-selection", "ind-decision"


@pytest.fixture
def old_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A copy of the home a29d691 left, as this process's and its children's home (default database)."""
    home = tmp_path / "home"
    shutil.copytree(FIXTURE, home, ignore=shutil.ignore_patterns("fixture.json"))
    monkeypatch.setenv("PASSAGE_HOME", str(home))
    monkeypatch.setenv("PASSAGE_PREFECT_PORT", str(free_port()))
    monkeypatch.delenv("PASSAGE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield get_settings()
    finally:
        get_engine().dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()


def _open_task(case_id: int, step: str) -> HumanTask | None:
    with Session(get_engine()) as session:
        query = select(HumanTask).where(
            HumanTask.case_id == case_id, HumanTask.step == step, HumanTask.status == TaskStatus.OPEN
        )
        return session.exec(query).first()


def _delivered(task_id: int) -> bool:
    with Session(get_engine()) as session:
        return session.exec(select(Decision).where(Decision.task_id == task_id)).one().delivered_at is not None


def _paused_at(flow_run_id: str, step: str) -> bool:
    state = prefect_bridge.run_state(flow_run_id)
    return state is not None and state.is_paused and state.pause_key == step


def test_a_run_suspended_by_a29d691_resumes_after_the_floors_and_reaches_its_next_gate(old_home: Settings) -> None:
    settings = old_home
    case_id, task_id, run_id = RECORD["case_id"], RECORD["task_id"], RECORD["flow_run_id"]
    # The release's database where it left it: a home's default database keeps its name across releases.
    assert settings.db_url == f"sqlite:///{settings.home.resolve() / 'passage.db'}"
    init_db()
    waiting = _open_task(case_id, FIRST)
    assert waiting is not None and waiting.id == task_id and waiting.flow_run_id == run_id

    with ExitStack() as running:
        running.enter_context(stack.prefect_server(settings))
        running.enter_context(temporary_settings(updates={PREFECT_API_URL: settings.prefect_api_url}))
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(UUID(run_id)).state
        assert state is not None and state.is_paused() and state.state_details.pause_key == FIRST
        assert state.state_details.run_input_keyset, "the run should wait the old way, for the gate's form"

        started_at = utcnow()
        runner = running.enter_context(stack.flow_runner(settings))
        stack.wait_for_worker(settings, since=started_at)
        with Session(get_engine()) as session:
            decide(session=session, task_id=task_id, actor="pm.anna", approve=True, data=FORMS[FIRST])
        # Delivered means Prefect accepted the resume: it refuses an input that the run's saved schema,
        # the old gate's form, does not accept, and the decision then waits undelivered for ever.
        wait_for(lambda: _delivered(task_id), timeout=30, what="Prefect to accept the resume of the old run")

        following = wait_for(lambda: _open_task(case_id, NEXT), timeout=60, what=f"the task {NEXT}")
        assert following.flow_run_id == run_id  # the same run went on, not a new one
        wait_for(lambda: _paused_at(run_id, NEXT), timeout=30, what=f"the run to suspend at {NEXT}")
        # Its process ends after the suspension; stopped before that, it would report the run Crashed.
        wait_for(lambda: not stack.flow_processes(runner.pid), timeout=30, what="the run's process to exit")
        assert _paused_at(run_id, NEXT)
        with get_client(sync_client=True) as client:
            states = [past.name for past in client.read_flow_run_states(UUID(run_id))]
        assert states.count("Resuming") == 1 and "Crashed" not in states, states

    with Session(get_engine()) as session:
        decision = session.exec(select(Decision).where(Decision.task_id == task_id)).one()
        assert decision.delivered_at is not None and decision.applied_at is not None
        assert decision.delivery_error is None
        approvals = select(func.count()).where(
            col(AuditEvent.task_id) == task_id, col(AuditEvent.action) == "task.approved"
        )
        assert session.exec(approvals).one() == 1
        # The step after the gate ran once: the family's two places taken once from the national quota.
        steps = session.exec(select(StepRun.step).where(StepRun.case_id == case_id)).all()
        assert steps.count("quota-reserved") == 1
        national = session.exec(select(QuotaUsage).where(QuotaUsage.rule == "national")).one()
        assert national.used == 2
        still_open = session.exec(
            select(HumanTask.step).where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN)
        ).all()
        assert still_open == [NEXT]
