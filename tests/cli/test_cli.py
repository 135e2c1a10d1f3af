"""The `passage` command: service refusals as one `error:` line and exit 1, JSON that scripts can rely on."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from models import AuditEvent, Case, CaseStatus, Decision, HumanTask, Person, Role, TaskStatus
from passage.cli import main
from passage.core.db import get_engine
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes
from passage.services import auth
from passage.services.cases import cases_to_launch
from passage.services.decisions import decide
from tests.factories import new_case, open_gate, referral
from tests.offline import cut_off_prefect

ROOT = Path(__file__).resolve().parents[2]
DEAD_API = "http://127.0.0.1:9/api"  # the discard port: nothing listens there
TASK_KEYS = ["id", "case_ref", "case_title", "programme", "step", "title", "form_type", "role", "status", "due_at"]
TASK_KEYS += ["requested_by", "overdue", "assignee", "approvals_required", "priority", "on_hold"]
PRINCIPAL = {"full_name": "محمد الأحمد", "nationality": "SY", "is_principal": True}
BAD_FILE = referral(unhcr_ref="", persons=[{**PRINCIPAL, "nationality": "syria"}], vulnerabilities=["tall"])


@dataclass
class Run:
    code: int
    out: str
    err: str


Passage = Callable[..., Run]


@pytest.fixture
def passage(db: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Passage:
    """`passage(*args)`: the CLI's entry point `main` in this process, on the test's database."""
    cut_off_prefect(monkeypatch)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # typer installs its own; undone after the test

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["passage", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        out, err = capsys.readouterr()
        return Run(int(exited.value.code or 0), out, err)

    return run


def shell(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m passage.cli` as a user runs it, with Prefect's API on a port where nothing listens."""
    env = {**os.environ, "PREFECT_API_URL": DEAD_API}  # os.environ already names this test's database
    command = [sys.executable, "-m", "passage.cli", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def case_file(tmp_path: Path, content: dict[str, Any]) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def nothing_written() -> bool:
    with Session(get_engine()) as session:
        return not any(session.exec(select(table)).first() for table in (Case, Person, AuditEvent, Decision))


def test_a_bad_case_file_gives_one_error_line_per_field_and_writes_nothing(db: Session, tmp_path: Path) -> None:
    ran = shell("cases", "start", "resettlement-nl", "--file", case_file(tmp_path, BAD_FILE), "--as", "cw.amal")
    assert ran.returncode == 1 and ran.stdout == ""
    lines = ran.stderr.splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        ["error", "unhcr_ref"],
        ["error", "persons.0.nationality"],
        ["error", "vulnerabilities.0"],
    ], ran.stderr
    assert nothing_written()


def test_a_case_opened_while_prefect_is_down_is_kept_for_the_reconciler(db: Session, tmp_path: Path) -> None:
    ran = shell("cases", "start", "resettlement-nl", "--file", case_file(tmp_path, referral()), "--as", "cw.amal")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "RST-00001 opened (new); Prefect did not answer, the reconciler starts its flow\n"
    case = db.exec(select(Case)).one()
    assert (case.ref, case.status, case.flow_run_id) == ("RST-00001", CaseStatus.NEW, None)
    assert [c.ref for c in cases_to_launch(session=db)] == ["RST-00001"]  # what the reconciler starts


@pytest.mark.parametrize(
    ("programme", "actor", "content", "error"),
    [
        pytest.param("nowhere", "cw.amal", referral(), "unknown programme 'nowhere' (known: {known})", id="programme"),
        pytest.param("resettlement-nl", "pm.anna", referral(), "pm.anna is not a case worker of resettlement-nl"),
        pytest.param("resettlement-nl", "cw.other", referral(), "cw.other is not a case worker of resettlement-nl"),
        pytest.param("resettlement-nl", "nobody", referral(), "no active user 'nobody'", id="unknown-user"),
        pytest.param("resettlement-nl", "cw.amal", b"{not json", "{file} is not valid JSON: ", id="not-json"),
        pytest.param("resettlement-nl", "cw.amal", b"[]", "{file} must be a JSON object", id="not-an-object"),
        pytest.param(
            "resettlement-nl",
            "cw.amal",
            json.dumps(referral(persons=[PRINCIPAL]), ensure_ascii=False).encode("cp1256"),  # a Windows code page
            "{file} is not UTF-8 text",
            id="not-utf-8",
        ),
    ],
)
def test_opening_a_case_is_refused_in_one_line(
    passage: Passage, tmp_path: Path, programme: str, actor: str, content: dict[str, Any] | bytes, error: str
) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    ran = passage("cases", "start", programme, "--file", str(file), "--as", actor)
    expected = "error: " + error.format(known=", ".join(sorted(all_programmes())), file=file)
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith(expected) and ran.err.count("\n") == 1, ran.err
    assert nothing_written()


