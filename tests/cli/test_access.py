"""`passage users create-admin` and the operator behind `--as`: who really acted is recorded and shown."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from models import AuditEvent, Role
from passage.cli.main import app
from passage.core.db import get_engine
from passage.core.settings import get_settings
from passage.services import auth
from passage.services.timeline import case_view
from passage.services.users import has_role
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate

PASSWORD = "a-long-secret"
ADMIN = ["--full-name", "Ops Admin", "--email", "ops@example.org"]


@pytest.fixture
def bare(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Passage pointed at a fresh, migrated database with no staff: an installation outside demo mode."""
    monkeypatch.setenv("PASSAGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    with Session(get_engine()) as session:
        yield session
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def made_by_operator(session: Session, username: str) -> AuditEvent:
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "user.admin_created")).all()
    assert (event.actor, event.detail["username"]) == ("system", username)
    return event


def can_log_in(session: Session, username: str, password: str) -> bool:
    ticket = auth.login(session=session, username=username, password=password, source="127.0.0.1")
    return ticket.username == username and has_role(
        session=session, username=username, role=Role.ADMINISTRATOR, programme="*"
    )


def test_create_admin_reads_the_password_from_a_file(
    bare: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "ops.root")  # getpass.getuser() reads it first
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    ran = CliRunner().invoke(app, ["users", "create-admin", "ops.admin", *ADMIN, "--password-file", str(secret)])
    assert ran.exit_code == 0, ran.output
    assert ran.output == "administrator ops.admin created\n"
    assert can_log_in(bare, "ops.admin", PASSWORD)
    event = made_by_operator(bare, "ops.admin")
    assert event.detail["origin"] == {"channel": "cli", "operator": "ops.root"}
    assert event.detail["forced"] is False


def test_create_admin_asks_the_terminal_twice(bare: Session) -> None:
    ran = CliRunner().invoke(app, ["users", "create-admin", "ops.admin", *ADMIN], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert ran.exit_code == 0, ran.output
    assert PASSWORD not in ran.output  # hidden input
    assert can_log_in(bare, "ops.admin", PASSWORD)


def test_create_admin_is_refused_once_an_administrator_exists_unless_forced(
    db: Session, passage: Passage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "ops.root")
    secret = tmp_path / "password"
    secret.write_text(PASSWORD, encoding="utf-8")
    ran = passage("users", "create-admin", "ops.admin", *ADMIN, "--password-file", str(secret))
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith("error: an administrator already exists (admin)")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.admin_created")).all() == []
    ran = passage("users", "create-admin", "ops.admin", *ADMIN, "--password-file", str(secret), "--force")
    assert ran.code == 0, ran.err
    event = made_by_operator(db, "ops.admin")
    assert event.detail["forced"] is True
    assert event.detail["origin"] == {"channel": "cli", "operator": "ops.root"}


@pytest.mark.parametrize("username", ["system", "anonymous"])
def test_users_add_refuses_a_reserved_name_with_a_field_error(db: Session, passage: Passage, username: str) -> None:
    person = ["--name", "X", "--email", "x@example.org", "--role", "administrator"]
    ran = passage("users", "add", username, "--as", "admin", *person)
    assert (ran.code, ran.out) == (1, "")
    assert ran.err == f"error: username: '{username}' is reserved for a service account; choose another username\n"


def test_a_decision_through_the_cli_records_the_operator_beside_the_identity_acted_as(
    db: Session, passage: Passage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "ops.root")
    case_id = new_case(session=db)
    task_id = open_gate(session=db, case_id=case_id)
    ran = passage("tasks", "decide", str(task_id), "--approve", "--as", "pm.anna")
    assert ran.code == 0, ran.err
    db.expire_all()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "task.approved")).all()
    assert event.actor == "pm.anna"
    assert event.detail["origin"] == {"channel": "cli", "operator": "ops.root"}
    # Events recorded outside the CLI (here, by the test itself) name no operator.
    earlier = db.exec(select(AuditEvent).where(col(AuditEvent.id) < event.id)).all()
    assert earlier and all("origin" not in e.detail for e in earlier)

    ref = case_view(session=db, ref="RST-00001", actor="pm.anna")
    shown = {e.action: e.who for e in ref.trail}
    assert shown["task.approved"] == "pm.anna (via cli by ops.root)"
    assert shown["task.opened"] == "cw.amal"  # no operator recorded: the actor alone

    ran = passage("audit", "verify")
    assert ran.code == 0, ran.err
    assert "intact" in ran.out  # the whole trail verifies, the operator sealed in its events
