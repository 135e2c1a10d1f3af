"""How a step asked more than once is named: its key, a dash, a number (`plan-ok-2`, `dna-result-3`).

A second round of a gate, or the same gate asked once per family member, is a task of its own with its
own pause key; these two functions are the only place that builds or reads such a key.
"""


def numbered(step: str, number: int) -> str:
    """The key of `step` asked for the `number`-th time or person."""
    return f"{step}-{number}"


def split_numbered(step: str) -> tuple[str, int | None]:
    """The step a key numbers and its number: ("plan-ok", 2) for "plan-ok-2", ("plan-ok", None) for "plan-ok"."""
    base, _dash, number = step.rpartition("-")
    if base and number.isascii() and number.isdigit():  # "²" is a digit to isdigit(), not to int()
        return base, int(number)
    return step, None
