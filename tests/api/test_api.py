"""The REST API driven over HTTP against a running server: tokens, access as the inbox's, masking, audit,
decisions (a second one refused), problem details with field errors, N-of-M."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from models import ApiToken, AuditEvent, Role
from models.common import utcnow
from passage.services.api_tokens import revoke_token
from passage.services.decisions import decide
from passage.services.users import Grant
from tests.api.conftest import account_token, client
from tests.factories import FORMS, new_case, open_gate

RESETTLEMENT = "resettlement-nl"
HEALTH_FORM = {"fitness": "fit_with_escort", "needs": ["medical_escort", "oxygen"]}
PROBLEM = "application/problem+json"


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response's problem details, after checking its status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


@pytest.fixture
def pm(db: Session) -> str:
    """A token of an API account that is a programme manager of resettlement."""
    return account_token(db, "svc.pm", Grant(role=Role.PROGRAMME_MANAGER, programme=RESETTLEMENT))


@pytest.fixture
def assessed(db: Session) -> str:
    """A case whose fit-to-travel gate a medical officer decided: fit with escort, oxygen."""
    case_id = new_case(session=db)
    task = open_gate(
        session=db,
        case_id=case_id,
        step="fit-to-travel",
        form_type="fit-to-travel",
        title="Fit to travel",
        role=Role.MEDICAL_OFFICER,
        requested_by="system",
    )
    decide(session=db, task_id=task, actor="mo.sara", approve=True, data=HEALTH_FORM, deliver=False)
    return "RST-00001"


def test_no_token_or_a_wrong_one_is_401_with_a_bearer_challenge(api: str, pm: str) -> None:
    for token in (None, "psg_not-a-token", pm + "x"):
        with client(api, token) as http:
            body = problem(http.get("/cases"), 401)
            assert http.get("/tasks").headers["www-authenticate"] == "Bearer"
            assert body["type"] == "urn:passage:problem:unauthenticated"


def test_an_expired_or_revoked_token_is_401(api: str, db: Session, pm: str) -> None:
    with client(api, pm) as http:
        assert http.get("/cases").status_code == 200
        row = db.exec(select(ApiToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
        db.commit()
        problem(http.get("/cases"), 401)
    other = account_token(db, "svc.other", Grant(role=Role.CASE_WORKER, programme=RESETTLEMENT))
    with client(api, other) as http:
        assert http.get("/tasks").status_code == 200
        [fresh] = db.exec(select(ApiToken).where(ApiToken.username == "svc.other")).all()
        revoke_token(session=db, actor="admin", token_id=fresh.id or 0)
        problem(http.get("/tasks"), 401)


def test_only_the_tokens_hash_is_stored_and_its_use_is_marked(api: str, db: Session, pm: str) -> None:
    with client(api, pm) as http:
        http.get("/cases").raise_for_status()
    row = db.exec(select(ApiToken)).one()
    db.refresh(row)
    assert pm not in row.token_hash and len(row.token_hash) == 64
    assert row.last_used_at is not None


def test_an_account_without_a_role_in_the_programme_is_refused_as_the_inbox_refuses(
    api: str, db: Session, pm: str
) -> None:
    case_id = new_case(session=db)
    task = open_gate(session=db, case_id=case_id)
    afghan = account_token(db, "svc.afghan", Grant(role=Role.PROGRAMME_MANAGER, programme="afghan-transfer"))
    with client(api, afghan) as http:
        assert http.get("/cases").json()["items"] == []
        assert problem(http.get("/cases/RST-00001"), 403)["type"] == "urn:passage:problem:not-permitted"
        assert http.get("/tasks").json() == {"items": [], "page": 1, "page_size": 50, "total": 0}
        problem(http.post(f"/tasks/{task}/claim"), 403)
        problem(http.post(f"/tasks/{task}/decide", json={"approve": True, "data": FORMS["accept-for-selection"]}), 403)
        problem(http.get("/cases/RST-99999"), 404)
    with client(api, pm) as http:
        [row] = http.get("/cases").json()["items"]
        assert row["ref"] == "RST-00001"


def test_cases_are_searched_and_paged(api: str, db: Session, pm: str) -> None:
    for _ in range(3):
        new_case(session=db)
    with client(api, pm) as http:
        first = http.get("/cases", params={"page_size": 2}).json()
        second = http.get("/cases", params={"page_size": 2, "page": 2}).json()
        assert [r["ref"] for r in first["items"]] == ["RST-00003", "RST-00002"] and first["has_more"]
        assert [r["ref"] for r in second["items"]] == ["RST-00001"] and not second["has_more"]
        assert [r["ref"] for r in http.get("/cases", params={"text": "RST-00002"}).json()["items"]] == ["RST-00002"]
        body = problem(http.get("/cases", params={"page_size": 0, "status": "lost"}), 422)
        assert {e["field"] for e in body["errors"]} == {"page_size", "status"}


def test_a_case_read_masks_health_data_for_a_non_medical_account_and_is_audited(
    api: str, db: Session, assessed: str
) -> None:
    worker = account_token(db, "svc.cw", Grant(role=Role.CASE_WORKER, programme=RESETTLEMENT))
    medic = account_token(db, "svc.mo", Grant(role=Role.MEDICAL_OFFICER, programme=RESETTLEMENT))
    shown = {}
    for name, token in (("svc.cw", worker), ("svc.mo", medic)):
        with client(api, token) as http:
            view = http.get(f"/cases/{assessed}").json()
        assert "data" not in view  # the case file as typed: not through the API yet
        [decided] = [e for e in view["timeline"] if e["kind"] == "gate-decided"]
        shown[name] = decided["data"]
    assert shown == {"svc.cw": {"fitness": "needs escort", "needs": "withheld"}, "svc.mo": HEALTH_FORM}
    events = db.exec(select(AuditEvent).where(col(AuditEvent.actor).in_(["svc.cw", "svc.mo"]))).all()
    seen = {(e.actor, e.action) for e in events}
    assert {("svc.cw", "case.viewed"), ("svc.mo", "case.viewed"), ("svc.mo", "sensitive.read")} <= seen
    assert ("svc.cw", "sensitive.read") not in seen
    assert all(e.detail["origin"] == {"channel": "api", "operator": e.actor} for e in events)


def test_a_task_is_listed_claimed_and_decided_once(api: str, db: Session, pm: str) -> None:
    task = open_gate(session=db, case_id=new_case(session=db))
    with client(api, pm) as http:
        listed = http.get("/tasks", params={"programme": RESETTLEMENT, "assignee": "unassigned"}).json()
        assert [t["id"] for t in listed["items"]] == [task] and listed["total"] == 1
        assert http.post(f"/tasks/{task}/claim").json() == {"task_id": task, "assignee": "svc.pm"}
        decision = {"approve": True, "comment": "fits the mission", "data": FORMS["accept-for-selection"]}
        decided = http.post(f"/tasks/{task}/decide", json=decision)
        assert decided.status_code == 200, decided.text
        assert decided.json() | {"approved_by": []} == {
            "task_id": task,
            "decided": True,
            "outcome": "approve",
            "approvals": 0,
            "approvals_required": 1,
            "approved_by": [],
        }
        again = problem(http.post(f"/tasks/{task}/decide", json=decision), 409)
        assert again["type"] == "urn:passage:problem:task-not-open" and "already decided by svc.pm" in again["detail"]
        assert http.get("/tasks").json()["total"] == 0
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "task.approved")).all()
    assert (event.actor, event.detail["origin"]["channel"]) == ("svc.pm", "api")


def test_bad_input_is_a_problem_with_field_errors(api: str, db: Session, pm: str) -> None:
    task = open_gate(session=db, case_id=new_case(session=db))
    with client(api, pm) as http:
        form = problem(
            http.post(f"/tasks/{task}/decide", json={"approve": False, "data": {"priority": "whenever"}}), 422
        )
        assert {e["field"] for e in form["errors"]} == {"priority", "comment"}
        assert form["type"] == "urn:passage:problem:invalid"
        body = problem(http.post(f"/tasks/{task}/decide", json={"approve": "perhaps", "data": []}), 422)
        assert {e["field"] for e in body["errors"]} == {"approve", "data"}
        assert {e["field"] for e in problem(http.get("/tasks", params={"due": "someday"}), 422)["errors"]} == {"due"}
        problem(http.post("/tasks/0/decide", json={"approve": True}), 422)
        problem(http.post("/tasks/12345/decide", json={"approve": True}), 404)
        problem(http.get("/nowhere"), 404)
        assert http.get("/tasks").json()["total"] == 1  # nothing above decided anything


def test_an_n_of_m_approval_says_how_many_it_has_and_needs(api: str, db: Session, pm: str) -> None:
    task = open_gate(session=db, case_id=new_case(session=db), approvals_required=2)
    second = account_token(db, "svc.pm2", Grant(role=Role.PROGRAMME_MANAGER, programme=RESETTLEMENT))
    decision = {"approve": True, "data": FORMS["accept-for-selection"]}
    with client(api, pm) as http:
        assert http.post(f"/tasks/{task}/decide", json=decision).json() == {
            "task_id": task,
            "decided": False,
            "outcome": None,
            "approvals": 1,
            "approvals_required": 2,
            "approved_by": ["svc.pm"],
        }
        assert "distinct approvers" in problem(http.post(f"/tasks/{task}/decide", json=decision), 403)["detail"]
    with client(api, second) as http:
        done = http.post(f"/tasks/{task}/decide", json=decision).json()
    assert (done["decided"], done["approved_by"]) == (True, ["svc.pm", "svc.pm2"])


def test_the_openapi_document_and_the_docs_are_served(api: str) -> None:
    with httpx.Client(base_url=api) as http:
        document = http.get("/api/v1/openapi.json").json()
        assert {"/api/v1/cases", "/api/v1/cases/{ref}", "/api/v1/tasks/{task_id}/decide"} <= set(document["paths"])
        assert "HTTPBearer" in document["components"]["securitySchemes"]
        assert http.get("/api/v1/docs").status_code == 200


def test_a_fault_is_a_bare_500_that_logs_no_personal_data(
    api: str,
    pm: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("INSERT … ('محمد الأحمد', '1984-03-02')")

    monkeypatch.setattr("passage.api.cases.search_cases", broken)
    with client(api, pm) as http:
        body = problem(http.get("/cases", params={"text": "محمد"}), 500)
    assert body == {"type": "about:blank", "title": "Internal error", "status": 500, "detail": "", "errors": []}
    out, err = capfd.readouterr()
    assert "API fault on GET /api/v1/cases: RuntimeError" in caplog.text
    logged = out + err + caplog.text
    assert "محمد الأحمد" not in logged and "1984-03-02" not in logged
