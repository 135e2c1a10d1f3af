"""Diaspora assignments (CD4D): physical with security and travel, online without, rejections."""

from datetime import date
from functools import partial
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from flows.diaspora_forms import DiasporaAssignment
from models import CaseStatus, HumanTask
from tests.factories import DEPARTURE
from tests.flows.driver import closed, decide_at, start

TODAY = date.today().isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "match": {"terms_of_reference": "CD4D-TOR-31", "start_on": TODAY},
    "institution-agreement": {"agreement_reference": "MOH-SO-2026-4"},
    "security-clearance": {"risk_level": "medium"},
    "travel": {"flight": "TK674", "departure_on": DEPARTURE},
    "completed": {"completed_on": TODAY, "final_report": "CD4D-FR-31"},
}
decide = partial(decide_at, forms=FORMS)


def assignment(**overrides: Any) -> dict[str, Any]:
    case = {
        "expert": {"full_name": "Dr. Hodan Ali", "nationality": "NL", "birth_date": "1978-09-12"},
        "country": "SO",
        "institution": "Ministry of Health, Mogadishu",
        "sector": "health",
        "mode": "physical",
        "weeks": 6,
    }
    return {**case, **overrides}


def steps_of(db: Session, case_id: int) -> list[str]:
    return [t.step for t in db.exec(select(HumanTask).where(HumanTask.case_id == case_id))]


def test_only_the_four_countries_of_cd4d() -> None:
    with pytest.raises(ValidationError, match="country"):
        DiasporaAssignment.model_validate(assignment(country="ET"))


def test_physical_assignment_with_clearance_and_travel(db: Session, runner: int) -> None:
    case = start(assignment(), programme="diaspora")
    for step in ("match", "institution-agreement", "security-clearance", "travel", "completed"):
        decide(case.id or 0, step)
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.CLOSED,
        f"physical assignment at Ministry of Health, Mogadishu (SO, health) completed {TODAY}, report CD4D-FR-31",
    )


def test_online_assignment_needs_no_clearance_or_travel(db: Session, runner: int) -> None:
    online = assignment(country="NG", institution="University of Lagos", sector="education", mode="online")
    case = start(online, programme="diaspora")
    for step in ("match", "institution-agreement", "completed"):
        decide(case.id or 0, step)
    assert closed(case.id or 0).status == CaseStatus.CLOSED
    assert steps_of(db, case.id or 0) == ["match", "institution-agreement", "completed"]


def test_no_security_clearance_ends_a_physical_assignment(db: Session, runner: int) -> None:
    case = start(assignment(), programme="diaspora")
    decide(case.id or 0, "match")
    decide(case.id or 0, "institution-agreement")
    decide(case.id or 0, "security-clearance", approve=False, comment="road to the ministry closed", risk_level="high")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "no security clearance (high risk): road to the ministry closed",
    )


def test_match_not_confirmed_ends_the_assignment(db: Session, runner: int) -> None:
    case = start(assignment(), programme="diaspora")
    decide(case.id or 0, "match", approve=False, comment="the institution asked for a surgeon")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "match not confirmed: the institution asked for a surgeon",
    )
