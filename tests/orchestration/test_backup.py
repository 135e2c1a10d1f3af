"""`passage backup` / `passage restore`: private, complete, verified backups, and a restore drill on a real stack."""

import hashlib
import http.server
import importlib
import importlib.util
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from models import AuditEvent, Case, Decision, HumanTask
from passage.core.db import get_engine
from passage.core.settings import Settings, get_settings
from passage.orchestration.backup import BackupError, make_backup, read_manifest, restore
from passage.orchestration.stack import child_env
from passage.services.audit import verify
from tests import databases
from tests.factories import new_case, referral
from tests.flows.driver import decide_at, task_at
from tests.mailboxes import free_port
from tests.reliability.conftest import OwnStack, own_stack, state_names  # noqa: F401 - the private stack fixture
from tests.reliability.test_prefect_outage import all_suspended_at, suspended_at

GATE, NEXT, THIRD = "accept-for-selection", "ind-decision", "fit-to-travel"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_for(db_url: str, home: Path, prefect_server_url: str = "") -> Settings:
    """An installation on the test's database, on ports nothing answers on (no stack of its own running)."""
    return Settings(
        home=home,
        prefect_port=free_port(),
        inbox_port=free_port(),
        database_url=db_url,
        prefect_server_url=prefect_server_url,
    )


@pytest.fixture
def home(db: Session, tmp_path: Path) -> Path:
    """A home with a Prefect database (any SQLite file will do here) and an attachment (SQLite runs only)."""
    sqlite_only()
    home = tmp_path / "home"
    (home / "prefect").mkdir(parents=True)
    shutil.copyfile(Path(get_settings().db_url.removeprefix("sqlite:///")), home / "prefect" / "prefect.db")
    (home / "attachments" / "case-1").mkdir(parents=True)
    (home / "attachments" / "case-1" / "letter.pdf").write_bytes(b"%PDF-1.4 not really")
    return home


def release(db: Session) -> None:
    """The test's own connections closed: a restore replaces the file under them."""
    db.close()
    db.get_bind().engine.dispose()
    get_engine().dispose()


def cases(session: Session) -> list[tuple[int | None, str]]:
    return [(c.id, c.status.value) for c in session.exec(select(Case).order_by(col(Case.id)))]


def sqlite_only() -> None:
    if databases.on_postgres():
        pytest.skip("the SQLite file path (the PostgreSQL one is test_postgres_app_database_round_trips)")


def test_a_backup_is_private_complete_and_says_what_it_holds(db: Session, home: Path, tmp_path: Path) -> None:
    sqlite_only()
    new_case(session=db)
    settings = settings_for(get_settings().db_url, home)
    folder, manifest = make_backup(settings)

    assert folder.parent == home.resolve() / "backups"
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    for path in (folder, *folder.rglob("*")):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    assert sorted(manifest.checksums) == ["attachments/case-1/letter.pdf", "passage.db", "prefect.db"]
    assert all(sha(folder / name) == digest for name, digest in manifest.checksums.items())
    assert manifest.app.revision is not None and manifest.app.rows["case"] == 1
    assert manifest.audit.chain_ok and manifest.audit.last_id is not None
    assert {"passage", "prefect", "python", "sqlite"} <= set(manifest.versions)
    assert manifest.folders == ["attachments"]
    assert read_manifest(folder) == manifest

    elsewhere, _ = make_backup(settings, tmp_path / "offsite")
    assert elsewhere.parent == (tmp_path / "offsite").resolve()
    assert not list((tmp_path / "offsite").glob(".*partial")), "no half-written backup is left behind"


