"""`passage up` keeps its stack running: a child that dies is reported and restarted; one that keeps dying stops all."""

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from models.case import Case
from models.task import HumanTask, TaskStatus
from passage.orchestration.stack import StackError
from passage.orchestration.supervisor import Child, Supervisor
from tests.conftest import wait_for
from tests.e2e import harness
from tests.factories import referral

ROOT = Path(__file__).resolve().parents[2]


def exits_with(code: int, log: Path) -> Child:
    """A real child that dies at once with `code`, every time it is started."""

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", f"import sys; sys.exit({code})"], start_new_session=True)

    return Child("Doomed", spawn, log)


def test_a_child_that_keeps_dying_is_reported_each_time_then_stops_the_stack(tmp_path: Path) -> None:
    said: list[str] = []
    log = tmp_path / "doomed.log"
    supervisor = Supervisor(said.append, startup_seconds=10, max_deaths=3, window=60, first_backoff=0.05)
    with pytest.raises(StackError) as stopped, supervisor:
        supervisor.start(exits_with(3, log))
        supervisor.watch()  # returns only by raising: a child that keeps dying ends it
    assert f"Doomed exited with code 3 (log: {log}); it died 3 times within 60 s, so the stack stops" in str(
        stopped.value
    )
    deaths = [line for line in said if "exited with code 3" in line]
    assert deaths == [
        f"Doomed exited with code 3 (log: {log}); restarting in 0.05 s",
        f"Doomed exited with code 3 (log: {log}); restarting in 0.1 s",
    ]
    assert [line for line in said if "restarted" in line][0].startswith("Doomed restarted (pid ")


def restart_waits(supervisor: Supervisor, said: list[str], count: int) -> list[str]:
    """The back-offs the supervisor announced for the first `count` deaths of its child."""

    def announced() -> list[str]:
        supervisor.check()
        return [line.rsplit("restarting in ", 1)[1] for line in said if "restarting in" in line][:count]

    return list(wait_for(lambda: len(announced()) == count and announced(), timeout=60, what=f"{count} restarts"))


def test_the_back_off_doubles_up_to_its_cap(tmp_path: Path) -> None:
    said: list[str] = []
    doomed = exits_with(1, tmp_path / "doomed.log")
    with Supervisor(said.append, startup_seconds=10, max_deaths=99, first_backoff=0.05, max_backoff=0.2) as supervisor:
        supervisor.start(doomed)
        assert restart_waits(supervisor, said, 5) == ["0.05 s", "0.1 s", "0.2 s", "0.2 s", "0.2 s"]


def test_deaths_further_apart_than_the_window_neither_grow_the_back_off_nor_stop_the_stack(tmp_path: Path) -> None:
    said: list[str] = []
    doomed = exits_with(1, tmp_path / "doomed.log")
    # Each restart waits 0.3 s, longer than the window: every death is the first one within it.
    with Supervisor(said.append, startup_seconds=10, max_deaths=2, window=0.2, first_backoff=0.3) as supervisor:
        supervisor.start(doomed)
        assert restart_waits(supervisor, said, 4) == ["0.3 s"] * 4


def test_stopping_the_supervisor_stops_its_children(tmp_path: Path) -> None:
    def sleeper() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)

    with Supervisor(print, startup_seconds=10) as supervisor:
        child = supervisor.start(Child("Sleeper", sleeper, tmp_path / "sleeper.log"))
        supervisor.check()
    assert child.poll() == -signal.SIGTERM


@dataclass
class Up:
    """A real `passage up` in a home of its own, as a person starts it, and where its console output goes."""

    process: subprocess.Popen[bytes]
    home: Path

    def printed(self) -> str:
        return (self.home / "passage-up.log").read_text(errors="replace")


@pytest.fixture
def up() -> Iterator[Up]:
    """`passage up` until it printed its inbox line (the demo cases may still be on their way to their gates)."""
    with tempfile.TemporaryDirectory(prefix="passage-supervision-") as name:
        home = Path(name)
        log = home / "passage-up.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "passage.cli", "up"],
                cwd=ROOT,
                env=harness._env(home),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            harness._printed(log, process, "Inbox", timeout=400)
            yield Up(process, home)
        finally:
            harness._stop(process)


def prefect_port(up: Up) -> int:
    line = next(line for line in up.printed().splitlines() if line.startswith("Prefect server"))
    return int(line.split()[2].rsplit(":", 1)[1])


def server_pid(port: int) -> int | None:
    """The Prefect server's process on `port` (its command line names the module and the port), if any."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"passage.orchestration.prefect_server" in args and str(port).encode() in args:
            return int(entry.name)
    return None


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def open_tasks_of(home: Path, ref: str) -> list[str]:
    engine = create_engine(f"sqlite:///{home / 'passage.db'}")
    try:
        with Session(engine) as session:
            query = (
                select(HumanTask.step)
                .join(Case, col(Case.id) == col(HumanTask.case_id))
                .where(Case.ref == ref, HumanTask.status == TaskStatus.OPEN)
            )
            return list(session.exec(query))
    finally:
        engine.dispose()


def test_a_killed_prefect_server_is_reported_restarted_on_its_port_and_cases_move_again(up: Up, tmp_path: Path) -> None:
    stages = [line for line in up.printed().splitlines() if line.endswith("…")]
    assert stages == [
        "migrating database…",
        "starting Prefect server…",
        "starting worker…",
        "seeding demo data…",
        "starting inbox…",
    ], "`passage up` says each stage as it starts"
    port = prefect_port(up)
    health = f"http://127.0.0.1:{port}/api/health"
    killed = server_pid(port)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)

    wait_for(lambda: "Prefect server killed by SIGKILL (log: " in up.printed(), timeout=30, what="the death said")
    assert f"{up.home / 'logs' / 'prefect-server.log'}); restarting in 1 s" in up.printed()
    wait_for(
        lambda: server_pid(port) not in (None, killed) and answers(health),
        timeout=240,
        what="the server back on its port",
    )
    wait_for(lambda: f"Prefect server answers again at {health}" in up.printed(), timeout=30, what="the return said")

    # A case opened now must be run by the runner, which lived through the outage, up to its first gate.
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(referral(unhcr_ref="LEB-24-424242")), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSAGE_", "PREFECT_"))}
    env |= {"PASSAGE_HOME": str(up.home), "PASSAGE_PREFECT_PORT": str(port)}
    opened = subprocess.run(
        [sys.executable, "-m", "passage.cli", "cases", "start", "resettlement-nl", "--file", str(case_file)]
        + ["--as", "cw.amal", "--json", "--open-anyway"],  # the demo family has the same people
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert opened.returncode == 0, opened.stderr
    ref = json.loads(opened.stdout)["ref"]
    wait_for(lambda: open_tasks_of(up.home, ref), timeout=180, what=f"{ref} at its first gate")
