"""Migration 0007: a person an earlier release let an administrator call `system` becomes a disabled service
account that cannot log in, its roles and delegations gone, audited in a chain that still verifies."""

import importlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col, select

from models import AuditEvent, Delegation, RoleGrant, User, UserKind
from passage.core import schema
from passage.core.errors import NotPermitted
from passage.services import access, audit, auth
from passage.services.users import hash_password
from tests.databases import PostgresServer

PASSWORD = "chosen-by-an-admin"
MIGRATION = importlib.import_module("passage.core.migrations.versions.0007_service_accounts")


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of the release before 0007, on each backend (PostgreSQL skipped where none answers)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        schema.upgrade(url, "0006")
        yield create_engine(url, poolclass=NullPool)
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    with server.empty() as url:
        schema.upgrade(url, "0006")
        engine = create_engine(url, poolclass=NullPool)
        yield engine
        engine.dispose()


def test_a_person_called_system_becomes_a_service_account_that_cannot_log_in(at_0006: Engine) -> None:
    with at_0006.begin() as connection:
        for username, full_name in [("system", "Mallory"), ("pm.anna", "Anna de Vries")]:
            connection.execute(
                text(
                    'INSERT INTO "user" (username, full_name, email, language, active, password_hash)'
                    " VALUES (:u, :n, :e, 'en', :t, :h)"
                ),
                {
                    "u": username,
                    "n": full_name,
                    "e": f"{username}@example.org",
                    "t": True,
                    "h": hash_password(PASSWORD),
                },
            )
        connection.execute(
            text("INSERT INTO role_grant (username, role, programme) VALUES ('system', 'administrator', '*')")
        )
        connection.execute(
            text(
                "INSERT INTO delegation (delegator, delegate, starts_on, ends_on, created_by, created_at, revoked)"
                " VALUES ('pm.anna', 'system', :d, :d, 'admin', CURRENT_TIMESTAMP, :f)"
            ),
            {"d": date.today(), "f": False},
        )
        # The trail before, as the release before wrote it (plain SHA-256 links): 0007's event links to it.
        MIGRATION._audit(connection, "login.ok", {"via": "password"})

    schema.upgrade(at_0006.url.render_as_string(hide_password=False))

    with Session(at_0006) as session:
        system = session.get(User, "system")
        assert system is not None
        assert (system.kind, system.active, system.password_hash) == (UserKind.SERVICE, False, "")
        anna = session.get(User, "pm.anna")
        assert anna is not None and (anna.kind, anna.active) == (UserKind.PERSON, True)
        assert session.exec(select(RoleGrant).where(RoleGrant.username == "system")).all() == []
        assert [d.revoked for d in session.exec(select(Delegation))] == [True]
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "user.made_service")).all()
        assert event.actor == "system"
        assert event.detail["username"] == "system"
        assert event.detail["was"]["full_name"] == "Mallory"
        assert event.detail["grants_removed"] == [{"role": "administrator", "programme": "*"}]
        assert event.detail["had_password"] is True
        assert audit.verify(session=session).ok
        assert [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))] == [
            "login.ok",
            "user.made_service",
        ]

        with pytest.raises(auth.LoginRefused):
            auth.login(session=session, username="system", password=PASSWORD, source="127.0.0.1")
        # Still the flows' service account, by its kind; and no longer an administrator to log in as.
        assert access.is_service(session=session, actor="system")
        with pytest.raises(NotPermitted):
            access.require_admin(session=session, actor="pm.anna")


def test_an_empty_database_gets_the_service_accounts_as_service_rows(at_0006: Engine) -> None:
    schema.upgrade(at_0006.url.render_as_string(hide_password=False))
    with Session(at_0006) as session:
        rows = session.exec(select(User)).all()
        assert [(u.username, u.kind, u.active, u.password_hash) for u in rows] == [
            ("system", UserKind.SERVICE, False, "")
        ]
        assert session.exec(select(AuditEvent)).all() == []  # nothing converted, nothing to record
