"""The dashboards page: charts of the programmes a person has a role in, and their numbers as CSV."""

import json

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from tests.services.test_dashboard import seed
from tests.ui.conftest import OpenApp, assert_clean

DASHBOARD = "pages/dashboard.py"


@pytest.fixture
def seeded(db: Session) -> Session:
    """The database of the service tests, whose numbers are known."""
    return seed(db)


def chart_titles(at: AppTest) -> list[str]:
    """The titles of the page's Vega-Lite charts (AppTest has no accessor for them: read their spec)."""
    return [json.loads(element.proto.spec)["title"] for element in at.get("vega_lite_chart")]


def test_a_manager_sees_the_programmes_charts_and_can_export_the_numbers(seeded: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=DASHBOARD)
    assert_clean(at)
    assert at.selectbox[0].value == "resettlement-nl"
    assert at.metric[0].value == "2"
    assert chart_titles(at) == [
        "Quota used and remaining",
        "Cases by step",
        "Overdue tasks by step",
        "Overdue tasks by person",
        "Time spent per step",
        "Arrivals per month",
    ]
    assert not at.download_button[0].proto.disabled


def test_another_programme_shows_what_it_has_and_says_what_it_lacks(seeded: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=DASHBOARD)
    at.selectbox[0].select("afghan-transfer").run()
    assert_clean(at)
    assert chart_titles(at) == []
    assert [c.value for c in at.caption][1:] == [
        "No cases yet.",
        "No overdue tasks.",
        "No overdue tasks.",
        "No decisions yet.",
        "No arrivals yet.",
    ]


def test_a_case_worker_of_one_programme_chooses_only_that_one(seeded: Session, app: OpenApp) -> None:
    at = app("cw.other", page=DASHBOARD)
    assert_clean(at)
    assert at.selectbox[0].options == ["Transfer of at-risk Afghan nationals"]


def test_an_administrator_sees_no_dashboard(seeded: Session, app: OpenApp) -> None:
    at = app("admin", page=DASHBOARD)
    assert_clean(at)
    assert not at.main.selectbox and len(at.warning) == 1


def test_the_page_speaks_dutch(seeded: Session, app: OpenApp) -> None:
    at = app("pm.anna", page=DASHBOARD)
    at.sidebar.selectbox(key="language").set_value("nl").run()
    assert_clean(at)
    assert at.title[0].value == "Dashboards"
    assert "Dossiers per stap" in chart_titles(at)
