"""The case page links to its flow run in Prefect's UI, served beside Prefect's API."""

from uuid import uuid4

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from passage.core.settings import get_settings
from passage.services.cases import attach_run
from tests.factories import new_case
from tests.ui.conftest import OpenApp, assert_clean

CASES = "pages/cases.py"


def links(at: AppTest) -> list[tuple[str, str]]:
    """(label, url) of every link button on the page."""
    return [(e.proto.label, e.proto.url) for e in at.get("link_button")]


def test_a_started_case_links_to_its_run_and_one_not_started_to_nothing(db: Session, app: OpenApp) -> None:
    started = new_case(session=db)
    new_case(session=db)  # RST-00002, never started: no run to link to
    run_id = str(uuid4())
    attach_run(session=db, case_id=started, flow_run_id=run_id)
    ui = get_settings().prefect_api_url.removesuffix("/api")
    at = app("mo.sara", page=CASES, case="RST-00001")
    assert_clean(at)
    assert links(at) == [("Flow run in Prefect", f"{ui}/runs/flow-run/{run_id}")]
    at = app("mo.sara", page=CASES, case="RST-00002")
    assert_clean(at)
    assert links(at) == []
