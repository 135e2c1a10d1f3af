"""The environment every Passage process hands to Prefect, so all share one local server."""

from pathlib import Path

from passage.core.settings import Settings

# One CA for Prefect's client to load when its API is plain HTTP (no TLS): the file says why.
PLAIN_HTTP_CA = Path(__file__).with_name("plain_http_ca.pem")


def prefect_env(settings: Settings) -> dict[str, str]:
    """Variables that point Prefect at Passage's server and keep it off the network."""
    prefect_home = settings.home.resolve() / "prefect"
    database = settings.prefect_database_url or f"sqlite+aiosqlite:///{prefect_home / 'prefect.db'}"
    env = {
        "PREFECT_API_URL": settings.prefect_api_url,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_DATABASE_CONNECTION_URL": database,
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
