"""What `passage up` started, kept running: a child that dies is reported and started again.

A child that dies is said on the console in one line (which, its exit code, its log) and started again
after a back-off (1, 2, 4, … s, capped), so a Prefect server killed by the OOM killer or by hand comes
back on its port and database instead of leaving the runner to log "Connection refused" forever. A
child that keeps dying (`max_deaths` within `window` seconds) stops the whole stack with an error: a
stack that cannot run says so, it does not restart in a loop.
"""

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from passage.core.settings import Settings
from passage.orchestration import stack
from passage.orchestration.stack import StackError, stop, wait_until_healthy

Say = Callable[[str], None]


@dataclass(frozen=True)
class Child:
    """One process of the stack: how to start it (without waiting), its log, and the URL that says it is up."""

    name: str
    spawn: Callable[[], subprocess.Popen[bytes]]
    log: Path
    health_url: str | None = None


@dataclass
class _Watched:
    child: Child
    process: subprocess.Popen[bytes] | None
    deaths: list[float] = field(default_factory=list)  # monotonic times within the window
    restart_at: float | None = None  # set while it waits out its back-off
    returning: bool = False  # restarted, its health URL not answering yet


def exit_text(code: int) -> str:
    """An exit code as a person reads it: -9 is "killed by SIGKILL"."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """What a dead child left in its process group (a runner's forkserver, say) goes with it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Supervisor:
    """Start children, watch them until stopped; on exit (Ctrl-C, SIGTERM, an error) stop them, last first."""

    def __init__(
        self,
        say: Say,
        *,
        startup_seconds: float,
        max_deaths: int = 5,
        window: float = 300.0,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
        poll: float = 0.25,
    ) -> None:
        self.say = say
        self.startup_seconds = startup_seconds
        self.max_deaths = max_deaths
        self.window = window
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.poll = poll
        self._watched: list[_Watched] = []

    def __enter__(self) -> "Supervisor":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for watched in reversed(self._watched):
            if watched.process is not None:
                stop(watched.process)

    def start(self, child: Child) -> subprocess.Popen[bytes]:
        """Start `child` and wait until its health URL answers (a child dying here fails the start)."""
        watched = _Watched(child, None)
        self._watched.append(watched)
        watched.process = child.spawn()
        if child.health_url is not None:
            wait_until_healthy(child.health_url, watched.process, self.startup_seconds)
        return watched.process

    def watch(self) -> None:
        """Until interrupted: restart what dies; raise StackError when a child keeps dying."""
        while True:
            self.check()
            time.sleep(self.poll)

    def check(self) -> None:
        """One look at every child: report and schedule what died, start what has waited out its back-off."""
        now = time.monotonic()
        for watched in self._watched:
            process = watched.process
            if process is not None and process.poll() is not None:
                self._died(watched, process, now)
            elif watched.restart_at is not None and now >= watched.restart_at:
                watched.restart_at = None
                watched.process = watched.child.spawn()
                watched.returning = watched.child.health_url is not None
                self.say(f"{watched.child.name} restarted (pid {watched.process.pid})")
            elif watched.returning and watched.child.health_url and _answers(watched.child.health_url):
                watched.returning = False
                self.say(f"{watched.child.name} answers again at {watched.child.health_url}")

    def _died(self, watched: _Watched, process: subprocess.Popen[bytes], now: float) -> None:
        _kill_group(process)
        watched.process = None
        watched.returning = False
        watched.deaths = [t for t in watched.deaths if now - t < self.window] + [now]
        name, code, log = watched.child.name, process.returncode, watched.child.log
        if len(watched.deaths) >= self.max_deaths:
            raise StackError(
                f"{name} {exit_text(code)} (log: {log}); it died {len(watched.deaths)} times within"
                f" {self.window:.0f} s, so the stack stops"
            )
        backoff = min(self.max_backoff, self.first_backoff * 2 ** (len(watched.deaths) - 1))
        watched.restart_at = now + backoff
        self.say(f"{name} {exit_text(code)} (log: {log}); restarting in {backoff:g} s")


def prefect_server(settings: Settings) -> Child:
    """The Prefect server: restarted on the same port and the same database (both come from the home)."""
    return Child(
        "Prefect server",
        lambda: stack.spawn_prefect_server(settings),
        stack.log_path(settings, "prefect-server"),
        f"{settings.prefect_api_url}/health",
    )


def flow_runner(settings: Settings) -> Child:
    """`passage serve`: the deployments, a warm worker, the reconciler."""
    return Child(
        "Runner (passage serve)", lambda: stack.start_flow_runner(settings), stack.log_path(settings, "runner")
    )


def inbox(settings: Settings) -> Child:
    return Child(
        "Inbox",
        lambda: stack.spawn_inbox(settings),
        stack.log_path(settings, "inbox"),
        stack.inbox_health_url(settings),
    )
