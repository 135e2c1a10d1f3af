"""The one task decorator Passage's mechanics use."""

from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE

# Retried on transient errors (database busy, server hiccup); never cached, because a gate's
# second look at its task must see a decision that arrived after the first look.
durable_task = partial(task, retries=3, retry_delay_seconds=[1, 5, 15], cache_policy=NO_CACHE)
