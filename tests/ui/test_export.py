"""Export from the pages: a CSV and an Excel button under each list, disabled when the list is empty."""

from sqlmodel import Session

from tests.factories import new_case
from tests.ui.conftest import OpenApp, assert_clean


def test_the_cases_list_has_export_buttons_once_there_are_cases(db: Session, app: OpenApp) -> None:
    empty = app("pm.anna", page="pages/cases.py")
    assert_clean(empty)
    assert [button.proto.disabled for button in empty.download_button] == [True, True]
    new_case(session=db)
    listed = app("pm.anna", page="pages/cases.py")
    assert_clean(listed)
    csv_button, xlsx_button = listed.download_button
    assert (csv_button.proto.label, xlsx_button.proto.label) == ("Export CSV", "Export Excel")
    assert not csv_button.proto.disabled and not xlsx_button.proto.disabled
