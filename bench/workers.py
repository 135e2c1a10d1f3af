"""Workers benchmark: gate throughput with 1, 2 and 4 `passage worker`s, Prefect's server on PostgreSQL.

    make bench-workers               # or: .venv/bin/python -m bench.workers --workers 1 2 4 --cases 8

The production shape on one machine: a Prefect server on a fresh PostgreSQL database, the app database
on PostgreSQL, `passage deploy`, N `passage worker` processes and one `passage reconciler`. For each N,
`--cases` resettlement cases run through every gate at once, each gate approved through
`passage.services.decisions.decide` as soon as it opens (one person per case). Needs PostgreSQL at
127.0.0.1:5432 (user postgres, trust auth); the databases are created and dropped.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial

from sqlmodel import Session, col, select

from bench.common import cpu_seconds, poll, seed_staff, tree
from bench.quota_year import decide_one
from models import Case, HumanTask, TaskStatus
from passage.core.db import get_engine
from passage.core.settings import Settings, get_settings
from passage.orchestration import stack
from passage.services.delivery import start_case
from tests.postgres import fresh_database, url

YEAR = 2092  # a quota year of its own


@dataclass
class Run:
    workers: int
    gates: int
    seconds: float
    cpu: float
    samples: list[float]


def referral(n: int) -> dict[str, object]:
    return {
        "unhcr_ref": f"WRK-{n:06d}",
        "country_of_asylum": "LB",
        "quota_year": YEAR,
        "persons": [{"full_name": f"Worker Bench {n}", "nationality": "AF", "is_principal": True}],
    }


def next_gate(case_id: int, decided: int | None = None) -> HumanTask | str | None:
    """The case's open task other than `decided`, "closed" once the case is, or None while its flow moves."""
    with Session(get_engine()) as session:
        query = select(HumanTask).where(col(HumanTask.case_id) == case_id, col(HumanTask.status) == TaskStatus.OPEN)
        task = session.exec(query.where(col(HumanTask.id) != decided) if decided else query).first()
        case = session.get(Case, case_id)
    return task or ("closed" if case is not None and case.closed_at is not None else None)


def drive(case_id: int) -> list[float]:
    """Decide each gate of the case as it opens; returns seconds from each decision to the next gate (or the end)."""
    samples = []
    gate = poll(partial(next_gate, case_id), timeout=600)
    while isinstance(gate, HumanTask):
        decide_one(gate)
        started = time.perf_counter()
        gate = poll(partial(next_gate, case_id, gate.id), timeout=600)
        samples.append(time.perf_counter() - started)
    return samples


def load(first: int, cases: int, pids: list[int]) -> tuple[int, float, float, list[float]]:
    """Run `cases` new cases through every gate at once; (gates, seconds, CPU-seconds, round trips)."""
    cpu_before, started = cpu_seconds(tree(pids)), time.perf_counter()
    with Session(get_engine()) as session:
        ids = [
            start_case(session=session, programme="resettlement-nl", case_file=referral(first + n), actor="cw.amal").id
            or 0
            for n in range(cases)
        ]
    with ThreadPoolExecutor(cases) as people:
        samples = [s for case in people.map(drive, ids) for s in case]
    return len(samples), time.perf_counter() - started, cpu_seconds(tree(pids)) - cpu_before, samples


def workers_polling(count: int, since: float) -> bool:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        workers = client.read_workers_for_work_pool(work_pool_name=get_settings().work_pool)
    beats = [w.last_heartbeat_time.timestamp() for w in workers if w.last_heartbeat_time is not None]
    return sum(beat >= since for beat in beats) >= count


@contextmanager
def production(settings: Settings) -> Iterator[list[int]]:
    """Prefect server (on PostgreSQL), the deployments and the reconciler; yields their pids."""
    with stack.prefect_server(settings) as server:
        deploy = [sys.executable, "-m", "passage.cli", "deploy"]
        subprocess.run(deploy, env=stack.child_env(settings), check=True, capture_output=True, timeout=300)
        with stack.passage_process("reconciler", settings, "reconciler") as reconciler:
            yield [server.pid, reconciler.pid]


def measure(settings: Settings, workers: int, first: int, cases: int, base: list[int]) -> Run:
    with ExitStack() as running:
        since = time.time()
        pids = [
            running.enter_context(stack.passage_process("worker", settings, f"worker-{workers}-{n}")).pid
            for n in range(workers)
        ]
        poll(lambda: workers_polling(workers, since), timeout=180, every=0.5)
        gates, seconds, cpu, samples = load(first, cases, [*base, *pids])
    return Run(workers, gates, seconds, cpu, samples)


def report(runs: list[Run], cases: int) -> None:
    print(f"\nGate throughput by number of workers ({os.cpu_count()} cores; Prefect server and app database on")
    print(f"PostgreSQL; {cases} resettlement cases at once, every gate decided as it opens)\n")
    print("| workers | gates | gates/s | round trip p50 | p95 | CPU-s per gate (Prefect server, workers, reconciler) |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        p95 = statistics.quantiles(run.samples, n=20)[18]
        print(
            f"| {run.workers} | {run.gates} | {run.gates / run.seconds:.2f} | {statistics.median(run.samples):.2f} s"
            f" | {p95:.2f} s | {run.cpu / run.gates:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--cases", type=int, default=8, help="cases run at once for each number of workers")
    args = parser.parse_args()
    with fresh_database("bench_prefect") as prefect_db, fresh_database("bench_app") as app_db:
        os.environ["PASSAGE_PREFECT_DATABASE_URL"] = url(prefect_db, "asyncpg")
        os.environ["PASSAGE_DATABASE_URL"] = url(app_db, "psycopg")
        get_settings.cache_clear()
        get_engine.cache_clear()
        settings = get_settings()
        seed_staff()
        runs = []
        with production(settings) as base:
            for n, workers in enumerate(args.workers):
                runs.append(measure(settings, workers, n * args.cases, args.cases, base))
        get_engine().dispose()
    report(runs, args.cases)


if __name__ == "__main__":
    main()
