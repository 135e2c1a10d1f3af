"""The login form's endpoint (ui/session_cookie.py): the cookie it sets, where it sends the browser, and what it
refuses. The throttle through it: tests/ui/test_access.py."""

import math
import tomllib
from pathlib import Path

import pytest
from httpx import Response
from sqlmodel import Session
from starlette.testclient import TestClient

from passage.core.settings import Settings, get_settings
from passage.services import auth
from ui import session_cookie
from ui.state import LOGIN_STYLE

LOGIN = session_cookie.LOGIN_PATH


def post(client: TestClient, next_: str = "/", **headers: str) -> Response:
    form = {"username": "cw.amal", "password": get_settings().demo_password, "next": next_}
    answer: Response = client.post(LOGIN, data=form, headers=headers)
    return answer


def set_cookie(answer: Response) -> str:
    return answer.headers["set-cookie"]


def test_the_cookie_is_httponly_lax_as_long_as_the_login_and_names_a_live_session(
    db: Session, login_post: TestClient
) -> None:
    answer = post(login_post, "/?task=12")
    assert answer.status_code == 303 and answer.headers["location"] == "/?task=12"
    cookie = set_cookie(answer).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert f"max-age={get_settings().session_minutes * 60}" in cookie
    assert "secure" not in cookie  # plain http here: a Secure cookie would never come back
    token = answer.cookies[session_cookie.COOKIE]
    resumed = auth.resume(session=db, token=token)
    assert resumed is not None and resumed.username == "cw.amal"


@pytest.mark.parametrize("how", ["https base url", "trusted proxy"])
def test_the_cookie_is_secure_when_the_inbox_is_reached_over_https(
    db: Session, login_post: TestClient, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "https base url":
        monkeypatch.setenv("PASSAGE_INBOX_BASE_URL", "https://passage.example.org")
        headers: dict[str, str] = {}
    else:
        monkeypatch.setenv("PASSAGE_TRUST_FORWARDED_FOR", "true")
        headers = {"x-forwarded-proto": "https"}
    get_settings.cache_clear()
    assert "secure" in set_cookie(post(login_post, **headers)).lower()


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_the_login_returns_to_this_inbox_only(db: Session, login_post: TestClient, target: str) -> None:
    assert post(login_post, target).headers["location"] == "/"


def test_a_login_posted_by_another_sites_page_is_refused(db: Session, login_post: TestClient) -> None:
    answer = post(login_post, origin="https://evil.example")
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert post(login_post, origin="http://testserver").status_code == 303


def test_a_wrong_password_sets_no_cookie_and_goes_back_to_the_page(db: Session, login_post: TestClient) -> None:
    form = {"username": "cw.amal", "password": "wrong", "next": "/cases?case=RST-00001"}
    answer = login_post.post(LOGIN, data=form)
    assert answer.status_code == 303 and "set-cookie" not in answer.headers
    assert answer.headers["location"] == "/cases?case=RST-00001&login=refused"


def test_the_upload_limit_is_the_imports_limit() -> None:
    """ui/.streamlit/config.toml's server.maxUploadSize (MiB) is the import's byte limit, rounded up."""
    config = tomllib.loads((Path(session_cookie.__file__).parent / ".streamlit" / "config.toml").read_text())
    default = Settings.model_fields["import_max_bytes"].default
    assert config["server"]["maxUploadSize"] == math.ceil(default / 2**20)
    # A primary button (Approve) is not Streamlit's red, and the login form's button matches the theme.
    assert config["theme"]["primaryColor"].lower() not in ("#ff4b4b", "red")
    assert config["theme"]["primaryColor"] in LOGIN_STYLE
