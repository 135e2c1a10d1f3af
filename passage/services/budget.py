"""Programme budgets in whole euros: a yearly ceiling per budget, spent by a guarded UPDATE.

A programme declares its `Budget` (key, label, default ceiling) in its own module; operators may
override the ceiling with `PASSAGE_BUDGETS='{"<key>": <euros>}'`. Spending shares the quota
counters' table (one row per budget and year), so two approvals cannot overspend together.
"""

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col

from models import QuotaUsage, Reservation
from passage.core.errors import BudgetExceeded
from passage.core.settings import get_settings
from passage.services.quota import counter, lock_open_case

PREFIX = "budget-"  # keeps budget rows apart from the persons quotas in the shared table


@dataclass(frozen=True)
class Budget:
    key: str
    label: str
    yearly_euros: int

    @property
    def limit(self) -> int:
        return get_settings().budgets.get(self.key, self.yearly_euros)


class BudgetLine(BaseModel):
    key: str
    label: str
    year: int
    limit: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.limit - self.spent


def _row(session: Session, budget: Budget, year: int) -> QuotaUsage:
    return counter(session=session, key=PREFIX + budget.key, period=str(year), limit=budget.limit)


def check(*, session: Session, budget: Budget, year: int, euros: int) -> BudgetLine:
    """The budget's state for `year`; raises BudgetExceeded when `euros` do not fit."""
    row = _row(session, budget, year)
    line = BudgetLine(key=budget.key, label=budget.label, year=year, limit=row.limit, spent=row.used)
    if line.remaining < euros:
        raise BudgetExceeded(
            "{label} {year} has €{remaining} of €{limit} left; this case needs €{euros}",
            label=budget.label,
            year=year,
            remaining=line.remaining,
            limit=row.limit,
            euros=euros,
        )
    return line


def spend(*, session: Session, budget: Budget, year: int, euros: int, case_id: int | None = None) -> BudgetLine:
    """Take `euros` from the budget of `year`, or raise BudgetExceeded (the caller commits).

    With `case_id`, the euros are written down as the case's (a closed case is refused): a withdrawal gives
    them back (quota.release).
    """
    if case_id is not None:
        lock_open_case(session=session, case_id=case_id)
    line = check(session=session, budget=budget, year=year, euros=euros)
    taken = session.execute(
        update(QuotaUsage)
        .where(
            col(QuotaUsage.rule) == PREFIX + budget.key,
            col(QuotaUsage.period) == str(year),
            col(QuotaUsage.used) + euros <= col(QuotaUsage.limit),
        )
        .values(used=col(QuotaUsage.used) + euros)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise BudgetExceeded("{label} {year} was spent by another approval just now", label=budget.label, year=year)
    if case_id is not None:
        session.add(Reservation(case_id=case_id, rule=PREFIX + budget.key, period=str(year), amount=euros))
    return line.model_copy(update={"spent": line.spent + euros})
