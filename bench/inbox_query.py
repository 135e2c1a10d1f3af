"""Inbox query benchmark: the first inbox page of a programme manager, on 1,000,000 cases and 100,000 open tasks.

Times `passage.services.human_tasks.list_tasks` as the inbox page calls it (a new session per call,
as a page render opens one), for a programme manager of every programme and one of a single
programme, on SQLite and on PostgreSQL (127.0.0.1:5432, skipped with the reason where none answers).
The seeded databases are kept (bench/out/inbox.sqlite; PostgreSQL database `passage_bench_inbox`)
and reused while they hold the right counts; `--fresh` seeds them again.
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col, select

from bench import common  # noqa: F401  (first: a throwaway home, before Passage is imported)
from models import Case, HumanTask, Role, RoleGrant, TaskStatus, User
from models.common import utcnow
from passage.core.db import get_engine, init_db
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes
from passage.services.human_tasks import TaskRow, list_tasks

SQLITE = Path(__file__).parent / "out" / "inbox.sqlite"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "passage_bench_inbox"
# Share of the cases by programme: most of the agency's work is resettlement and reunification.
WEIGHTS = [50, 10, 20, 3, 1, 8, 6, 2]
# Gates by role, as the programmes' procedures open them (the case workers carry most of them).
STEPS = [
    ("accept-for-selection", Role.PROGRAMME_MANAGER),
    ("movement-plan-approval", Role.PROGRAMME_MANAGER),
    ("ind-decision", Role.CASE_WORKER),
    ("travel-documents", Role.CASE_WORKER),
    ("arrival", Role.CASE_WORKER),
    ("orientation", Role.CASE_WORKER),
    ("fit-to-travel", Role.MEDICAL_OFFICER),
    ("pre-embarkation", Role.MEDICAL_OFFICER),
    ("movement-plan", Role.MOVEMENT_OFFICER),
    ("escort", Role.MOVEMENT_OFFICER),
]
STAFF = [
    ("pm.anna", Role.PROGRAMME_MANAGER, "*"),
    ("pm.lotte", Role.PROGRAMME_MANAGER, "family-reunification"),
    ("cw.amal", Role.CASE_WORKER, "*"),
]
CHUNK = 50_000


def cases(count: int, programmes: list[str]) -> Iterator[dict[str, Any]]:
    now, pick = utcnow(), random.Random(1)
    for n in range(1, count + 1):
        yield {
            "id": n,
            "programme": pick.choices(programmes, WEIGHTS)[0],
            "title": f"Case {n}",
            "ref": f"CASE-{n:07d}",
            "uid": f"{n:032x}",
            "status": "active" if n % 4 else "closed",
            "data": "{}",
            "flags": '["medical"]' if n % 10 == 0 else "[]",
            "opened_by": "cw.amal",
            "created_at": now - timedelta(days=n % 700),
        }


def tasks(engine: Engine, open_tasks: int) -> Iterator[dict[str, Any]]:
    """One open gate on each of `open_tasks` active cases, and two decided gates before it on each."""
    now, pick = utcnow(), random.Random(2)
    with engine.connect() as connection:
        query = (
            select(col(Case.id), col(Case.programme))
            .where(col(Case.status) == "active")
            .order_by(col(Case.id))
            .limit(open_tasks)
        )
        active = connection.execute(query).all()
    task_id = 0
    for case_id, programme in active:
        steps = pick.sample(STEPS, 3)
        for position, (step, role) in enumerate(steps):
            task_id += 1
            is_open = position == 2
            yield {
                "id": task_id,
                "case_id": case_id,
                "programme": programme,
                "step": step,
                "title": step.replace("-", " ").capitalize(),
                "form_type": step,
                "role": role.value,
                "status": TaskStatus.OPEN.value if is_open else TaskStatus.DECIDED.value,
                "flow_run_id": f"{case_id:032x}",
                "requested_by": "cw.amal",
                "context": "{}",
                "due_at": now + timedelta(hours=pick.uniform(-20 * 24, 30 * 24)),
                "created_at": now - timedelta(days=30),
                "approvals_required": 1,
                "assignee": "cw.amal" if is_open and role == Role.CASE_WORKER and pick.random() < 0.1 else None,
            }


def chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_insert(engine: Engine, table: str, rows: Iterator[dict[str, Any]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite; the JSON columns arrive as JSON text."""
    for chunk in chunks(rows):
        columns = list(chunk[0])
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                cursor = connection.connection.cursor()
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in chunk:
                        copy.write_row([row[c] for c in columns])
            else:
                placeholders = ", ".join(f":{c}" for c in columns)
                connection.execute(text(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'), chunk)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), max(id)) FROM \"{table}\"")
            )


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        case_count = connection.execute(select(func.count()).select_from(Case)).scalar_one()
        query = select(func.count()).select_from(HumanTask).where(col(HumanTask.status) == TaskStatus.OPEN)
        return case_count, connection.execute(query).scalar_one()


def seed(engine: Engine, case_count: int, open_tasks: int) -> float:
    """Fill an empty, migrated database; returns the seconds it took."""
    started = time.perf_counter()
    with Session(engine) as session:
        for username, role, programme in STAFF:
            session.add(User(username=username, full_name=username, email=f"{username}@example.org"))
            session.flush()
            session.add(RoleGrant(username=username, role=role, programme=programme))
        session.commit()
    bulk_insert(engine, "case", cases(case_count, list(all_programmes())))
    bulk_insert(engine, "human_task", tasks(engine, open_tasks))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return time.perf_counter() - started


def timed(call: Callable[[], object], calls: int) -> tuple[float, float, float]:
    """p50 and p95 wall time of `calls` calls, and the median CPU time of this process, in ms (after a warm-up).

    The CPU time is the part that does not depend on how busy the machine is (for PostgreSQL, without
    the server's own share).
    """
    call()
    walls, cpus = [], []
    for _ in range(calls):
        started, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    return statistics.median(walls), walls[int(len(walls) * 0.95) - 1], statistics.median(cpus)


def first_page(actor: str) -> Callable[[], list[TaskRow]]:
    def call() -> list[TaskRow]:
        with Session(get_engine()) as session:
            return list_tasks(session=session, actor=actor)

    return call


def postgres_url(fresh: bool, database: str = POSTGRES_DB) -> str | None:
    """The benchmark's PostgreSQL `database` (created if missing), or None where no server answers."""
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            if fresh:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database})
            if found.first() is None:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
    except Exception as exc:
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    return POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{database}"


