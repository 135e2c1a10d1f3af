"""Duplicates: one case per external reference, the same file twice is one case, likely duplicates shown first."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, func, select

from models import AuditEvent, Case
from passage.core.db import get_engine
from passage.core.errors import DuplicateCase, LikelyDuplicates
from passage.services.cases import open_case, open_case_file
from passage.services.duplicates import DuplicateMatch
from tests.factories import referral

# The principal of the factory's referral (محمد الأحمد, 1984-03-02), as an embassy in Pakistan writes him.
LATIN_TWIN = {"full_name": "Mohammed Al-Ahmad", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True}
SAME_BIRTHDAY = {"full_name": "Omar Khalil", "nationality": "SY", "birth_date": "1984-03-02"}


def transfer(*persons: dict[str, Any]) -> dict[str, Any]:
    return {"embassy_ref": "ISB-2026-0042", "transit_country": "PK", "persons": list(persons)}


def cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def test_the_same_reference_with_other_data_is_refused_naming_the_case(db: Session) -> None:
    open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    other = referral(persons=[{**SAME_BIRTHDAY, "is_principal": True}])
    with pytest.raises(DuplicateCase) as refused:
        open_case(session=db, programme="resettlement-nl", case_file=other, actor="cw.pieter")
    assert refused.value.existing == "RST-00001"
    assert str(refused.value) == "LEB-24-000101 is already case RST-00001, with other data: a referral is opened once"
    assert cases(db) == 1


def test_the_same_file_again_is_the_same_case(db: Session) -> None:
    first = open_case_file(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    again = open_case_file(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.pieter")
    assert (first.new, again.new, again.case.ref) == (True, False, "RST-00001")
    # A programme without a partner number: the same person's repeated submission is recognised by its content.
    application = {"persons": [SAME_BIRTHDAY | {"is_principal": True}], "country_of_return": "SY", "language": "ar"}
    opened = [
        open_case_file(session=db, programme="voluntary-return", case_file=application, actor="cw.amal")
        for _ in range(2)
    ]
    assert [(o.case.ref, o.new) for o in opened] == [("AVR-00002", True), ("AVR-00002", False)]
    assert cases(db) == 2


def test_a_person_known_in_another_script_and_programme_is_a_likely_duplicate(db: Session) -> None:
    open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    with pytest.raises(LikelyDuplicates) as warned:
        open_case(
            session=db, programme="afghan-transfer", case_file=transfer(LATIN_TWIN, SAME_BIRTHDAY), actor="cw.amal"
        )
    assert warned.value.matches == [
        DuplicateMatch(
            new_name="Mohammed Al-Ahmad",
            case_ref="RST-00001",
            programme="resettlement-nl",
            status="new",
            name="محمد الأحمد",
            birth_date=date(1984, 3, 2),
        )
    ]
    assert cases(db) == 1
    # Someone with no role in resettlement is not shown its people: the case opens.
    unseen = open_case(session=db, programme="afghan-transfer", case_file=transfer(LATIN_TWIN), actor="cw.other")
    assert unseen.ref == "AFG-00002"


def test_opening_anyway_is_audited_by_case_ref_without_names(db: Session) -> None:
    open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    case = open_case(
        session=db, programme="afghan-transfer", case_file=transfer(LATIN_TWIN), actor="cw.amal", open_anyway=True
    )
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "case.opened_despite_duplicates")).one()
    assert (event.actor, event.case_id, event.detail) == (
        "cw.amal",
        case.id,
        {"ref": case.ref, "duplicates": ["RST-00001"]},
    )


def open_at(start: threading.Barrier) -> tuple[str, bool]:
    """Open the factory's referral in a session of its own, at the same moment as the other thread."""
    with Session(get_engine()) as session:
        session.connection()  # connected before the barrier: the race is the opening, not the connecting
        start.wait(timeout=60)
        opening = open_case_file(session=session, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
        return opening.case.ref, opening.new


def test_two_sessions_opening_the_same_referral_at_once_open_one_case(pg_db: Session) -> None:
    """Threads, not processes: each session has its own connection, and the database decides the race."""
    start = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [future.result(timeout=120) for future in [pool.submit(open_at, start) for _ in range(2)]]
    assert sorted(outcomes) == [("RST-00001", False), ("RST-00001", True)]
    assert cases(pg_db) == 1
