"""The worker reads each run's exit code once: a run that suspended (exit 0) is never reported as 255.

A forkserver child's exit code comes through a pipe that the forkserver closes after writing it. The
worker joins a run in one thread while it starts another run in another thread, and `Process.start`
polls every live child: two readers of one pipe, one of which finds EOF, which multiprocessing reports
as 255, and Prefect's worker then marks the run Crashed though it had suspended at its gate.
"""

import multiprocessing
import sys
import threading
from collections.abc import Callable
from multiprocessing import connection, forkserver

import pytest

from passage.orchestration.worker import join_child, start_child
from tests.conftest import wait_for


def test_a_run_that_exited_0_reads_0_while_another_run_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    context = multiprocessing.get_context("forkserver")
    suspended = context.Process(target=int)  # exits 0, as a run that suspended at its gate
    start_child(suspended)
    connection.wait([suspended.sentinel], timeout=60)  # exited; its code waits in the pipe, unread

    # The first reader of that pipe waits (at most a second) for a second reader to read first: the
    # interleaving that otherwise happens once in a few hundred runs on a busy worker, made certain.
    real_read: Callable[[int], int] = forkserver.read_signed
    readers: list[str] = []
    second_read = threading.Event()

    def racing_read(fd: int) -> int:
        if fd != suspended.sentinel:
            return real_read(fd)
        readers.append(threading.current_thread().name)
        if len(readers) == 1:
            second_read.wait(timeout=1)
            return real_read(fd)
        try:
            return real_read(fd)
        finally:
            second_read.set()

    monkeypatch.setattr(forkserver, "read_signed", racing_read)
    joining = threading.Thread(target=join_child, args=(suspended,), name="join")
    joining.start()
    wait_for(lambda: readers, timeout=30, what="the join reading the exit code")
    failing = context.Process(target=sys.exit, args=(3,))
    starting = threading.Thread(target=start_child, args=(failing,), name="start")  # polls `suspended` too
    starting.start()
    starting.join(timeout=60)
    joining.join(timeout=60)

    assert suspended.exitcode == 0
    join_child(failing)
    assert failing.exitcode == 3  # a real failure is still told as it is
