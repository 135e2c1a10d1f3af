"""Who calls: an API account, by the bearer token an administrator gave it (passage/services/api_tokens.py).

Every service call of a request runs as that account, in its own role grants like a person's, and every
event it records names the channel `api` beside it (audit.operating), as the inbox names `inbox`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from passage.api.problems import Unauthenticated
from passage.core.db import session_scope
from passage.services import api_tokens, audit

CHANNEL = "api"

bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`passage api-tokens create`): `Authorization: Bearer psg_…`",
)


def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    """The API account the request's bearer token stands for; refused (401) without a valid one."""
    if credentials is None:
        raise Unauthenticated("a bearer token is needed: Authorization: Bearer <token>")
    with session_scope() as session:
        username = api_tokens.authenticate(session=session, token=credentials.credentials)
    if username is None:
        raise Unauthenticated("the token is unknown, expired or revoked")
    return username


Caller = Annotated[str, Depends(caller)]


@contextmanager
def acting(username: str) -> Iterator[Session]:
    """A session for one request's service calls, its events recorded as made through the API."""
    with session_scope() as session, audit.operating(channel=CHANNEL, operator=username):
        yield session
