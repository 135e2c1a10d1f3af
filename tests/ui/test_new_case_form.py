"""The New case page's form: built from the programme's case file model, filled in, refused field by field,
warned of likely duplicates, in English and Dutch."""

import json
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Element, Node

from models import AuditEvent
from passage.core.i18n import catalog
from passage.programme.registry import all_programmes
from passage.services.users import set_language
from tests.factories import new_case, referral
from tests.ui.conftest import OpenApp, assert_clean
from tests.ui.test_new_case import NEW_CASE, errors, stored
from ui.intake_fields import are_countries, choices, is_country, is_model, item_type, label, option_label, unwrap
from ui.text import plain

RESETTLEMENT, FAMILY = all_programmes()["resettlement-nl"], all_programmes()["family-reunification"]
PRINCIPAL = {"full_name": "Rami Haddad", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True}
CHILD = {"full_name": "ليلى حداد", "nationality": "SY", "birth_date": "2016-05-01", "is_principal": False}


def key(slug: str, path: str, generation: int = 0) -> str:
    """A widget's key on the form: the programme, the form's generation (a new one after each case), the field."""
    return f"form-{slug}-{generation}-{path}"


def form(user: str, app: OpenApp, slug: str) -> AppTest:
    at = app(user, page=NEW_CASE)
    at.selectbox(key="new-case-programme").set_value(slug).run()
    assert_clean(at)
    return at


def rows(at: AppTest, table: str, people: list[dict[str, Any]]) -> None:
    """The table's rows as a person adds them in the browser (AppTest edits a table through its state)."""
    at.session_state[table] = {"edited_rows": {}, "added_rows": people, "deleted_rows": []}


def fill_referral(at: AppTest, unhcr_ref: str, people: list[dict[str, Any]]) -> None:
    at.text_input(key=key(RESETTLEMENT.slug, "unhcr_ref")).set_value(unhcr_ref)
    at.selectbox(key=key(RESETTLEMENT.slug, "country_of_asylum")).set_value("LB")
    at.number_input(key=key(RESETTLEMENT.slug, "quota_year")).set_value(2026)
    rows(at, key(RESETTLEMENT.slug, "persons"), people)


def open_case(at: AppTest) -> AppTest:
    at.button(key="open-case-form").click().run()
    assert_clean(at)
    return at


def in_order(node: Node) -> list[Element]:
    """The page's elements top to bottom, inside their containers."""
    if isinstance(node, Block):
        return [element for index in sorted(node.children) for element in in_order(node.children[index])]
    return [node]


def next_after(at: AppTest, widget_key: str) -> Element:
    elements = in_order(at.main)
    index = next(i for i, element in enumerate(elements) if getattr(element, "key", None) == widget_key)
    return elements[index + 1]


def test_a_case_worker_opens_a_resettlement_case_with_the_form(db: Session, app: OpenApp) -> None:
    at = form("cw.amal", app, RESETTLEMENT.slug)
    assert at.text_input(key=key(RESETTLEMENT.slug, "unhcr_ref")).value == ""  # it starts empty
    country = at.selectbox(key=key(RESETTLEMENT.slug, "country_of_asylum"))
    assert (country.label, country.value, "Lebanon" in country.options) == ("Country of asylum", None, True)
    fill_referral(at, "LEB-26-00F001", [PRINCIPAL, CHILD])
    at.multiselect(key=key(RESETTLEMENT.slug, "vulnerabilities")).select("women_and_children_at_risk")
    open_case(at)
    assert errors(at) == []
    [(case, names)] = stored()
    case_file = {
        "unhcr_ref": "LEB-26-00F001",
        "country_of_asylum": "LB",
        "quota_year": 2026,
        "persons": [PRINCIPAL, CHILD],
        "vulnerabilities": ["women_and_children_at_risk"],
    }
    assert case.data == RESETTLEMENT.intake.model_validate(case_file).model_dump(mode="json")
    assert (case.opened_by, names) == ("cw.amal", ["Rami Haddad", "ليلى حداد"])
    assert [s.value for s in at.success][0].startswith(f"Case `{case.ref}` opened: Rami Haddad (+1), LEB-26-00F001;")
    assert at.text_input(key=key(RESETTLEMENT.slug, "unhcr_ref", generation=1)).value == ""  # the next case


