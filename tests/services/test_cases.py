"""Opening cases: validated case files, persons stored exactly, nothing half-written."""

import pytest
from sqlmodel import Session, select

from models import Case, Person
from passage.services.cases import open_case
from passage.services.errors import FormInvalid, NotFound
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
