"""The import page: upload, every row checked with its errors, nothing opened until confirmed, then a summary."""

from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from models import AuditEvent, Case, Person
from passage.core.tabular import to_xlsx
from passage.services.cases import open_case
from passage.services.importing import FileFormat, import_template, template_rows
from tests.services.test_duplicates import transfer
from tests.ui.conftest import OpenApp, assert_clean
from ui.export import XLSX

IMPORT = "pages/import_cases.py"
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "unhcr_referrals.csv"
WRONG = SAMPLE.read_bytes().replace(b"Huda Sample,SY", b"Huda Sample,Syria")


def cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def button(at: AppTest, label: str) -> Button:
    (found,) = [b for b in at.button if b.label == label]
    return found


def test_a_file_with_a_wrong_row_is_previewed_and_only_the_valid_cases_open_on_confirmation(
    db: Session, app: OpenApp
) -> None:
    at = app("cw.amal", page=IMPORT)
    assert_clean(at)
    assert at.selectbox[0].options == ["Resettlement to the Netherlands", "Family reunification"]
    at.file_uploader[0].upload("referrals.csv", WRONG, "text/csv").run()
    assert_clean(at)
    assert [m.value for m in at.metric] == ["4", "3", "2", "1"]
    errors = at.dataframe[0].value
    assert errors.values.tolist() == [[4, "nationality", "String should have at most 2 characters"]]
    assert cases(db) == 0  # nothing written before the confirmation
    button(at, "Open 2 valid case(s)").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["2 case(s) opened; their flows start shortly: RST-00001, RST-00002"]
    assert cases(db) == 2
    assert not at.file_uploader[0].value  # a fresh uploader: the same file is not opened twice by accident


def test_an_unreadable_file_is_one_error_and_nothing_to_confirm(db: Session, app: OpenApp) -> None:
    at = app("cw.amal", page=IMPORT)
    at.file_uploader[0].upload("referrals.csv", b"", "text/csv").run()
    assert_clean(at)
    assert at.dataframe[0].value.values.tolist() == [
        ["", "", "the file is empty: expected a header row and at least one row of data"]
    ]
    assert button(at, "Open 0 valid case(s)").disabled


def test_someone_who_opens_no_cases_is_told_the_page_is_not_for_them(db: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=IMPORT)
    assert_clean(at)
    assert not at.main.file_uploader and len(at.warning) == 1


def test_likely_duplicates_are_listed_and_opening_waits_for_their_confirmation(db: Session, app: OpenApp) -> None:
    rania = {"full_name": "RANIA EXAMPLE", "nationality": "SY", "birth_date": "1985-04-12", "is_principal": True}
    open_case(session=db, programme="afghan-transfer", case_file=transfer(rania), actor="cw.amal")
    at = app("cw.amal", page=IMPORT)
    at.file_uploader[0].upload("referrals.csv", SAMPLE.read_bytes(), "text/csv").run()
    assert_clean(at)
    assert len(at.warning) == 1
    assert at.dataframe[1].value.values.tolist() == [
        [
            "2, 3",
            "Rania Example",
            "RANIA EXAMPLE",
            date(1985, 4, 12),
            "AFG-00001 · Transfer of at-risk Afghan nationals",
            "new",
        ]
    ]
    assert button(at, "Open 3 valid case(s)").disabled
    at.checkbox[0].check().run()
    button(at, "Open 3 valid case(s)").click().run()
    assert_clean(at)
    assert cases(db) == 4
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "case.opened_despite_duplicates")).all()) == 1


def test_the_page_says_how_it_read_a_windows_1252_file_and_offers_each_programmes_templates(
    db: Session, app: OpenApp
) -> None:
    at = app("cw.amal", page=IMPORT)
    labels = [b.proto.label for b in at.download_button]
    assert labels == ["Template (Excel)", "Template (CSV)"]
    assert [b.proto.disabled for b in at.download_button] == [False, False]
    dutch = SAMPLE.read_text(encoding="utf-8").replace("Rania Example", "Chloë Daniëlle").replace(",", ";")
    dutch = dutch.replace("women_and_children_at_risk;unaccompanied_minor", "women_and_children_at_risk")
    at.file_uploader[0].upload("referrals.csv", dutch.encode("cp1252"), "text/csv").run()
    assert_clean(at)
    assert "Read as CSV: Windows-1252 (Excel's 'CSV' in Western Europe), separated by ';'." in [
        c.value for c in at.caption
    ]
    assert [m.value for m in at.metric] == ["4", "3", "3", "0"]
    button(at, "Open 3 valid case(s)").click().run()
    assert cases(db) == 3
    assert db.exec(select(Person.full_name).where(Person.full_name == "Chloë Daniëlle")).one() == "Chloë Daniëlle"


def test_a_workbook_is_said_to_be_read_from_its_first_sheet_and_an_empty_template_is_one_clear_error(
    db: Session, app: OpenApp
) -> None:
    at = app("cw.amal", page=IMPORT)
    example = to_xlsx({"example": template_rows("resettlement-nl")})
    at.file_uploader[0].upload("example.xlsx", example, XLSX).run()
    assert_clean(at)
    assert "Read as an Excel workbook (its first sheet)." in [c.value for c in at.caption]
    assert [m.value for m in at.metric] == ["3", "1", "1", "0"]
    template = import_template(programme="resettlement-nl", file_format=FileFormat.XLSX)
    at.file_uploader[0].upload("template.xlsx", template, XLSX).run()
    assert_clean(at)
    assert at.dataframe[0].value.values.tolist() == [
        ["", "", "the file has a header row but no data: add one row per person below the header"]
    ]
