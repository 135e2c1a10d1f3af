"""Login, special-category fields per role, comments as text, and the admin page, through the pages."""

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from httpx import Response
from sqlmodel import Session, col, select
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from models import AuditEvent, Role
from passage.core.settings import get_settings
from passage.services import auth
from passage.services.assignment import DelegationCreate, delegate
from passage.services.decisions import decide
from passage.services.users import set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, login_form_shown, markdown, with_cookie
from ui import session_cookie

CASES, ADMIN = "pages/cases.py", "pages/admin.py"
SCRIPT = "<script>alert('x')</script><b>bold</b>"


def log_in(client: TestClient, username: str, password: str) -> Response:
    """The login form posted, as the browser posts it (ui/session_cookie.py answers with a redirect)."""
    answer: Response = client.post(
        session_cookie.LOGIN_PATH, data={"username": username, "password": password, "next": "/"}
    )
    return answer


def test_the_inbox_asks_for_a_login_and_the_right_password_opens_it(
    db: Session, app: OpenApp, login_post: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(None)
    assert_clean(at)
    assert at.title[0].value == "Passage" and login_form_shown(at)
    assert not [c for c in at.caption if "open task" in c.value]
    answer = log_in(login_post, "pm.anna", get_settings().demo_password)
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    with_cookie(monkeypatch, answer.cookies[session_cookie.COOKIE])
    at = app(None)  # a new browser session: the cookie logs it in
    assert_clean(at)
    assert [c.value for c in at.caption] == ["0 open tasks for pm.anna"]


def test_failed_logins_are_throttled_in_the_form_alike_for_known_and_unknown_names(
    db: Session, app: OpenApp, login_post: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSAGE_LOGIN_DELAY_SECONDS", "600")  # the wait outlasts the test on a slow machine
    get_settings.cache_clear()
    said = {}
    for name in ["cw.amal", "cw.nobody"]:
        for _ in range(get_settings().login_free_failures):
            answer = log_in(login_post, name, "wrong password")
            assert answer.headers["location"] == "/?login=refused" and not answer.cookies
        at = app(None, login="refused")
        assert [e.value for e in at.error] == ["wrong username or password"]
        answer = log_in(login_post, name, get_settings().demo_password)
        location = urlsplit(answer.headers["location"])
        assert location.path == "/" and not answer.cookies
        at = app(None, **dict(parse_qsl(location.query)))
        [said[name]] = [e.value for e in at.error]
        assert not [c for c in at.caption if "open task" in c.value]
    assert said["cw.amal"].startswith("too many failed logins: try again after ")
    assert said["cw.nobody"].startswith("too many failed logins: try again after ")
    # The address is the HTTP client's (Starlette's test client calls itself "testclient").
    failed = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "login.failed"))
    assert {e.detail["source"] for e in failed} == {"testclient"}


@pytest.fixture
def assessed(db: Session) -> None:
    """A case whose health assessment reads 'fit with escort, oxygen', with a comment typed as HTML."""
    task = open_gate(
        session=db,
        case_id=new_case(session=db),
        step="fit-to-travel",
        form_type="fit-to-travel",
        title="Fit to travel",
        role=Role.MEDICAL_OFFICER,
        requested_by="system",
    )
    form = {"fitness": "fit_with_escort", "needs": ["medical_escort", "oxygen"]}
    decide(session=db, task_id=task, actor="mo.sara", approve=True, comment=SCRIPT, data=form, deliver=False)


def decided_row(at: AppTest) -> tuple[str, str]:
    timeline = at.dataframe[1].value
    [(note, form)] = [
        (n, f)
        for w, n, f in zip(timeline["what"], timeline["note"], timeline["form"], strict=True)
        if ": approved" in w
    ]
    return note, form


@pytest.mark.parametrize("user", ["pm.anna", "cw.amal", "mv.tom"])
def test_a_health_outcome_shows_only_as_an_outcome_to_every_non_medical_role(
    db: Session, app: OpenApp, assessed: None, user: str
) -> None:
    at = app(user, page=CASES, case="RST-00001")
    assert_clean(at)
    _note, form = decided_row(at)
    assert form == "Fitness: needs escort, Needs: withheld"
    assert "oxygen" not in str(at.dataframe[1].value.to_dict())


