"""Demo users, and every programme's example cases for `passage up` (all contact data on example.org).

The examples live with their programme (`Programme.examples`), so a new programme brings its own.
Only in demo mode (`PASSAGE_DEMO_MODE`, on by default): an installation outside it gets no account
with a known password, and its first administrator is made by `passage users create-admin`.
"""

from datetime import timedelta
from functools import cache
from typing import Any

from sqlmodel import Session, select

from models import Case, Role, User
from models.common import utcnow
from passage.core.settings import get_settings
from passage.demo.routing import seed_notifications
from passage.programme import Example, Gate, Programme
from passage.programme.registry import all_programmes
from passage.services.decisions import decide
from passage.services.delivery import start_case
from passage.services.human_tasks import TaskRequest, open_task
from passage.services.users import Grant, UserCreate, create_user, hash_password

USERS = [
    UserCreate(
        username="pm.anna",
        full_name="Anna de Vries",
        email="pm.anna@example.org",
        grants=[Grant(role=Role.PROGRAMME_MANAGER)],
    ),
    UserCreate(
        username="pm.joost",
        full_name="Joost Bakker",
        email="pm.joost@example.org",
        grants=[Grant(role=Role.PROGRAMME_MANAGER)],
    ),
    UserCreate(
        username="cw.amal",
        full_name="Amal Haddad",
        email="cw.amal@example.org",
        grants=[Grant(role=Role.CASE_WORKER)],
    ),
    UserCreate(
        username="cw.pieter",
        full_name="Pieter Jansen",
        email="cw.pieter@example.org",
        grants=[Grant(role=Role.CASE_WORKER)],
    ),
    UserCreate(
        username="mo.sara",
        full_name="Sara Visser",
        email="mo.sara@example.org",
        grants=[Grant(role=Role.MEDICAL_OFFICER)],
    ),
    UserCreate(
        username="mv.tom",
        full_name="Tom Smit",
        email="mv.tom@example.org",
        grants=[Grant(role=Role.MOVEMENT_OFFICER)],
    ),
    UserCreate(
        username="admin",
        full_name="Administrator",
        email="admin@example.org",
        grants=[Grant(role=Role.ADMINISTRATOR)],
    ),
]

DECIDERS = {
    Role.PROGRAMME_MANAGER: "pm.anna",
    Role.CASE_WORKER: "cw.pieter",
    Role.MEDICAL_OFFICER: "mo.sara",
    Role.MOVEMENT_OFFICER: "mv.tom",
}
OPENED_BY = "cw.amal"
OVERDUE_BY = timedelta(days=3)


def _open(session: Session, case: Case, spec: Gate[Any], *, overdue: bool = False) -> int:
    """Open a gate's task ahead of the flow: the flow's gate finds this row (and its decision) by step."""
    due_at = utcnow() - OVERDUE_BY if overdue else utcnow() + spec.due
    request = TaskRequest(
        case_id=case.id or 0,
        programme=case.programme,
        step=spec.step,
        title=spec.title,
        form_type=spec.form.form_type(),
        role=spec.role,
        flow_run_id=case.flow_run_id or "",
        requested_by="demo",
        due_at=due_at,
    )
    task = open_task(session=session, request=request)
    if overdue and task.due_at > due_at:
        # The flow was quicker and opened the gate itself: the demo still wants it overdue.
        task.due_at = due_at
        session.commit()
    return task.id or 0


def seed_example(*, session: Session, programme: Programme, example: Example) -> str:
    """Start one demo case and move it along: its decided gates approved, its overdue gate past due."""
    case = start_case(session=session, programme=programme.slug, case_file=example.case_file, actor=OPENED_BY)
    for spec, data in example.decided:
        task_id = _open(session, case, spec)
        decide(session=session, task_id=task_id, actor=DECIDERS[spec.role], approve=True, comment="demo", data=data)
    if example.overdue is not None:
        _open(session, case, example.overdue, overdue=True)
    return case.ref


@cache
def demo_password_hash(password: str) -> str:
    """One bcrypt hash of the demo password per process (hashing is slow on purpose)."""
    return hash_password(password)


def seed_users(*, session: Session, users: list[UserCreate] = USERS) -> None:
    """The demo staff, one or more of every role, with the demo password unless they changed theirs."""
    password = demo_password_hash(get_settings().demo_password)
    for user in users:
        existing = session.get(User, user.username)
        keep = existing is not None and bool(existing.password_hash)
        create_user(session=session, user_create=user, password_hash=None if keep else password)
    session.commit()


def seed_for_up(*, session: Session) -> list[str]:
    """What `passage up` seeds, as the lines it prints: the demo users and cases in demo mode, else nothing."""
    settings = get_settings()
    if not settings.demo_mode:
        return ["Demo data        none (PASSAGE_DEMO_MODE=false); first administrator: passage users create-admin"]
    started = seed(session=session)
    return [
        f"Demo cases       {', '.join(started) or 'already seeded'}",
        f"Demo login       pm.anna, cw.amal, mo.sara, mv.tom, admin / {settings.demo_password}",
    ]


def seed(*, session: Session) -> list[str]:
    """Create the demo users, and the demo cases once; returns the refs of cases started now."""
    seed_users(session=session)

    seed_notifications(session=session, usernames=[user.username for user in USERS])
    if session.exec(select(Case.id)).first() is not None:
        return []
    return [
        seed_example(session=session, programme=programme, example=example)
        for programme in all_programmes().values()
        for example in programme.examples
    ]
