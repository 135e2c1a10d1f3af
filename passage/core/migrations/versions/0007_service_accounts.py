"""Service accounts are a kind of user, not a name: `user.kind` (person or service).

The service accounts (`system`) become rows of the service kind: no password, disabled (they never log
in), no roles. An earlier release let an administrator create a person called `system`, who then passed
every check; such a row, and a person holding any other reserved name, is converted here into a
disabled service row: its password, roles and delegations go, and an audit event, linked into the
hash chain like any other, records what it was.

This revision holds its own copies of the names, the audit table and the event hash: a revision never
imports application code. The hash is the plain SHA-256 link of the chain as the release before wrote
it; the migration runs when a process first opens the database, before this release records anything,
so its event sits with the events written before (which keep their plain hashes: audit.verify).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 17:40:00
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICE_ACCOUNTS = ("system",)
RESERVED = (*SERVICE_ACCOUNTS, "anonymous")  # "anonymous": the trail's name for a failed login of no user
SERVICE_NAME = "Passage service account"
CHAIN_LOCK = 0x5A55_A6E  # audit.py's advisory lock: no other writer extends the chain meanwhile

user = sa.table(
    "user",
    sa.column("username", sa.String()),
    sa.column("full_name", sa.String()),
    sa.column("email", sa.String()),
    sa.column("language", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("password_hash", sa.String()),
    sa.column("kind", sa.String()),
)
role_grant = sa.table("role_grant", sa.column("username", sa.String()), sa.column("role"), sa.column("programme"))
delegation = sa.table("delegation", sa.column("delegator"), sa.column("delegate"), sa.column("revoked", sa.Boolean()))
audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("case_id", sa.Integer()),
    sa.column("task_id", sa.Integer()),
    sa.column("detail", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _event_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _audit(connection: sa.Connection, action: str, detail: dict[str, Any]) -> None:
    """Append one event by `system` to the hash chain, as audit.record does."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    at = datetime.now(UTC)
    row = {"at": at, "actor": "system", "action": action, "case_id": None, "task_id": None, "detail": detail}
    event_id = connection.execute(
        audit_event.insert().values(**row, prev_hash="", hash="").returning(audit_event.c.id)
    ).scalar_one()
    previous = connection.execute(
        sa.select(audit_event.c.hash).where(audit_event.c.id < event_id).order_by(audit_event.c.id.desc()).limit(1)
    ).scalar()
    content = {**row, "id": event_id, "at": at.isoformat(), "prev_hash": previous or ""}
    connection.execute(
        audit_event.update()
        .where(audit_event.c.id == event_id)
        .values(prev_hash=previous or "", hash=_event_hash(content))
    )


def _convert(connection: sa.Connection, found: sa.Row[Any]) -> None:
    """A person holding a reserved name becomes a disabled service row: no password, roles or delegations."""
    name = found.username
    grants = connection.execute(
        sa.select(role_grant.c.role, role_grant.c.programme).where(role_grant.c.username == name)
    ).all()
    connection.execute(role_grant.delete().where(role_grant.c.username == name))
    revoked = connection.execute(
        delegation.update()
        .where(sa.or_(delegation.c.delegator == name, delegation.c.delegate == name), delegation.c.revoked.is_(False))
        .values(revoked=True)
    ).rowcount
    connection.execute(
        user.update()
        .where(user.c.username == name)
        .values(kind="service", active=False, password_hash="", full_name=SERVICE_NAME, email="")
    )
    _audit(
        connection,
        "user.made_service",
        {
            "username": name,
            "was": {"kind": "person", "full_name": found.full_name, "email": found.email, "active": found.active},
            "had_password": bool(found.password_hash),
            "grants_removed": [{"role": str(role), "programme": programme} for role, programme in grants],
            "delegations_revoked": revoked,
            "by": "migration 0007",
        },
    )


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("person", "service", name="userkind", native_enum=False, length=40),
                nullable=False,
                server_default="person",
            )
        )
    connection = op.get_bind()
    for found in connection.execute(sa.select(user).where(user.c.username.in_(RESERVED))).all():
        if found.kind != "service":
            _convert(connection, found)
    present = set(connection.execute(sa.select(user.c.username).where(user.c.username.in_(SERVICE_ACCOUNTS))).scalars())
    for name in SERVICE_ACCOUNTS:
        if name not in present:
            connection.execute(
                user.insert().values(
                    username=name,
                    full_name=SERVICE_NAME,
                    email="",
                    language="en",
                    active=False,
                    password_hash="",
                    kind="service",
                )
            )


def downgrade() -> None:
    # The service rows stay, disabled and without a password: under the earlier release they are inert.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("kind")
