"""Dashboard and import benchmark: a programme's figures over many cases, and a large import (SQLite).

    .venv/bin/python -m bench.dashboard                        # the defaults below
    .venv/bin/python -m bench.dashboard --cases 50000 --import-rows 5000

Fills one programme with cases, each with one task per gate kind of resettlement (half of them
decided, a tenth overdue, a third closed), then times the dashboard (median of 5) and the import of
a generated UNHCR referral file (read and check every row; open the cases in one transaction).
Prints one table.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Before Passage is imported: a private home, never a running `passage up`.
HOME = Path(tempfile.mkdtemp(prefix="passage-bench-dashboard-"))
os.environ["PASSAGE_HOME"] = str(HOME)
os.environ.pop("PASSAGE_DATABASE_URL", None)

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from flows.resettlement import PROGRAMME as RESETTLEMENT  # noqa: E402
from models import Case, Decision, HumanTask, Role  # noqa: E402
from passage.core.db import get_engine, init_db  # noqa: E402
from passage.demo.seed import seed_users  # noqa: E402
from passage.services.dashboard import dashboard  # noqa: E402
from passage.services.importing import open_imported, read_import  # noqa: E402

NOW = datetime(2030, 6, 3, 10, 0, tzinfo=UTC)
PROGRAMME = "resettlement-nl"


def populate(session: Session, cases: int) -> int:
    """`cases` cases with a task per gate kind each; returns the number of tasks."""
    session.execute(
        insert(Case),
        [
            {
                "programme": PROGRAMME,
                "title": f"Bench {n}",
                "ref": f"BEN-{n:06d}",
                "uid": f"bench{n}",
                "status": "closed" if n % 3 == 0 else "active",
                "closed_at": NOW - timedelta(days=n % 365) if n % 3 == 0 else None,
                "data": {},
                "flags": [],
                "opened_by": "bench",
                "created_at": NOW - timedelta(days=400),
            }
            for n in range(cases)
        ],
    )
    ids = list(session.execute(select(Case.id)).scalars())
    tasks = [
        {
            "case_id": case_id,
            "programme": PROGRAMME,
            "step": form.form_type(),
            "title": "Bench gate",
            "form_type": form.form_type(),
            "role": Role.CASE_WORKER,
            "status": "decided" if (case_id + step) % 2 else "open",
            "flow_run_id": "bench",
            "requested_by": "bench",
            "context": {},
            "assignee": f"cw.{case_id % 40}" if case_id % 3 else None,
            "due_at": NOW - timedelta(days=1) if (case_id + step) % 10 == 0 else NOW + timedelta(days=5),
            "created_at": NOW - timedelta(days=30),
        }
        for case_id in ids
        for step, form in enumerate(RESETTLEMENT.forms)
    ]
    session.execute(insert(HumanTask), tasks)
    decided = session.execute(select(HumanTask.id).where(HumanTask.status == "decided")).scalars()
    session.execute(
        insert(Decision),
        [
            {
                "task_id": task_id,
                "outcome": "approve",
                "data": {},
                "decided_by": "bench",
                "decided_at": NOW - timedelta(days=30) + timedelta(hours=task_id % 500),
            }
            for task_id in decided
        ],
    )
    session.commit()
    return len(tasks)


def referral_file(rows: int) -> bytes:
    header = "unhcr_ref,country_of_asylum,quota_year,vulnerabilities,full_name,nationality,birth_date,is_principal"
    lines = [header]
    for n in range(rows):  # families of two: a principal and a child
        lines.append(
            f"LEB-30-{n // 2:06d},LB,2030,,Person {n} Example,SY,{1980 + n % 40}-01-01,{'no' if n % 2 else 'yes'}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--import-rows", type=int, default=5_000)
    args = parser.parse_args()
    init_db()
    with Session(get_engine()) as session:
        seed_users(session=session)
        tasks = populate(session, args.cases)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            board = dashboard(session=session, programme=PROGRAMME, actor="pm.anna", now=NOW)
            times.append(time.perf_counter() - started)
        content = referral_file(args.import_rows)
        started = time.perf_counter()
        plan = read_import(content=content, filename="referrals.csv", programme=PROGRAMME)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        opened = open_imported(session=session, plan=plan, actor="cw.amal")
        open_seconds = time.perf_counter() - started
    setup = f"{os.cpu_count()} cores; SQLite; {args.cases:,} cases, {tasks:,} tasks"
    print(f"\nDashboard and import benchmark ({setup})\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| dashboard of one programme, median of 5 (max) | {statistics.median(times):.2f} s ({max(times):.2f} s) |")
    print(
        f"| its open cases / overdue tasks | {board.open_cases:,} / {sum(o.tasks for o in board.overdue_by_step):,} |"
    )
    checked = f"{plan.rows:,} rows ({len(plan.cases):,} cases, {len(plan.errors)} errors)"
    print(f"| import: read and check {checked} | {read_seconds:.2f} s |")
    print(f"| import: open {len(opened.refs):,} cases in one transaction | {open_seconds:.2f} s |")


if __name__ == "__main__":
    main()
