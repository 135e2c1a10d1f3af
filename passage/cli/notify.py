"""`passage notify …`: check the routing file, send the outbox, run a sweep, list what was sent."""

from pathlib import Path
from typing import Annotated

import typer

from models import NotificationStatus, Role
from passage.cli.common import AsJson, as_option, counts, emit, fail, table
from passage.core.db import init_db, session_scope
from passage.core.notify import Known, check_config
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes
from passage.services.notifications import list_outbox, send_due, set_digest
from passage.services.reminders import digest_sweep, reminder_sweep
from passage.services.users import get_user, list_users

notify_app = typer.Typer(no_args_is_help=True, help="Notifications: routing check, outbox, sweeps.")


@notify_app.command("check")
def check(
    file: Annotated[Path | None, typer.Argument(help="default: PASSAGE_NOTIFY_CONFIG or <home>/notify.yml")] = None,
    as_json: AsJson = False,
) -> None:
    """Validate an Apprise routing file: every fault with its line (unknown tags, malformed URLs); exit 1 on faults."""

    path = file or get_settings().notify_config_path
    if not path.is_file():
        raise fail(f"no such file: {path}")
    init_db()
    with session_scope() as session:
        users = frozenset(u.username for u in list_users(session=session))
    known = Known(
        roles=frozenset(role.value.replace("_", "-") for role in Role),
        programmes=frozenset(all_programmes()),
        users=users or None,  # an empty database (a fresh install) cannot tell a typo from a new user
    )
    faults = check_config(path.read_text(encoding="utf-8"), known)
    ok = not any(not fault.warning for fault in faults)
    if as_json:
        found = [{"line": f.line, "message": f.message, "warning": f.warning} for f in faults]
        emit({"file": str(path), "ok": ok, "faults": found})
        if not ok:
            raise typer.Exit(1)
        return
    for fault in faults:
        typer.echo(f"{path}:{fault}", err=not fault.warning)
    if not ok:
        raise typer.Exit(1)
    typer.echo(f"{path}: ok")


@notify_app.command("send")
def send(as_json: AsJson = False) -> None:
    """One sender pass: send what is due in the outbox, retry what failed before (with backoff)."""

    init_db()
    with session_scope() as session:
        result = send_due(session=session)
    if as_json:
        return emit(result)
    counts(result)


@notify_app.command("sweep")
def sweep(
    digest: Annotated[bool, typer.Option("--digest", help="the daily digest instead of reminders")] = False,
    as_json: AsJson = False,
) -> None:
    """One reminder sweep (or digest) now, as the scheduled flow runs it; then send with `passage notify send`."""

    init_db()
    with session_scope() as session:
        result = digest_sweep(session=session) if digest else reminder_sweep(session=session)
    if as_json:
        return emit(result)
    counts(result)


@notify_app.command("outbox")
def outbox(
    status: Annotated[NotificationStatus | None, typer.Option("--status")] = None,
    as_json: AsJson = False,
) -> None:
    """The newest messages: sent, pending, failed with the reason."""

    init_db()
    with session_scope() as session:
        rows = list_outbox(session=session, status=status)
    if as_json:
        return emit(list(rows))
    table(
        ("ID", "STATUS", "KIND", "TO", "TITLE", "ERROR"),
        (
            (
                row.id,
                row.status.value,
                row.kind.value,
                row.recipient,
                row.title,
                row.last_error if row.last_error and row.status != NotificationStatus.SENT else "",
            )
            for row in rows
        ),
    )


@notify_app.command("digest")
def digest(
    user: Annotated[str, as_option("whose choice")],
    on: Annotated[bool, typer.Option("--on/--off", help="one daily digest instead of a message per task")],
    as_json: AsJson = False,
) -> None:
    """Choose the daily digest (or a message per task) for a user."""

    init_db()
    with session_scope() as session:
        get_user(session=session, username=user)
        set_digest(session=session, username=user, digest=on)
    if as_json:
        return emit({"username": user, "digest": on})
    typer.echo(f"{user}: {'daily digest' if on else 'a message per task'}")
