"""Passage's Prefect server: a "busy" answer tells Prefect's own client to try again in a moment, not in seconds."""

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from prefect.client.base import PrefectHttpxAsyncClient

from passage.orchestration.prefect_server import Message, RetrySoon


def busy_first(status: int = 503, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[RetrySoon, list[str]]:
    """An app that answers `status` once, then 200; and the paths it was asked for."""
    asked: list[str] = []

    async def app(
        scope: Message, _receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        asked.append(scope["path"])
        answer = status if len(asked) == 1 else 200
        await send({"type": "http.response.start", "status": answer, "headers": headers or []})
        await send({"type": "http.response.body", "body": b"{}"})

    return RetrySoon(app), asked


def get(app: RetrySoon) -> httpx.Response:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://prefect") as client:
            return await client.get("/api/health")

    return asyncio.run(call())


def test_a_busy_answer_says_retry_after_a_tenth_of_a_second() -> None:
    app, _ = busy_first()
    assert get(app).headers["retry-after"] == "0.1"


@pytest.mark.parametrize("status", [200, 404, 500])
def test_other_answers_are_left_as_they_are(status: int) -> None:
    app, _ = busy_first(status)
    assert "retry-after" not in get(app).headers


def test_a_retry_after_of_prefects_own_is_kept() -> None:
    app, _ = busy_first(headers=[(b"Retry-After", b"7")])
    assert get(app).headers.get_list("retry-after") == ["7"]


def test_prefects_client_retries_a_busy_answer_after_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the hint Prefect's client waits 2 s (then 4 s) before its retry."""
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("prefect.client.base.anyio.sleep", record)
    app, asked = busy_first()

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with PrefectHttpxAsyncClient(transport=transport, base_url="http://prefect") as client:
            return await client.get("/api/flow_runs/1")

    response = asyncio.run(call())
    assert (response.status_code, asked) == (200, ["/api/flow_runs/1", "/api/flow_runs/1"])
    assert len(waits) == 1
    assert 0.1 <= waits[0] < 0.5, waits
