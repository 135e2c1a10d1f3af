"""Finding a case: by name in any script and spelling, by reference, filtered, paged, only where one may look."""

import importlib.util
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from models import Case, CaseStatus, Person, Role
from passage.core import schema
from passage.core.errors import FormInvalid, NotFound
from passage.core.search_keys import name_keys, ref_key
from passage.programme.registry import get_programme
from passage.services import case_matching, privacy
from passage.services.case_search import index_case, search_cases
from passage.services.cases import attach_run, close_case, open_case, set_current_step
from passage.services.decisions import decide
from tests.factories import open_gate, referral

MIGRATION = Path(schema.MIGRATIONS) / "versions" / "0008_case_search.py"


def person(name: str, *, principal: bool = False, born: str | None = None) -> dict[str, Any]:
    return {"full_name": name, "nationality": "SY", "birth_date": born, "is_principal": principal}


def referral_of(ref: str, *names: str) -> dict[str, Any]:
    """A referral whose first name is the principal's (no birth dates: no duplicate warnings)."""
    persons = [person(name, principal=n == 0) for n, name in enumerate(names)]
    return referral(unhcr_ref=ref, persons=persons)


def opened(db: Session, ref: str, *names: str) -> str:
    return open_case(session=db, programme="resettlement-nl", case_file=referral_of(ref, *names), actor="cw.amal").ref


def case_id(db: Session, ref: str) -> int:
    return db.exec(select(Case.id).where(Case.ref == ref)).one() or 0


def found(db: Session, query: str | None = None, actor: str = "pm.anna", **filters: Any) -> list[str]:
    return [row.ref for row in search_cases(session=db, actor=actor, text=query, **filters).rows]


