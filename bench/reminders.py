"""Reminder sweep benchmark: deciding and enqueuing for 100,000 open tasks of 1,000 people (SQLite).

    .venv/bin/python -m bench.reminders                       # the defaults below
    .venv/bin/python -m bench.reminders --tasks 100000 --people 1000

Each person holds one role in one (synthetic) programme, so each sees about tasks/people tasks, and
every person has chosen the daily digest. Due dates are spread from 7 days ago to 23 days ahead.
Times the reminder sweep (reminders and escalations) and the digest, each from the first query to
the committed outbox rows; nothing is sent. Prints one table.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Before Passage is imported: a private home, never a running `passage up`.
HOME = Path(tempfile.mkdtemp(prefix="passage-bench-reminders-"))
os.environ["PASSAGE_HOME"] = str(HOME)
os.environ.pop("PASSAGE_DATABASE_URL", None)

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from models import Case, HumanTask, Notification, NotifyPreference, Role, RoleGrant, User  # noqa: E402
from passage.core.db import get_engine, init_db  # noqa: E402
from passage.services.reminders import digest_sweep, reminder_sweep  # noqa: E402

ROLES = [Role.PROGRAMME_MANAGER, Role.CASE_WORKER, Role.MEDICAL_OFFICER, Role.MOVEMENT_OFFICER, Role.ADMINISTRATOR]
NOW = datetime(2030, 1, 9, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Wednesday, office hours


def populate(session: Session, tasks: int, people: int, roles: list[Role] = ROLES, cases: int = 1) -> None:
    """People with one grant each (of `roles`), `cases` cases per programme, and the open tasks, in bulk.

    The tasks are spread over the programmes' cases, at steps step-0, step-1, ... of each case.
    """
    programmes = max(1, people // len(roles))
    session.execute(
        insert(User),
        [{"username": f"p{n}", "full_name": f"Person {n}", "email": f"p{n}@example.org"} for n in range(people)],
    )
    session.execute(
        insert(RoleGrant),
        [
            {"username": f"p{n}", "role": roles[n % len(roles)], "programme": f"bench-{n // len(roles)}"}
            for n in range(people)
        ],
    )
    session.execute(insert(NotifyPreference), [{"username": f"p{n}", "digest": True} for n in range(people)])
    session.execute(
        insert(Case),
        [
            {
                "programme": f"bench-{p}",
                "title": f"Bench {p}.{k}",
                "ref": f"BEN-{p:05d}-{k:05d}",
                "uid": f"bench{p}-{k}",
                "status": "active",
                "data": {},
                "flags": [],
                "opened_by": "bench",
                "created_at": NOW,
            }
            for p in range(programmes)
            for k in range(cases)
        ],
    )
    case_ids = dict(session.execute(select(Case.ref, Case.id)).all())
    span = timedelta(days=30).total_seconds()
    rows = []
    for n in range(tasks):
        p, k = n % programmes, (n // programmes) % cases
        rows.append(
            {
                "case_id": case_ids[f"BEN-{p:05d}-{k:05d}"],
                "programme": f"bench-{p}",
                "step": f"step-{n // (programmes * cases)}",
                "title": "Bench gate",
                "form_type": "bench",
                "role": roles[(n // programmes) % len(roles)],
                "status": "open",
                "flow_run_id": "bench",
                "requested_by": "bench",
                "context": {},
                "due_at": NOW - timedelta(days=7) + timedelta(seconds=span * ((n * 7919) % tasks) / tasks),
                "created_at": NOW - timedelta(days=10),
            }
        )
    session.execute(insert(HumanTask), rows)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_000)
    args = parser.parse_args()
    init_db()
    with Session(get_engine()) as session:
        populate(session, args.tasks, args.people)
        started = time.perf_counter()
        swept = reminder_sweep(session=session, now=NOW)
        sweep_seconds = time.perf_counter() - started
        started = time.perf_counter()
        digests = digest_sweep(session=session, now=NOW)
        digest_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = reminder_sweep(session=session, now=NOW)
        again_seconds = time.perf_counter() - started
        outbox = session.execute(select(Notification.kind, Notification.recipient)).all()
    per_person = Counter(recipient for _kind, recipient in outbox if recipient)
    kinds = Counter(kind.value for kind, _recipient in outbox)
    counts = [per_person.get(f"p{n}", 0) for n in range(args.people)]
    setup = f"{os.cpu_count()} cores; SQLite; {args.tasks:,} open tasks, {args.people:,} people"
    print(f"\nReminder sweep benchmark ({setup})\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| reminder sweep: decide and enqueue ({swept.tasks:,} tasks reached a new stage) | {sweep_seconds:.2f} s |")
    print(f"| daily digest: decide and enqueue ({digests.digests:,} digests) | {digest_seconds:.2f} s |")
    print(f"| total | {sweep_seconds + digest_seconds:.2f} s |")
    print(f"| the same sweep again (nothing new) | {again_seconds:.2f} s, {again.tasks} tasks |")
    print(
        f"| messages per person (min / median / max) | {min(counts)} / {statistics.median(counts):g} / {max(counts)} |"
    )
    print(f"| outbox rows by kind | {', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))} |")


if __name__ == "__main__":
    main()