def test_the_medical_officer_sees_the_outcome_and_the_read_is_in_the_trail(
    db: Session, app: OpenApp, assessed: None
) -> None:
    at = app("mo.sara", page=CASES, case="RST-00001")
    assert_clean(at)
    _note, form = decided_row(at)
    assert form == "Fitness: Fit with escort, Needs: Medical escort, Oxygen"
    trail = at.dataframe[2].value
    assert ("mo.sara", "sensitive.read") in list(zip(trail["who"], trail["what"], strict=True))


def test_a_comment_typed_as_script_is_shown_as_text(db: Session, app: OpenApp, assessed: None) -> None:
    # The medical officer: a comment on a health gate is health data, withheld from the others.
    at = app("mo.sara", page=CASES, case="RST-00001")
    note, _form = decided_row(at)
    assert note == SCRIPT  # exactly as typed, in a table cell: never rendered as HTML
    assert not [m for m in markdown(at) if "<script" in m or "<b>" in m]
    assert not at.get("html")


def test_a_case_of_another_programme_is_refused_on_the_page(db: Session, app: OpenApp) -> None:
    new_case(session=db)
    at = app("cw.other", page=CASES, case="RST-00001")
    assert_clean(at)
    assert [e.value for e in at.error] == ["cw.other has no role in resettlement-nl"]


def test_the_admin_page_is_the_administrators_only(db: Session, app: OpenApp) -> None:
    refused = app("pm.anna", page=ADMIN)
    assert_clean(refused)
    assert [e.value for e in refused.error] == ["pm.anna is not an administrator"]
    at = app("admin", page=ADMIN)
    assert_clean(at)
    assert "cw.amal" in at.dataframe[0].value["user"].tolist()
    at.selectbox(key="manage-user").set_value("mv.tom")
    at.button(key="disable").click().run()
    assert_clean(at)
    users = at.dataframe[0].value
    assert users[users["user"] == "mv.tom"]["active"].tolist() == ["disabled"]


def test_an_administrator_unlocks_a_user_on_the_admin_page(
    db: Session, app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSAGE_LOGIN_DELAY_SECONDS", "600")  # the wait outlasts the test on a slow machine
    get_settings.cache_clear()
    for _ in range(get_settings().login_free_failures + 1):
        with pytest.raises(auth.LoginRefused):
            auth.login(session=db, username="cw.amal", password="guess", source="203.0.113.66")
    at = app("admin", page=ADMIN)
    users = at.dataframe[0].value
    assert users[users["user"] == "cw.amal"]["locked"].tolist() == ["locked"]
    at.selectbox(key="manage-user").set_value("cw.amal")
    at.button(key="unlock").click().run()
    assert_clean(at)
    users = at.dataframe[0].value
    assert users[users["user"] == "cw.amal"]["locked"].tolist() == [""]
    [event] = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "user.unlocked")).all()
    assert (event.actor, event.detail["username"]) == ("admin", "cw.amal")
    assert auth.login(session=db, username="cw.amal", password=get_settings().demo_password, source="198.51.100.7")


def test_a_dutch_administrator_reads_the_admin_page_and_its_refusals_in_dutch(db: Session, app: OpenApp) -> None:
    set_language(session=db, actor="admin", language="nl")
    today = date.today()
    leave = DelegationCreate(delegator="cw.amal", delegate="cw.pieter", starts_on=today, ends_on=today)
    delegate(session=db, actor="admin", request=leave)
    at = app("admin", page=ADMIN)
    assert_clean(at)
    assert [t.value for t in at.title] == ["Beheer"]
    assert [s.value for s in at.subheader] == [
        "Gebruiker toevoegen",
        "Uitschakelen, inschakelen, deblokkeren, rol toekennen of intrekken",
        "Vervanging bij verlof",
    ]
    users = at.dataframe[0].value
    assert list(users.columns) == ["gebruiker", "naam", "actief", "geblokkeerd", "rollen"]
    assert users[users["gebruiker"] == "cw.amal"]["actief"].tolist() == ["ja"]
    delegations = at.dataframe[1].value
    assert list(delegations.columns) == ["id", "met verlof", "vervanger", "van", "tot en met", "ingetrokken"]
    assert delegations["van"].tolist() == [f"{today:%d-%m-%Y}"]
    assert at.selectbox(key="new-role").options[-1] == "beheerder"
    assert (at.button(key="disable").label, at.button(key="enable").label) == ("Uitschakelen", "Inschakelen")
    # A delegation that ends before it starts: the reason on the page, in Dutch (it once was a traceback).
    at.date_input(key="ends-on").set_value(today - timedelta(days=1))
    next(b for b in at.button if b.label == "Vervanging instellen").click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["ends_on: een vervanging kan niet eindigen voordat ze begint"]
