"""Gate benchmark: round trip of a decision, and what cases parked at a gate cost.

    make bench                     # the defaults below
    .venv/bin/python -m bench.gates --round-trips 40 --parked 100 1000

Runs the embedded stack (Prefect server on SQLite, `passage serve`) in a private home and port,
drives cases through the service layer as the inbox does, and prints one table.
"""

import argparse
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Before Passage (and so Prefect) is imported: a private home and port, never a running `passage up`.
HOME = Path(tempfile.mkdtemp(prefix="passage-bench-"))
os.environ["PASSAGE_HOME"] = str(HOME)
with socket.socket() as _s:
    _s.bind(("127.0.0.1", 0))
    os.environ["PASSAGE_PREFECT_PORT"] = str(_s.getsockname()[1])
for _name in ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_API_DATABASE_CONNECTION_URL", "PASSAGE_DATABASE_URL"):
    os.environ.pop(_name, None)

from sqlmodel import Session, col, func, select  # noqa: E402

from models import HumanTask, TaskStatus  # noqa: E402
from models.common import utcnow  # noqa: E402
from passage import stack  # noqa: E402
from passage.db import get_engine, init_db  # noqa: E402
from passage.demo import USERS  # noqa: E402
from passage.services.decisions import decide  # noqa: E402
from passage.services.delivery import start_case  # noqa: E402
from passage.services.users import create_user  # noqa: E402
from passage.settings import get_settings  # noqa: E402

PROGRAMME = "resettlement-nl"
FORMS = {
    "accept-for-selection": ("pm.anna", {"priority": "normal"}),
    "ind-decision": ("cw.pieter", {"ind_reference": "IND-BENCH-1", "decided_on": time.strftime("%Y-%m-%d")}),
}


def referral(n: int) -> dict[str, object]:
    return {
        "unhcr_ref": f"BEN-{n:08d}",
        "country_of_asylum": "LB",
        "quota_year": 2090,  # a year of its own, so the benchmark never meets the quota
        "persons": [{"full_name": f"Benchmark Person {n}", "nationality": "AF", "is_principal": True}],
    }


def open_task(case_id: int, step: str) -> HumanTask | None:
    with Session(get_engine()) as session:
        query = select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.step == step)
        task = session.exec(query).first()
        return task if task is not None and task.status == TaskStatus.OPEN else None


def poll(predicate: "object", timeout: float, every: float = 0.01) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():  # type: ignore[operator]
            return value
        time.sleep(every)
    raise TimeoutError(f"nothing after {timeout:.0f} s")


def start_cases(first: int, count: int) -> list[int]:
    with Session(get_engine()) as session:
        return [
            start_case(session=session, programme=PROGRAMME, case_file=referral(first + n), actor="cw.amal").id or 0
            for n in range(count)
        ]


def open_tasks() -> int:
    with Session(get_engine()) as session:
        query = select(func.count()).select_from(HumanTask).where(col(HumanTask.status) == TaskStatus.OPEN)
        return int(session.exec(query).one())


def round_trips(count: int) -> list[float]:
    """Seconds from a decision being recorded to the case's next gate being open, one case at a time."""
    samples: list[float] = []
    for case_id in start_cases(0, (count + 1) // 2):
        for step, next_step in (("accept-for-selection", "ind-decision"), ("ind-decision", "fit-to-travel")):
            task = poll(lambda c=case_id, s=step: open_task(c, s), timeout=120)
            actor, data = FORMS[step]
            with Session(get_engine()) as session:
                started = time.perf_counter()
                decide(session=session, task_id=task.id or 0, actor=actor, approve=True, data=data)  # type: ignore[attr-defined]
            poll(lambda c=case_id, s=next_step: open_task(c, s), timeout=120)
            samples.append(time.perf_counter() - started)
    return samples[:count]


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def flow_processes(worker: int) -> int:
    """Processes running a flow run: forks of the worker's forkserver."""
    count = 0
    for pid in descendants(worker):
        parent_cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"forkserver" in parent_cmd:
            count += len(descendants(pid))
    return count


def parked(count: int, first: int, stack_pids: list[int], worker: int) -> dict[str, float]:
    """Start `count` cases, wait until each waits at its first gate, then measure what they hold."""
    before = open_tasks()
    started = time.perf_counter()
    start_cases(first, count)
    poll(lambda: open_tasks() >= before + count, timeout=3600, every=0.5)
    elapsed = time.perf_counter() - started
    poll(lambda: flow_processes(worker) == 0 or None, timeout=120, every=0.2)
    pids = [p for root in stack_pids for p in (root, *descendants(root))]
    return {"cases": count, "seconds": elapsed, "processes": flow_processes(worker), "rss_mb": rss_mb(pids)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round-trips", type=int, default=40)
    parser.add_argument("--parked", type=int, nargs="*", default=[100, 1000])
    args = parser.parse_args()
    # A benchmark stopped by `timeout` or Ctrl-C still stops the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    settings = get_settings()
    init_db()
    with Session(get_engine()) as session:
        for user in USERS:
            create_user(session=session, user_create=user)
        session.commit()
    with stack.prefect_server(settings) as server:
        since = utcnow()
        with stack.flow_runner(settings) as worker:
            stack.wait_for_worker(settings, since=since)
            samples = round_trips(args.round_trips)
            rows: list[dict[str, float]] = []
            first = 1_000_000
            for count in args.parked:
                rows.append(parked(count - sum(r["cases"] for r in rows), first, [server.pid, worker.pid], worker.pid))
                first += count
    quantiles = statistics.quantiles(samples, n=20)
    print(f"\nPassage gate benchmark ({os.cpu_count()} cores; Prefect server on SQLite; one warm worker)\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| gate round trip p50 (decision → next gate open, n={len(samples)}) | {statistics.median(samples):.2f} s |")
    print(f"| gate round trip p95 | {quantiles[18]:.2f} s |")
    print(f"| gate round trip max | {max(samples):.2f} s |")
    parked_total = 0
    for row in rows:
        parked_total += int(row["cases"])
        print(
            f"| {parked_total} cases parked at a gate: flow processes held | {int(row['processes'])} |\n"
            f"| {parked_total} cases parked: memory of the whole stack (RSS) | {row['rss_mb']:.0f} MB |\n"
            f"| {parked_total} cases parked: time to start {int(row['cases'])} cases to their first gate "
            f"| {row['seconds']:.0f} s ({row['cases'] / row['seconds']:.1f} cases/s) |"
        )


if __name__ == "__main__":
    main()
