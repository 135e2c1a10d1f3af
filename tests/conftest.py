"""Test harness: one real Prefect server per session, one fresh database per test (SQLite, or PostgreSQL)."""

import os
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Before Passage (and so Prefect) is imported: a private home and port, so a running
# `passage up` on this machine is never touched by the tests.
HOME = Path(tempfile.mkdtemp(prefix="passage-tests-"))
os.environ["PASSAGE_HOME"] = str(HOME)
os.environ["PASSAGE_PREFECT_PORT"] = str(_free_port())
os.environ["PASSAGE_RECONCILE_SECONDS"] = "1"
# Every gate suspends at once and its decision resumes the run: the path a person's decision takes days
# later, and the one with the most to go wrong. tests/flows/test_gate_grace.py turns the grace period on.
os.environ["PASSAGE_GATE_GRACE_SECONDS"] = "0"
# One set of Prefect API credentials for every stack the tests start (each home would make its own).
os.environ["PASSAGE_PREFECT_API_AUTH"] = f"passage:tests-{os.getpid()}-{_free_port()}"
# Likewise one audit key (each home would make its own): a test's stack in a home of its own seals events
# in the same chain as the test process itself.
os.environ["PASSAGE_AUDIT_KEY"] = f"tests-audit-key-{os.getpid()}-{_free_port()}"
for name in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_API_DATABASE_CONNECTION_URL", "PASSAGE_DATABASE_URL"):
    os.environ.pop(name, None)

from sqlmodel import Session  # noqa: E402

from models.common import utcnow  # noqa: E402
from passage.core.db import get_engine, init_db  # noqa: E402
from passage.core.settings import get_settings  # noqa: E402
from passage.orchestration import stack  # noqa: E402
from tests import databases  # noqa: E402
from tests.factories import seed_staff  # noqa: E402


def wait_for(predicate: Callable[[], Any], *, timeout: float = 60.0, what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy, at most `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(autouse=True)
def _main_module_kept() -> Iterator[None]:
    """Streamlit's script runner (AppTest) installs the page it runs as sys.modules["__main__"] and leaves it
    there: a later test that spawns processes (multiprocessing re-imports the parent's main in each child)
    would have every child run that page (ui/app.py) outside Streamlit, and fail."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A real Prefect server on SQLite, as `passage up` starts it."""
    with stack.prefect_server(get_settings()):
        yield get_settings().prefect_api_url


@pytest.fixture(scope="session")
def postgres() -> databases.PostgresServer:
    """The PostgreSQL server of this run; PostgreSQL-only tests are skipped where none answers."""
    url = databases.server_url()
    why = databases.postgres_answers(url)
    if why is not None and databases.on_postgres():
        raise RuntimeError(f"{databases.SERVER_ENV} is set, but {why}")
    if why is not None:
        pytest.skip(f"PostgreSQL-only test: {why}")
    return databases.PostgresServer(url)


@pytest.fixture(scope="session")
def postgres_template(postgres: databases.PostgresServer) -> Iterator[str]:
    with postgres.template() as name:
        yield name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def postgres_url(postgres: databases.PostgresServer, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped after the test."""
    with postgres.fresh(postgres_template) as url:
        yield url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: on PostgreSQL when PASSAGE_TEST_POSTGRES_URL is set, else SQLite."""
    if databases.on_postgres():
        yield request.getfixturevalue("postgres_url")
    else:
        yield databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)


def _open(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Point Passage (and the processes it starts) at `url`, with the demo staff in it."""
    monkeypatch.setenv("PASSAGE_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    init_db()
    with Session(get_engine()) as session:
        seed_staff(session=session)
        yield session
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A fresh database for this test, with the demo staff."""
    yield from _open(database_url, monkeypatch)


@pytest.fixture
def pg_db(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Like `db`, always on PostgreSQL (PostgreSQL-only tests)."""
    yield from _open(postgres_url, monkeypatch)


@pytest.fixture
def runner(prefect_server: str, db: Session) -> Iterator[int]:
    """`passage serve` on this test's database: the deployments, a warm worker and the reconciler."""
    started_at = utcnow()
    with stack.flow_runner(get_settings()) as process:
        stack.wait_for_worker(get_settings(), since=started_at)
        yield process.pid
