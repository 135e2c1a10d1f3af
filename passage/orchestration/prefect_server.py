"""Passage's Prefect server: Prefect's own app, as `prefect server start` serves it, whose "busy" says when to retry.

    python -m passage.orchestration.prefect_server --host 127.0.0.1 --port 4200

On SQLite, a write whose transaction read before another write committed fails at once ("database is
locked": its snapshot is stale, waiting does not help) and Prefect's server answers 503. Prefect's
clients then wait 2 s, then 4 s, unless the answer carries Retry-After; a retry a moment later passes.
Under a quota year's load those waits held up a third of the cases' starts and the worker's start of
their runs (bench/quota_year.py): every 503 here says "retry after 0.1 s", which every Prefect client
(flow runs, the worker, Passage's own calls) honours.
"""

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn
from prefect.server.api.server import create_app
from prefect.settings import (
    PREFECT_SERVER_API_KEEPALIVE_TIMEOUT,
    PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL,
    PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT,
    PREFECT_SERVER_LOGGING_LEVEL,
)

RETRY_AFTER_SECONDS = b"0.1"

Message = MutableMapping[str, Any]
ASGIApp = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class RetrySoon:
    """ASGI middleware: a 503 answer without Retry-After gets a short one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hint(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    message = {**message, "headers": [*headers, (b"retry-after", RETRY_AFTER_SECONDS)]}
            await send(message)

        await self.app(scope, receive, send_with_hint)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    uvicorn.run(
        app=RetrySoon(create_app(final=True)),
        host=args.host,
        port=args.port,
        timeout_keep_alive=PREFECT_SERVER_API_KEEPALIVE_TIMEOUT.value(),
        ws_ping_interval=PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL.value(),
        ws_ping_timeout=PREFECT_SERVER_API_WEBSOCKET_PING_TIMEOUT.value(),
        log_level=PREFECT_SERVER_LOGGING_LEVEL.value().lower(),
    )


if __name__ == "__main__":
    main()
