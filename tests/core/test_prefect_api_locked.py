"""Prefect's API answers only to Passage's processes: credentials required, no other web page's scripts."""

from pathlib import Path

import httpx
import pytest

from passage.core.env import api_credentials, prefect_env
from passage.core.settings import Settings, get_settings

FOREIGN = "https://attacker.example.org"


def test_the_api_refuses_a_caller_without_credentials(prefect_server: str) -> None:
    assert httpx.post(f"{prefect_server}/flow_runs/filter", json={}).status_code == 401
    user, password = get_settings().prefect_api_auth.get_secret_value().split(":", 1)  # type: ignore[union-attr]
    assert httpx.post(f"{prefect_server}/flow_runs/filter", json={}, auth=(user, password)).status_code == 200
    assert httpx.post(f"{prefect_server}/flow_runs/filter", json={}, auth=(user, "guessed")).status_code == 401
    assert httpx.get(f"{prefect_server}/health").status_code == 200  # probes stay open


def test_no_other_origin_may_call_the_api_from_a_browser(prefect_server: str) -> None:
    preflight = httpx.options(
        f"{prefect_server}/flow_runs/filter",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    answer = httpx.get(f"{prefect_server}/health", headers={"Origin": FOREIGN})
    assert answer.headers.get("access-control-allow-origin") in (None, "")


def test_credentials_are_made_once_per_home_for_the_service_user_only(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, prefect_port=4200, prefect_api_auth=None)
    made = api_credentials(settings)
    assert made == api_credentials(settings) and made.startswith("passage:") and len(made) > 30
    path = settings.home / "prefect" / "api-auth"
    assert path.stat().st_mode & 0o777 == 0o600
    env = prefect_env(settings)
    assert env["PREFECT_SERVER_API_AUTH_STRING"] == env["PREFECT_API_AUTH_STRING"] == made
    assert env["PREFECT_SERVER_CORS_ALLOWED_ORIGINS"] == "http://127.0.0.1:4200"


def test_credentials_from_the_environment_are_checked() -> None:
    with pytest.raises(ValueError, match="user:password"):
        Settings(prefect_api_auth="no-password")
