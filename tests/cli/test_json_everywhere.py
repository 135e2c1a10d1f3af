"""Every `passage` command that prints takes `--json` and then prints JSON; `--as` defaults to PASSAGE_AS;
the human tables are plain text, whatever a name holds."""

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlmodel import Session

from models import HumanTask, TaskStatus
from models.common import utcnow
from passage.cli import app
from passage.core import schema
from passage.orchestration.backup.archive import RestoreReport
from tests.cli.test_cli import Passage
from tests.cli.test_import import SAMPLE
from tests.factories import FORMS, new_case, open_gate, referral

# Long-running processes: what they print is a log, not an answer.
PROCESSES = {"up", "serve", "worker", "reconciler", "api"}


def leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command of the CLI by its full name ("cases list"), from the typer app's command tree (typer's
    own copy of click's classes: a group is what has `commands`)."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from leaves(sub, (*path, name))


def takes_json(command: Any) -> bool:
    return any("--json" in param.opts for param in command.params)


COMMANDS = dict(leaves(typer.main.get_command(app)))


def test_every_command_that_answers_takes_json() -> None:
    missing = [name for name, cmd in COMMANDS.items() if not takes_json(cmd)]
    assert sorted(missing) == sorted(PROCESSES)


@pytest.fixture
def scene(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Cases and tasks for every command to act on; the commands that need a stopped stack or a Prefect server
    (restore, deploy) and the developers' `db revision` (it writes into the source tree) answer canned results."""
    new_case(session=db)
    tasks = {
        "gate": open_gate(session=db, case_id=1),
        "two": open_gate(session=db, case_id=1, step="two-of", approvals_required=2),
        "expired": open_gate(session=db, case_id=1, step="expired"),
    }
    expired = db.get(HumanTask, tasks["expired"])
    assert expired is not None
    expired.status, expired.due_at = TaskStatus.EXPIRED, utcnow() - timedelta(days=1)
    db.add(expired)
    db.commit()
    (tmp_path / "case.json").write_text(json.dumps(referral(unhcr_ref="TUR-24-000777")), encoding="utf-8")
    (tmp_path / "password").write_text("a long enough password\n", encoding="utf-8")
    (tmp_path / "notify.yml").write_text(
        "version: 1\nurls:\n  - json://localhost:\n      tag: role:programme-manager\n"
    )
    monkeypatch.setattr(schema, "new_revision", lambda _message: tmp_path / "0042_task_priority.py")
    monkeypatch.setattr("passage.orchestration.runner.deploy_all", lambda: None)
    canned = RestoreReport(source=str(tmp_path), created_at=utcnow(), revision=None, restored=[], kept=[], lost=[])
    monkeypatch.setattr("passage.cli.backup.restore", lambda *_args: canned)
    return {"tmp": str(tmp_path), **{name: str(task) for name, task in tasks.items()}}


def runs(scene: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Each command with --json and what it acts on, in an order where each finds what it needs."""
    tmp, soon = scene["tmp"], date.today() + timedelta(days=1)
    accept = json.dumps(FORMS["accept-for-selection"])
    return [
        (
            "users add",
            ["cw.lina", "--name", "Lina", "--email", "lina@example.org", "--role", "case_worker", "--as", "admin"],
        ),
        ("users list", ["--as", "admin"]),
        (
            "users create-admin",
            ["ops", "--full-name", "Ops", "--email", "ops@example.org", "--force"]
            + ["--password-file", f"{tmp}/password"],
        ),
        ("users disable", ["cw.lina", "--as", "admin"]),
        ("users enable", ["cw.lina", "--as", "admin"]),
        ("users unlock", ["cw.lina", "--as", "admin"]),
        (
            "api-tokens account",
            ["svc.ind", "--name", "IND gateway", "--role", "case_worker@resettlement-nl", "--as", "admin"],
        ),
        ("api-tokens create", ["svc.ind", "--expires-days", "30", "--as", "admin"]),
        ("api-tokens list", ["--as", "admin"]),
        ("api-tokens revoke", ["1", "--as", "admin"]),
        ("users delegate", ["pm.anna", "--to", "pm.joost", "--from", f"{soon}", "--until", f"{soon}", "--as", "admin"]),
        ("cases start", ["resettlement-nl", "--file", f"{tmp}/case.json", "--as", "cw.amal", "--open-anyway"]),
        ("cases template", ["resettlement-nl", "--format", "csv", "--output", f"{tmp}/referrals.csv"]),
        ("cases import", [str(SAMPLE), "--programme", "resettlement-nl", "--as", "cw.amal", "--dry-run"]),
        ("cases show", ["RST-00001", "--as", "pm.anna"]),
        ("cases list", ["--as", "pm.anna"]),
        ("cases comment", ["RST-00001", "--text", "@pm.joost see the **file**", "--as", "cw.amal"]),
        ("cases comments", ["RST-00001", "--as", "pm.anna"]),
        ("tasks list", ["--as", "pm.anna"]),
        ("tasks claim", [scene["gate"], "--as", "pm.anna"]),
        ("tasks unclaim", [scene["gate"], "--as", "pm.anna"]),
        ("tasks reassign", [scene["gate"], "--to", "pm.joost", "--as", "pm.anna"]),
        ("tasks decide", [scene["gate"], "--approve", "--data", accept, "--as", "pm.joost"]),
        ("tasks reopen", [scene["expired"], "--as", "pm.anna"]),
        (
            "cases amend",
            ["RST-00001", "--as", "cw.amal", "--reason", "newborn", "--add", "full_name=Baby"]
            + ["--add", "nationality=SY"],
        ),
        ("cases reviews", ["RST-00001", "--as", "pm.anna"]),
        ("cases reviewed", ["1", "--as", "pm.anna"]),
        ("cases hold", ["RST-00002", "--reason", "security check", "--as", "pm.anna"]),
        ("cases resume", ["RST-00002", "--as", "pm.anna"]),
        ("cases withdraw", ["RST-00002", "--reason", "applicant", "--as", "cw.amal"]),
        ("cases reopen", ["RST-00002", "--reason", "came back", "--as", "pm.anna"]),
        ("notify check", [f"{tmp}/notify.yml"]),
        ("notify sweep", []),
        ("notify send", []),
        ("notify outbox", []),
        ("notify digest", ["--as", "pm.anna", "--on"]),
        ("privacy export", ["1", "--as", "pm.anna"]),
        ("privacy pseudonymise", []),
        ("audit checkpoint", []),
        ("audit verify", []),
        ("db current", []),
        ("db upgrade", []),
        ("db revision", ["task priority"]),
        ("reconcile", []),
        ("deploy", []),
        ("backup", ["--to", f"{tmp}/backups"]),
        ("restore", [f"{tmp}/backups"]),
    ]


def test_each_command_prints_json_with_json(scene: dict[str, str], passage: Passage) -> None:
    ran_all = runs(scene)
    assert {name for name, _args in ran_all} == {name for name, cmd in COMMANDS.items() if takes_json(cmd)}, (
        "every command with --json is run here"
    )
    for name, args in ran_all:
        ran = passage(*name.split(), *args, "--json")
        assert ran.code == 0, (name, ran.err)
        try:
            json.loads(ran.out)
        except json.JSONDecodeError:
            pytest.fail(f"`passage {name} --json` printed no JSON: {ran.out!r}")


def test_a_partial_approval_says_how_many_approvals_it_has_and_needs(db: Session, passage: Passage) -> None:
    task = open_gate(session=db, case_id=new_case(session=db), approvals_required=2)
    ran = passage("tasks", "decide", str(task), "--approve", "--as", "pm.anna", "--json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out) == {
        "task_id": task,
        "decided": False,
        "approvals": 1,
        "approvals_required": 2,
        "approved_by": ["pm.anna"],
    }
    said = passage("tasks", "decide", str(task), "--approve", "--as", "pm.joost")
    assert said.out.startswith(f"task {task} approved by pm.joost")  # the second of two decides it


def test_as_defaults_to_passage_as(db: Session, passage: Passage, monkeypatch: pytest.MonkeyPatch) -> None:
    open_gate(session=db, case_id=new_case(session=db))
    assert passage("tasks", "list", "--json").code == 2  # no --as, no PASSAGE_AS: click says it is missing
    monkeypatch.setenv("PASSAGE_AS", "pm.anna")
    [row] = json.loads(passage("tasks", "list", "--json").out)
    assert row["case_ref"] == "RST-00001"
    assert json.loads(passage("tasks", "list", "--json", "--as", "cw.other").out) == []  # --as still wins


@pytest.mark.parametrize("name", ["[bold]Evil[/bold] :smile:", "[red]x", "\\[link=http://x]y"])
def test_tables_print_names_as_typed_never_as_markup(passage: Passage, name: str) -> None:
    args = ["--email", "m@example.org", "--role", "case_worker", "--as", "admin"]
    assert passage("users", "add", "cw.markup", "--name", name, *args).code == 0
    listed = passage("users", "list", "--as", "admin")
    header, *rows = listed.out.splitlines()
    assert header.split() == ["USER", "STATE", "NAME", "ROLES"]
    [row] = [row for row in rows if row.startswith("cw.markup")]
    assert name in row and "\x1b" not in listed.out


def test_a_table_has_one_line_per_row_however_long(db: Session, passage: Passage) -> None:
    for n in range(3):
        open_gate(session=db, case_id=new_case(session=db), title="A very long title " * 12 + str(n))
    listed = passage("tasks", "list", "--as", "pm.anna").out.splitlines()
    assert len(listed) == 4 and all(line.split()[1].startswith("RST-") for line in listed[1:])
