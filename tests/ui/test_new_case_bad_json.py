"""The New case page given JSON that once broke its reader: one reason on the page, nothing stored."""

import pytest
from sqlmodel import Session

from tests.fuzz.strategies import BROKEN_JSON
from tests.ui.conftest import OpenApp
from tests.ui.test_new_case import RESETTLEMENT, errors, new_case, stored, submit


@pytest.mark.parametrize(("text", "reason"), BROKEN_JSON.values(), ids=list(BROKEN_JSON))
def test_json_that_broke_the_reader_is_one_reason_on_the_page(
    db: Session, app: OpenApp, text: str, reason: str
) -> None:
    at = submit(new_case("cw.amal", app, RESETTLEMENT.slug), RESETTLEMENT.slug, text)
    [error] = errors(at)
    assert error.startswith("The case file is not valid JSON: ") and reason in error
    assert stored() == []