def test_a_family_reunification_case_has_its_sponsor_as_a_group_and_its_members_as_a_table(
    db: Session, app: OpenApp
) -> None:
    slug = FAMILY.slug
    at = form("cw.amal", app, slug)
    # The sponsor is the case's principal (the family's one person on their own): no principal tick anywhere.
    assert key(slug, "sponsor.is_principal") not in [checkbox.key for checkbox in at.checkbox]
    [members] = [table for table in at.data_editor if table.key == key(slug, "members")]
    columns = ["full_name", "nationality", "birth_date", "relationship", "country_of_stay", "dna_requested"]
    assert list(members.value.columns) == columns
    at.text_input(key=key(slug, "ind_ref")).set_value("IND-FR-2026-0900")
    at.text_input(key=key(slug, "sponsor.full_name")).set_value("Yonas Tesfaye")
    at.selectbox(key=key(slug, "sponsor.nationality")).set_value("ER")
    at.date_input(key=key(slug, "sponsor.birth_date")).set_value(date(1986, 5, 14))
    at.text_input(key=key(slug, "sponsor.municipality")).set_value("Utrecht")
    member = {"full_name": "Selam Yonas", "nationality": "ER", "birth_date": "2011-03-02", "relationship": "child"}
    rows(at, key(slug, "members"), [{**member, "country_of_stay": "ET", "dna_requested": True}])
    open_case(at)
    assert errors(at) == []
    [(case, names)] = stored()
    assert case.data["sponsor"] == {
        "full_name": "Yonas Tesfaye",
        "nationality": "ER",
        "birth_date": "1986-05-14",
        "is_principal": False,
        "municipality": "Utrecht",
    }
    assert case.data["members"] == [{**member, "is_principal": False, "country_of_stay": "ET", "dna_requested": True}]
    assert (case.flags, names) == (["dna_requested"], ["Yonas Tesfaye", "Selam Yonas"])


def test_wrong_fields_are_shown_under_them_and_nothing_is_stored_until_they_are_right(
    db: Session, app: OpenApp
) -> None:
    at = form("cw.amal", app, RESETTLEMENT.slug)
    unhcr_ref, persons = key(RESETTLEMENT.slug, "unhcr_ref"), key(RESETTLEMENT.slug, "persons")
    unborn = {**CHILD, "birth_date": (date.today() + timedelta(days=30)).isoformat()}
    fill_referral(at, "leb 26", [{**PRINCIPAL, "is_principal": False}, unborn])
    open_case(at)
    pattern = "String should match pattern '^[A-Z0-9][A-Z0-9-]{3,29}$'"
    assert next_after(at, unhcr_ref).value == plain(pattern)  # right under its field
    assert next_after(at, persons).value == "Row 2, Birth date: a birth date must lie between 1900 and today"
    assert errors(at)[-1] == "The case was not opened; correct the fields marked above and submit again."
    assert stored() == []
    assert at.text_input(key=unhcr_ref).value == "leb 26"  # what was typed is kept

    at.text_input(key=unhcr_ref).set_value("LEB-26-00F002")
    rows(at, persons, [{**PRINCIPAL, "is_principal": False}, CHILD])
    open_case(at)  # the rows are valid, but none is the principal: the rule across them, under the table
    assert next_after(at, persons).value == "exactly one person must be the principal applicant"
    assert stored() == []

    rows(at, persons, [PRINCIPAL, CHILD])
    open_case(at)
    assert errors(at) == []
    assert [case.ref for case, _names in stored()] == ["RST-00001"]


