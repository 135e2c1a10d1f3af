"""The embedded stack: one Prefect server on SQLite, the flow runner, the inbox, on 127.0.0.1."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

import httpx

from passage.core import prefect_bridge
from passage.core.env import prefect_env
from passage.core.files import PRIVATE_UMASK
from passage.core.settings import Settings

# The folder holding the packages (the checkout, or site-packages): children run from it.
ROOT = Path(__file__).resolve().parents[2]
# The inbox's script, found by name: the stack starts the inbox, it does not import it. ui/server.py serves
# the pages of ui/app.py with the inbox's security headers (Content-Security-Policy).
INBOX_APP = ROOT / "ui" / "server.py"


class StackError(RuntimeError):
    pass


def child_env(settings: Settings) -> dict[str, str]:
    """This process's environment plus what makes every child use the same server and database."""
    env = {**os.environ, **prefect_env(settings)}
    env["PASSAGE_HOME"] = str(settings.home.resolve())
    env["PASSAGE_DATABASE_URL"] = settings.db_url
    env["PASSAGE_PREFECT_PORT"] = str(settings.prefect_port)
    return env


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Poll `url` until it answers 200, the process dies, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{process.args!r} exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise StackError(f"{url} did not answer within {timeout:.0f} s")


def log_path(settings: Settings, log_name: str) -> Path:
    """Where the child `log_name` writes its output: <home>/logs/<log_name>.log."""
    return settings.home.resolve() / "logs" / f"{log_name}.log"


def spawn(args: list[str], settings: Settings, log_name: str) -> subprocess.Popen[bytes]:
    """Start a child in its own process group, its output in <home>/logs."""
    log = log_path(settings, log_name)
    log.parent.mkdir(parents=True, exist_ok=True)
    # The log (and all the child writes: databases, Prefect's files) for the service user only.
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as out:
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=child_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM first, then SIGKILL the whole group.

    SIGTERM, not SIGINT: a process started in the background of a shell, or by a service manager,
    inherits SIGINT ignored, and its children with it, so a SIGINT stop waited the whole timeout for
    each of them and then killed them. Every Passage process ends cleanly on SIGTERM (`passage serve`'s
    worker too, unlike Prefect's own), as do Prefect's server and Streamlit.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def spawn_prefect_server(settings: Settings) -> subprocess.Popen[bytes]:
    """Start a Prefect server on SQLite at settings.prefect_api_url (its database in the home); no wait.

    Always the same port and database for one home, so a restarted server is the same server to its clients.
    """
    (settings.home.resolve() / "prefect").mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "passage.orchestration.prefect_server", "--host", settings.host]
    return spawn([*args, "--port", str(settings.prefect_port)], settings, "prefect-server")


def start_prefect_server(settings: Settings, timeout: float | None = None) -> subprocess.Popen[bytes]:
    """Start a Prefect server on SQLite at settings.prefect_api_url (its database in the home) and wait for it."""
    server = spawn_prefect_server(settings)
    try:
        wait_until_healthy(f"{settings.prefect_api_url}/health", server, timeout or settings.startup_seconds)
    except StackError:
        stop(server)
        raise
    return server


@contextmanager
def prefect_server(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """A Prefect server on SQLite at settings.prefect_api_url, stopped on exit."""
    server = start_prefect_server(settings)
    try:
        yield server
    finally:
        stop(server)


def start_flow_runner(settings: Settings) -> subprocess.Popen[bytes]:
    """Start `passage serve` (it logs to <home>/logs/runner.log)."""
    return spawn([sys.executable, "-m", "passage.cli", "serve"], settings, "runner")


@contextmanager
def passage_process(command: str, settings: Settings, log_name: str) -> Iterator[subprocess.Popen[bytes]]:
    """`passage <command>` (serve, worker, reconciler) as a child, stopped on exit."""
    process = spawn([sys.executable, "-m", "passage.cli", command], settings, log_name)
    try:
        yield process
    finally:
        stop(process)


def flow_runner(settings: Settings) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """`passage serve`: the programme deployments, a warm worker and the reconciler."""
    return passage_process("serve", settings, "runner")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc): a worker's forkserver and the runs forked from it.

    A thread or process that ends while it is read is skipped: the tree is a moving picture.
    """
    found: list[int] = []
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for thread in threads:
        try:
            kids = (thread / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for child in kids:
            found += [int(child), *descendants(int(child))]
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # ended meanwhile
        return b""


def flow_processes(worker: int) -> list[int]:
    """Processes running a flow run under `worker` (or a process above it): the forks of its forkserver."""
    return [child for pid in descendants(worker) if b"forkserver" in _cmdline(pid) for child in descendants(pid)]


@contextmanager
def inbox(settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """The Streamlit inbox on settings.inbox_url."""
    app = spawn_inbox(settings)
    try:
        wait_until_healthy(inbox_health_url(settings), app, settings.startup_seconds)
        yield app
    finally:
        stop(app)


def inbox_health_url(settings: Settings) -> str:
    return f"{settings.inbox_url}/_stcore/health"


def spawn_inbox(settings: Settings) -> subprocess.Popen[bytes]:
    """Start the Streamlit inbox on settings.inbox_url; no wait."""
    args = [sys.executable, "-m", "streamlit", "run", str(INBOX_APP)]
    options = [
        "--server.address",
        settings.host,
        "--server.port",
        str(settings.inbox_port),
    ]
    options += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    options += ["--client.toolbarMode", "viewer"]  # staff need no "Deploy" button
    return spawn(args + options, settings, "inbox")


def wait_for_worker(settings: Settings, since: datetime, timeout: float | None = None) -> None:
    """Block until a worker started after `since` takes runs from the pool (so cases move)."""

    timeout = timeout or settings.startup_seconds
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if prefect_bridge.worker_polled_since(settings.work_pool, since):
            return
        time.sleep(0.25)
    raise StackError(f"no worker of pool '{settings.work_pool}' within {timeout:.0f} s")
