"""Inbox render benchmark: the inbox's first page with 100,000 open tasks, in Chromium (SQLite).

    make bench-render        # or: .venv/bin/python -m bench.inbox_render --tasks 100000 --runs 10

Seeds the open tasks in bulk (bench.reminders' seeding: ten open gates on each of 10,000 cases, all
for the programme managers, so pm.anna's inbox holds every one), starts `passage up` on that database
and logs in as pm.anna in Chromium. Each run goes from the Cases page to the inbox by its link in the
sidebar and times the click to the task list shown in full (every row of the first page, each a
button that opens its task). Then the server's part alone: the inbox page's script run under AppTest. Prints one table.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.reminders import HOME, populate  # first: points Passage at a throwaway home
from models import Role
from passage.core.db import get_engine, init_db
from passage.services import auth
from tests.e2e.harness import LiveStack, chromium, passage_up
from tests.e2e.pages import Inbox

APP = Path(__file__).resolve().parent.parent / "ui" / "app.py"
USER = "pm.anna"


def seed(tasks: int) -> None:
    from sqlmodel import Session

    init_db()
    with Session(get_engine()) as session:
        # Ten gates per case, as in the programmes: the inbox offers its steps to filter on.
        populate(session, tasks, people=1, roles=[Role.PROGRAMME_MANAGER], cases=max(1, tasks // 10))


def browser_runs(live: LiveStack, runs: int) -> list[float]:
    """Seconds from the click on "Inbox" (on the Cases page) to the whole first page of tasks shown."""
    seconds = []
    with chromium() as browser:
        inbox = Inbox(browser.new_page(viewport={"width": 1400, "height": 900}), live.url)
        inbox.log_in(USER, live.password)
        inbox.shows_inbox()
        inbox.task_list_shown()  # the first run of the app imports everything: not timed
        for _ in range(runs):
            inbox.go("Cases")
            inbox.heading("Cases").wait_for()
            inbox.settled()
            started = time.perf_counter()
            inbox.go("Inbox")
            inbox.task_list_shown()
            seconds.append(time.perf_counter() - started)
            inbox.settled()
    return seconds


def server_runs(password: str, runs: int) -> list[float]:
    """Seconds of the inbox page's script run (queries and widgets, no browser), under AppTest."""
    from sqlmodel import Session
    from streamlit.testing.v1 import AppTest

    from ui.state import sign_in

    with Session(get_engine()) as session:
        ticket = auth.login(session=session, username=USER, password=password, source="bench")
    at = AppTest.from_file(str(APP), default_timeout=300)
    state: dict[str, object] = {}
    sign_in(ticket, state)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()  # warm: imports and the engine
    return [timed(at.run) for _ in range(runs)]


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(measure: str, values: list[float]) -> str:
    p50, p95 = statistics.median(values), percentile(values, 0.95)
    return f"| {measure} (n={len(values)}) | {p50:.2f} s | {p95:.2f} s | {max(values):.2f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    seed(args.tasks)
    with passage_up(HOME) as live:
        in_browser = browser_runs(live, args.runs)
        on_server = server_runs(live.password, args.runs)
    print(f"\nInbox render benchmark ({os.cpu_count()} cores; SQLite; {args.tasks:,} open tasks, all {USER}'s)\n")
    print("| measure | p50 | p95 | max |\n|---|---|---|---|")
    print(row("click on Inbox → first page of tasks shown, Chromium", in_browser))
    print(row("inbox page script run on the server (AppTest)", on_server))


if __name__ == "__main__":
    main()