def test_restore_brings_back_the_state_at_backup_time_and_lists_what_it_takes_back(db: Session, home: Path) -> None:
    sqlite_only()
    first = new_case(session=db)
    settings = settings_for(get_settings().db_url, home)
    folder, manifest = make_backup(settings)
    with Session(get_engine()) as session:
        at_backup = cases(session)
    later = new_case(session=db, unhcr_ref="LEB-24-000999")
    (home / "attachments" / "case-1" / "letter.pdf").write_bytes(b"changed after the backup")
    release(db)

    report = restore(settings, folder)

    with Session(get_engine()) as session:
        assert cases(session) == at_backup and at_backup[0][0] == first
        assert session.get(Case, later) is None
        assert verify(session=session).ok
    assert (home / "attachments" / "case-1" / "letter.pdf").read_bytes() == b"%PDF-1.4 not really"
    assert {event.case_id for event in report.lost} == {later}  # its opening (and its "open anyway")
    assert all(event.id > (manifest.audit.last_id or 0) for event in report.lost)
    kept = [Path(path) for path in report.kept]
    assert any(path.name.startswith("passage.db.before-restore-") for path in kept), "the replaced file is kept"
    assert not list(home.rglob(".*restoring*")) and not list(Path(settings.db_url[10:]).parent.glob(".*restoring*"))


@pytest.mark.parametrize("spoil", ["checksum", "missing file", "no manifest", "manifest not JSON"])
def test_a_corrupt_or_incomplete_backup_is_refused_and_nothing_changes(db: Session, home: Path, spoil: str) -> None:
    sqlite_only()
    settings = settings_for(get_settings().db_url, home)
    folder, _ = make_backup(settings)
    new_case(session=db)  # the installation moved on: a refused restore must keep this
    release(db)
    if spoil == "checksum":
        with (folder / "passage.db").open("r+b") as handle:
            handle.seek(5000)
            handle.write(b"\xff\x00\xff")
    elif spoil == "missing file":
        (folder / "prefect.db").unlink()
    elif spoil == "no manifest":
        (folder / "manifest.json").unlink()
    else:
        (folder / "manifest.json").write_text("{not json")
    app_db = Path(settings.db_url.removeprefix("sqlite:///"))
    before = {path: sha(path) for path in (app_db, home / "prefect" / "prefect.db")}

    with pytest.raises(BackupError) as refused:
        restore(settings, folder)

    expected = {
        "checksum": "corrupt: passage.db does not match its checksum",
        "missing file": "incomplete: prefect.db is missing",
        "no manifest": "has no manifest.json",
        "manifest not JSON": "not a valid manifest",
    }[spoil]
    assert expected in str(refused.value)
    assert {path: sha(path) for path in before} == before
    assert not list(app_db.parent.glob("*before-restore*")) and not list(home.rglob("*restoring*"))


