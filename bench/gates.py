"""Gate benchmark: round trip of a decision, and what cases parked at a gate cost.

    make bench-gates                 # or: .venv/bin/python -m bench.gates --round-trips 40 --parked 100 1000

Runs the embedded stack (Prefect server on SQLite, `passage serve`) in a private home and port,
drives cases through the service layer as the inbox does, and prints one table.
"""

import argparse
import statistics
import time
from functools import partial

from sqlmodel import Session, col, func, select

from bench.common import cpu_seconds, embedded_stack, flow_processes, poll, rss_mb, table, tree
from models import HumanTask, TaskStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.services.decisions import decide
from passage.services.delivery import start_case

PROGRAMME = "resettlement-nl"
STEPS = [("accept-for-selection", "ind-decision"), ("ind-decision", "fit-to-travel")]
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


def paused_at(flow_run_id: str, step: str) -> bool:
    state = prefect_bridge.run_state(flow_run_id)
    return state is not None and state.is_paused and state.pause_key == step


def round_trips(count: int, worker: int) -> tuple[list[float], list[float]]:
    """Per gate: seconds from a decision being recorded to the next gate being open, and seconds the
    run took to suspend once its gate was open (a person deciding later never waits for that)."""
    samples: list[float] = []
    tails: list[float] = []
    case_ids = start_cases(0, (count + 1) // 2)
    # Measure one decision at a time on a quiet stack: first let every case reach its first gate.
    poll(lambda: open_tasks() >= len(case_ids) or None, timeout=600, every=0.2)
    poll(lambda: flow_processes(worker) == 0 or None, timeout=120, every=0.2)
    for case_id in case_ids:
        for step, next_step in STEPS:
            task = poll(partial(open_task, case_id, step), timeout=120)
            opened = time.perf_counter()
            poll(partial(paused_at, task.flow_run_id, step), timeout=120)
            tails.append(time.perf_counter() - opened)
            actor, data = FORMS[step]
            with Session(get_engine()) as session:
                started = time.perf_counter()
                decide(session=session, task_id=task.id or 0, actor=actor, approve=True, data=data)
            poll(partial(open_task, case_id, next_step), timeout=120)
            samples.append(time.perf_counter() - started)
    return samples[:count], tails[:count]


def park(count: int, first: int, stack_pids: list[int]) -> list[tuple[str, str]]:
    """Start `count` cases, wait until each waits at its first gate, then measure what they hold."""
    before, cpu_before = open_tasks(), cpu_seconds(tree(stack_pids))
    started = time.perf_counter()
    start_cases(first, count)
    poll(lambda: open_tasks() >= before + count or None, timeout=3600, every=0.5)
    elapsed = time.perf_counter() - started
    poll(lambda: flow_processes(stack_pids[1]) == 0 or None, timeout=120, every=0.2)
    cpu = cpu_seconds(tree(stack_pids)) - cpu_before
    total = open_tasks()
    return [
        (f"{total} cases parked at a gate: flow processes held", str(flow_processes(stack_pids[1]))),
        (f"{total} cases parked: memory of the whole stack (RSS)", f"{rss_mb(tree(stack_pids)):.0f} MB"),
        (
            f"{count} more cases started and run to their first gate",
            f"{elapsed:.0f} s, {count / elapsed:.1f} cases/s, {cpu / count:.2f} CPU-s each",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round-trips", type=int, default=40)
    parser.add_argument("--parked", type=int, nargs="*", default=[100, 1000], help="cumulative counts")
    args = parser.parse_args()
    with embedded_stack() as pids:
        samples, tails = round_trips(args.round_trips, pids[1])
        quantiles = statistics.quantiles(samples, n=20)
        table(
            "Passage gate round trip",
            [
                (f"p50, decision recorded → next gate open (n={len(samples)})", f"{statistics.median(samples):.2f} s"),
                ("p95", f"{quantiles[18]:.2f} s"),
                ("max", f"{max(samples):.2f} s"),
                ("gate open → run suspended (Prefect state, p50)", f"{statistics.median(tails):.2f} s"),
            ],
        )
        rows: list[tuple[str, str]] = []
        parked = 0
        for target in args.parked:
            rows += park(target - parked, 1_000_000 + parked, pids)
            parked = target
    table("Passage cases parked at a gate", rows)


if __name__ == "__main__":
    main()
