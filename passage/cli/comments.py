"""`passage cases comment` and `passage cases comments`: a case's thread from the shell (registered in cases.py)."""

from typing import Annotated

import typer

from models.common import MAX_ID
from passage.cli.common import AsJson, as_option, emit, language_of, say
from passage.core.db import init_db, session_scope
from passage.core.i18n import local, title_in, translate
from passage.programme.registry import step_title
from passage.services.comments import add_comment, case_comments


def cases_comment(
    ref: str,
    text: Annotated[str, typer.Option("--text", help="the comment, plain text; @username tells a colleague")],
    actor: Annotated[str, as_option("who writes it (a role in the case's programme)")],
    medical: Annotated[
        bool, typer.Option("--medical", help="a medical note: only medical officers read (and write) it")
    ] = False,
    task: Annotated[
        int | None, typer.Option("--task", min=1, max=MAX_ID, help="written on this task of the case (its step)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Add a comment to a case (append-only: a correction is a new comment)."""
    init_db()
    with session_scope() as session:
        added = add_comment(session=session, actor=actor, case_ref=ref, text=text, medical=medical, task_id=task)
    if as_json:
        return emit(added)
    say(language_of(actor), "comment {id} added to {ref}", id=added.id, ref=added.case_ref)


def cases_comments(
    ref: str,
    actor: Annotated[str, as_option("who reads them (a medical note's text only for medical officers)")],
    as_json: AsJson = False,
) -> None:
    """A case's comments, oldest first."""
    init_db()
    with session_scope() as session:
        thread = case_comments(session=session, actor=actor, case_ref=ref)
    if as_json:
        return emit(thread)
    language = language_of(actor)
    for comment in thread:
        step = f"  ({title_in(language, step_title(comment.step))})" if comment.step else ""
        medical = f"  [{translate(language, 'medical note')}]" if comment.medical else ""
        typer.echo(f"{local(comment.created_at):%Y-%m-%d %H:%M}  {comment.author}{step}{medical}")
        shown = comment.text if comment.text is not None else translate(language, "(only medical officers read it)")
        typer.echo("\n".join(f"  {line}" for line in shown.splitlines() or [""]))
