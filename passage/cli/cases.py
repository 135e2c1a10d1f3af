"""`passage cases …`: open, import and read cases."""

from pathlib import Path
from typing import Annotated, Any

import typer

from models.case import CaseStatus, WithdrawReason
from models.common import MAX_ID
from passage.cli import comments
from passage.cli.common import AsJson, as_option, emit, fail, language_of, read_json, say, say_error, table
from passage.core.db import init_db, session_scope
from passage.core.errors import LikelyDuplicates
from passage.core.i18n import case_title_in, local, reason_in, title_in, translate
from passage.services import reviews
from passage.services.case_search import MAX_PAGE_SIZE, search_cases
from passage.services.duplicates import DuplicateMatch
from passage.services.importing import (
    FileFormat,
    ImportPlan,
    import_template,
    mark_already_opened,
    mark_likely_duplicates,
    open_imported,
    read_import,
)
from passage.services.timeline import case_view

LIST_HEADER = ("REF", "PROGRAMME", "STATUS", "STEP", "OPENED", "TITLE")
cases_app = typer.Typer(no_args_is_help=True, help="Open and read cases.")
cases_app.command("comment")(comments.cases_comment)  # a case's thread lives in its own module
cases_app.command("comments")(comments.cases_comments)


@cases_app.command("start")
def cases_start(
    programme: str,
    file: Annotated[Path, typer.Option("--file", help="the case file (JSON)")],
    actor: Annotated[str, as_option("the case worker opening it")],
    as_json: AsJson = False,
    open_anyway: Annotated[
        bool, typer.Option("--open-anyway", help="open it although its people look like people of other cases")
    ] = False,
) -> None:
    """Open a case from a JSON case file and start its flow; the same file again names the case it opened."""
    from passage.services.delivery import start_case_file  # here: it loads Prefect (2 s), which the others skip

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
        try:
            opening = start_case_file(
                session=session, programme=programme, case_file=case_file, actor=actor, open_anyway=open_anyway
            )
        except LikelyDuplicates as exc:
            raise _likely_duplicates(exc, as_json) from None
        view = case_view(session=session, ref=opening.case.ref, actor=actor)
        started = opening.case.flow_run_id is not None
    if as_json:
        return emit(view)
    language, status = language_of(actor), view.status.value
    if not opening.new:
        say(language, "already opened as {ref} ({status})", ref=view.ref, status=translate(language, status))
    elif started:
        say(language, "{ref} opened ({status})", ref=view.ref, status=translate(language, status))
    else:
        say(
            language,
            "{ref} opened ({status}); Prefect did not answer, the reconciler starts its flow",
            ref=view.ref,
            status=translate(language, status),
        )


def _likely_duplicates(exc: LikelyDuplicates, as_json: bool) -> typer.Exit:
    """The matches on stdout (JSON with --json), the refusal and how to open anyway on stderr."""
    matches = [match for match in exc.matches if isinstance(match, DuplicateMatch)]
    if as_json:
        emit([*matches])
    else:
        for match in matches:
            typer.echo(f"{_described(match)}  (like {match.new_name})")
    return fail(
        f"{len(matches)} possible duplicate(s) found: check them, then rerun with --open-anyway to open the case"
    )


def _described(match: DuplicateMatch) -> str:
    born = match.birth_date.isoformat() if match.birth_date else "-"
    return f"{match.case_ref}  {match.programme}  {match.status}  {match.name}  {born}"


