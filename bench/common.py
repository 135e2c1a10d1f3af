"""What every benchmark shares: a private embedded stack, and /proc readings of what it holds.

Import this module first: it points Passage (and so Prefect) at a throwaway home and port before
either is imported, so a benchmark never touches a running `passage up`.
"""

import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

HOME = Path(tempfile.mkdtemp(prefix="passage-bench-"))
os.environ["PASSAGE_HOME"] = str(HOME)
with socket.socket() as _s:
    _s.bind(("127.0.0.1", 0))
    os.environ["PASSAGE_PREFECT_PORT"] = str(_s.getsockname()[1])
for _name in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_API_DATABASE_CONNECTION_URL", "PASSAGE_DATABASE_URL"):
    os.environ.pop(_name, None)

from sqlmodel import Session  # noqa: E402

from models.common import utcnow  # noqa: E402
from passage.core.db import get_engine, init_db  # noqa: E402
from passage.core.settings import get_settings  # noqa: E402
from passage.demo.seed import USERS  # noqa: E402
from passage.orchestration import stack  # noqa: E402
from passage.orchestration.stack import descendants  # noqa: E402
from passage.services.users import create_user  # noqa: E402

T = TypeVar("T")


def seed_staff() -> None:
    """The configured database, migrated, with the demo staff who decide the benchmark's gates."""
    init_db()
    with Session(get_engine()) as session:
        for user in USERS:
            create_user(session=session, user_create=user)
        session.commit()


@contextmanager
def embedded_stack() -> Iterator[list[int]]:
    """Prefect server + `passage serve` on a fresh database with the demo staff; yields their pids."""
    # A benchmark stopped by `timeout` or Ctrl-C still stops the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    settings = get_settings()
    seed_staff()
    with stack.prefect_server(settings) as server:
        since = utcnow()
        with stack.flow_runner(settings) as worker:
            stack.wait_for_worker(settings, since=since)
            yield [server.pid, worker.pid]


def poll(predicate: Callable[[], T | None], timeout: float, every: float = 0.01) -> T:
    """The first truthy value of `predicate`, checked every `every` seconds for at most `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(every)
    raise TimeoutError(f"nothing after {timeout:.0f} s")


def tree(roots: list[int]) -> list[int]:
    return [p for root in roots for p in (root, *descendants(root))]


def rss_mb(pids: list[int]) -> float:
    """Resident memory of `pids`, in MB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of `pids` and of their reaped children."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def flow_processes(worker: int) -> int:
    """How many processes run a flow run: forks of the worker's forkserver."""
    return len(stack.flow_processes(worker))


def table(title: str, rows: list[tuple[str, str]]) -> None:
    """Print the figures as a Markdown table, ready for the README."""
    print(f"\n{title} ({os.cpu_count()} cores; Prefect server on SQLite; one warm worker)\n")
    print("| measure | value |\n|---|---|")
    for measure, value in rows:
        print(f"| {measure} | {value} |")
