"""Export to CSV from the pages: one button under each list, disabled when the list is empty."""

from sqlmodel import Session

from tests.factories import new_case
from tests.ui.conftest import OpenApp, assert_clean


def test_the_cases_list_has_an_export_button_once_there_are_cases(db: Session, app: OpenApp) -> None:
    empty = app("pm.anna", page="pages/cases.py")
    assert_clean(empty)
    assert empty.download_button[0].proto.disabled
    new_case(session=db)
    listed = app("pm.anna", page="pages/cases.py")
    (button,) = listed.download_button
    assert button.proto.label == "Export CSV" and not button.proto.disabled
