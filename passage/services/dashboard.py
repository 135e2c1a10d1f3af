"""A programme's figures for its dashboard and weekly report, each one SQL aggregate (no rows loaded).

Only counts and durations: no special-category outcome (fitness, DNA result) is aggregated, so no
figure can tell anything about a person's health or family ties. Steps are gate kinds (form types),
so the per-member gates of family reunification count as one step and no member's name is shown.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Float, Integer, case, cast, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from models import Case, CaseStatus, Decision, HumanTask, TaskStatus
from models.common import utcnow
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes, get_programme
from passage.services import access, quota

UNASSIGNED = "(unclaimed)"


class QuotaBar(BaseModel):
    label: str
    period: str
    limit: int
    used: int
    remaining: int


class StepCount(BaseModel):
    """How many cases reached a step (a task was opened) and how many wait there now."""

    step: str
    reached: int
    waiting: int


class Overdue(BaseModel):
    """Open tasks past their due date, by step or by person (`key`)."""

    key: str
    tasks: int


class StepTime(BaseModel):
    """Hours from a step's task opening to its decision: median and 90th percentile (nearest rank)."""

    step: str
    decided: int
    median_hours: float
    p90_hours: float


class MonthCount(BaseModel):
    month: str  # YYYY-MM
    cases: int


class Dashboard(BaseModel):
    """Every figure of one programme at one moment."""

    programme: str
    title: str
    at: datetime
    open_cases: int
    quota: list[QuotaBar]
    funnel: list[StepCount]
    overdue_by_step: list[Overdue]
    overdue_by_person: list[Overdue]
    step_times: list[StepTime]
    arrivals: list[MonthCount]


def visible_programmes(*, session: Session, actor: str) -> list[str]:
    """The programmes whose dashboard `actor` may see, in the registry's order."""
    access.require_person(session=session, actor=actor)
    visible = access.case_programmes(session=session, actor=actor)
    return [slug for slug in all_programmes() if visible is None or slug in visible]


def dashboard(*, session: Session, programme: str, actor: str, now: datetime | None = None) -> Dashboard:
    """The figures of `programme`, for anyone with a case role in it (flows act as `system`)."""
    spec = get_programme(programme)
    access.require_programme_access(session=session, actor=actor, programme=spec.slug)
    now = now or utcnow()
    return Dashboard(
        programme=spec.slug,
        title=spec.title,
        at=now,
        open_cases=_open_cases(session, spec.slug),
        quota=_quota(session, spec.slug),
        funnel=_funnel(session, spec.slug),
        overdue_by_step=_overdue(session, spec.slug, now, col(HumanTask.form_type)),
        overdue_by_person=_overdue(session, spec.slug, now, func.coalesce(col(HumanTask.assignee), UNASSIGNED)),
        step_times=_step_times(session, spec.slug),
        arrivals=_arrivals(session, spec.slug),
    )


def _open_cases(session: Session, programme: str) -> int:
    query = select(func.count()).where(Case.programme == programme, col(Case.closed_at).is_(None))
    return int(session.exec(query).one())


def _quota(session: Session, programme: str) -> list[QuotaBar]:
    keys = {rule.key for rule in get_settings().quotas if rule.programme == programme}
    return [
        QuotaBar(label=line.label, period=line.period, limit=line.limit, used=line.used, remaining=line.remaining)
        for line in quota.usage(session=session)
        if line.rule in keys
    ]


def _step_order(programme: str) -> dict[str, int]:
    """A step's place in the procedure: the programme lists its gate forms in that order."""
    return {form.form_type(): place for place, form in enumerate(get_programme(programme).forms)}


def _funnel(session: Session, programme: str) -> list[StepCount]:
    waiting = func.sum(cast(col(HumanTask.status) == TaskStatus.OPEN, Integer))
    query = (
        select(HumanTask.form_type, func.count(func.distinct(col(HumanTask.case_id))), waiting)
        .where(HumanTask.programme == programme)
        .group_by(col(HumanTask.form_type))
    )
    order = _step_order(programme)
    rows = sorted(session.exec(query).all(), key=lambda row: (order.get(row[0], len(order)), row[0]))
    opened = session.exec(select(func.count()).where(Case.programme == programme)).one()
    closed = session.exec(
        select(func.count()).where(Case.programme == programme, Case.status == CaseStatus.CLOSED)
    ).one()
    return [
        StepCount(step="opened", reached=int(opened), waiting=0),
        *(
            StepCount(step=step, reached=int(reached), waiting=int(now_waiting or 0))
            for step, reached, now_waiting in rows
        ),
        StepCount(step="completed", reached=int(closed), waiting=0),
    ]


