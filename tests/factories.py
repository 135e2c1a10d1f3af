"""Test data: staff for every role and valid case files (all contact data on example.org)."""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, func, select

from models import Case, Role
from passage.demo.seed import USERS, seed_users
from passage.services.users import Grant, UserCreate

OUTSIDER = UserCreate(
    username="cw.other",
    full_name="Case worker of another programme",
    email="cw.other@example.org",
    grants=[Grant(role=Role.CASE_WORKER, programme="afghan-transfer")],
)


def seed_staff(*, session: Session) -> None:
    """The demo staff and an outsider, all with the demo password (PASSAGE_DEMO_PASSWORD)."""
    seed_users(session=session, users=[*USERS, OUTSIDER])


def referral(**overrides: Any) -> dict[str, Any]:
    """A valid UNHCR referral for a family of two; keyword arguments replace fields."""
    case = {
        "unhcr_ref": "LEB-24-000101",
        "country_of_asylum": "LB",
        "quota_year": date.today().year,
        "persons": [
            {"full_name": "محمد الأحمد", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True},
            {"full_name": "زینب احمدی", "nationality": "SY", "birth_date": "2012-07-01"},
        ],
        "vulnerabilities": [],
    }
    case.update(overrides)
    return case


# A booked flight's date: a week ahead, not today, because the forms are built once per test process and a
# run that passes midnight must still book it.
DEPARTURE = (date.today() + timedelta(days=7)).isoformat()

FORMS: dict[str, dict[str, Any]] = {
    "accept-for-selection": {"priority": "normal"},
    "ind-decision": {"ind_reference": "IND-2026-42", "decided_on": date.today().isoformat()},
    "fit-to-travel": {"fitness": "fit", "needs": []},
    "orientation": {"attended_on": date.today().isoformat()},
    "travel-documents": {"laissez_passer": True, "exit_permits": True, "document_reference": "LP-7"},
    "escort": {"escort_kind": "medical", "escort_reference": "ESC-1"},
    "movement-plan": {"flight": "KL566", "departure_on": DEPARTURE, "travel_group": "G-12"},
    "movement-plan-approval": {},
    "pre-embarkation": {},
    "arrival": {"arrived_on": date.today().isoformat(), "reception_location": "COA Ter Apel"},
}

DECIDERS = {
    Role.PROGRAMME_MANAGER: "pm.anna",
    Role.CASE_WORKER: "cw.pieter",
    Role.MEDICAL_OFFICER: "mo.sara",
    Role.MOVEMENT_OFFICER: "mv.tom",
}


def open_gate(*, session: Session, case_id: int, step: str = "accept-for-selection", **overrides: Any) -> int:
    """A human task as a gate records it, for tests of the services without a flow."""
    from datetime import timedelta
    from uuid import uuid4

    from models.common import utcnow
    from passage.services.human_tasks import TaskRequest, open_task

    fields: dict[str, Any] = {
        "case_id": case_id,
        "programme": "resettlement-nl",
        "step": step,
        "title": "Accept for selection mission",
        "form_type": "accept-for-selection",
        "role": Role.PROGRAMME_MANAGER,
        "flow_run_id": str(uuid4()),
        "requested_by": "cw.amal",
        "due_at": utcnow() + timedelta(days=5),
    }
    fields.update(overrides)
    return open_task(session=session, request=TaskRequest(**fields)).id or 0


def new_case(*, session: Session, **overrides: Any) -> int:
    """A case of the factory's family; a test's later cases are the same family under references of their own
    (the first keeps LEB-24-000101), opened although they are likely duplicates of the first."""
    from passage.services.cases import open_case

    if "unhcr_ref" not in overrides:
        overrides["unhcr_ref"] = f"LEB-24-{101 + session.exec(select(func.count()).select_from(Case)).one():06d}"
    case_file = referral(**overrides)
    case = open_case(
        session=session, programme="resettlement-nl", case_file=case_file, actor="cw.amal", open_anyway=True
    )
    return case.id or 0
