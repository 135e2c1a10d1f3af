"""Programme budgets: spent once per euro, refused with the reason, ceilings overridable by settings."""

import pytest
from sqlmodel import Session

from passage.core.errors import BudgetExceeded
from passage.core.settings import get_settings
from passage.services import budget
from passage.services.budget import Budget

TRAVEL = Budget("test-travel", "Test travel budget", 1000)


def test_spending_counts_per_year_and_refuses_past_the_ceiling(db: Session) -> None:
    assert budget.spend(session=db, budget=TRAVEL, year=2026, euros=700).remaining == 300
    with pytest.raises(BudgetExceeded, match=r"Test travel budget 2026 has €300 of €1000 left; this case needs €400"):
        budget.spend(session=db, budget=TRAVEL, year=2026, euros=400)
    assert budget.check(session=db, budget=TRAVEL, year=2027, euros=1000).spent == 0


def test_operators_override_a_ceiling(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSAGE_BUDGETS", '{"test-travel": 50}')
    get_settings.cache_clear()
    with pytest.raises(BudgetExceeded, match="has €50 of €50 left"):
        budget.check(session=db, budget=TRAVEL, year=2026, euros=60)
