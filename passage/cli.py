"""The `passage` command line: the same services the inbox uses."""

import json
import logging
import re
import signal
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError

from models import Role, TaskStatus
from models.common import MAX_ID, clean_text, utcnow
from passage import json_text
from passage.access_cli import audit_app, privacy_app, users_app
from passage.db import init_db, session_scope
from passage.db_cli import db_app
from passage.notify_cli import notify_app
from passage.services.errors import FormInvalid, PassageError

app = typer.Typer(no_args_is_help=True, help="Passage: programme workflows with human gates.")
cases_app = typer.Typer(no_args_is_help=True, help="Open and read cases.")
tasks_app = typer.Typer(no_args_is_help=True, help="List and decide human tasks.")
app.add_typer(cases_app, name="cases")
app.add_typer(tasks_app, name="tasks")
app.add_typer(notify_app, name="notify")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
app.add_typer(db_app, name="db")

TaskId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="the task's number")]


# A line break or other control character inside a message (a name typed with one) is shown escaped,
# so every problem stays one `error:` line.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def say_error(message: str) -> None:
    typer.echo("error: " + _BREAKS.sub(lambda m: repr(m.group())[1:-1], message), err=True)


def fail(message: str) -> typer.Exit:
    say_error(message)
    return typer.Exit(1)


def refuse_bad_arguments(args: list[str]) -> None:
    """Refuse an argument holding control characters or bytes that are not UTF-8, named by its option."""
    for i, arg in enumerate(args):
        try:
            clean_text(arg)
        except ValueError as exc:
            name = args[i - 1] if i and args[i - 1].startswith("-") else f"argument {i + 1}"
            raise PassageError(f"{name}: {exc}") from None


def emit(value: BaseModel | list[BaseModel]) -> None:
    """Stable JSON for scripts: pydantic's JSON mode, keys in declaration order."""
    data: Any = [v.model_dump(mode="json") for v in value] if isinstance(value, list) else value.model_dump(mode="json")
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def read_json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise fail(f"{what} must be a JSON object")
    return value


@app.command()
def up() -> None:
    """Start the embedded stack (Prefect server, flows, inbox) with demo data; Ctrl-C stops it."""
    from passage import stack
    from passage.demo import seed
    from passage.settings import get_settings

    settings = get_settings()
    init_db()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # With PASSAGE_PREFECT_SERVER_URL the Prefect server runs elsewhere: use it, start none.
    server = nullcontext() if settings.prefect_server_url else stack.prefect_server(settings)
    try:
        with server:
            typer.echo(f"Prefect server   {settings.prefect_api_url.removesuffix('/api')}")
            started_at = utcnow()
            with stack.flow_runner(settings):
                stack.wait_for_worker(settings, since=started_at)
                with session_scope() as session:
                    started = seed(session=session)
                typer.echo(f"Demo cases       {', '.join(started) or 'already seeded'}")
                typer.echo(f"Demo login       pm.anna, cw.amal, mo.sara, mv.tom, admin / {settings.demo_password}")
                with stack.inbox(settings) as inbox:
                    typer.echo(f"Inbox            {settings.inbox_url}   (Ctrl-C stops everything)")
                    inbox.wait()
    except KeyboardInterrupt:
        typer.echo("stopping")
    except stack.StackError as exc:
        raise fail(f"{exc} (logs in {settings.home.resolve() / 'logs'})") from None


def log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@app.command()
def serve() -> None:
    """All in one: deploy, a worker, the reconciler and the notification sender (started by `passage up`)."""
    from passage.runner import serve as run

    log_to_stderr()
    run()


@app.command()
def deploy() -> None:
    """Create the work pool and deploy every programme and scheduled flow into it (idempotent; once per release)."""
    from passage.runner import deploy_all

    deploy_all()
    typer.echo("work pool and deployments up to date")


@app.command()
def worker() -> None:
    """One worker of the pool: run as many as needed, on any machine; SIGTERM or Ctrl-C stops it cleanly."""
    from passage.runner import run_worker

    log_to_stderr()
    run_worker()


@app.command()
def reconciler() -> None:
    """The reconciler and the notification sender, until stopped (one per installation; a lock keeps extras idle)."""
    from passage.runner import run_reconciler

    log_to_stderr()
    run_reconciler()