def _overdue(session: Session, programme: str, now: datetime, key: Any) -> list[Overdue]:
    query = (
        select(key, func.count())
        .where(HumanTask.programme == programme, HumanTask.status == TaskStatus.OPEN, col(HumanTask.due_at) < now)
        .group_by(key)
        .order_by(func.count().desc(), key)
    )
    return [Overdue(key=str(name), tasks=int(count)) for name, count in session.exec(query).all()]


def _hours_between(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """`end - start` in hours, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return cast((func.julianday(end) - func.julianday(start)) * 24.0, Float)


def _step_times(session: Session, programme: str) -> list[StepTime]:
    """Median and p90 by nearest rank, ranked in SQL with window functions (SQLite ≥ 3.25 and PostgreSQL)."""
    hours = _hours_between(session, col(HumanTask.created_at), col(Decision.decided_at)).label("hours")
    ranked = (
        select(
            col(HumanTask.form_type).label("step"),
            hours,
            func.row_number().over(partition_by=col(HumanTask.form_type), order_by=hours).label("rank"),
            func.count().over(partition_by=col(HumanTask.form_type)).label("n"),
        )
        .join(Decision, col(Decision.task_id) == col(HumanTask.id))
        .where(HumanTask.programme == programme)
        .subquery()
    )
    n, rank = ranked.c.n, ranked.c.rank

    def at_rank(tenths: int) -> ColumnElement[float]:
        # Nearest rank: ceil(n * tenths / 10), in integer division, which both databases truncate alike
        # (a CAST to integer rounds on PostgreSQL and truncates on SQLite).
        wanted = (n * tenths + 9) // 10
        return func.max(case((rank == wanted, ranked.c.hours)))

    query = select(ranked.c.step, func.max(n), at_rank(5), at_rank(9)).group_by(ranked.c.step)
    order = _step_order(programme)
    rows = sorted(session.exec(query).all(), key=lambda row: (order.get(row[0], len(order)), row[0]))
    return [
        StepTime(step=step, decided=int(count), median_hours=round(float(p50), 1), p90_hours=round(float(p90), 1))
        for step, count, p50, p90 in rows
    ]


def _month(session: Session, moment: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a timestamp, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(moment, "YYYY-MM")
    return func.strftime("%Y-%m", moment)


def _arrivals(session: Session, programme: str) -> list[MonthCount]:
    """Cases that reached their end (arrival, publication) per month of closing."""
    month = _month(session, col(Case.closed_at)).label("month")
    query = (
        select(month, func.count())
        .where(Case.programme == programme, Case.status == CaseStatus.CLOSED)
        .group_by(month)
        .order_by(month)
    )
    return [MonthCount(month=str(name), cases=int(count)) for name, count in session.exec(query).all()]


def figures(board: Dashboard) -> list[dict[str, object]]:
    """Every number of the dashboard as rows of (figure, item, measure, value): its CSV export."""
    rows: list[dict[str, object]] = [
        {"figure": "open cases", "item": board.programme, "measure": "cases", "value": board.open_cases}
    ]

    def add(figure: str, item: str, **measures: object) -> None:
        rows.extend({"figure": figure, "item": item, "measure": m, "value": v} for m, v in measures.items())

    for bar in board.quota:
        add("quota", f"{bar.label} {bar.period}", limit=bar.limit, used=bar.used, remaining=bar.remaining)
    for step in board.funnel:
        add("cases by step", step.step, reached=step.reached, waiting=step.waiting)
    for row in board.overdue_by_step:
        add("overdue by step", row.key, tasks=row.tasks)
    for row in board.overdue_by_person:
        add("overdue by person", row.key, tasks=row.tasks)
    for time in board.step_times:
        add("time per step", time.step, decided=time.decided, median_hours=time.median_hours, p90_hours=time.p90_hours)
    for month in board.arrivals:
        add("arrivals per month", month.month, cases=month.cases)
    return rows
