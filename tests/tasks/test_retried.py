"""Gate bookkeeping done in place is retried while the app database is busy, and gives up after the last try."""

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tasks import base
from tasks.base import RETRY_DELAYS, retried


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays slept between tries, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(base, "sleep", slept.append)
    return slept


def busy(times: int) -> tuple[list[int], Callable[[int], int]]:
    calls: list[int] = []

    @retried
    def write(value: int) -> int:
        calls.append(value)
        if len(calls) <= times:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return value * 2

    return calls, write


def test_a_busy_database_is_tried_again_after_each_delay(waits: list[float]) -> None:
    calls, write = busy(times=2)
    assert write(21) == 42
    assert (calls, waits) == ([21, 21, 21], RETRY_DELAYS[:2])


def test_a_database_busy_past_the_last_try_fails_with_its_error(waits: list[float]) -> None:
    calls, write = busy(times=len(RETRY_DELAYS) + 1)
    with pytest.raises(OperationalError):
        write(1)
    assert (len(calls), waits) == (len(RETRY_DELAYS) + 1, RETRY_DELAYS)


def test_an_error_that_is_not_transient_is_not_retried(waits: list[float]) -> None:
    calls: list[int] = []

    @retried
    def write() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        write()
    assert (calls, waits) == ([1], [])