@cases_app.command("import")
def cases_import(
    file: Path,
    programme: Annotated[str, typer.Option("--programme", help="whose case files the rows are")],
    actor: Annotated[str, as_option("the case worker opening them")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check every row, open nothing")] = False,
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="open the valid cases even when other rows are wrong")
    ] = False,
    open_anyway: Annotated[
        bool, typer.Option("--open-anyway", help="open cases whose people look like people of other cases")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Open cases from a CSV or Excel file; any wrong row (by row and column) opens nothing unless --valid-only.

    Cases whose people look like people of existing cases are listed, and opened only with --open-anyway.
    """

    if not file.is_file():
        raise fail(f"no such file: {file}")
    plan = read_import(content=file.read_bytes(), filename=file.name, programme=programme)
    init_db()
    with session_scope() as session:
        plan = mark_already_opened(session=session, plan=plan)
        plan = mark_likely_duplicates(session=session, plan=plan, actor=actor)
    valid = plan.valid_cases
    stops = bool(plan.errors and not (valid_only and valid))
    refused = bool(not stops and not dry_run and plan.duplicates and not open_anyway)
    opened: list[str] | None = None
    if not (stops or dry_run or refused):
        with session_scope() as session:
            opened = open_imported(session=session, plan=plan, actor=actor, open_anyway=open_anyway).refs
    if as_json:
        emit(_import_answer(plan, opened))
    else:
        _say_import(plan, file, opened, dry_run=dry_run and not stops, language=language_of(actor))
    if stops:
        raise typer.Exit(1)
    if refused:
        raise fail(f"{len(plan.duplicates)} possible duplicate(s): check them, then rerun with --open-anyway")


def _import_answer(plan: ImportPlan, opened: list[str] | None) -> dict[str, Any]:
    """`cases import --json`: how the file was read, what is wrong where, the likely duplicates and what opened
    (null when nothing was opened: a dry run, wrong rows or duplicates not confirmed)."""
    return {
        "read_as": plan.read_as,
        "encoding": plan.encoding,
        "separator": plan.separator,
        "rows": plan.rows,
        "cases": len(plan.cases),
        "valid": len(plan.valid_cases),
        "errors": plan.errors,
        "duplicates": [
            {"rows": case.rows, **match.model_dump(mode="json")}
            for case in plan.valid_cases
            for match in case.duplicates
        ],
        "opened": opened,
    }


def _say_import(plan: ImportPlan, file: Path, opened: list[str] | None, *, dry_run: bool, language: str) -> None:
    for error in plan.errors:
        where = f"row {error.row}" if error.row else str(file)
        typer.echo(f"error: {where}{f', {error.column}' if error.column else ''}: {error.message}", err=True)
    for case in plan.valid_cases:
        for match in case.duplicates:
            rows = ", ".join(map(str, case.rows))
            typer.echo(f"possible duplicate: row(s) {rows}, {match.new_name}: {_described(match)}", err=True)
    if plan.read_as is not None:
        typer.echo(_read_as(plan))
    cases, valid = len(plan.cases), len(plan.valid_cases)
    say(language, "{cases} case(s) in {rows} row(s): {valid} valid", cases=cases, rows=plan.rows, valid=valid)
    if dry_run:
        say(language, "dry run: nothing opened")
    if opened is not None:
        say(language, "opened {count} case(s): {refs}", count=len(opened), refs=", ".join(opened))
        say(language, "the reconciler of `passage serve` starts their flows")


def _read_as(plan: ImportPlan) -> str:
    if plan.read_as is FileFormat.XLSX:
        return "read as an Excel workbook (its first sheet)"
    return f"read as CSV: {plan.encoding}, separated by '{plan.separator}'"


@cases_app.command("template")
def cases_template(
    programme: str,
    file_format: Annotated[
        FileFormat, typer.Option("--format", help="xlsx (an example case on its second sheet) or csv")
    ] = FileFormat.XLSX,
    output: Annotated[Path | None, typer.Option("--output", help="default: <programme>-template.<format>")] = None,
    as_json: AsJson = False,
) -> None:
    """Write the programme's import file to fill in (its header row) for `cases import`."""
    path = output or Path(f"{programme}-template.{file_format.value}")
    content = import_template(programme=programme, file_format=file_format)
    if path.exists():  # a filled-in file of the same name is not overwritten
        raise fail(f"{path} exists: choose another --output")
    path.write_bytes(content)
    if as_json:
        return emit({"programme": programme, "format": file_format.value, "wrote": str(path)})
    typer.echo(f"wrote {path}")


@cases_app.command("show")
def cases_show(
    ref: str,
    actor: Annotated[str, as_option("who reads it (their roles decide what they see)")],
    as_json: AsJson = False,
) -> None:
    """A case with its persons, timeline and audit trail."""

    init_db()
    with session_scope() as session:
        view = case_view(session=session, ref=ref, actor=actor)
    if as_json:
        return emit(view)
    language = language_of(actor)
    say(
        language,
        "{ref}  {title}  [{status}]  waiting at: {step}",
        ref=view.ref,
        title=case_title_in(language, view.title),
        status=translate(language, view.status.value),
        step=title_in(language, view.waiting_at) if view.waiting_at else "-",
    )
    for person in view.persons:
        typer.echo(
            f"  {'*' if person.is_principal else ' '} {person.full_name} ({person.nationality})  person {person.id}"
        )
    for document in view.documents:
        number = f" {document.reference}" if document.reference else ""
        typer.echo(f"  document: {document.document} {document.state.value}{number}  ({document.step})")
    for event in view.timeline:
        form = " ".join(f"{k}={v}" for k, v in event.data.items())
        what, detail = (
            title_in(language, event.title),
            reason_in(language, event.detail) if event.kind == "case" else event.detail,
        )
        typer.echo(f"  {local(event.at):%Y-%m-%d %H:%M}  {what}  ({event.actor}) {detail} {form}".rstrip())


@cases_app.command("list")
def cases_list(
    actor: Annotated[str, as_option("who looks (only the programmes they have a role in)")],
    search: Annotated[
        str | None, typer.Option("--search", help="a reference, an external reference or a name, in any script")
    ] = None,
    programme: Annotated[str | None, typer.Option("--programme")] = None,
    status: Annotated[CaseStatus | None, typer.Option("--status")] = None,
    step: Annotated[str | None, typer.Option("--step", help="where the case waits, e.g. fit-to-travel")] = None,
    page: Annotated[int, typer.Option("--page", help="the page, from 1")] = 1,
    page_size: Annotated[int, typer.Option("--page-size", help=f"rows per page (at most {MAX_PAGE_SIZE})")] = 50,
    as_json: AsJson = False,
) -> None:
    """Cases newest first, or those a search finds (exact references first); a page at a time."""
    init_db()
    with session_scope() as session:
        found = search_cases(
            session=session,
            actor=actor,
            text=search,
            programme=programme,
            status=status,
            step=step,
            page=page,
            page_size=page_size,
        )
    if as_json:
        return emit(found)
    language = language_of(actor)
    table(
        [translate(language, header) for header in LIST_HEADER],
        (
            (
                row.ref,
                row.programme,
                translate(language, row.status.value),
                row.step or "-",  # the code `--step` takes
                f"{local(row.opened_at):%Y-%m-%d}",
                case_title_in(language, row.title),
            )
            for row in found.rows
        ),
    )
    if found.has_more:
        say(
            language,
            "page {page}: {count} case(s); more: --page {next}",
            page=found.page,
            count=len(found.rows),
            next=page + 1,
        )
    else:
        say(language, "page {page}: {count} case(s)", page=found.page, count=len(found.rows))


def _fields(pairs: list[str]) -> dict[str, str | None]:
    """`field=value` options as fields; an empty value clears an optional field (e.g. `birth_date=`)."""
    fields: dict[str, str | None] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise fail(f"--set/--add: '{pair}' is not field=value")
        fields[name.strip()] = value or None
    return fields


@cases_app.command("amend")
def cases_amend(
    ref: str,
    actor: Annotated[str, as_option("a case worker or programme manager of the case's programme")],
    reason: Annotated[str, typer.Option("--reason", help="why the case is amended (kept in the audit trail)")],
    person: Annotated[
        int | None, typer.Option("--person", min=1, help="the person to correct (see `cases show`)")
    ] = None,
    values: Annotated[list[str], typer.Option("--set", help="field=value to correct on --person (repeatable)")] = [],  # noqa: B006 (typer reads the default)
    add_file: Annotated[
        Path | None, typer.Option("--add-person", help="a person to add, as JSON (e.g. a newborn)")
    ] = None,
    add: Annotated[list[str], typer.Option("--add", help="field=value of a person to add (repeatable)")] = [],  # noqa: B006
    remove: Annotated[int | None, typer.Option("--remove-person", min=1, help="the person to remove")] = None,
    as_json: AsJson = False,
) -> None:
    """Correct a person (--person ID --set field=value), add one (--add-person FILE or --add field=value) or
    remove one (--remove-person ID); quota places, flags and decisions to review follow."""
    from passage.services import amend  # here: it loads Prefect (2 s), to wake a run waiting for a removed person

    chosen = [person is not None or bool(values), add_file is not None or bool(add), remove is not None]
    if sum(chosen) != 1:
        raise fail("amend one thing at a time: --person with --set, --add-person or --add, or --remove-person")
    init_db()
    with session_scope() as session:
        if remove is not None:
            done = amend.remove_person(session=session, ref=ref, actor=actor, person_id=remove, reason=reason)
        elif chosen[1]:
            new = read_json(add_file.read_text(encoding="utf-8"), str(add_file)) if add_file else _fields(add)
            done = amend.add_person(session=session, ref=ref, actor=actor, person=new, reason=reason)
        elif person is None:
            raise fail("--set needs --person: the id of the person to correct (see `cases show`)")
        else:
            done = amend.correct_person(
                session=session, ref=ref, actor=actor, person_id=person, values=_fields(values), reason=reason
            )
    if as_json:
        return emit(done)
    fields = "; ".join(f"person {pid}: {', '.join(names) or '-'}" for pid, names in done.persons.items())
    typer.echo(f"{done.ref}: person {done.person_id} {done.change.value} ({fields})")
    for line in done.places:
        typer.echo(f"  {line.label} {line.period}: {line.held} -> {line.holds} place(s)")
    if done.for_review:
        typer.echo(f"  decisions marked for review: tasks {', '.join(map(str, done.for_review))}")
    if done.cancelled:
        typer.echo(f"  tasks cancelled: {', '.join(map(str, done.cancelled))}")


@cases_app.command("reviews")
def cases_reviews(
    ref: str,
    actor: Annotated[str, as_option("who reads them")],
    as_json: AsJson = False,
) -> None:
    """The case's decisions marked for review after an amendment."""
    init_db()
    with session_scope() as session:
        found = reviews.reviews_of(session=session, ref=ref, actor=actor)
    if as_json:
        return emit(list(found))
    if found:
        table(
            ("REVIEW", "TASK", "TITLE", "DECIDED BY", "WHY"),
            ((r.id, r.task_id, r.title, r.decided_by, r.reason) for r in found),
        )


@cases_app.command("reviewed")
def cases_reviewed(
    review: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="the review's number (see `cases reviews`)")],
    actor: Annotated[str, as_option("a programme manager of the case's programme")],
    as_json: AsJson = False,
) -> None:
    """Clear a decision's review mark: a programme manager looked at it again."""
    init_db()
    with session_scope() as session:
        reviews.clear(session=session, review_id=review, actor=actor)
    if as_json:
        return emit({"review": review, "cleared": True})
    say(language_of(actor), "review {review} cleared", review=review)


