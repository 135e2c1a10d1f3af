"""The REST API as a real uvicorn server on a free port, on this test's database, and a real HTTP client."""

import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from passage.api.app import create_app
from passage.services.api_tokens import AccountCreate, create_token, save_account
from passage.services.users import Grant
from tests.cli.test_cli import passage  # noqa: F401  (the CLI fixture, for the api-tokens commands)
from tests.conftest import wait_for
from tests.mailboxes import free_port


@pytest.fixture
def api(db: Session) -> Iterator[str]:
    """The API's base address, served from a thread of this process (which points at the test's database)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="passage-api", daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout=30, what="the API server to start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def account_token(db: Session, username: str, *grants: Grant, expires_days: int = 30) -> str:
    """An API account holding `grants`, made by the administrator, and a fresh token of it."""
    save_account(
        session=db, actor="admin", account=AccountCreate(username=username, full_name=username, grants=[*grants])
    )
    return create_token(session=db, actor="admin", username=username, expires_days=expires_days).token


def client(api: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{api}/api/v1", headers=headers, timeout=30)
