"""The flow-runtime helpers a programme's flow body calls: load the case, open gates, do steps, finish.

    from tasks import CaseInfo, CaseOutcome, finish, gate, load_case, step

Gate and step mechanics live here once; what a gate *is* (its form, its role) is declared with
`passage.programme`.
"""

from tasks.budget import budget_left, spend_once
from tasks.case import CaseInfo, CaseOutcome, finish, load_case
from tasks.gate import agreed, gate
from tasks.steps import Done, record, step

__all__ = [
    "CaseInfo",
    "CaseOutcome",
    "Done",
    "budget_left",
    "finish",
    "agreed",
    "gate",
    "load_case",
    "record",
    "spend_once",
    "step",
]
