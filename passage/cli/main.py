"""The `passage` command: the stack's own commands, and the groups of the other modules."""

import logging
import signal
import sys

import typer
from pydantic import ValidationError

from models.common import utcnow
from passage.cli import backup as backup_cli
from passage.cli.access import audit_app, operator_origin, privacy_app, users_app
from passage.cli.api import api_tokens_app, serve_api
from passage.cli.cases import cases_app
from passage.cli.common import AsJson, counts, emit, error_language, fail, refuse_bad_arguments, say_error
from passage.cli.db import db_app
from passage.cli.notify import notify_app
from passage.cli.tasks import tasks_app
from passage.core.db import init_db, session_scope
from passage.core.errors import FormInvalid, PassageError
from passage.core.files import make_private
from passage.core.i18n import reason_in
from passage.core.release import version
from passage.core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Passage: programme workflows with human gates.")
app.add_typer(cases_app, name="cases")
app.add_typer(tasks_app, name="tasks")
app.add_typer(notify_app, name="notify")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
app.add_typer(db_app, name="db")
app.add_typer(api_tokens_app, name="api-tokens")
app.command("api")(serve_api)
app.command("backup")(backup_cli.backup)
app.command("restore")(backup_cli.restore_command)


def print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"passage {version()}")
        raise typer.Exit()


@app.callback()
def options(
    _version: bool = typer.Option(
        False, "--version", callback=print_version, is_eager=True, help="Print the installed version and exit."
    ),
) -> None:
    """The options before any command."""


# The stack's commands import Prefect (about 2 s) inside the command: the other commands, and
# `passage --help`, need none of it.


@app.command()
def up() -> None:
    """Start the embedded stack (Prefect server, flows, inbox) with demo data; Ctrl-C stops it."""
    from passage.demo.seed import seed_for_up
    from passage.orchestration import stack, supervisor

    settings = get_settings()
    # Each stage said as it starts: together they take most of a minute, which silence makes look like a hang.
    stage("migrating database…")
    init_db()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # Every child is watched: one that dies is said here and started again; one that keeps dying stops all.
        with supervisor.Supervisor(
            lambda line: typer.echo(line, err=True), startup_seconds=settings.startup_seconds
        ) as kids:
            # With PASSAGE_PREFECT_SERVER_URL the Prefect server runs elsewhere: use it, start none.
            if not settings.prefect_server_url:
                stage("starting Prefect server…")
                kids.start(supervisor.prefect_server(settings))
            login = "PASSAGE_PREFECT_API_AUTH" if settings.prefect_api_auth else settings.home / "prefect" / "api-auth"
            typer.echo(f"Prefect server   {settings.prefect_api_url.removesuffix('/api')}   (login: {login})")
            started_at = utcnow()
            stage("starting worker…")
            kids.start(supervisor.flow_runner(settings))
            stack.wait_for_worker(settings, since=started_at)
            if settings.demo_mode:
                stage("seeding demo data…")
            with session_scope() as session:
                seeded = seed_for_up(session=session)  # nothing outside demo mode
            typer.echo("\n".join(seeded))
            stage("starting inbox…")
            kids.start(supervisor.inbox(settings))
            typer.echo(f"Inbox            {settings.inbox_url}   (Ctrl-C stops everything)")
            kids.watch()
    except KeyboardInterrupt:
        typer.echo("stopping")
    except stack.StackError as exc:
        raise fail(f"{exc} (logs in {settings.home.resolve() / 'logs'})") from None


def stage(text: str) -> None:
    """One line as a stage of `passage up` starts (the next stage's line says this one is done)."""
    typer.echo(text)


def log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@app.command()
def serve() -> None:
    """All in one: deploy, a worker, the reconciler and the notification sender (started by `passage up`)."""
    from passage.orchestration.runner import serve as run

    log_to_stderr()
    run()


@app.command()
def deploy(as_json: AsJson = False) -> None:
    """Create the work pool and deploy every programme and scheduled flow into it (idempotent; once per release)."""
    from passage.orchestration.runner import deploy_all

    deploy_all()
    if as_json:
        return emit({"work_pool": get_settings().work_pool, "deployed": True})
    typer.echo("work pool and deployments up to date")


@app.command()
def worker() -> None:
    """One worker of the pool: run as many as needed, on any machine; SIGTERM or Ctrl-C stops it cleanly."""
    from passage.orchestration.runner import run_worker

    log_to_stderr()
    run_worker()


@app.command()
def reconciler() -> None:
    """The reconciler and the notification sender, until stopped (one per installation; a lock keeps extras idle)."""
    from passage.orchestration.runner import run_reconciler

    log_to_stderr()
    run_reconciler()


@app.command()
def reconcile(as_json: AsJson = False) -> None:
    """One reconciler pass: start pending cases, recover lost runs, deliver undelivered decisions."""
    from passage.orchestration.runner import reconcile_pass

    init_db()
    sweep = reconcile_pass()
    if sweep is None:
        raise fail("another reconciler is in the middle of a pass; nothing done")
    if as_json:
        return emit(sweep)
    counts(sweep)


def main() -> None:
    """Entry point: service errors become one line on stderr and exit code 1."""
    try:
        refuse_bad_arguments(sys.argv[1:])
        make_private(get_settings().home)
        with operator_origin(sys.argv[1:]):  # the OS user beside every identity a command acts as
            app()
    except (FormInvalid, ValidationError) as exc:
        # One line per field, whichever model refused it (a form, a user, a delegation).
        invalid = exc if isinstance(exc, FormInvalid) else FormInvalid.from_validation(exc)
        language = error_language(sys.argv[1:])
        for name, reason in invalid.fields.items():
            say_error(f"{name}: {reason_in(language, reason)}")
        sys.exit(1)
    except PassageError as exc:  # in the acting user's language: a service's template and its values
        say_error(reason_in(error_language(sys.argv[1:]), str(exc)))
        sys.exit(1)


if __name__ == "__main__":
    main()
