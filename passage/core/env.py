"""The environment every Passage process hands to Prefect, so all share one local server, and only they can read it."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from passage.core.secrets import stored_secret
from passage.core.settings import Settings

# One CA for Prefect's client to load when its API is plain HTTP (no TLS): the file says why.
PLAIN_HTTP_CA = Path(__file__).with_name("plain_http_ca.pem")
# The API's user name in the credentials Passage makes for itself (Prefect's basic auth takes user:password).
API_USER = "passage"


def prefect_env(settings: Settings) -> dict[str, str]:
    """Variables that point Prefect at Passage's server, keep it off the network, and lock its API."""
    prefect_home = settings.home.resolve() / "prefect"
    database = settings.prefect_database_url or f"sqlite+aiosqlite:///{prefect_home / 'prefect.db'}"
    auth = api_credentials(settings)
    env = {
        "PREFECT_API_URL": settings.prefect_api_url,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_DATABASE_CONNECTION_URL": database,
        # Prefect's API has no per-record access rules: it answers only to who holds the credentials
        # (the server checks them, every Passage process sends them), and to no other web page's scripts.
        "PREFECT_SERVER_API_AUTH_STRING": auth,
        "PREFECT_API_AUTH_STRING": auth,
        "PREFECT_SERVER_CORS_ALLOWED_ORIGINS": _origin(settings.prefect_api_url),
        # A task's or flow's return value (a case snapshot, an outcome naming people) is never written to
        # Prefect's result storage: a re-run reads Passage's database instead.
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "true",
        "DO_NOT_TRACK": "1",
        # A resumed gate must start promptly; the default poll is 10 s.
        "PREFECT_WORKER_QUERY_SECONDS": str(settings.worker_poll_seconds),
        "PREFECT_WORKER_HEARTBEAT_SECONDS": str(settings.worker_heartbeat_seconds),
        # When the server is down, fail fast and let the reconciler retry, rather than hang a page.
        "PREFECT_CLIENT_MAX_RETRIES": "2",
    }
    if settings.prefect_api_url.startswith("http://"):
        env["PREFECT_API_SSL_CERT_FILE"] = str(PLAIN_HTTP_CA)
    return env


def _origin(api_url: str) -> str:
    """The API's own origin (scheme://host:port): Prefect's UI is served from it; no other may call in."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def api_credentials(settings: Settings) -> str:
    """`user:password` for Prefect's API: PASSAGE_PREFECT_API_AUTH, or made once per home.

    Made ones live in <home>/prefect/api-auth, readable by the service user only; the Prefect UI asks
    for them.
    """
    if settings.prefect_api_auth is not None:
        return settings.prefect_api_auth.get_secret_value()
    path = settings.home.resolve() / "prefect" / "api-auth"
    return stored_secret(path, lambda: f"{API_USER}:{secrets.token_urlsafe(24)}")
