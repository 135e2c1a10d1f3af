"""`passage tasks …`: list, decide, claim and hand on human tasks."""

from typing import Annotated

import typer
from sqlmodel import Session

from models import Role, TaskStatus
from passage.cli.common import AsJson, TaskId, as_option, emit, language_of, read_json, say, table
from passage.core.db import init_db, session_scope
from passage.core.i18n import local, translate
from passage.programme.registry import get_programme
from passage.services.assignment import claim, reassign, unclaim
from passage.services.expiry import reopen
from passage.services.human_tasks import approvals_of, get_task, list_tasks

tasks_app = typer.Typer(no_args_is_help=True, help="List and decide human tasks.")


@tasks_app.command("list")
def tasks_list(
    user: Annotated[str, as_option("only what this user may decide")],
    role: Annotated[Role | None, typer.Option("--role")] = None,
    programme: Annotated[str | None, typer.Option("--programme")] = None,
    status: Annotated[TaskStatus, typer.Option("--status")] = TaskStatus.OPEN,
    as_json: AsJson = False,
) -> None:
    """Tasks by due date."""

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
    language = language_of(user)
    table(
        (
            translate(language, "TASK"),
            translate(language, "CASE"),
            translate(language, "TITLE"),
            translate(language, "ROLE"),
            translate(language, "DUE"),
            "",
        ),
        (
            (
                row.id,
                row.case_ref,
                translate(language, row.title),
                row.role.value,
                f"{local(row.due_at):%Y-%m-%d}",
                translate(language, "OVERDUE") if row.overdue else "",
            )
            for row in rows
        ),
    )


@tasks_app.command("decide")
def tasks_decide(
    task: TaskId,
    actor: Annotated[str, as_option("who decides")],
    approve: Annotated[bool, typer.Option("--approve/--reject", help="the decision")],
    comment: Annotated[str, typer.Option("--comment")] = "",
    data: Annotated[str, typer.Option("--data", help="the form's fields as JSON")] = "{}",
    as_json: AsJson = False,
) -> None:
    """Approve or reject a task with its form data."""
    from passage.services.decisions import decide, decision_view  # here: it loads Prefect (2 s), to deliver

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
            return _approval_recorded(session, task, actor, as_json)
        shown = decision_view(session=session, decision=decision, actor=actor)
        if as_json:
            return emit(shown)
        delivered_at = decision.delivered_at
    language = language_of(actor)
    delivered = translate(language, "delivered" if delivered_at else "recorded; the flow picks it up shortly")
    say(
        language,
        "task {task} approved by {actor} ({delivered})" if approve else "task {task} rejected by {actor} ({delivered})",
        task=task,
        actor=actor,
        delivered=delivered,
    )


@tasks_app.command("claim")
def tasks_claim(task: TaskId, actor: Annotated[str, as_option("who takes it")], as_json: AsJson = False) -> None:
    """Take a task: until unclaimed only you decide it."""

    init_db()
    with session_scope() as session:
        claim(session=session, task_id=task, actor=actor)
    if as_json:
        return emit({"task_id": task, "assignee": actor})
    say(language_of(actor), "task {task} claimed by {actor}", task=task, actor=actor)


@tasks_app.command("unclaim")
def tasks_unclaim(task: TaskId, actor: Annotated[str, as_option("who gives it back")], as_json: AsJson = False) -> None:
    """Give a claimed task back to everyone of its role."""

    init_db()
    with session_scope() as session:
        unclaim(session=session, task_id=task, actor=actor)
    if as_json:
        return emit({"task_id": task, "assignee": None})
    say(language_of(actor), "task {task} unclaimed", task=task)


@tasks_app.command("reassign")
def tasks_reassign(
    task: TaskId,
    to: Annotated[str, typer.Option("--to")],
    actor: Annotated[str, as_option("who hands it on")],
    as_json: AsJson = False,
) -> None:
    """Hand a task to a colleague of its role (its assignee or a programme manager)."""

    init_db()
    with session_scope() as session:
        reassign(session=session, task_id=task, actor=actor, to=to)
    if as_json:
        return emit({"task_id": task, "assignee": to})
    say(language_of(actor), "task {task} reassigned to {to}", task=task, to=to)


@tasks_app.command("reopen")
def tasks_reopen(
    task: int,
    actor: Annotated[str, as_option("who acts")],
    days: Annotated[int, typer.Option(min=1, max=365, help="due in this many days")] = 5,
    as_json: AsJson = False,
) -> None:
    """Re-open an expired task (a programme manager): the case's run still waits at its gate."""

    init_db()
    with session_scope() as session:
        reopened = reopen(session=session, task_id=task, actor=actor, days=days)
    if as_json:
        return emit({"task_id": task, "status": reopened.status.value, "due_at": reopened.due_at.isoformat()})
    due = f"{local(reopened.due_at):%Y-%m-%d %H:%M %Z}"
    say(language_of(actor), "task {task} re-opened by {actor}, due {due}", task=task, actor=actor, due=due)


def _approval_recorded(session: Session, task_id: int, actor: str, as_json: bool) -> None:
    """An N-of-M task approved by one more person: how many approvals it has, how many it needs."""
    approvals = [a.username for a in approvals_of(session=session, task_id=task_id)]
    required = get_task(session=session, task_id=task_id).approvals_required
    if as_json:
        return emit(
            {
                "task_id": task_id,
                "decided": False,
                "approvals": len(approvals),
                "approvals_required": required,
                "approved_by": approvals,
            }
        )
    say(
        language_of(actor),
        "task {task}: approval by {actor} recorded ({approvals} of {required}); it waits for more",
        task=task_id,
        actor=actor,
        approvals=len(approvals),
        required=required,
    )