def test_tasks_list_json_is_a_list_of_rows_with_stable_keys(db: Session, passage: Passage) -> None:
    first = open_gate(session=db, case_id=new_case(session=db))
    second = open_gate(session=db, case_id=new_case(session=db, unhcr_ref="TUR-24-004210"), step="other")
    ran = passage("tasks", "list", "--json", "--as", "pm.anna")
    assert ran.code == 0, ran.err
    rows = json.loads(ran.out)
    assert [list(row) for row in rows] == [TASK_KEYS, TASK_KEYS]
    assert [(r["id"], r["case_ref"], r["role"], r["status"]) for r in rows] == [
        (first, "RST-00001", "programme_manager", "open"),
        (second, "RST-00002", "programme_manager", "open"),
    ]
    assert rows[0]["case_title"] == "محمد الأحمد (+1), LEB-24-000101"
    assert datetime.fromisoformat(rows[0]["due_at"]).utcoffset() == timedelta(0)
    assert json.loads(passage("tasks", "list", "--json", "--as", "cw.pieter").out) == []
    assert json.loads(passage("tasks", "list", "--json", "--as", "system", "--role", Role.CASE_WORKER.value).out) == []
    assert json.loads(passage("tasks", "list", "--json", "--as", "pm.joost").out) == rows


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--as", "pm.ana"], "no active user 'pm.ana'"),
        (["--programme", "resettlement"], "unknown programme 'resettlement' (known: {known})"),
    ],
)
def test_tasks_list_refuses_a_mistyped_filter_rather_than_list_nothing(
    db: Session, passage: Passage, args: list[str], error: str
) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    ran = passage("tasks", "list", "--json", *(args if "--as" in args else ["--as", "pm.anna", *args]))
    known = ", ".join(sorted(all_programmes()))
    assert (ran.code, ran.out, ran.err) == (1, "", f"error: {error.format(known=known)}\n")


@pytest.mark.parametrize(("flag", "comment", "said"), [("--approve", "", "approved"), ("--reject", "no", "rejected")])
def test_deciding_a_task_records_it_even_while_prefect_is_down(
    db: Session, passage: Passage, flag: str, comment: str, said: str
) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    ran = passage("tasks", "decide", str(task_id), flag, "--as", "pm.anna", "--comment", comment)
    assert ran.code == 0, ran.err
    assert ran.out == f"task {task_id} {said} by pm.anna (recorded; the flow picks it up shortly)\n"
    decision = db.exec(select(Decision)).one()
    assert (decision.decided_by, decision.comment, decision.delivered_at) == ("pm.anna", comment, None)
    assert decision.delivery_error is not None  # tried, failed, left for the reconciler


def test_deciding_a_decided_task_says_who_decided_it(db: Session, passage: Passage) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, deliver=False)
    ran = passage("tasks", "decide", str(task_id), "--reject", "--comment", "no", "--as", "pm.joost")
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.startswith(f"error: task {task_id} was already decided by pm.anna at ")
    assert ran.err.endswith(" (approve)\n") and ran.err.count("\n") == 1
    assert [d.decided_by for d in db.exec(select(Decision))] == ["pm.anna"]


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        (["--approve", "--data", "yes"], ["--data is not valid JSON: Expecting value: line 1 column 1 (char 0)"]),
        (["--approve", "--data", '["urgent"]'], ["--data must be a JSON object"]),
        (["--reject"], ["comment: a rejection needs a reason"]),
        (
            ["--reject", "--data", '{"priority": "whenever"}'],
            ["priority: Input should be 'normal', 'urgent' or 'emergency'", "comment: a rejection needs a reason"],
        ),
    ],
)
def test_a_bad_decision_is_refused_with_its_reason_and_stores_nothing(
    db: Session, passage: Passage, args: list[str], errors: list[str]
) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    ran = passage("tasks", "decide", str(task_id), "--as", "pm.anna", *args)
    assert (ran.code, ran.out) == (1, "")
    assert ran.err.splitlines() == [f"error: {e}" for e in errors]
    db.expire_all()
    assert db.get(HumanTask, task_id).status == TaskStatus.OPEN  # type: ignore[union-attr]
    assert db.exec(select(Decision)).first() is None


def test_cases_show_json_has_the_persons_as_stored_and_the_timeline(db: Session, passage: Passage) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    decide(session=db, task_id=task_id, actor="pm.anna", approve=True, comment="complete", deliver=False)
    ran = passage("cases", "show", "RST-00001", "--json", "--as", "pm.joost")
    assert ran.code == 0, ran.err
    assert "محمد الأحمد" in ran.out  # written as UTF-8, not as \u escapes
    view = json.loads(ran.out)
    keys = ["ref", "programme", "title", "status", "waiting_at", "outcome", "flags", "opened_by", "opened_at"]
    keys += ["data", "persons", "timeline", "trail", "process", "documents", "held_at", "hold_reason", "flow_run_id"]
    assert list(view) == keys
    assert (view["ref"], view["status"], view["opened_by"]) == ("RST-00001", "new", "cw.amal")
    assert [p["full_name"] for p in view["persons"]] == ["محمد الأحمد", "زینب احمدی"]
    assert [(e["title"], e["actor"]) for e in view["timeline"]] == [
        ("Case opened", "cw.amal"),
        ("Accept for selection mission", "cw.amal"),
        ("Accept for selection mission: approved", "pm.anna"),
    ]
    unknown = passage("cases", "show", "RST-09999", "--json", "--as", "pm.joost")
    assert (unknown.code, unknown.out, unknown.err) == (1, "", "error: no case 'RST-09999'\n")


def test_users_unlock_lets_a_throttled_user_log_in_at_once(
    db: Session, passage: Passage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASSAGE_LOGIN_DELAY_SECONDS", "600")  # the wait outlasts the test on a slow machine
    get_settings.cache_clear()
    for _ in range(get_settings().login_free_failures):
        with pytest.raises(auth.LoginRefused):
            auth.login(session=db, username="cw.amal", password="guess", source="203.0.113.66")
    assert auth.retry_at(session=db, username="cw.amal") is not None
    refused = passage("users", "unlock", "cw.amal", "--as", "pm.anna")
    assert refused.code == 1 and "pm.anna is not an administrator" in refused.err
    ran = passage("users", "unlock", "cw.amal", "--as", "admin")
    assert (ran.code, ran.out) == (0, "user cw.amal unlocked\n")
    db.expire_all()
    assert auth.retry_at(session=db, username="cw.amal") is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "user.unlocked")).one().actor == "admin"
