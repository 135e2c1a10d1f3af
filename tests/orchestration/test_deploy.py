"""deploy/compose.yaml (not run here: no docker on this machine) matches the code it starts."""

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from passage.cli import app
from passage.core.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def passage_commands() -> dict[str, Any]:
    """The CLI's top-level commands by name (a group's value has `commands` of its own)."""
    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_every_passage_service_runs_a_real_passage_command(compose: dict[str, Any]) -> None:
    commands = passage_commands()
    started = {tuple(service["command"]) for service in compose["services"].values() if "command" in service}
    passage = {words[1:] for words in started if words[0] == "passage"}
    # `passage db upgrade` (the app database's migrations) comes with the PostgreSQL schema work (branch pg).
    assert passage - {("db", "upgrade")} == {("deploy",), ("worker",), ("reconciler",)}
    for (name,) in passage - {("db", "upgrade")}:
        assert name in commands and not hasattr(commands[name], "commands")


def test_the_shape_is_one_server_one_reconciler_several_workers_and_inboxes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    replicas = {name: service.get("deploy", {}).get("replicas", 1) for name, service in services.items()}
    assert replicas["reconciler"] == 1 and replicas["prefect-server"] == 1
    assert replicas["worker"] >= 2 and replicas["inbox"] >= 2
    prefect_db = services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert prefect_db.startswith("postgresql+asyncpg://")
    assert services["worker"]["stop_signal"] == "SIGTERM"
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "ip_hash" in nginx and "proxy_set_header Upgrade" in nginx  # sticky, and websockets pass


def test_the_passage_environment_is_valid_settings(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    environment = compose["services"]["worker"]["environment"]
    secrets = {"POSTGRES_PASSWORD": "secret", "PREFECT_API_AUTH": "passage:a-long-secret-password"}
    for name, value in environment.items():
        # What compose fills in from the operator's environment (${NAME:?message} refuses to start without it).
        monkeypatch.setenv(name, re.sub(r"\$\{(\w+)(:\?[^}]*)?\}", lambda m: secrets[m.group(1)], value))
    settings = Settings()
    assert settings.prefect_api_url == "http://prefect-server:4200/api"
    assert settings.db_url.startswith("postgresql+psycopg://passage:secret@postgres")
    assert settings.prefect_api_auth is not None  # the Prefect API's credentials reach every Passage process