# Hold, resume, withdraw and reopen (passage/services/lifecycle.py). Each command imports the service when it
# runs: it loads Prefect (2 s, to cancel or start a flow run), which the other commands skip.

Refs = Annotated[list[str], typer.Argument(help="case references, e.g. RST-00012 RST-00013")]
Actor = Annotated[str, as_option("who acts (a programme manager of the cases' programme)")]


def _report(outcomes: list[Any], as_json: bool, language: str) -> None:
    """One line per case (refusals as `error:` lines), or the outcomes as JSON; exit 1 when any was refused."""
    if as_json:
        emit(outcomes)
    for outcome in outcomes:
        if outcome.ok and not as_json:
            typer.echo(f"{outcome.ref}  {translate(language, 'on hold' if outcome.on_hold else outcome.status.value)}")
        elif not outcome.ok:
            say_error(f"{outcome.ref}: {reason_in(language, outcome.reason)}")
    if not all(outcome.ok for outcome in outcomes):
        raise typer.Exit(1)


@cases_app.command("hold")
def cases_hold(
    refs: Refs,
    reason: Annotated[str, typer.Option("--reason", help="why the cases wait (kept in the audit trail)")],
    actor: Actor,
    as_json: AsJson = False,
) -> None:
    """Put cases on hold: their tasks cannot be decided, reminders and expiry stop, until resumed."""
    from passage.services.lifecycle import hold_many

    init_db()
    language = language_of(actor)
    with session_scope() as session:
        _report(hold_many(session=session, refs=refs, actor=actor, reason=reason), as_json, language)


