"""The environment Passage hands to Prefect."""

import ssl

from passage.core.env import prefect_env
from passage.core.settings import Settings


def test_a_plain_http_api_gives_prefects_client_a_one_certificate_trust_file() -> None:
    env = prefect_env(Settings(prefect_port=4321))
    assert env["PREFECT_API_URL"] == "http://127.0.0.1:4321/api"
    # Prefect's client builds a TLS context from this file at each start; it must load, and be small.
    context = ssl.create_default_context(cafile=env["PREFECT_API_SSL_CERT_FILE"])
    assert len(context.get_ca_certs()) == 1


def test_an_https_api_keeps_prefects_own_trust() -> None:
    env = prefect_env(Settings(prefect_server_url="https://prefect.example.org/api"))
    assert env["PREFECT_API_URL"] == "https://prefect.example.org/api"
    assert "PREFECT_API_SSL_CERT_FILE" not in env
