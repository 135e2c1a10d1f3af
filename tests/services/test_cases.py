"""Opening cases: validated case files, persons stored exactly, nothing half-written."""

import pytest
from sqlmodel import Session, select

from models import Case, CaseStatus, Person
from passage.core.db import get_engine
from passage.core.errors import FormInvalid, NotFound
from passage.programme.registry import get_programme
from passage.services.cases import attach_run, close_case, open_case
from tests.factories import referral

PERSON = {"full_name": "Ali", "nationality": "SY", "is_principal": True}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unhcr_ref": ""}, "unhcr_ref"),
        ({"quota_year": "soon"}, "quota_year"),
        ({"persons": []}, "persons"),
        ({"persons": [{**PERSON, "nationality": "syria"}]}, "persons.0.nationality"),
        ({"persons": [{**PERSON, "birth_date": "2999-01-01"}]}, "persons.0.birth_date"),
        ({"persons": [{**PERSON, "full_name": "A\x00li"}]}, "persons.0.full_name"),
        ({"persons": [PERSON, PERSON]}, "persons"),
        ({"vulnerabilities": ["tall"]}, "vulnerabilities.0"),
    ],
)
def test_bad_case_file_names_the_field_and_writes_nothing(
    db: Session, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(FormInvalid) as refused:
        open_case(session=db, programme="resettlement-nl", case_file=referral(**overrides), actor="cw.amal")
    assert any(name.startswith(field) or field in reason for name, reason in refused.value.fields.items()), (
        refused.value.fields
    )
    assert db.exec(select(Case)).all() == []
    assert db.exec(select(Person)).all() == []


def test_unknown_programme_is_refused(db: Session) -> None:
    with pytest.raises(NotFound, match="unknown programme 'nowhere'"):
        open_case(session=db, programme="nowhere", case_file=referral(), actor="cw.amal")


def test_family_is_one_case_with_names_kept_exactly(db: Session) -> None:
    case = open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    names = [p.full_name for p in db.exec(select(Person).where(Person.case_id == case.id))]
    assert case.ref == "RST-00001"
    assert names == ["محمد الأحمد", "زینب احمدی"]
    assert case.title.startswith("محمد الأحمد (+1)")


def test_a_single_traveller_is_titled_by_name_alone(db: Session) -> None:
    person = referral()["persons"][0]
    case = open_case(session=db, programme="resettlement-nl", case_file=referral(persons=[person]), actor="cw.amal")
    assert case.title == "محمد الأحمد, LEB-24-000101"


def test_attaching_the_run_makes_a_new_case_active(db: Session) -> None:
    case = open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    attach_run(session=db, case_id=case.id or 0, flow_run_id="run-1")
    db.refresh(case)
    assert (case.status, case.flow_run_id) == (CaseStatus.ACTIVE, "run-1")


def test_a_run_that_closed_its_case_before_it_was_attached_leaves_it_closed(db: Session) -> None:
    """The run can finish a case while Prefect's answer to "start it" is still on its way back."""
    case = open_case(session=db, programme="resettlement-nl", case_file=referral(), actor="cw.amal")
    loaded = db.get(Case, case.id)
    assert loaded is not None and loaded.status == CaseStatus.NEW  # loaded before asking Prefect, as launch_case does
    with Session(get_engine()) as run:
        close_case(session=run, case_id=case.id or 0, status=CaseStatus.CLOSED, outcome="arrived")
    attach_run(session=db, case_id=case.id or 0, flow_run_id="run-1")
    db.refresh(case)
    assert (case.status, case.outcome, case.flow_run_id) == (CaseStatus.CLOSED, "arrived", "run-1")


def test_attaching_a_run_to_no_case_is_refused(db: Session) -> None:
    with pytest.raises(NotFound):
        attach_run(session=db, case_id=999, flow_run_id="run-1")


@pytest.mark.parametrize("programme", ["afghan-transfer", "third-country", "voluntary-return"])  # resettlement: above
def test_a_traveller_alone_is_titled_without_a_companion_count(db: Session, programme: str) -> None:
    example = dict(get_programme(programme).examples[0].case_file)
    principal = next(p for p in example["persons"] if p.get("is_principal"))
    example["persons"] = [principal]
    case = open_case(session=db, programme=programme, case_file=example, actor="cw.amal")
    assert case.title.startswith(principal["full_name"]), case.title
    assert "(+" not in case.title, case.title