@cases_app.command("resume")
def cases_resume(refs: Refs, actor: Actor, as_json: AsJson = False) -> None:
    """Take cases off hold: their open tasks are due later by the time they were held."""
    from passage.services.lifecycle import resume_many

    init_db()
    language = language_of(actor)
    with session_scope() as session:
        _report(resume_many(session=session, refs=refs, actor=actor), as_json, language)


@cases_app.command("withdraw")
def cases_withdraw(
    ref: str,
    reason: Annotated[WithdrawReason, typer.Option("--reason", help="why the case ends")],
    actor: Annotated[str, as_option("a case worker or programme manager of the case's programme")],
    note: Annotated[str, typer.Option("--note", help="what happened (required with --reason other)")] = "",
    as_json: AsJson = False,
) -> None:
    """Withdraw a case: its flow run is cancelled, its tasks too, its quota places and budget given back."""
    from passage.services.lifecycle import withdraw

    init_db()
    with session_scope() as session:
        case = withdraw(session=session, ref=ref, actor=actor, reason=reason, note=note)
        view = case_view(session=session, ref=case.ref, actor=actor)
    if as_json:
        return emit(view)
    language = language_of(actor)
    outcome = reason_in(language, view.outcome or "")
    typer.echo(f"{view.ref} {translate(language, view.status.value)}: {outcome}")


@cases_app.command("reopen")
def cases_reopen(
    ref: str,
    reason: Annotated[str, typer.Option("--reason", help="why the case goes on (kept in the audit trail)")],
    actor: Actor,
    as_json: AsJson = False,
) -> None:
    """Reopen a withdrawn or rejected case: its flow resumes where it ended, with the decisions taken."""
    from passage.services.lifecycle import reopen

    init_db()
    with session_scope() as session:
        case = reopen(session=session, ref=ref, actor=actor, reason=reason)
        view = case_view(session=session, ref=case.ref, actor=actor)
        started = case.flow_run_id is not None
    if as_json:
        return emit(view)
    language, status = language_of(actor), view.status.value
    if started:
        say(language, "{ref} reopened ({status})", ref=view.ref, status=translate(language, status))
    else:
        say(
            language,
            "{ref} reopened ({status}); Prefect did not answer, the reconciler starts its flow",
            ref=view.ref,
            status=translate(language, status),
        )
