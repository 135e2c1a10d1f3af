"""`passage users`, `passage audit`, `passage privacy`: the same services the admin page uses.

`--as` names the identity acting; every event a command records also names the operator who typed
it (the OS user) and the channel `cli` (audit.operating), as `sudo` does. The first administrator of
an installation is made by `passage users create-admin`, with a password from the terminal or a file.
"""

import getpass
import os
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from passage.cli.common import AsJson, as_option, emit, table
from passage.core.db import init_db, session_scope
from passage.core.errors import NotFound, PassageError
from passage.services import audit
from passage.services.assignment import DelegationCreate
from passage.services.assignment import delegate as create
from passage.services.audit import verify
from passage.services.privacy import export_person, find_persons, pseudonymise_due
from passage.services.staff import add_user, create_admin, set_active, unlock, user_rows
from passage.services.users import UserCreate

users_app = typer.Typer(no_args_is_help=True, help="Staff, their roles per programme, delegations.")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit trail.")
privacy_app = typer.Typer(no_args_is_help=True, help="Retention and subject access (GDPR).")

Actor = Annotated[str, as_option("the administrator acting ('system' for the server's operator)")]
# The commands that start long-running processes: what those record later is the flows' and the
# reconciler's own doing, not the doing of the operator who started them.
PROCESSES = frozenset({"up", "serve", "worker", "reconciler", "api"})


def os_user() -> str:
    """The operator at the terminal: the OS user (a uid without a name where the system has none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def operator_origin(args: list[str]) -> AbstractContextManager[object]:
    """What a command records names the OS user and the channel `cli` beside its actor (`--as`)."""
    if args and args[0] in PROCESSES:
        return nullcontext()
    return audit.operating(channel="cli", operator=os_user())


def grant_options(values: list[str]) -> list[dict[str, str]]:
    """ROLE or ROLE@programme as grants; the model checks the role (one error line per bad --role)."""
    grants = []
    for value in values:
        role, _, programme = value.partition("@")
        grants.append({"role": role, "programme": programme or "*"})
    return grants


@users_app.command("add")
def users_add(
    username: str,
    actor: Actor,
    full_name: Annotated[str, typer.Option("--name")],
    email: Annotated[str, typer.Option("--email")],
    role: Annotated[list[str], typer.Option("--role", help="ROLE or ROLE@programme; repeat for more")],
    password: Annotated[bool, typer.Option("--password", help="ask for a password (hidden input)")] = False,
    as_json: AsJson = False,
) -> None:
    """Add a user (or add roles to one)."""

    secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    init_db()
    with session_scope() as session:
        user_create = UserCreate.model_validate(
            {
                "username": username,
                "full_name": full_name,
                "email": email,
                "grants": grant_options(role),
                "password": secret,
            }
        )
        add_user(session=session, actor=actor, user_create=user_create)
    if as_json:
        return emit({"username": username, "saved": True})
    typer.echo(f"user {username} saved")


@users_app.command("list")
def users_list(actor: Actor, as_json: AsJson = False) -> None:
    """Every user with their roles per programme."""

    init_db()
    with session_scope() as session:
        rows = user_rows(session=session, actor=actor)
    if as_json:
        return emit(rows)
    table(
        ("USER", "STATE", "NAME", "ROLES"),
        (
            (
                row.username,
                ("active" if row.active else "disabled") + (" locked" if row.locked else ""),
                row.full_name,
                ", ".join(f"{g.role.value}@{g.programme}" for g in row.grants),
            )
            for row in rows
        ),
    )


def _read_password(path: Path | None) -> str:
    """The password from `path` (its first line: a trailing line break is not part of it), else asked twice."""
    if path is None:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise PassageError(f"--password-file: cannot read {path}: {exc}") from None
    return lines[0] if lines else ""


@users_app.command("create-admin")
def users_create_admin(
    username: str,
    full_name: Annotated[str, typer.Option("--full-name")],
    email: Annotated[str, typer.Option("--email")],
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="read the password from this file (else it is asked)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="even though an administrator exists: when none of them can log in")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Make the first administrator (no demo accounts outside demo mode); audited with the OS user who ran it."""

    secret = _read_password(password_file)
    init_db()
    # The event names the operator however the command is invoked (main() sets the same for every command).
    with audit.operating(channel="cli", operator=os_user()), session_scope() as session:
        user_create = UserCreate.model_validate(
            {"username": username, "full_name": full_name, "email": email, "password": secret}
        )
        create_admin(session=session, user_create=user_create, force=force)
    if as_json:
        return emit({"username": username, "administrator": True})
    typer.echo(f"administrator {username} created")


