"""The one task constructor Passage's mechanics use."""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from prefect import Task
from prefect.cache_policies import NO_CACHE

P = ParamSpec("P")
R = TypeVar("R")


def durable_task(fn: Callable[P, R], *, name: str | None = None) -> Task[P, R]:
    """A Prefect task retried on transient errors (database busy, server hiccup).

    Never cached: a gate's second look at its task must see a decision that arrived after the first.
    """
    return Task(fn=fn, name=name, retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
