"""Dashboard figures on a seeded database whose numbers are known; who may see them."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from models import Case, CaseStatus, Decision, HumanTask, Outcome, TaskStatus
from passage.core.db import init_db
from passage.core.errors import NotPermitted
from passage.services import quota
from passage.services.dashboard import (
    UNASSIGNED,
    MonthCount,
    Overdue,
    QuotaBar,
    StepCount,
    StepTime,
    dashboard,
    figures,
)
from tests.factories import new_case, open_gate, seed_staff

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OPENED = NOW - timedelta(days=30)


def gate(session: Session, case_id: int, step: str, *, due_days: float, assignee: str | None = None) -> HumanTask:
    """A task of kind `step` opened at OPENED, due `due_days` after NOW (negative: overdue)."""
    task_id = open_gate(session=session, case_id=case_id, step=step, form_type=step, due_at=NOW + timedelta(due_days))
    task = session.get(HumanTask, task_id)
    assert task is not None
    task.created_at, task.assignee = OPENED, assignee
    session.add(task)
    session.commit()
    return task


def decided(session: Session, task: HumanTask, *, after_hours: float) -> None:
    task.status = TaskStatus.DECIDED
    session.add(task)
    decision = Decision(
        task_id=task.id or 0,
        outcome=Outcome.APPROVE,
        decided_by="pm.anna",
        decided_at=OPENED + timedelta(hours=after_hours),
    )
    session.add(decision)
    session.commit()


def close(session: Session, case_id: int, status: CaseStatus, on: datetime) -> None:
    case = session.get(Case, case_id)
    assert case is not None
    case.status, case.closed_at = status, on
    session.add(case)
    session.commit()


def seed(db: Session) -> Session:
    """Four referrals: accept decided for three (after 1, 2 and 10 hours), one still open and overdue;
    IND decision decided for the first (24 h) and overdue for the second (claimed by cw.amal);
    the first arrived in October, the third rejected; 2 places of the 2026 national quota taken."""
    cases = [new_case(session=db, unhcr_ref=f"LEB-26-00010{n}") for n in range(4)]
    accepts = [
        gate(db, case_id, "accept-for-selection", due_days=-1 if n == 3 else 5) for n, case_id in enumerate(cases)
    ]
    for task, hours in zip(accepts, (1, 2, 10), strict=False):
        decided(db, task, after_hours=hours)
    decided(db, gate(db, cases[0], "ind-decision", due_days=3), after_hours=24)
    gate(db, cases[1], "ind-decision", due_days=-2, assignee="cw.amal")
    close(db, cases[0], CaseStatus.CLOSED, datetime(2026, 10, 5, tzinfo=UTC))
    close(db, cases[2], CaseStatus.REJECTED, datetime(2026, 10, 6, tzinfo=UTC))
    quota.reserve(session=db, year=2026, nationalities={"SY"}, persons=2)
    db.commit()
    return db


@pytest.fixture
def seeded(db: Session) -> Session:
    return seed(db)


def test_the_figures_of_a_programme_are_its_known_numbers(seeded: Session) -> None:
    board = dashboard(session=seeded, programme="resettlement-nl", actor="pm.anna", now=NOW)
    assert board.open_cases == 2
    assert board.quota == [
        QuotaBar(label="National resettlement quota", period="2026", limit=500, used=2, remaining=498)
    ]
    assert board.funnel == [
        StepCount(step="opened", reached=4, waiting=0),
        StepCount(step="accept-for-selection", reached=4, waiting=1),
        StepCount(step="ind-decision", reached=2, waiting=1),
        StepCount(step="completed", reached=1, waiting=0),
    ]
    assert board.overdue_by_step == [Overdue(key="accept-for-selection", tasks=1), Overdue(key="ind-decision", tasks=1)]
    assert board.overdue_by_person == [Overdue(key=UNASSIGNED, tasks=1), Overdue(key="cw.amal", tasks=1)]
    assert board.step_times == [
        StepTime(step="accept-for-selection", decided=3, median_hours=2.0, p90_hours=10.0),
        StepTime(step="ind-decision", decided=1, median_hours=24.0, p90_hours=24.0),
    ]
    assert board.arrivals == [MonthCount(month="2026-10", cases=1)]


def test_another_programmes_dashboard_counts_none_of_these_cases(seeded: Session) -> None:
    board = dashboard(session=seeded, programme="afghan-transfer", actor="pm.anna", now=NOW)
    assert board.open_cases == 0 and board.quota == [] and board.step_times == [] and board.arrivals == []
    assert [(s.step, s.reached) for s in board.funnel] == [("opened", 0), ("completed", 0)]


def test_the_csv_figures_hold_every_number_once(seeded: Session) -> None:
    rows = figures(dashboard(session=seeded, programme="resettlement-nl", actor="pm.anna", now=NOW))
    found = {(r["figure"], r["item"], r["measure"]): r["value"] for r in rows}
    assert found[("quota", "National resettlement quota 2026", "remaining")] == 498
    assert found[("time per step", "accept-for-selection", "p90_hours")] == 10.0
    assert found[("overdue by person", "cw.amal", "tasks")] == 1
    assert len(found) == len(rows)


@pytest.mark.parametrize("actor", ["cw.other", "admin"])
def test_only_people_with_a_role_in_the_programme_see_its_dashboard(seeded: Session, actor: str) -> None:
    with pytest.raises(NotPermitted):
        dashboard(session=seeded, programme="resettlement-nl", actor=actor, now=NOW)


@pytest.fixture
def postgres_db() -> Iterator[Session]:
    """A fresh PostgreSQL database with the demo staff (skipped where no PostgreSQL answers)."""
    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    name = f"passage_dash_{uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip("PostgreSQL-only: no PostgreSQL answers at 127.0.0.1:5432")
    engine = create_engine(admin_url.replace("/test", f"/{name}"))
    try:
        init_db(engine)
        with Session(engine) as session:
            seed_staff(session=session)
            yield session
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_postgresql_gives_the_same_figures(postgres_db: Session, db: Session) -> None:
    """Durations, percentiles and months are spelled per dialect: both must give the known numbers
    (`db` is SQLite, or PostgreSQL too in the PostgreSQL pass)."""
    on_postgres = dashboard(session=seed(postgres_db), programme="resettlement-nl", actor="pm.anna", now=NOW)
    on_sqlite = dashboard(session=seed(db), programme="resettlement-nl", actor="pm.anna", now=NOW)
    assert on_postgres.model_dump(exclude={"at"}) == on_sqlite.model_dump(exclude={"at"})
    assert on_postgres.step_times[0] == StepTime(
        step="accept-for-selection", decided=3, median_hours=2.0, p90_hours=10.0
    )
