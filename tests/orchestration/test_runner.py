"""The production processes: one reconciler pass at a time, and workers that stop on SIGTERM."""

import signal
import subprocess
import sys

from prefect.client.orchestration import get_client
from sqlmodel import Session

from passage.core.db import exclusive
from passage.core.settings import get_settings
from passage.orchestration import stack
from passage.orchestration.runner import RECONCILER_LOCK, reconcile_pass
from tests.conftest import wait_for


def test_a_second_reconciler_does_nothing_while_one_holds_the_installation(db: Session) -> None:
    settings = get_settings()
    with exclusive(RECONCILER_LOCK) as held:
        assert held
        assert reconcile_pass() is None
        other = subprocess.run(
            [sys.executable, "-m", "passage.cli", "reconcile"],
            env=stack.child_env(settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert other.returncode == 1
    assert "another reconciler is in the middle of a pass" in other.stderr
    with exclusive(RECONCILER_LOCK) as held_again:
        assert held_again  # released on exit


def test_passage_worker_stops_cleanly_on_sigterm(runner: int) -> None:
    settings = get_settings()
    worker = stack.spawn([sys.executable, "-m", "passage.cli", "worker"], settings, "worker-sigterm")
    try:

        def polling() -> bool:
            with get_client(sync_client=True) as client:
                workers = client.read_workers_for_work_pool(work_pool_name=settings.work_pool)
            return any(w.name.endswith(f" {worker.pid}") for w in workers)

        wait_for(polling, timeout=90, what="the worker polling")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        stack.stop(worker)


def test_stopping_a_child_that_inherited_sigint_ignored_ends_it_by_sigterm_not_by_the_kill() -> None:
    """A `passage up` started in a shell's background (or by a service manager) hands its children SIGINT
    ignored: a stop by SIGINT waited its whole timeout for each and then killed it."""
    code = (
        "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    stack.stop(child, timeout=30)
    assert child.returncode == -signal.SIGTERM
