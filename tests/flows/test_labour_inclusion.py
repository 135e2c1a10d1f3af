"""LEARN activities from plan to publication, and the periodic report to the funder that counts them."""

from datetime import date
from functools import partial
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from flows.funder_report import FunderReport
from flows.labour_inclusion_forms import ActivityHeld
from models import CaseStatus
from tests.flows.driver import closed, decide_at, start

TODAY = date.today().isoformat()
FORMS: dict[str, dict[str, Any]] = {
    "plan": {"expected_participants": 30},
    "held": {"held_on": TODAY, "employers": 6, "educators": 4, "municipalities": 3, "permit_holders": 12},
    "good-practices": {"practices": 3, "themes": ["dual_learning", "mentoring"]},
    "recommendations": {"document_ref": "LEARN-REC-1"},
    "szw-sign-off": {"szw_reference": "SZW-2026-118"},
    "report-narrative": {"narrative": "Two sessions with employers in logistics and care; on track."},
    "report-approval": {},
    "report-sent": {"sent_on": TODAY, "funder_reference": "AMIF-LEARN-Q3"},
}
decide = partial(decide_at, forms=FORMS)
SESSION = {
    "project": "learn",
    "kind": "network_session",
    "topic": "Work-study programmes in logistics",
    "planned_on": TODAY,
    "location": "Utrecht",
    "groups": ["employers", "educators", "municipalities", "permit_holders"],
}


def test_an_activity_held_needs_its_participants_and_a_report_its_period() -> None:
    with pytest.raises(ValidationError, match="record the participants"):
        ActivityHeld(approved=True, decided_by="cw.pieter", held_on=date.today())
    ActivityHeld(approved=False, comment="cancelled: storm", decided_by="cw.pieter", held_on=date.today())
    with pytest.raises(ValidationError, match="ends before it starts"):
        FunderReport(period_from=date(2026, 7, 1), period_to=date(2026, 6, 30))


def test_session_to_publication_then_the_funder_report_counts_it(db: Session, runner: int) -> None:
    case = start(SESSION, programme="labour-inclusion")
    case_id = case.id or 0
    for step in ("plan", "held", "good-practices", "recommendations"):
        decide(case_id, step)
    decide(case_id, "szw-sign-off", approve=False, comment="add a policy recommendation", actor="cw.amal")
    draft = decide(case_id, "recommendations-2", document_ref="LEARN-REC-2")
    sign_off = decide(case_id, "szw-sign-off-2", actor="cw.amal")  # four-eyes: not the drafter
    ended = closed(case_id)
    assert ended.status == CaseStatus.CLOSED
    assert (
        ended.outcome
        == f"held {TODAY} with 25 participants; LEARN-REC-2 signed off by SZW (SZW-2026-118) and published"
    )
    assert sign_off.requested_by == "cw.pieter" and draft.context == {
        "practices": 3,
        "themes": ["dual_learning", "mentoring"],
        "summary": "",
    }

    report = start({"period_from": TODAY, "period_to": TODAY}, programme="funder-report")
    report_id = report.id or 0
    decide(report_id, "report-narrative")
    decide(report_id, "report-approval", approve=False, comment="mention the permit holders' feedback")
    decide(report_id, "report-narrative-2", narrative="Two sessions; permit holders asked for more mentoring.")
    approval = decide(report_id, "report-approval-2")
    decide(report_id, "report-sent")
    sent = closed(report_id)
    assert (sent.status, sent.outcome) == (CaseStatus.CLOSED, f"sent {TODAY}: 1 activities, 25 participants")
    figures = {"activities": 1, "good_practices": 3}
    assert approval.context | figures == approval.context and approval.context["participants"]["permit_holders"] == 12


def test_plan_not_approved_ends_the_activity(db: Session, runner: int) -> None:
    case = start(SESSION, programme="labour-inclusion")
    decide(case.id or 0, "plan", approve=False, comment="overlaps the municipalities' conference")
    ended = closed(case.id or 0)
    assert (ended.status, ended.outcome) == (
        CaseStatus.REJECTED,
        "plan not approved: overlaps the municipalities' conference",
    )
