"""Print the Reliability table from the figures the fault tests wrote (`make reliability`)."""

import json
import sys
from pathlib import Path
from typing import Any

FAULTS = {
    "test_decisions_taken_while_prefect_is_down_are_delivered_once_when_it_is_back": (
        "Prefect server killed (SIGKILL) with cases parked at a gate; decisions taken while it is down"
    ),
    "test_a_burst_of_decisions_is_absorbed_and_every_case_moves_on": (
        "Burst: every gate of every case approved at once, three gates per case"
    ),
    "test_a_flow_process_killed_in_a_step_is_brought_back_and_the_step_happens_once": (
        "A flow run's process killed (SIGKILL) in the middle of a step"
    ),
    "test_a_decision_while_the_database_is_locked_is_all_or_nothing": (
        "App database locked while a decision is taken, then free"
    ),
    "test_a_notifier_down_for_an_hour_delays_messages_and_loses_none": "Notifier down for an hour (simulated clock)",
}
COLUMNS = ("cases", "decisions", "messages", "lost", "duplicates", "seconds")


def rows(figures: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["| fault | " + " | ".join(COLUMNS) + " | also measured |", "|---" * (len(COLUMNS) + 2) + "|"]
    for test, label in FAULTS.items():
        values = figures.get(test)
        if values is None:
            continue
        cells = [str(values.get(column, "")) for column in COLUMNS]
        extra = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in values.items() if key not in COLUMNS)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {extra} |")
    return lines


def main(path: str) -> None:
    figures = json.loads(Path(path).read_text())
    sys.stdout.write("\n".join(rows(figures)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
