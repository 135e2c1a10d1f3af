"""A real browser against a real `passage up`: what the e2e tests, the screenshots and the render benchmark share.

The browser is Debian's Chromium (`apt-get install -y chromium`), driven by Playwright's Python
package; Playwright's own browser download is not used. `passage up` runs as a subprocess in a home
of its own with free ports, exactly as a person starts it, and is stopped with every process it started.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from models.case import Case, CaseStatus
from models.task import HumanTask, TaskStatus

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that phones home: on a closed network those connections are refused noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install Debian's Chromium: `apt-get install -y chromium` as root (`.ci/run` does)"


class MissingBrowser(RuntimeError):
    pass


class LiveStack(NamedTuple):
    url: str
    password: str
    home: Path

    def log_tail(self, lines: int = 60) -> str:
        """The end of what `passage up` printed: why a case did not move on, when a test says it did not."""
        return "\n".join((self.home / "passage-up.log").read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    """This environment, pointed at a private home and free ports (never a running `passage up`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSAGE_", "PREFECT_"))}
    env |= {"PASSAGE_HOME": str(home), "PYTHONUNBUFFERED": "1", "DO_NOT_TRACK": "1"}
    env["PASSAGE_STARTUP_SECONDS"] = "240"  # the suite runs on busy machines: Prefect may start slowly
    env |= {"PASSAGE_PREFECT_PORT": str(free_port()), "PASSAGE_INBOX_PORT": str(free_port())}
    return env


def _printed(log: Path, process: "subprocess.Popen[bytes]", label: str, timeout: float) -> str:
    """The value `passage up` printed after `label`, polled from its output for at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(label):
                return line.removeprefix(label).strip()
        if process.poll() is not None:
            raise RuntimeError(f"`passage up` exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)
    raise RuntimeError(f"`passage up` printed no {label!r} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def live_database(home: Path) -> Iterator[Session]:
    """A session on the live stack's own database (its embedded SQLite), for a test's setup and checks; waits
    up to a minute for a lock the stack holds."""
    engine = create_engine(f"sqlite:///{home / 'passage.db'}", connect_args={"timeout": 60})
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _in_transit(home: Path) -> list[str]:
    """Demo cases whose flow is still on its way to a gate (new or active, no open task)."""
    waiting = select(HumanTask.case_id).where(HumanTask.status == TaskStatus.OPEN)
    with live_database(home) as session:
        query = select(Case.ref).where(
            col(Case.status).in_([CaseStatus.NEW, CaseStatus.ACTIVE]), col(Case.id).not_in(waiting)
        )
        return list(session.exec(query))


def _demo_in_place(home: Path, timeout: float) -> None:
    """Wait until every demo case waits at its gate: `passage up` opens the inbox while their flows still
    run, and a page drawn before a case arrives would not show its task until the next rerun."""
    deadline = time.monotonic() + timeout
    while moving := _in_transit(home):
        if time.monotonic() > deadline:
            raise RuntimeError(f"demo cases {', '.join(moving)} reached no gate within {timeout:.0f} s")
        time.sleep(0.5)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _stop(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM (`passage up` stops its children on it, even where Ctrl-C is ignored); then kill what is left."""
    started = _descendants(process.pid)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for pid in started:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@contextmanager
def passage_up(home: Path, *, timeout: float = 300.0) -> Iterator[LiveStack]:
    """`passage up` in `home` until the inbox answers; stopped, with everything it started, on exit."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "passage-up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "passage.cli", "up"],
            cwd=ROOT,
            env=_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        login = _printed(log, process, "Demo login", timeout)
        url = _printed(log, process, "Inbox", timeout).split()[0]
        _demo_in_place(home, timeout)
        yield LiveStack(url=url, password=login.rsplit("/", 1)[1].strip(), home=home)
    finally:
        _stop(process)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, headless."""
    if not CHROMIUM.exists():
        raise MissingBrowser(f"{CHROMIUM} is missing: {INSTALL_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