class Answering(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering_port() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_restore_refuses_while_the_stack_runs(db: Session, home: Path, answering_port: int) -> None:
    sqlite_only()
    settings = settings_for(get_settings().db_url, home)
    folder, _ = make_backup(settings)
    new_case(session=db)
    release(db)
    app_db = Path(settings.db_url.removeprefix("sqlite:///"))
    before = sha(app_db)

    server_up = settings.model_copy(update={"prefect_port": answering_port})
    with pytest.raises(BackupError, match=r"stop the stack before restoring: the Prefect server answers at"):
        restore(server_up, folder)

    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sqlite3, sys; sqlite3.connect({str(app_db)!r}).execute('select 1'); "
         "print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackupError, match=rf"passage.db is open in process {holder.pid} "):
            restore(settings, folder)
    finally:
        holder.kill()
        holder.wait()
    assert sha(app_db) == before


def test_postgres_app_database_round_trips(postgres: databases.PostgresServer, pg_db: Session, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None or shutil.which("psql") is None:
        why = "pg_dump, pg_restore and psql (PostgreSQL's client tools) must be installed to back up PostgreSQL"
        if databases.on_postgres():
            pytest.fail(why + ": apt-get install postgresql-client")
        pytest.skip(why)
    url = get_settings().db_url
    settings = settings_for(url, tmp_path / "home", prefect_server_url="http://127.0.0.1:9/api")
    kept = new_case(session=pg_db)
    folder, manifest = make_backup(settings)
    assert manifest.app.kind == "postgresql" and manifest.prefect is None and "elsewhere" in manifest.prefect_note
    assert stat.S_IMODE((folder / "passage.pgdump").stat().st_mode) == 0o600
    with Session(get_engine()) as session:
        at_backup = cases(session)
    later = new_case(session=pg_db, unhcr_ref="LEB-24-000999")

    # A session still open on the database is a running stack.
    with pytest.raises(BackupError, match=r"other connection\(s\) to the passage database"):
        restore(settings, folder)
    release(pg_db)
    # A dump that does not match its checksum changes nothing.
    original = (folder / "passage.pgdump").read_bytes()
    (folder / "passage.pgdump").write_bytes(original[:-10])
    with pytest.raises(BackupError, match="corrupt"):
        restore(settings, folder)
    with Session(get_engine()) as session:
        assert session.get(Case, later) is not None
    get_engine().dispose()
    (folder / "passage.pgdump").write_bytes(original)

    report = restore(settings, folder)

    with Session(get_engine()) as session:
        assert cases(session) == at_backup and session.get(Case, kept) is not None
        assert session.get(Case, later) is None
        assert verify(session=session).ok
    get_engine().dispose()
    assert {event.case_id for event in report.lost} == {later}  # its opening (and its "open anyway")


# --- the drill: a real stack backed up online, stopped, restored, started again ------------------------


def run_cli(own: OwnStack, *args: str) -> str:
    """`passage ...` as the operator runs it on the stack's machine (an inbox port of its own: nothing answers)."""
    done = subprocess.run(
        [sys.executable, "-m", "passage.cli", *args],
        env={**child_env(own.settings), "PASSAGE_INBOX_PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def snapshot() -> tuple[list[tuple[int | None, str, str]], list[tuple[int | None, int]], list[tuple[int | None, str]]]:
    """Tasks (id, step, status), decisions (id, task) and cases (id, status), as the app database has them."""
    with Session(get_engine()) as session:
        tasks = [(t.id, t.step, t.status.value) for t in session.exec(select(HumanTask).order_by(col(HumanTask.id)))]
        decisions = [(d.id, d.task_id) for d in session.exec(select(Decision).order_by(col(Decision.id)))]
        return tasks, decisions, cases(session)


def test_drill_cases_resume_from_the_backup_state_once(
    db: Session,
    own_stack: OwnStack,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqlite_only()
    # Where the audit trail is keyed (passage.services.seal), the stack's processes and the CLI runs below
    # seal and verify with this process's key: this process writes events too (cases opened, decisions).
    if importlib.util.find_spec("passage.services.seal") is not None:
        key = importlib.import_module("passage.services.seal").audit_key()
        monkeypatch.setenv("PASSAGE_AUDIT_KEY", key.decode("utf-8"))
    own_stack.start_server()
    own_stack.start_runner()
    with Session(get_engine()) as session:
        from passage.services.delivery import start_case

        ids = [
            start_case(
                session=session, programme="resettlement-nl", case_file=referral(unhcr_ref=f"LEB-24-00070{n}"),
                actor="cw.amal", open_anyway=True,
            ).id or 0
            for n in range(3)
        ]  # fmt: skip
    a, b, c = ids
    tasks = [task_at(case, GATE, timeout=180) for case in ids]
    all_suspended_at(tasks, GATE, timeout=180)
    decide_at(a, GATE)
    moved = task_at(a, NEXT, timeout=180)
    all_suspended_at([moved], NEXT, timeout=180)

    said = run_cli(own_stack, "backup", "--to", str(tmp_path / "backups"))  # online: the stack runs
    folder = Path(said.splitlines()[0].removeprefix("backup written to "))
    at_backup = snapshot()
    resumes_at_backup = {
        case: state_names(task.flow_run_id).count("Resuming") for case, task in zip(ids, tasks, strict=True)
    }
    assert resumes_at_backup == {a: 1, b: 0, c: 0}

    decide_at(b, GATE)  # decisions after the backup: a restore takes them back
    decide_at(a, NEXT)
    task_at(b, NEXT, timeout=180)
    task_at(a, THIRD, timeout=180)
    assert snapshot() != at_backup

    own_stack.close()
    release(db)
    restored = run_cli(own_stack, "restore", str(folder))

    assert snapshot() == at_backup, "tasks, decisions and cases are as they were at backup time"
    taken_back = [line for line in restored.splitlines() if "task.approved" in line]
    assert len(taken_back) == 2, restored  # the two later decisions, listed for someone to take again
    assert "intact" in run_cli(own_stack, "audit", "verify")  # and exit 0

    own_stack.start_server()
    own_stack.start_runner()
    assert suspended_at(task_at(a, NEXT), NEXT), "the run waits where the backup says"
    all_suspended_at([task_at(b, GATE), task_at(c, GATE)], GATE, timeout=60)

    decide_at(a, NEXT)
    decide_at(b, GATE)
    decide_at(c, GATE)
    for case, step in ((a, THIRD), (b, NEXT), (c, NEXT)):
        all_suspended_at([task_at(case, step, timeout=180)], step, timeout=180)

    with Session(get_engine()) as session:
        decisions = session.exec(select(Decision)).all()
        assert len(decisions) == 4 and all(d.applied_at is not None for d in decisions)
        per_task = [d.task_id for d in decisions]
        assert len(per_task) == len(set(per_task)), "no decision twice"
        approved = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "task.approved")).all()
        assert len(approved) == 4
    assert "intact" in run_cli(own_stack, "audit", "verify")  # and exit 0
    resumes = {case: state_names(task.flow_run_id).count("Resuming") for case, task in zip(ids, tasks, strict=True)}
    assert resumes == {a: 2, b: 1, c: 1}, "each decision resumed its run once, none of the taken-back ones"


def test_a_run_behind_passage_after_prefect_alone_is_restored_moves_on_at_the_next_decision(
    db: Session,
    own_stack: OwnStack,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prefect's database older than Passage's (not what `passage backup` makes: Prefect's restored alone).

    The run waits at a gate Passage saw decided and moved past; a decision at the gate Passage has open
    must resume it there, and the run replays from Passage's record to that gate and on.
    """
    sqlite_only()
    if importlib.util.find_spec("passage.services.seal") is not None:
        key = importlib.import_module("passage.services.seal").audit_key()
        monkeypatch.setenv("PASSAGE_AUDIT_KEY", key.decode("utf-8"))
    own_stack.start_server()
    own_stack.start_runner()
    with Session(get_engine()) as session:
        from passage.services.delivery import start_case

        case = start_case(session=session, programme="resettlement-nl", case_file=referral(), actor="cw.amal").id or 0
    all_suspended_at([task_at(case, GATE, timeout=180)], GATE, timeout=180)
    decide_at(case, GATE)
    run = task_at(case, NEXT, timeout=180)
    all_suspended_at([run], NEXT, timeout=180)
    folder = Path(run_cli(own_stack, "backup", "--to", str(tmp_path / "backups")).splitlines()[0].split(" to ")[1])
    decide_at(case, NEXT)
    all_suspended_at([task_at(case, THIRD, timeout=180)], THIRD, timeout=180)

    own_stack.close()
    prefect_db = own_stack.settings.home / "prefect" / "prefect.db"
    for leftover in (Path(f"{prefect_db}-wal"), Path(f"{prefect_db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(folder / "prefect.db", prefect_db)  # Prefect's state of the backup; Passage's of now
    own_stack.start_server()
    own_stack.start_runner()
    assert suspended_at(run, NEXT), "Prefect's run waits at the gate Passage saw decided"

    decide_at(case, THIRD)

    fourth = task_at(case, "orientation", timeout=180)
    all_suspended_at([fourth], "orientation", timeout=180)
    with Session(get_engine()) as session:
        decisions = session.exec(select(Decision)).all()
        assert len(decisions) == 3 and all(d.applied_at is not None for d in decisions)
    assert "intact" in run_cli(own_stack, "audit", "verify")
