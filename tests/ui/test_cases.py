"""The cases page: the list, and one case with its persons and who decided what."""

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from models import Role
from passage.core.i18n import catalog
from passage.programme import DocumentState
from passage.services.decisions import decide
from tests.factories import FORMS, new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown
from ui import case_search
from ui.i18n import isolated

CASES = "pages/cases.py"
PRINCIPAL = {"nationality": "SY", "is_principal": True}
TRAVEL = {
    "step": "travel-documents",
    "form_type": "travel-documents",
    "title": "Travel documents and exit permits",
    "role": Role.CASE_WORKER,
}
IND = {
    "step": "ind-decision",
    "form_type": "ind-decision",
    "title": "IND decision",
    "role": Role.CASE_WORKER,
    "requested_by": "system",
}


def test_the_case_page_shows_the_family_and_who_decided_what(db: Session, app: OpenApp) -> None:
    case_id = new_case(session=db)
    accept = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=accept, actor="pm.anna", approve=True, comment="referral complete", deliver=False)
    ind = open_gate(
        session=db,
        case_id=case_id,
        step="ind-decision",
        form_type="ind-decision",
        title="IND decision",
        role=Role.CASE_WORKER,
        requested_by="system",
    )
    form = FORMS["ind-decision"]
    decide(session=db, task_id=ind, actor="cw.pieter", approve=False, comment="IND refused", data=form, deliver=False)
    at = app("mo.sara", page=CASES)
    assert_clean(at)
    # The list's row: reference, title (its Arabic name isolated), status and step (its title), a button that opens it.
    row = at.button(key="case-RST-00001")
    assert row.label == f"`RST-00001` **{isolated('محمد الأحمد (+1), LEB-24-000101')}** — new · Record IND decision"
    row.click().run()
    assert_clean(at)
    assert at.query_params["case"] == "RST-00001"
    assert [t.value for t in at.title] == [isolated("محمد الأحمد (+1), LEB-24-000101")]
    persons, timeline, trail = (d.value for d in at.dataframe)
    assert persons["name"].tolist() == ["محمد الأحمد", "زینب احمدی"]  # exactly as stored
    assert list(zip(timeline["what"], timeline["who"], timeline["note"], strict=True)) == [
        ("Case opened", "cw.amal", ""),
        ("Accept for selection mission", "cw.amal", timeline["note"][1]),
        ("Accept for selection mission: approved", "pm.anna", "referral complete"),
        ("IND decision", "system", timeline["note"][3]),
        ("IND decision: rejected", "cw.pieter", "IND refused"),
    ]
    assert timeline["note"][1].startswith("for programme manager, due ")
    assert ("mo.sara", "case.viewed") in list(zip(trail["who"], trail["what"], strict=True))
    assert "Documents: none recorded yet." in [c.value for c in at.caption]


def test_the_case_page_shows_each_documents_state(db: Session, app: OpenApp) -> None:
    case_id = new_case(session=db)
    task = open_gate(session=db, case_id=case_id, **TRAVEL)
    decide(session=db, task_id=task, actor="cw.pieter", approve=True, data=FORMS["travel-documents"], deliver=False)
    at = app("pm.anna", page=CASES, case="RST-00001")
    assert_clean(at)
    documents = at.dataframe[1].value
    assert list(zip(documents["document"], documents["state"], documents["reference"], strict=True)) == [
        ("laissez passer", "in hand", "LP-7"),
        ("exit permits", "in hand", "LP-7"),
        ("transit visas", "to obtain", "LP-7"),
    ]
    assert set(documents["recorded at"]) == {TRAVEL["title"]}


def test_every_document_state_reads_in_dutch() -> None:
    assert all(catalog("nl").get(state.value) for state in DocumentState)


def test_a_link_to_an_unknown_case_says_so(db: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=CASES, case="RST-09999")
    assert_clean(at)
    assert [e.value for e in at.error] == ["no case 'RST-09999'"]


def test_the_case_page_shows_where_the_case_waits_and_how_long_each_step_took(db: Session, app: OpenApp) -> None:
    case_id = new_case(session=db)
    accept = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=accept, actor="pm.anna", approve=True, deliver=False)
    open_gate(session=db, case_id=case_id, **IND)
    at = app("pm.joost", page=CASES, case="RST-00001")
    assert_clean(at)
    [waiting] = [w.value for w in at.warning]
    assert waiting.startswith("Waiting at: **IND decision** for ")
    [process] = [m for m in markdown(at) if m.startswith(":green[✔]")]
    lines = [line.split(" · ")[0] for line in process.split("  \n")]
    assert lines[:3] == [
        ":green[✔] Accept for selection mission — approved",
        ":orange[▶] IND decision",
        ":gray[○] Health assessment: fit to travel",
    ]
    assert lines[-1] == ":gray[○] Arrival and hand-over to COA"
    timeline = at.dataframe[1].value
    decided = timeline[timeline["what"] == "Accept for selection mission: approved"]
    assert decided["took"].tolist() == ["0 s"]  # decided straight after it opened


def listed(at: AppTest) -> list[str]:
    """The keys of the case list's rows (`case-RST-00001`), in order."""
    return [key for b in at.button if (key := b.key or "").startswith("case-")]


def test_the_search_box_finds_a_case_by_a_name_in_another_script_and_keeps_it(db: Session, app: OpenApp) -> None:
    new_case(session=db)  # محمد الأحمد
    new_case(session=db, unhcr_ref="TUR-24-000002", persons=[{**PRINCIPAL, "full_name": "Omar Khalil"}])
    at = app("cw.amal", page=CASES)
    assert listed(at) == ["case-RST-00002", "case-RST-00001"]
    at.text_input(key="cases-text").input("Mohammed al-Ahmad").run()
    assert_clean(at)
    assert listed(at) == ["case-RST-00001"]
    at.button(key="case-RST-00001").click().run()
    assert at.query_params["case"] == "RST-00001"
    at.button(key="back").click().run()  # back to the list: the search is still there
    assert (at.text_input(key="cases-text").value, listed(at)) == (
        "Mohammed al-Ahmad",
        ["case-RST-00001"],
    )
    at.text_input(key="cases-text").input("Fatima").run()
    assert [c.value for c in at.caption][-1:] == ["No case found."]


def test_the_cases_come_a_page_at_a_time(db: Session, app: OpenApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_search, "PAGE_SIZE", 2)
    for n in range(3):
        new_case(session=db, unhcr_ref=f"TUR-24-00000{n}", persons=[{**PRINCIPAL, "full_name": f"Layla Nasser {n}"}])
    at = app("pm.anna", page=CASES)

    assert (listed(at), at.button(key="cases-next").label) == (["case-RST-00003", "case-RST-00002"], "Next page")
    at.button(key="cases-next").click().run()
    assert_clean(at)
    assert (listed(at), [c.value for c in at.caption][-1]) == (["case-RST-00001"], "Page 2")
    assert "cases-next" not in [b.key for b in at.button]
    at.selectbox(key="cases-status").set_value("new").run()  # a new choice: page 1 again
    assert listed(at) == ["case-RST-00003", "case-RST-00002"]
