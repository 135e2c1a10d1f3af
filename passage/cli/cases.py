"""`passage cases …`: open, import and read cases."""

from pathlib import Path
from typing import Annotated

import typer

from passage.cli.common import emit, fail, read_json
from passage.core.db import init_db, session_scope
from passage.services.importing import mark_already_opened, open_imported, read_import
from passage.services.timeline import case_view

cases_app = typer.Typer(no_args_is_help=True, help="Open and read cases.")


@cases_app.command("start")
def cases_start(
    programme: str,
    file: Annotated[Path, typer.Option("--file", help="the case file (JSON)")],
    actor: Annotated[str, typer.Option("--as", help="the case worker opening it")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open a case from a JSON case file and start its flow."""
    from passage.services.delivery import start_case  # here: it loads Prefect (2 s), which the other commands skip

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
