"""How Passage's mechanics are retried: as Prefect task runs, or in place where a task run costs too much."""

from collections.abc import Callable
from functools import wraps
from time import sleep
from typing import ParamSpec, TypeVar

from prefect import Task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import OperationalError

P = ParamSpec("P")
R = TypeVar("R")

RETRY_DELAYS: list[float] = [1, 5, 15]  # seconds: a busy SQLite database or a server hiccup is over within these


def durable_task(fn: Callable[P, R], *, name: str | None = None) -> Task[P, R]:
    """A Prefect task retried on transient errors (database busy, server hiccup).

    Never cached: a re-run must look at the database again, not reuse an answer read before a crash.
    """
    return Task(fn=fn, name=name, retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)


def retried(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` retried in place when the app database is busy or cannot be reached, with durable_task's delays.

    For bookkeeping done at every gate, where a Prefect task run (its own API calls and state changes)
    would cost more than the work. What fails after the last try fails the flow run,
    which the reconciler brings back to its last gate.
    """

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for delay in RETRY_DELAYS:
            try:
                return fn(*args, **kwargs)
            except OperationalError:
                sleep(delay)
        return fn(*args, **kwargs)

    return run