@pytest.fixture(params=["from the keys", "walking the cases"])
def either_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of building a page (few keys match, many do) must give the same rows."""
    monkeypatch.setattr(case_matching, "by_keys", lambda **_: request.param == "from the keys")
    monkeypatch.setattr(case_matching, "MIN_WINDOW", 2)  # a walk of several windows


@pytest.fixture
def families(db: Session) -> dict[str, str]:
    return {
        "syrian": opened(db, "LEB-24-000101", "محمد الأحمد", "زینب احمدی"),
        "latin": opened(db, "JOR-24-000202", "Muhammad Al-Khatib", "José Müller"),
        "dari": opened(db, "TUR-24-000303", "رحیم کریمی"),
        "other": opened(db, "LEB-24-000404", "Omar Khalil", "Hana Khalil"),
    }


NAMES = {
    "محمد": ["latin", "syrian"],  # as typed, and Muhammad by its skeleton
    "Mohammed": ["latin", "syrian"],
    "mUHAMMAD": ["latin", "syrian"],
    "مُحَمَّد": ["latin", "syrian"],  # harakat ignored
    "Mohammed Al-Ahmad": ["syrian"],  # every word must match; the article is no word of its own
    "محمد الخطيب": ["latin"],
    "moham": ["latin", "syrian"],  # the start of a word, in any script
    "muh": ["latin"],  # too short to be sounded out: as typed only
    "Zainab Ahmadi": ["syrian"],  # Dari, in Latin
    "زينب": ["syrian"],  # the Arabic yeh for the Persian one
    "Rahim Karimi": ["dari"],
    "jose muller": ["latin"],  # diacritics
    "MÜLLER": ["latin"],
    "Khalil": ["other"],
    "Omar Karimi": [],  # two words of two cases
    "Ali": [],  # not the article of Al-Ahmad
    "Fatima": [],
}
REFERENCES = {
    "LEB-24-000101": ["syrian"],  # the UNHCR number
    "leb 24 000101": ["syrian"],
    "LEB-24": ["other", "syrian"],  # the start of one
    "RST-00003": ["dari"],  # the case's own
    "rst-0000": ["other", "dari", "latin", "syrian"],
    "XYZ-1": [],
}


@pytest.mark.parametrize("table", [NAMES, REFERENCES], ids=["names", "references"])
def test_a_case_is_found_by_a_name_in_any_script_and_spelling_or_a_reference(
    db: Session, either_way: None, families: dict[str, str], table: dict[str, list[str]]
) -> None:
    assert {query: found(db, query) for query in table} == {
        query: [families[name] for name in expected] for query, expected in table.items()
    }


def test_a_decisions_reference_makes_the_case_findable(db: Session, families: dict[str, str]) -> None:
    task = open_gate(
        session=db,
        case_id=case_id(db, families["dari"]),
        step="ind-decision",
        form_type="ind-decision",
        role=Role.CASE_WORKER,
    )
    data = {"ind_reference": "IND-2026-4242", "decided_on": "2026-01-02"}
    decide(session=db, task_id=task, actor="cw.pieter", approve=True, data=data, deliver=False)
    assert found(db, "ind-2026-4242") == [families["dari"]]


def test_an_exact_reference_comes_before_newer_name_hits(db: Session, either_way: None) -> None:
    older = opened(db, "KHALIL", "Sara Haddad")
    newer = [opened(db, f"LEB-24-00050{n}", "Omar Khalil") for n in range(3)]
    assert found(db, "Khalil") == [older, *reversed(newer)]
    page = search_cases(session=db, actor="pm.anna", text="khalil", page=2, page_size=2)
    assert ([row.ref for row in page.rows], page.has_more) == ([newer[1], newer[0]], False)


def test_pages_follow_each_other_newest_first(db: Session, either_way: None) -> None:
    refs = [opened(db, f"LEB-24-00060{n}", "Layla Nasser") for n in range(5)]
    pages = [search_cases(session=db, actor="cw.amal", text="Nasser", page=n, page_size=2) for n in (1, 2, 3)]
    assert [[row.ref for row in p.rows] for p in pages] == [refs[4:2:-1], refs[2:0:-1], refs[:1]]
    assert [p.has_more for p in pages] == [True, True, False]
    assert found(db, page=4, page_size=2) == []
    assert [row.ref for row in search_cases(session=db, actor="cw.amal", page_size=3).rows] == refs[4:1:-1]


def test_filters_by_programme_status_and_step(db: Session, families: dict[str, str]) -> None:
    syrian = db.exec(select(Case).where(Case.ref == families["syrian"])).one()
    attach_run(session=db, case_id=syrian.id or 0, flow_run_id="run-1")
    set_current_step(session=db, case_id=syrian.id or 0, step="fit-to-travel")
    close_case(
        session=db,
        case_id=case_id(db, families["other"]),
        status=CaseStatus.REJECTED,
        outcome="IND did not accept",
    )
    assert found(db, "Mohammed", status="active") == [families["syrian"]]
    assert found(db, status=CaseStatus.REJECTED) == [families["other"]]
    assert found(db, step="fit-to-travel") == [families["syrian"]]
    assert found(db, "Mohammed", programme="afghan-transfer") == []
    assert len(found(db, programme="resettlement-nl")) == 4


def test_another_programmes_cases_never_appear(db: Session, families: dict[str, str]) -> None:
    transfer = get_programme("afghan-transfer").examples[0].case_file
    afghan = open_case(session=db, programme="afghan-transfer", case_file=transfer, actor="cw.amal").ref
    assert found(db, actor="cw.other") == [afghan]
    for query in (families["syrian"], "LEB-24-000101", "Mohammed", "rst"):
        assert found(db, query, actor="cw.other") == []
    assert found(db, "نوری", actor="cw.other") == [afghan]
    assert found(db, actor="admin") == []  # an administrator sees no case data


def test_a_pseudonymised_case_is_found_by_its_references_only(db: Session, families: dict[str, str]) -> None:
    case = db.exec(select(Case).where(Case.ref == families["syrian"])).one()
    close_case(session=db, case_id=case.id or 0, status=CaseStatus.CLOSED, outcome="arrived")
    case.closed_at = case.closed_at and case.closed_at - timedelta(days=10_000)
    db.commit()
    assert privacy.pseudonymise_due(session=db) == [families["syrian"]]
    assert found(db, "Zainab") == []
    assert found(db, "Ahmad") == []
    assert found(db, "LEB-24-000101") == [families["syrian"]]
    keys = db.execute(text("SELECT key FROM case_search_key WHERE case_id = :id"), {"id": case.id}).scalars()
    assert all(key.startswith("r:") for key in keys)


def test_a_renamed_person_is_found_by_the_new_name_once_indexed(db: Session, families: dict[str, str]) -> None:
    dari = case_id(db, families["dari"])
    person = db.exec(select(Person).where(Person.case_id == dari)).one()
    person.full_name = "Rahim Nazari"
    index_case(session=db, case_id=dari)
    db.commit()
    assert (found(db, "Karimi"), found(db, "Nazari")) == ([], [families["dari"]])


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"page": 0}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"status": "lost"}, "status"),
        ({"text": "x" * 201}, "text"),
    ],
)
def test_nonsense_is_refused_by_field(db: Session, filters: dict[str, Any], field: str) -> None:
    with pytest.raises(FormInvalid) as refused:
        search_cases(session=db, actor="pm.anna", **filters)
    assert list(refused.value.fields) == [field]


def test_an_unknown_programme_or_user_is_refused(db: Session) -> None:
    with pytest.raises(NotFound, match="unknown programme 'nowhere'"):
        search_cases(session=db, actor="pm.anna", programme="nowhere")
    with pytest.raises(NotFound):
        search_cases(session=db, actor="nobody", text="x")


def migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("revision_0008", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["محمد الأحمد", "Muhammad Al-Khatib", "زینب احمدی", "José Müller", "Ali el Sayed"])
def test_the_migration_derives_the_keys_the_code_derives(name: str) -> None:
    revision = migration()
    assert revision._name_keys(name) == name_keys(name)
    assert revision._ref_key("LEB-24-000101") == {ref_key("LEB-24-000101")}


@pytest.fixture
def before_search(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    schema.upgrade(url, "0007")
    yield url


def test_the_migration_indexes_the_cases_already_recorded(before_search: str) -> None:
    engine = create_engine(before_search, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                """INSERT INTO "case" (id, programme, title, ref, uid, status, data, flags, opened_by, created_at)
                   VALUES (1, 'resettlement-nl', 'محمد الأحمد', 'RST-00001', 'u1', 'active',
                           '{"unhcr_ref": "LEB-24-000101"}', '[]', 'cw.amal', '2026-01-05 10:00:00+00:00')"""
            )
        )
        connection.execute(
            text(
                "INSERT INTO person (case_id, full_name, nationality, is_principal) VALUES (1, 'محمد الأحمد', 'SY', 1)"
            )
        )
    schema.upgrade(before_search)
    with engine.connect() as connection:
        keys = set(connection.execute(text("SELECT key FROM case_search_key WHERE case_id = 1")).scalars())
    assert keys == {ref_key("RST-00001"), ref_key("LEB-24-000101"), *name_keys("محمد الأحمد")}
