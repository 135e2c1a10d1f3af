"""Budget tasks for flows: what a budget has left, and spending from it once per case."""

from pydantic import BaseModel
from sqlmodel import Session

from models import Case
from passage.core.db import session_scope
from passage.core.errors import BudgetExceeded
from passage.services import budget as budgets
from passage.services import cases, steps
from passage.services.access import SYSTEM
from passage.services.budget import Budget
from tasks.base import durable_task
from tasks.case import CaseInfo


class Spent(BaseModel):
    """A budget step's result: paid, or refused with the reason."""

    ok: bool
    euros: int = 0
    reason: str = ""


def _left(budget: Budget, year: int) -> int:
    with session_scope() as session:
        line = budgets.check(session=session, budget=budget, year=year, euros=0)
        session.commit()
        return line.remaining


def _spend(case: CaseInfo, budget: Budget, key: str, title: str, year: int, euros: int) -> Spent:
    def action(session: Session, row: Case) -> dict[str, object]:
        try:
            line = budgets.spend(session=session, budget=budget, year=year, euros=euros, case_id=row.id)
        except BudgetExceeded as exc:
            return Spent(ok=False, reason=str(exc)).model_dump()
        note = f"€{euros} from {budget.label} {year}; €{line.remaining} left"
        return Spent(ok=True, euros=euros, reason=note).model_dump()

    with session_scope() as session:
        row = cases.get_case(session=session, ref=case.ref, actor=SYSTEM)
        cases.set_current_step(session=session, case_id=case.id, step=key)
        data = steps.run_once(session=session, case=row, step=key, title=title, action=action)
    return Spent.model_validate(data)


budget_left = durable_task(_left, name="budget-left")
"""Euros left in `budget` for `year` (read-only; shown to the person who approves a cost)."""

spend_once = durable_task(_spend, name="budget-spend")
"""Spend `euros` for `case` once, recorded as step `key`; a refusal is recorded the same way."""