def prepare(url: str, case_count: int, open_tasks: int) -> str:
    """The database at `url` migrated and seeded; says whether it was seeded now or reused."""
    engine = get_engine(url)
    init_db(engine)
    if counts(engine) == (case_count, open_tasks):
        return "reused"
    if counts(engine) != (0, 0):
        raise SystemExit(f"{url} holds other data: run with --fresh to seed it again")
    return f"seeded in {seed(engine, case_count, open_tasks) / 60:.1f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--fresh", action="store_true", help="seed the databases again")
    args = parser.parse_args()
    backends = {}
    if args.backend in ("sqlite", "both"):
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
        for path in SQLITE.parent.glob(f"{SQLITE.name}*") if args.fresh else []:
            path.unlink()
        backends["SQLite"] = f"sqlite:///{SQLITE.resolve()}"
    if args.backend in ("postgresql", "both") and (url := postgres_url(args.fresh)) is not None:
        backends["PostgreSQL"] = url
    rows = []
    for name, url in backends.items():
        state = prepare(url, args.cases, args.open_tasks)
        os.environ["PASSAGE_DATABASE_URL"] = url
        get_settings.cache_clear()
        get_engine.cache_clear()
        for actor, who in (("pm.anna", "every programme"), ("pm.lotte", "one programme")):
            shown = len(first_page(actor)())
            p50, p95, cpu = timed(first_page(actor), args.calls)
            rows.append(
                f"| {name} | programme manager, {who} ({shown} rows) "
                f"| {p50:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms | {state} |"
            )
    print(f"\n{args.cases:,} cases, {args.open_tasks:,} open tasks, {args.calls} calls of list_tasks each\n")
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| backend | first inbox page of | p50 | p95 | CPU (median) | database |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