@app.command()
def reconcile() -> None:
    """One reconciler pass: start pending cases, recover lost runs, deliver undelivered decisions."""
    from passage.runner import reconcile_pass

    init_db()
    sweep = reconcile_pass()
    if sweep is None:
        raise fail("another reconciler is in the middle of a pass; nothing done")
    emit(sweep)


@cases_app.command("start")
def cases_start(
    programme: str,
    file: Annotated[Path, typer.Option("--file", help="the case file (JSON)")],
    actor: Annotated[str, typer.Option("--as", help="the case worker opening it")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open a case from a JSON case file and start its flow."""
    from passage.services.delivery import start_case
    from passage.services.timeline import case_view

    if not file.is_file():
        raise fail(f"no such file: {file}")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # e.g. Arabic names saved in a Windows code page
        raise fail(f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:  # e.g. no permission to read it
        raise fail(f"{file} cannot be read: {exc.strerror}") from None
    case_file = read_json(text, str(file))
    init_db()
    with session_scope() as session:
        case = start_case(session=session, programme=programme, case_file=case_file, actor=actor)
        view = case_view(session=session, ref=case.ref, actor=actor)
        started = case.flow_run_id is not None
    if as_json:
        emit(view)
    elif started:
        typer.echo(f"{view.ref} opened ({view.status.value})")
    else:
        typer.echo(f"{view.ref} opened ({view.status.value}); Prefect did not answer, the reconciler starts its flow")


@cases_app.command("import")
def cases_import(
    file: Path,
    programme: Annotated[str, typer.Option("--programme", help="whose case files the rows are")],
    actor: Annotated[str, typer.Option("--as", help="the case worker opening them")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check every row, open nothing")] = False,
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="open the valid cases even when other rows are wrong")
    ] = False,
) -> None:
    """Open cases from a CSV or Excel file; any wrong row (by row and column) opens nothing unless --valid-only."""
    from passage.services.importing import mark_already_opened, open_imported, read_import

    if not file.is_file():
        raise fail(f"no such file: {file}")
    plan = read_import(content=file.read_bytes(), filename=file.name, programme=programme)
    init_db()
    with session_scope() as session:
        plan = mark_already_opened(session=session, plan=plan)
    for error in plan.errors:
        where = f"row {error.row}" if error.row else str(file)
        typer.echo(f"error: {where}{f', {error.column}' if error.column else ''}: {error.message}", err=True)
    valid = plan.valid_cases
    typer.echo(f"{len(plan.cases)} case(s) in {plan.rows} row(s): {len(valid)} valid")
    if plan.errors and not (valid_only and valid):
        raise typer.Exit(1)
    if dry_run:
        return typer.echo("dry run: nothing opened")
    with session_scope() as session:
        result = open_imported(session=session, plan=plan, actor=actor)
    typer.echo(f"opened {len(result.refs)} case(s): {', '.join(result.refs)}")
    typer.echo("the reconciler of `passage serve` starts their flows")


@cases_app.command("show")
def cases_show(
    ref: str,
    actor: Annotated[str, typer.Option("--as", help="who reads it (their roles decide what they see)")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A case with its persons, timeline and audit trail."""
    from passage.services.timeline import case_view

    init_db()
    with session_scope() as session:
        view = case_view(session=session, ref=ref, actor=actor)
    if as_json:
        return emit(view)
    typer.echo(f"{view.ref}  {view.title}  [{view.status.value}]  waiting at: {view.waiting_at or '-'}")
    for person in view.persons:
        typer.echo(f"  {'*' if person.is_principal else ' '} {person.full_name} ({person.nationality})")
    for document in view.documents:
        number = f" {document.reference}" if document.reference else ""
        typer.echo(f"  document: {document.document} {document.state.value}{number}  ({document.step})")
    for event in view.timeline:
        form = " ".join(f"{k}={v}" for k, v in event.data.items())
        typer.echo(f"  {event.at:%Y-%m-%d %H:%M}  {event.title}  ({event.actor}) {event.detail} {form}".rstrip())


@tasks_app.command("list")
def tasks_list(
    user: Annotated[str, typer.Option("--as", help="only what this user may decide")],
    role: Annotated[Role | None, typer.Option("--role")] = None,
    programme: Annotated[str | None, typer.Option("--programme")] = None,
    status: Annotated[TaskStatus, typer.Option("--status")] = TaskStatus.OPEN,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tasks by due date."""
    from passage.programmes import get_programme
    from passage.services.human_tasks import list_tasks

    init_db()
    with session_scope() as session:
        # A mistyped name is an error (list_tasks refuses it), not an empty list that reads as "nothing to do".
        if programme is not None:
            get_programme(programme)
        rows = list_tasks(
            session=session,
            actor=user,
            role=role,
            programme=programme,
            status=status,
        )
    if as_json:
        return emit(list(rows))
    for row in rows:
        late = "OVERDUE " if row.overdue else ""
        typer.echo(
            f"{row.id:>6}  {row.case_ref:<10} {row.title:<40} {row.role.value:<18} {late}due {row.due_at:%Y-%m-%d}"
        )


@tasks_app.command("decide")
def tasks_decide(
    task: TaskId,
    actor: Annotated[str, typer.Option("--as", help="who decides")],
    approve: Annotated[bool, typer.Option("--approve/--reject", help="the decision")],
    comment: Annotated[str, typer.Option("--comment")] = "",
    data: Annotated[str, typer.Option("--data", help="the form's fields as JSON")] = "{}",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve or reject a task with its form data."""
    from passage.services.decisions import decide, decision_view

    form = read_json(data, "--data")
    init_db()
    with session_scope() as session:
        decision = decide(
            session=session,
            task_id=task,
            actor=actor,
            approve=approve,
            comment=comment,
            data=form,
        )
        if decision is None:
            return typer.echo(f"task {task}: approval by {actor} recorded; it waits for more approvals")
        shown = decision_view(session=session, decision=decision, actor=actor)
        if as_json:
            return emit(shown)
        delivered = "delivered" if decision.delivered_at else "recorded; the flow picks it up shortly"
        verdict = "approved" if approve else "rejected"
        typer.echo(f"task {task} {verdict} by {actor} ({delivered})")


@tasks_app.command("claim")
def tasks_claim(task: TaskId, actor: Annotated[str, typer.Option("--as")]) -> None:
    """Take a task: until unclaimed only you decide it."""
    from passage.services.assignment import claim

    init_db()
    with session_scope() as session:
        claim(session=session, task_id=task, actor=actor)
    typer.echo(f"task {task} claimed by {actor}")


@tasks_app.command("unclaim")
def tasks_unclaim(task: TaskId, actor: Annotated[str, typer.Option("--as")]) -> None:
    """Give a claimed task back to everyone of its role."""
    from passage.services.assignment import unclaim

    init_db()
    with session_scope() as session:
        unclaim(session=session, task_id=task, actor=actor)
    typer.echo(f"task {task} unclaimed")


@tasks_app.command("reassign")
def tasks_reassign(
    task: TaskId, to: Annotated[str, typer.Option("--to")], actor: Annotated[str, typer.Option("--as")]
) -> None:
    """Hand a task to a colleague of its role (its assignee or a programme manager)."""
    from passage.services.assignment import reassign

    init_db()
    with session_scope() as session:
        reassign(session=session, task_id=task, actor=actor, to=to)
    typer.echo(f"task {task} reassigned to {to}")


@tasks_app.command("reopen")
def tasks_reopen(
    task: int,
    actor: Annotated[str, typer.Option("--as")],
    days: Annotated[int, typer.Option(min=1, max=365, help="due in this many days")] = 5,
) -> None:
    """Re-open an expired task (a programme manager): the case's run still waits at its gate."""
    from passage.services.expiry import reopen

    init_db()
    with session_scope() as session:
        reopened = reopen(session=session, task_id=task, actor=actor, days=days)
    typer.echo(f"task {task} re-opened by {actor}, due {reopened.due_at:%Y-%m-%d %H:%M} UTC")


def main() -> None:
    """Entry point: service errors become one line on stderr and exit code 1."""
    try:
        refuse_bad_arguments(sys.argv[1:])
        app()
    except (FormInvalid, ValidationError) as exc:
        # One line per field, whichever model refused it (a form, a user, a delegation).
        invalid = exc if isinstance(exc, FormInvalid) else FormInvalid.from_validation(exc)
        for name, reason in invalid.fields.items():
            say_error(f"{name}: {reason}")
        sys.exit(1)
    except PassageError as exc:
        say_error(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    main()
