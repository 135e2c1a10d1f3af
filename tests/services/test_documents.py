"""A case's documents: the states its case file and its decisions record, the latest per step, on its page."""

from typing import Any

from sqlmodel import Session

from models import Role
from passage.programme.registry import get_programme
from passage.services.cases import open_case
from passage.services.decisions import decide
from passage.services.timeline import case_view
from tests.factories import FORMS, new_case, open_gate

TRAVEL = {"step": "travel-documents", "title": "Travel documents and exit permits", "form_type": "travel-documents"}


def documents(db: Session, ref: str) -> list[tuple[str, str, str, str]]:
    view = case_view(session=db, ref=ref, actor="pm.anna")
    return [(d.document, d.state.value, d.reference, d.step) for d in view.documents]


def decide_travel(db: Session, case_id: int, data: dict[str, Any]) -> None:
    task = open_gate(session=db, case_id=case_id, role=Role.CASE_WORKER, **TRAVEL)
    decide(session=db, task_id=task, actor="cw.pieter", approve=True, comment="noted", data=data, deliver=False)


def test_a_new_case_has_no_documents_recorded(db: Session) -> None:
    new_case(session=db)
    assert documents(db, "RST-00001") == []


def test_travel_documents_show_what_is_in_hand_and_what_is_still_to_obtain(db: Session) -> None:
    case_id = new_case(session=db)
    decide_travel(db, case_id, FORMS["travel-documents"])  # laissez-passer and exit permits, LP-7
    assert documents(db, "RST-00001") == [
        ("laissez_passer", "in hand", "LP-7", TRAVEL["title"]),
        ("exit_permits", "in hand", "LP-7", TRAVEL["title"]),
        ("transit_visas", "to obtain", "LP-7", TRAVEL["title"]),
    ]


def test_the_case_file_records_the_applicants_travel_document(db: Session) -> None:
    example = get_programme("third-country").examples[0].case_file
    case = open_case(
        session=db, programme="third-country", case_file={**example, "travel_document": "obtainable"}, actor="cw.amal"
    )
    assert documents(db, case.ref) == [("travel_document", "to obtain", "", "Case opened")]
