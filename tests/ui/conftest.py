"""Page tests: ui/app.py under AppTest, on the test's own database, with Prefect unreachable."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.offline import cut_off_prefect

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"

OpenApp = Callable[..., AppTest]


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def assert_clean(at: AppTest) -> None:
    """No traceback on the page, and no stray `None` that Streamlit's magic prints for a bare expression."""
    assert not at.exception, [e.value for e in at.exception]
    assert "`None`" not in markdown(at)


@pytest.fixture
def app(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApp]:
    """`app(user, page=..., **query)`: the inbox as `user` (the demo picker's `as`), after one run."""
    cut_off_prefect(monkeypatch)
    # st.cache_resource lives as long as the process: without this, the engine of an earlier
    # test's database would serve this test's pages.
    st.cache_resource.clear()

    def open_as(user: str, *, page: str | None = None, **query: str) -> AppTest:
        # A generous timeout: the first run imports Prefect and the flows, on a busy machine.
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update({"as": user, **query})
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    yield open_as
    st.cache_resource.clear()
