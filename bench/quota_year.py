"""The whole national quota year: 500 resettlement cases, every gate decided by a script.

    make bench-quota                 # or: .venv/bin/python -m bench.quota_year --cases 500

One more referral than the quota holds is sent, so the year ends with the quota full and one
referral refused. Every decision goes through the service layer (`decide`), as from the inbox,
by the staff member of the gate's role; the stack is the embedded default.
"""

import argparse
import json
import os
import resource
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from functools import partial

from sqlmodel import Session, col, func, select

from bench.common import cpu_seconds, embedded_stack, table, tree
from models import AuditEvent, Case, CaseStatus, Decision, HumanTask, Role, TaskStatus
from passage.core import prefect_bridge
from passage.core.db import get_engine
from passage.core.errors import PassageError
from passage.core.settings import get_settings
from passage.services.decisions import decide
from passage.services.delivery import start_case
from tests.factories import DECIDERS, FORMS

YEAR = 2091  # a year of its own: the national quota (500) applies, no sub-quota


def referral(n: int) -> dict[str, object]:
    return {
        "unhcr_ref": f"QY-{n:06d}",
        "country_of_asylum": "LB",
        "quota_year": YEAR,
        "persons": [{"full_name": f"Quota Person {n}", "nationality": "AF", "is_principal": True}],
        "vulnerabilities": ["medical_needs"] if n % 10 == 0 else [],  # every tenth case adds the escort gate
    }


YEAR_TIMEOUT = 3600  # seconds: a year that takes longer is a failure, not a figure
LOOK_EVERY = 0.1  # seconds between two looks for tasks that opened

# A second person of the role, for gates that need two approvals (a plan with a medical escort).
SECOND = {Role.PROGRAMME_MANAGER: "pm.joost"}


def decide_one(task: HumanTask) -> bool:
    """Approve `task` with its step's usual form; False when someone (or something) got there first."""
    step = task.step.rsplit("-", 1)[0] if task.step[-1].isdigit() else task.step
    for actor in (DECIDERS[task.role], SECOND.get(task.role)):
        try:
            with Session(get_engine()) as session:
                decide(session=session, task_id=task.id or 0, actor=actor or "", approve=True, data=FORMS[step])
            return True
        except PassageError:
            continue  # already approved by this person (N-of-M), or decided meanwhile
    return False


def open_tasks() -> list[HumanTask]:
    with Session(get_engine()) as session:
        return list(session.exec(select(HumanTask).where(col(HumanTask.status) == TaskStatus.OPEN)).all())


def count(model: type[Case] | type[AuditEvent] | type[Decision], *where: object) -> int:
    with Session(get_engine()) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def _hand_back(handed_out: set[int], task_id: int, _decided: Future[bool]) -> None:
    """Done with a task, whatever came of it: if it is still open (its first of two approvals, or a database
    busy past its timeout), the next look hands it out again."""
    handed_out.discard(task_id)


def send_referrals(cases: int) -> float:
    """Open every referral's case and start its flow run, as UNHCR's referrals come in; returns the seconds."""
    started = time.perf_counter()
    with Session(get_engine()) as session:
        for n in range(cases + 1):
            start_case(session=session, programme="resettlement-nl", case_file=referral(n), actor="cw.amal")
    return time.perf_counter() - started


def run_year(cases: int, deciders: int) -> tuple[float, float]:
    """Send the referrals and decide every gate as it opens; returns the seconds it took and those of sending.

    The referrals arrive while the staff decide: the first cases move on while the last are still sent.
    Each open task goes to the deciders once, as soon as it is seen: one slow decision (a resume that
    meets a busy server) holds up its own decider, not the others' next tasks.
    """
    started = time.perf_counter()
    handed_out: set[int] = set()
    deadline = time.monotonic() + YEAR_TIMEOUT
    with ThreadPoolExecutor(1) as sender, ThreadPoolExecutor(deciders) as pool:
        sent = sender.submit(send_referrals, cases)
        while not sent.done() or count(Case, col(Case.closed_at).is_(None)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"cases still open after {YEAR_TIMEOUT} s")
            for task in open_tasks():
                if task.id not in handed_out:
                    handed_out.add(task.id or 0)
                    pool.submit(decide_one, task).add_done_callback(partial(_hand_back, handed_out, task.id or 0))
            time.sleep(LOOK_EVERY)
        return time.perf_counter() - started, sent.result()


def own_cpu() -> float:
    """CPU seconds of this process (the script: its sender and deciders)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500, help="the quota; one more referral is sent")
    parser.add_argument("--deciders", type=int, default=4, help="people deciding at the same time")
    args = parser.parse_args()
    # The national quota is the number of cases asked for, so the one extra referral is refused.
    os.environ["PASSAGE_QUOTAS"] = json.dumps([{"key": "national", "label": "National quota", "limit": args.cases}])
    get_settings.cache_clear()
    with embedded_stack() as pids:
        server_before, cpu_before, own_before = cpu_seconds(pids[:1]), cpu_seconds(tree(pids)), own_cpu()
        seconds, sending = run_year(args.cases, args.deciders)
        gates = count(Decision)
        cpu, server = cpu_seconds(tree(pids)) - cpu_before, cpu_seconds(pids[:1]) - server_before
        deciding = own_cpu() - own_before
        task_runs = prefect_bridge.task_run_count()
    closed = count(Case, col(Case.status) == CaseStatus.CLOSED)
    refused = count(Case, col(Case.status) == CaseStatus.REFUSED)
    recovered = count(AuditEvent, col(AuditEvent.action) == "run.recovered")
    table(
        f"Passage quota year benchmark ({date.today():%Y-%m-%d})",
        [
            ("referrals sent / arrived / refused (quota full)", f"{args.cases + 1} / {closed} / {refused}"),
            ("gates decided through the service layer", str(gates)),
            ("total time, referrals to the last arrival", f"{seconds / 60:.1f} min"),
            ("of which sending the referrals (cases opened, runs created)", f"{sending / 60:.1f} min"),
            ("wall time per gate", f"{seconds / gates * 1000:.0f} ms"),
            ("stack CPU per gate (server, worker, flow runs)", f"{cpu / gates * 1000:.0f} ms"),
            ("of which the Prefect server", f"{server / gates * 1000:.0f} ms"),
            ("the script's own CPU per gate (sending, deciding)", f"{deciding / gates * 1000:.0f} ms"),
            ("Prefect task runs per gate (replays included)", f"{task_runs / gates:.1f}"),
            ("flow runs brought back after a crash", str(recovered)),
        ],
    )


if __name__ == "__main__":
    main()
