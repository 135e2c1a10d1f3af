"""`passage tasks …`: list, decide, claim and hand on human tasks."""

from typing import Annotated

import typer

from models import Role, TaskStatus
from passage.cli.common import TaskId, emit, read_json
from passage.core.db import init_db, session_scope
from passage.programme.registry import get_programme
from passage.services.assignment import claim, reassign, unclaim
from passage.services.expiry import reopen
from passage.services.human_tasks import list_tasks

tasks_app = typer.Typer(no_args_is_help=True, help="List and decide human tasks.")


@tasks_app.command("list")
def tasks_list(
    user: Annotated[str, typer.Option("--as", help="only what this user may decide")],
    role: Annotated[Role | None, typer.Option("--role")] = None,
    programme: Annotated[str | None, typer.Option("--programme")] = None,
    status: Annotated[TaskStatus, typer.Option("--status")] = TaskStatus.OPEN,
    as_json: Annotated[bool, typer.Option("--json")] = False,
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

    init_db()
    with session_scope() as session:
        claim(session=session, task_id=task, actor=actor)
    typer.echo(f"task {task} claimed by {actor}")


@tasks_app.command("unclaim")
def tasks_unclaim(task: TaskId, actor: Annotated[str, typer.Option("--as")]) -> None:
    """Give a claimed task back to everyone of its role."""

    init_db()
    with session_scope() as session:
        unclaim(session=session, task_id=task, actor=actor)
    typer.echo(f"task {task} unclaimed")


@tasks_app.command("reassign")
def tasks_reassign(
    task: TaskId, to: Annotated[str, typer.Option("--to")], actor: Annotated[str, typer.Option("--as")]
) -> None:
    """Hand a task to a colleague of its role (its assignee or a programme manager)."""

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

    init_db()
    with session_scope() as session:
        reopened = reopen(session=session, task_id=task, actor=actor, days=days)
    typer.echo(f"task {task} re-opened by {actor}, due {reopened.due_at:%Y-%m-%d %H:%M} UTC")
