"""Prefect unreachable at once, for tests of pages and commands that must not wait on it."""

from typing import Any, NoReturn

import pytest

from passage.core import prefect_bridge


def cut_off_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the bridge fail as it does when no Prefect server answers, without the network.

    A closed PREFECT_API_URL port would do the same but slowly: the client's transport retries a refused
    connection three times with backoff, 1.5 s per call. It is also not enough for pages: AppTest runs the
    script in its own thread, which reads Prefect's process-wide settings, not a `temporary_settings`
    context, so a live session `prefect_server` on the configured port would answer it. Decisions and
    cases are then recorded and left to the reconciler, which is what these tests check.
    """

    def unreachable(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise prefect_bridge.PrefectUnavailable("Prefect is unreachable in this test")

    monkeypatch.setattr(prefect_bridge, "run_state", unreachable)
    monkeypatch.setattr(prefect_bridge, "start_run", unreachable)
    monkeypatch.setattr(prefect_bridge, "cancel", unreachable)