def _set_active(username: str, actor: str, *, active: bool, as_json: bool) -> None:

    init_db()
    with session_scope() as session:
        set_active(session=session, actor=actor, username=username, active=active)
    if as_json:
        return emit({"username": username, "active": active})
    typer.echo(f"user {username} {'enabled' if active else 'disabled'}")


@users_app.command("disable")
def users_disable(username: str, actor: Actor, as_json: AsJson = False) -> None:
    """Disable a user: they can no longer log in or act, and their open sessions end."""
    _set_active(username, actor, active=False, as_json=as_json)


@users_app.command("enable")
def users_enable(username: str, actor: Actor, as_json: AsJson = False) -> None:
    """Enable a disabled user again."""
    _set_active(username, actor, active=True, as_json=as_json)


@users_app.command("unlock")
def users_unlock(username: str, actor: Actor, as_json: AsJson = False) -> None:
    """Forget a user's failed logins: they may log in at once, without waiting out the login throttle."""

    init_db()
    with session_scope() as session:
        unlock(session=session, actor=actor, username=username)
    if as_json:
        return emit({"username": username, "unlocked": True})
    typer.echo(f"user {username} unlocked")


@users_app.command("delegate")
def users_delegate(
    delegator: str,
    delegate: Annotated[str, typer.Option("--to")],
    starts_on: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="YYYY-MM-DD")],
    ends_on: Annotated[datetime, typer.Option("--until", formats=["%Y-%m-%d"], help="YYYY-MM-DD, inclusive")],
    actor: Actor,
    as_json: AsJson = False,
) -> None:
    """While DELEGATOR is on leave, --to acts in their roles."""

    init_db()
    request = DelegationCreate(
        delegator=delegator,
        delegate=delegate,
        starts_on=starts_on.date(),
        ends_on=ends_on.date(),
    )
    with session_scope() as session:
        row = create(session=session, actor=actor, request=request)
    if as_json:
        return emit({"id": row.id, **request.model_dump(mode="json")})
    typer.echo(f"delegation {row.id}: {delegate} acts for {delegator} {request.starts_on}..{request.ends_on}")


@audit_app.command("verify")
def audit_verify(as_json: AsJson = False) -> None:
    """Check the trail against its key and checkpoints, and each decision against it; name the first fault (exit 1)."""
    init_db()
    with session_scope() as session:
        report = verify(session=session)
    if as_json:
        emit({"ok": report.ok, **report.model_dump(mode="json")})
    if not report.ok:
        typer.echo(f"error: audit trail broken at event {report.broken_at}: {report.reason}", err=True)
        raise typer.Exit(1)
    if not as_json:
        counts = f"{report.checked} events, {report.decisions} decisions, {report.checkpoints} checkpoints"
        typer.echo(f"audit trail intact: {counts}")


@audit_app.command("checkpoint")
def audit_checkpoint(as_json: AsJson = False) -> None:
    """Sign the trail's head into the checkpoint file now (the runner does so every minute)."""
    init_db()
    with session_scope() as session:
        made = audit.checkpoint(session=session)
    if as_json:
        return emit({"event": made.id if made else None, "events": made.count if made else None})
    typer.echo(f"checkpoint at event {made.id} ({made.count} events)" if made else "no new events since the last one")


@privacy_app.command("pseudonymise")
def privacy_pseudonymise(
    actor: Annotated[str, as_option("who acts (the retention job is 'system')")] = "system", as_json: AsJson = False
) -> None:
    """Pseudonymise the cases closed longer than PASSAGE_RETENTION_DAYS ago."""

    init_db()
    with session_scope() as session:
        refs = pseudonymise_due(session=session, actor=actor)
    if as_json:
        return emit({"pseudonymised": refs})
    typer.echo(f"pseudonymised {len(refs)} case(s){': ' + ', '.join(refs) if refs else ''}")


@privacy_app.command("export")
def privacy_export(
    person: str,
    actor: Annotated[str, as_option("who asks (audited)")],
    _as_json: Annotated[bool, typer.Option("--json", help="accepted for symmetry: the export is always JSON")] = False,
) -> None:
    """One person's data as JSON: PERSON is a person id, or an exact name (Arabic or Dari script as stored)."""

    init_db()
    with session_scope() as session:
        if person.isascii() and person.isdigit():  # "²" is a digit to isdigit() but not to int()
            person_id = int(person)
        else:
            found = find_persons(session=session, actor=actor, name=person)
            if not found:
                raise NotFound(f"no person called '{person}'")
            if len(found) > 1:
                listed = ", ".join(f"{pid} ({ref})" for pid, _name, ref in found)
                raise PassageError(f"{len(found)} persons are called '{person}'; export one by id: {listed}")
            person_id = found[0][0]
        export = export_person(session=session, actor=actor, person_id=person_id)
    emit(export)
