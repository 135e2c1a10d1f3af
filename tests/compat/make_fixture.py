"""Make the fixture of test_suspended_before_the_floors.py: a home left by the release before the floors.

    .venv/bin/python tests/compat/make_fixture.py                  # from the repository root
    .venv/bin/python tests/compat/make_fixture.py --worktree /tmp/passage-a29d691   # an existing checkout

Not run by the test suite: its output is committed (tests/compat/a29d691/), and made again only to
change what the release left behind. It runs the code of release a29d691, the last one before the
floors (modules moved into passage/core, programme, orchestration, cli, demo; gates suspend without
an input schema), never the code of this tree:

1. checks a29d691 out into a temporary git worktree (or uses --worktree) and runs itself again there,
   with that checkout first on PYTHONPATH (the dependencies are the same) and no PASSAGE_/PREFECT_
   variables of the caller;
2. in a fresh PASSAGE_HOME, as the old tests/conftest.py does: a free Prefect port, gates that
   suspend at once (PASSAGE_GATE_GRACE_SECONDS=0), a reconciler every second; the app database at
   its default place (<home>/passage.db), migrated, with the old tests' staff (tests/factories.py);
3. starts the old Prefect server and `passage serve` (the old `prefect_server` and `runner`
   fixtures), opens one resettlement case (tests/factories.py `referral()`, by cw.amal), waits
   until its run is Paused at its first gate, `accept-for-selection`, with that gate's form as the
   run's input schema, and until its process has exited;
4. stops the runner, then the server (SIGTERM, as `passage down` does), makes both SQLite files
   self-contained and small (journal_mode=DELETE, VACUUM), and copies them into --out as they lie
   in the home (`passage.db`, `prefect/prefect.db`), with `fixture.json`: the case, its task, its
   flow run, the Prefect version and the files' sizes.

The task is opened to expire in 3650 days (PASSAGE_GATE_EXPIRY_DAYS), not the default 90: the test's
reconciler would otherwise expire the fixture's task three months after it was made.
"""

import argparse
import importlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

RELEASE = "a29d691"
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
STEP = "accept-for-selection"
# Set in the second run: the checkout of the old release whose code it runs.
OLD_CODE = "PASSAGE_COMPAT_OLD_CODE"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], Any], *, timeout: float = 120.0, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def compact(path: Path) -> None:
    """One self-contained, vacuumed file: no -wal or -shm beside it, no free pages in it."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def make(out: Path, worktree: Path) -> None:
    """In the old release's code: a home with one case suspended at its first gate, copied to `out`."""
    home = Path(tempfile.mkdtemp(prefix=f"passage-{RELEASE}-home-"))
    for name in [name for name in os.environ if name.startswith(("PASSAGE_", "PREFECT_"))]:
        del os.environ[name]
    os.environ |= {
        "PASSAGE_HOME": str(home),
        "PASSAGE_PREFECT_PORT": str(free_port()),
        "PASSAGE_RECONCILE_SECONDS": "1",
        "PASSAGE_GATE_GRACE_SECONDS": "0",
        "PASSAGE_GATE_EXPIRY_DAYS": "3650",
    }
    # Imported by name, after the environment is set: the old release's modules, which this tree no
    # longer has (passage.stack, passage.db, passage.settings, passage.prefect_bridge).
    passage = importlib.import_module("passage")
    assert Path(passage.__file__ or "").resolve().is_relative_to(worktree.resolve()), passage.__file__
    stack = importlib.import_module("passage.stack")
    db = importlib.import_module("passage.db")
    bridge = importlib.import_module("passage.prefect_bridge")
    settings = importlib.import_module("passage.settings").get_settings()
    delivery = importlib.import_module("passage.services.delivery")
    factories = importlib.import_module("tests.factories")
    sqlmodel = importlib.import_module("sqlmodel")
    models = importlib.import_module("models")
    utcnow = importlib.import_module("models.common").utcnow
    import prefect

    assert settings.db_url == f"sqlite:///{home.resolve() / 'passage.db'}", settings.db_url
    db.init_db()
    with sqlmodel.Session(db.get_engine()) as session:
        factories.seed_staff(session=session)

    with stack.prefect_server(settings):
        started_at = utcnow()
        with stack.flow_runner(settings) as runner:
            stack.wait_for_worker(settings, since=started_at)
            with sqlmodel.Session(db.get_engine()) as session:
                case = delivery.start_case(
                    session=session, programme="resettlement-nl", case_file=factories.referral(), actor="cw.amal"
                )
                case_id, case_ref, flow_run_id = case.id, case.ref, case.flow_run_id
            assert flow_run_id is not None, "the flow run should start at once"

            def open_task() -> Any:
                with sqlmodel.Session(db.get_engine()) as session:
                    query = sqlmodel.select(models.HumanTask).where(
                        models.HumanTask.case_id == case_id, models.HumanTask.step == STEP
                    )
                    task = session.exec(query).first()
                    return task if task is not None and task.status == models.TaskStatus.OPEN else None

            task = wait_for(open_task, what=f"the task {STEP} of {case_ref}")

            def suspended() -> bool:
                state = bridge.run_state(flow_run_id)
                return state is not None and state.is_paused and state.pause_key == STEP

            wait_for(suspended, what=f"the run of {case_ref} to suspend at {STEP}")
            wait_for(lambda: not stack.flow_processes(runner.pid), what="the run's process to exit")
            with prefect.get_client(sync_client=True) as client:
                state = client.read_flow_run(UUID(task.flow_run_id)).state
            assert state is not None
            keyset = state.state_details.run_input_keyset
            assert keyset, "the old release should suspend with the gate's form as the input schema"
    db.get_engine().dispose()

    out.mkdir(parents=True, exist_ok=True)
    files = {"passage.db": home / "passage.db", "prefect/prefect.db": home / "prefect" / "prefect.db"}
    sizes = {}
    for name, source in files.items():
        compact(source)
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        sizes[name] = target.stat().st_size
    record = {
        "release": RELEASE,
        "commit": subprocess.run(
            ["git", "-C", str(worktree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip(),
        "prefect_version": prefect.__version__,
        "made_on": utcnow().date().isoformat(),
        "programme": "resettlement-nl",
        "case_id": case_id,
        "case_ref": case_ref,
        "task_id": task.id,
        "step": STEP,
        "flow_run_id": str(flow_run_id),
        "run_input_keyset": keyset,
        "bytes": sizes,
    }
    (out / "fixture.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))  # noqa: T201 - a script run by hand says what it made
    shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / RELEASE, help="where the files go")
    parser.add_argument("--worktree", type=Path, help=f"a checkout of {RELEASE} to use (default: a temporary one)")
    args = parser.parse_args()
    out = args.out.resolve()
    if os.environ.get(OLD_CODE):
        make(out, Path(os.environ[OLD_CODE]))
        return
    worktree = args.worktree
    temporary = worktree is None
    if worktree is None:
        worktree = Path(tempfile.mkdtemp(prefix=f"passage-{RELEASE}-"))
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), RELEASE], check=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PASSAGE_", "PREFECT_"))}
    env |= {"PYTHONPATH": str(worktree.resolve()), OLD_CODE: str(worktree.resolve()), "DO_NOT_TRACK": "1"}
    try:
        command = [sys.executable, str(Path(__file__).resolve()), "--out", str(out)]
        subprocess.run(command, cwd=worktree, env=env, check=True)
    finally:
        if temporary:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False)


if __name__ == "__main__":
    main()