def test_likely_duplicates_are_shown_before_the_case_is_opened_and_opened_anyway_on_request(
    db: Session, app: OpenApp
) -> None:
    new_case(session=db)  # RST-00001: محمد الأحمد, born 1984-03-02
    at = form("cw.amal", app, RESETTLEMENT.slug)
    same = {"full_name": "محمد الأحمد", "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True}
    fill_referral(at, "LEB-26-00F003", [same])
    open_case(at)
    [warning] = [w.value for w in at.warning]
    match = "- محمد الأحمد looks like محمد الأحمد, born 2 Mar 1984, of case RST-00001"
    assert f"{match} (Resettlement to the Netherlands, new)" in warning.splitlines()
    assert len(stored()) == 1
    assert at.button(key="duplicate-0").label == "Go to case RST-00001"

    at.button(key="open-anyway").click().run()
    assert_clean(at)
    assert sorted(case.ref for case, _names in stored()) == ["RST-00001", "RST-00002"]
    assert at.success[0].value.startswith("Case `RST-00002` opened")
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.action == "case.opened_despite_duplicates")).all()
    assert actions == ["case.opened_despite_duplicates"]


def test_a_referral_already_opened_is_named_with_a_way_to_its_case(db: Session, app: OpenApp) -> None:
    new_case(session=db, unhcr_ref="LEB-26-00F004")  # RST-00001
    at = form("cw.amal", app, RESETTLEMENT.slug)
    fill_referral(at, "LEB-26-00F004", [PRINCIPAL])
    open_case(at)
    [error] = errors(at)
    assert "RST-00001" in error
    assert len(stored()) == 1
    at.button(key="existing-case").click().run()
    assert_clean(at)
    assert at.query_params["case"] == "RST-00001"

    # The same case file again (a double click, a second tab) is that same case, said so.
    same = app("cw.amal", page=NEW_CASE)
    same.text_area(key=f"case-file-{RESETTLEMENT.slug}").set_value(json.dumps(referral(unhcr_ref="LEB-26-00F004")))
    same.button(key="open-case").click().run()
    assert [i.value for i in same.info][0].startswith("This case file opened case `RST-00001` before")
    assert len(stored()) == 1


def test_a_dutch_case_worker_fills_in_the_form_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="cw.amal", language="nl")
    at = form("cw.amal", app, FAMILY.slug)
    assert at.text_input(key=key(FAMILY.slug, "ind_ref")).label == "IND-nummer"
    nationality = at.selectbox(key=key(FAMILY.slug, "sponsor.nationality"))
    assert (nationality.label, "Eritrea" in nationality.options, "Syrië" in nationality.options) == (
        "Nationaliteit",
        True,
        True,
    )
    birth = at.date_input(key=key(FAMILY.slug, "sponsor.birth_date"))
    assert (birth.label, birth.proto.format) == ("Geboortedatum", "DD-MM-YYYY")
    assert at.button(key="fill-example").label == "Vul het voorbeeld in"
    at.button(key="fill-example").click().run()
    assert at.text_input(key=key(FAMILY.slug, "ind_ref", generation=1)).value == "IND-FR-2026-0311"
    at.text_input(key=key(FAMILY.slug, "ind_ref", generation=1)).set_value("ind?")
    open_case(at)
    assert "De tekst heeft niet de verwachte vorm" in next_after(at, key(FAMILY.slug, "ind_ref", 1)).value
    assert errors(at)[-1].startswith("Het dossier is niet geopend")
    assert stored() == []


def form_texts(model: type[BaseModel]) -> set[str]:
    """The English texts a form of `model` shows: labels, help and choices, of nested models too."""
    texts = set()
    for name, field in model.model_fields.items():
        texts.add(label(name))
        if field.description and not is_country(field):
            texts.add(field.description)
        annotation = unwrap(field.annotation)
        item = item_type(annotation)
        options = choices(item if item is not None else annotation)
        if options and not are_countries(options):
            texts |= {option_label(option) for option in options}
        texts |= {text for nested in (annotation, item) if is_model(nested) for text in form_texts(nested)}
    return texts


def test_every_programme_s_form_reads_dutch() -> None:
    texts = {text for programme in all_programmes().values() for text in form_texts(programme.intake)}
    assert len(texts) > 50  # the walk finds the fields of every programme
    assert sorted(text for text in texts if text not in catalog("nl")) == []
