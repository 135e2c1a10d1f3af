"""Backups that restore: the app database, Prefect's database and the attachments, in one folder with a manifest.

`make_backup` runs online, with the stack up. The two databases are copied while the app database's
writes are held (SQLite: `BEGIN IMMEDIATE` on a connection of our own; PostgreSQL: every table locked
EXCLUSIVE, which readers such as pg_dump pass), so Prefect's copy is never older than Passage's: a
decision in the app copy has reached Prefect's copy or is still waiting to (the reconciler delivers it),
and a run that Prefect's copy shows Running has no process after a restore (the reconciler's zombie
check marks it Crashed and it replays to its gate). Writers wait meanwhile (busy timeout, lock timeout:
15 s), so the hold lasts only as long as the copies.

`restore` brings a stopped installation back: it refuses while anything of the stack runs, checks every
file against the manifest, restores into temporary files (SQLite) and verifies them (integrity, Alembic
revision, row counts, the audit chain) before putting them in place with renames; PostgreSQL is restored
by psql in one transaction whose last statements check the revision and the row counts, so a failure
changes nothing. What is replaced is kept beside it (`*.before-restore-<time>`), for an operator to
delete once satisfied.
"""

import hashlib
import os
import platform
import shutil
import sqlite3
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from uuid import uuid4

import httpx
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from pydantic import BaseModel
from sqlalchemy import URL, Engine, inspect, make_url, text
from sqlmodel import Session, col, select

from models import AuditEvent
from passage.core import schema
from passage.core.db import exclusive, unpooled_engine
from passage.core.errors import PassageError
from passage.core.settings import Settings
from passage.services.audit import verify

FORMAT = 1
MANIFEST = "manifest.json"
# Folders of the home that belong with the databases: the attachments (none are written yet), and the
# audit trail's key and signed checkpoints (a restored trail must meet the checkpoints of its own time).
FOLDERS = ("attachments", "audit")
RESTORE_LOCK = "passage-restore"
# The reconciler's lock (passage.orchestration.runner.RECONCILER_LOCK), named here so that a restore
# does not import Prefect to learn it.
RECONCILER_LOCK = "passage-reconciler"
# How long a backup waits for the app database's write lock (a long writer finishing).
HOLD_WAIT_SECONDS = 30


class BackupError(PassageError):
    """A backup or restore refused or failed; the message says why and what to do."""


class DatabaseCopy(BaseModel):
    """One database in a backup: its kind, its file in the folder, its Alembic revision and row counts."""

    kind: str  # "sqlite" or "postgresql"
    file: str
    revision: str | None = None
    rows: dict[str, int] = {}


class AuditMark(BaseModel):
    """Where the app database's audit trail stood: a restore lists what came after it."""

    events: int
    last_id: int | None = None
    last_hash: str | None = None
    chain_ok: bool = True


class Manifest(BaseModel):
    format: int = FORMAT
    created_at: datetime
    versions: dict[str, str]
    app: DatabaseCopy
    prefect: DatabaseCopy | None = None
    prefect_note: str = ""
    folders: list[str] = []  # those of FOLDERS the home had
    audit: AuditMark
    # Every file of the backup but the manifest: relative path -> sha256.
    checksums: dict[str, str]


class LostEvent(BaseModel):
    """An audit event of the replaced database that the backup lacks (no detail: it may name people)."""

    id: int
    at: datetime
    actor: str
    action: str
    case_id: int | None
    task_id: int | None


class RestoreReport(BaseModel):
    source: str
    created_at: datetime
    revision: str | None
    restored: list[str]
    kept: list[str]
    lost: list[LostEvent]


# --- where things are -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A database of the installation: a SQLite file, or a PostgreSQL database (by SQLAlchemy URL)."""

    name: str  # "passage" or "prefect"
    url: str

    @property
    def kind(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"

    @property
    def path(self) -> Path:
        database = make_url(self.url).database
        if not database:
            raise BackupError(f"the {self.name} database URL names no file: {self.url}")
        return Path(database).resolve()

    @property
    def file(self) -> str:
        return f"{self.name}.db" if self.kind == "sqlite" else f"{self.name}.pgdump"

    def sync_url(self) -> str:
        """A URL for a synchronous engine (Prefect's own is async: aiosqlite or asyncpg)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        return make_url(self.url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def app_target(settings: Settings) -> Target:
    return Target("passage", settings.db_url)


def prefect_target(settings: Settings) -> tuple[Target | None, str]:
    """Prefect's database when it is this installation's, else None and why not."""
    if settings.prefect_database_url:
        return Target("prefect", settings.prefect_database_url), ""
    if settings.prefect_server_url:
        return None, "Prefect runs elsewhere (PASSAGE_PREFECT_SERVER_URL): back its database up there"
    path = settings.home.resolve() / "prefect" / "prefect.db"
    if not path.exists():
        return None, "no Prefect database yet"
    return Target("prefect", f"sqlite:///{path}"), ""


def home_folder(settings: Settings, name: str) -> Path:
    return settings.home.resolve() / name


# --- small tools ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    """Create `path` empty, readable and writable by the service user only, before anything is written."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _private_tree(root: Path) -> None:
    for path in (root, *root.rglob("*")):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%SZ")


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("passage", "prefect", "alembic"):
        with suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    return found


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        return {name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()) for name in names}


def _revision(engine: Engine) -> str | None:
    return schema.current(engine) if "alembic_version" in inspect(engine).get_table_names() else None


def _audit_mark(engine: Engine) -> AuditMark:
    with Session(engine) as session:
        report = verify(session=session)
        last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return AuditMark(
        events=report.checked if report.ok else -1,
        last_id=last.id if last else None,
        last_hash=last.hash if last else None,
        chain_ok=report.ok,
    )


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """pg_dump's, pg_restore's and psql's --dbname for `url`, and the environment carrying its password.

    The password goes in PGPASSWORD, not on the command line, where every account on the host sees it.
    """
    parsed: URL = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: PostgreSQL backups need PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client, of the server's major version or newer)"
        )
    return found


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        # psql and pg_restore say the error, then its context: the error is what the operator needs.
        errors = [line for line in lines if "ERROR" in line or "error" in line] or lines
        raise BackupError(f"{what} failed: {errors[0].strip() if errors else f'exit {done.returncode}'}")
    return done.stdout


# --- backup -----------------------------------------------------------------------------------------


@contextmanager
def _writes_held(app: Target) -> Iterator[None]:
    """Hold the app database's writes (readers pass) until the block ends; see the module's docstring."""
    engine = unpooled_engine(app.sync_url())
    try:
        with engine.connect() as connection:
            if app.kind == "sqlite":
                connection.exec_driver_sql(f"PRAGMA busy_timeout={HOLD_WAIT_SECONDS * 1000}")
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN")
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{HOLD_WAIT_SECONDS}s'")
                names = inspect(connection).get_table_names()
                if names:
                    listed = ", ".join(f'"{name}"' for name in names)
                    connection.exec_driver_sql(f"LOCK TABLE {listed} IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                connection.rollback()
    finally:
        engine.dispose()


def _copy_sqlite(source: Path, into: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write, made a single file."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    _private_file(into)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=HOLD_WAIT_SECONDS)
    dst = sqlite3.connect(into)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _dump_postgres(target: Target, into: Path) -> None:
    dbname, env = _libpq(target.sync_url())
    _private_file(into)
    args = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={into}", dbname]
    _run(args, env, f"pg_dump of the {target.name} database")


def _copy_database(target: Target, folder: Path) -> DatabaseCopy:
    into = folder / target.file
    if target.kind == "sqlite":
        _copy_sqlite(target.path, into)
        engine = unpooled_engine(f"sqlite:///{into}")
    else:
        _dump_postgres(target, into)
        engine = unpooled_engine(target.sync_url())
    try:
        # A live PostgreSQL database's counts match its dump only while its writes are held (the app's);
        # Prefect's server goes on writing, so its dump is checked by pg_restore and its revision alone.
        held = target.kind == "sqlite" or target.name == "passage"
        rows = _row_counts(engine) if held else {}
        return DatabaseCopy(kind=target.kind, file=target.file, revision=_revision(engine), rows=rows)
    finally:
        engine.dispose()


def make_backup(settings: Settings, to: Path | None = None, *, now: datetime | None = None) -> tuple[Path, Manifest]:
    """A consistent online backup in a new folder under `to` (default <home>/backups); returns it and its manifest."""
    created = now or datetime.now(UTC)
    parent = (to or settings.home / "backups").resolve()
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if to is None:
        parent.chmod(0o700)  # the home's own backups folder: the service user's only
    name = f"passage-{_stamp(created)}"
    final = parent / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = parent / f"{name}-{suffix}"
    # Built under a hidden name and renamed when complete: an interrupted backup is never taken for one.
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=parent))  # 0700
    try:
        app = app_target(settings)
        prefect, note = prefect_target(settings)
        with _writes_held(app):
            app_copy = _copy_database(app, work)
            prefect_copy = _copy_database(prefect, work) if prefect is not None else None
            engine = unpooled_engine(f"sqlite:///{work / app.file}" if app.kind == "sqlite" else app.sync_url())
            try:
                mark = _audit_mark(engine)
            finally:
                engine.dispose()
            folders = [name for name in FOLDERS if home_folder(settings, name).is_dir()]
            for name in folders:
                shutil.copytree(home_folder(settings, name), work / name, symlinks=False)
        _private_tree(work)
        checksums = {str(path.relative_to(work)): _sha256(path) for path in sorted(work.rglob("*")) if path.is_file()}
        manifest = Manifest(
            created_at=created,
            versions=_versions(),
            app=app_copy,
            prefect=prefect_copy,
            prefect_note=note,
            folders=folders,
            audit=mark,
            checksums=checksums,
        )
        _private_file(work / MANIFEST)
        (work / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final, manifest


# --- restore ----------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> Manifest:
    """The backup's manifest, every file it lists present with its checksum; else a clear refusal."""
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a complete backup: it has no {MANIFEST}")
    try:
        manifest = Manifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} is not a valid manifest: {str(exc).splitlines()[0]}") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{path} is of format {manifest.format}; this release reads format {FORMAT}")
    needed = [manifest.app.file] + ([manifest.prefect.file] if manifest.prefect else [])
    for name in needed:
        if name not in manifest.checksums:
            raise BackupError(f"the manifest lists no checksum for {name}: the backup is incomplete")
    for name, expected in manifest.checksums.items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"the backup is incomplete: {name} is missing")
        if _sha256(file) != expected:
            raise BackupError(f"the backup is corrupt: {name} does not match its checksum")
    return manifest


@contextmanager
def _lock(settings: Settings, name: str) -> Iterator[bool]:
    """passage.core.db.exclusive's lock `name` of the installation `settings` describes, on a connection of its own.

    The same lock, but for these settings rather than the process's, and without the process's pooled
    engine, whose idle connections would count as other clients of the database.
    """
    engine = unpooled_engine(settings.db_url)
    try:
        with exclusive(name, engine=engine, home=settings.home) as held:
            yield held
    finally:
        engine.dispose()


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return True


def _holders(path: Path) -> list[str]:
    """Other processes (of this user) that have the file open, from Linux's /proc: '<pid> <command>'."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    found: list[str] = []
    for process in Path("/proc").glob("[0-9]*"):
        if process.name == str(os.getpid()):
            continue
        try:
            opened = {os.readlink(fd) for fd in (process / "fd").iterdir()}
            if opened & names:
                command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                found.append(f"{process.name} {command[:80]}")
        except (FileNotFoundError, PermissionError, ProcessLookupError, NotADirectoryError):
            continue
    return found


def _pg_clients(target: Target) -> list[str]:
    """Other sessions on the database (but this restore's own, which holds the restore lock), described."""
    engine = unpooled_engine(target.sync_url())
    query = text(
        "SELECT pid, application_name, client_addr, state FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
        "AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key AND granted)"
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"key": zlib.crc32(RESTORE_LOCK.encode())}).all()
    finally:
        engine.dispose()
    return [
        f"pid {pid} {name or ''} from {addr or 'a local socket'} ({state})".replace("  ", " ")
        for pid, name, addr, state in rows
    ]


def running(settings: Settings, targets: list[Target]) -> list[str]:
    """What of the stack is still running (empty: stopped), each a reason to refuse a restore."""
    found = []
    if not settings.prefect_server_url and _answers(f"{settings.prefect_api_url}/health"):
        found.append(f"the Prefect server answers at {settings.prefect_api_url}")
    if _answers(f"{settings.inbox_url}/_stcore/health"):
        found.append(f"the inbox answers at {settings.inbox_url}")
    with _lock(settings, RECONCILER_LOCK) as held:
        if not held:
            found.append("a reconciler holds its lock")
    for target in targets:
        if target.kind == "sqlite":
            found += [f"{target.path.name} is open in process {holder}" for holder in _holders(target.path)]
        elif clients := _pg_clients(target):
            found.append(f"{len(clients)} other connection(s) to the {target.name} database: {', '.join(clients)}")
    return found


def _known_revision(revision: str | None) -> None:
    if revision is None:
        return
    try:
        known = ScriptDirectory.from_config(schema.alembic_config()).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema is at revision {revision}, which this release does not know "
            "(a backup of a newer release): restore it with that release"
        )


def _check_copy(engine: Engine, copy: DatabaseCopy, what: str, audit: AuditMark | None) -> None:
    """The restored copy is what the manifest describes: revision, row counts and (app) the audit chain."""
    if copy.revision != _revision(engine):
        raise BackupError(f"the restored {what} database is at revision {_revision(engine)}, not {copy.revision}")
    counts = _row_counts(engine)
    for table, expected in copy.rows.items():
        if counts.get(table) != expected:
            raise BackupError(f"the restored {what} database has {counts.get(table)} rows in {table}, not {expected}")
    if audit is not None:
        mark = _audit_mark(engine)
        if (mark.chain_ok, mark.last_hash) != (audit.chain_ok, audit.last_hash):
            raise BackupError(f"the restored {what} database's audit trail is not the one backed up")


def _prepare_sqlite(folder: Path, copy: DatabaseCopy, target: Target, audit: AuditMark | None) -> Path:
    """The backup's file copied next to the target (same file system: the swap is a rename), and checked."""
    target.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staged = target.path.with_name(f".{target.path.name}.restoring-{uuid4().hex[:8]}")
    _private_file(staged)
    with (folder / copy.file).open("rb") as source, staged.open("wb") as into:
        shutil.copyfileobj(source, into)
        into.flush()
        os.fsync(into.fileno())
    try:
        check = sqlite3.connect(staged)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
        if result is None or result[0] != "ok":
            raise BackupError(f"the backup's {copy.file} fails SQLite's integrity check: {result}")
        engine = unpooled_engine(f"sqlite:///{staged}")
        try:
            _check_copy(engine, copy, target.name, audit)
        finally:
            engine.dispose()
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def _checkpoint(path: Path) -> None:
    """Fold the stopped database's write-ahead log into it: a leftover -wal must not meet the new file."""
    if not path.exists():
        return
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if extra.exists() and extra.stat().st_size and extra.name.endswith("-wal"):
            raise BackupError(f"{extra} still holds changes: is a process of the stack still running?")
        extra.unlink(missing_ok=True)


def _swap_sqlite(staged: Path, target: Path, stamp: str) -> str | None:
    """Put the staged file in place by a rename; the replaced one is kept beside it. Returns what was kept."""
    kept = None
    if target.exists():
        keep = target.with_name(f"{target.name}.before-restore-{stamp}")
        os.link(target, keep)
        kept = str(keep)
    os.replace(staged, target)
    return kept


def _lost_events(app: Target, mark: AuditMark) -> list[LostEvent]:
    """Events of the database being replaced after the backup's last one (what the restore takes back)."""
    if app.kind == "sqlite" and not app.path.exists():
        return []
    engine = unpooled_engine(app.sync_url())
    try:
        with Session(engine) as session:
            query = select(AuditEvent).order_by(col(AuditEvent.id))
            if mark.last_id is not None:
                query = query.where(col(AuditEvent.id) > mark.last_id)
            return [LostEvent.model_validate(event, from_attributes=True) for event in session.exec(query)]
    except Exception:  # a damaged or empty database: nothing to list, and the restore replaces it anyway
        return []
    finally:
        engine.dispose()


def _restore_postgres(folder: Path, copy: DatabaseCopy, target: Target, audit: AuditMark | None) -> None:
    """Replace the database's public schema with the dump's in one transaction that checks itself before it commits."""
    dbname, env = _libpq(target.sync_url())
    dump = folder / copy.file
    _run([_pg_tool("pg_restore"), "--list", str(dump)], env, f"reading {copy.file}")
    checks = [
        f"IF (SELECT count(*) FROM public.\"{table}\") <> {rows} THEN RAISE EXCEPTION 'rows of {table}'; END IF;"
        for table, rows in copy.rows.items()
    ]
    if copy.revision is not None:
        checks.append(
            f"IF (SELECT version_num FROM public.alembic_version) <> '{copy.revision}' "
            "THEN RAISE EXCEPTION 'revision'; END IF;"
        )
    if audit is not None and audit.last_hash is not None:
        checks.append(
            "IF (SELECT hash FROM public.audit_event ORDER BY id DESC LIMIT 1) <> "
            f"'{audit.last_hash}' THEN RAISE EXCEPTION 'audit trail'; END IF;"
        )
    with tempfile.TemporaryDirectory(prefix="passage-restore-") as scratch:  # 0700
        script = Path(scratch) / "restore.sql"
        _private_file(script)
        args = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(dump)]
        _run(args, env, f"reading {copy.file}")
        prelude, after = Path(scratch) / "prelude.sql", Path(scratch) / "checks.sql"
        prelude.write_text("DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n", encoding="utf-8")
        after.write_text("DO $$ BEGIN\n" + "\n".join(checks) + "\nEND $$;\n", encoding="utf-8")
        psql = [_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", f"--dbname={dbname}"]
        _run(
            [*psql, "-f", str(prelude), "-f", str(script), "-f", str(after)],
            env,
            f"restoring the {target.name} database",
        )


def restore(settings: Settings, folder: Path, *, now: datetime | None = None) -> RestoreReport:
    """Bring this stopped installation back to the backup in `folder`; refuses, changing nothing, when it cannot."""
    folder = folder.resolve()
    manifest = read_manifest(folder)
    app = app_target(settings)
    prefect, _note = prefect_target(settings)
    if prefect is None and manifest.prefect is not None and not settings.prefect_server_url:
        prefect = Target("prefect", f"sqlite:///{settings.home.resolve() / 'prefect' / 'prefect.db'}")
    pairs: list[tuple[DatabaseCopy, Target]] = [(manifest.app, app)]
    if manifest.prefect is not None:
        if prefect is None:
            raise BackupError("the backup holds a Prefect database, but this installation's Prefect runs elsewhere")
        pairs.append((manifest.prefect, prefect))
    for copy, target in pairs:
        if copy.kind != target.kind:
            raise BackupError(
                f"the backup's {target.name} database is {copy.kind}; this installation's is {target.kind}"
            )
    _known_revision(manifest.app.revision)

    with _lock(settings, RESTORE_LOCK) as held:
        if not held:
            raise BackupError("another restore is running")
        still = running(settings, [target for _copy, target in pairs])
        if still:
            raise BackupError("stop the stack before restoring: " + "; ".join(still))
        lost = _lost_events(app, manifest.audit)
        stamp = _stamp(now or datetime.now(UTC))
        staged: list[tuple[Path, Target]] = []
        folders: dict[str, Path | None] = {}
        try:
            # Everything is staged and checked before the first file is replaced.
            for copy, target in pairs:
                if target.kind == "sqlite":
                    audit = manifest.audit if target.name == "passage" else None
                    staged.append((_prepare_sqlite(folder, copy, target, audit), target))
            for name in FOLDERS:
                folders[name] = _stage_folder(folder, manifest, settings, name)
            for _path, target in staged:
                _checkpoint(target.path)  # every replaced database left without a -wal before the first swap
            restored, kept = [], []
            for copy, target in pairs:
                if target.kind == "postgresql":
                    _restore_postgres(folder, copy, target, manifest.audit if target.name == "passage" else None)
                    restored.append(f"{target.name} database (PostgreSQL)")
            for path, target in staged:
                was = _swap_sqlite(path, target.path, stamp)
                restored.append(f"{target.name} database ({target.path})")
                kept += [was] if was else []
            staged = []
            for name, staged_folder in list(folders.items()):
                kept += _swap_folder(staged_folder, home_folder(settings, name), stamp)
                restored += [f"{name} ({home_folder(settings, name)})"] if staged_folder else []
                del folders[name]
        finally:
            for path, _target in staged:
                path.unlink(missing_ok=True)
            for staged_folder in folders.values():
                if staged_folder is not None:
                    shutil.rmtree(staged_folder, ignore_errors=True)
    return RestoreReport(
        source=str(folder),
        created_at=manifest.created_at,
        revision=manifest.app.revision,
        restored=restored,
        kept=kept,
        lost=lost,
    )


def _stage_folder(folder: Path, manifest: Manifest, settings: Settings, name: str) -> Path | None:
    """The backup's copy of a home folder staged next to it (checked by the manifest's checksums), or None."""
    if name not in manifest.folders:
        return None
    home = settings.home.resolve()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    staged = home / f".{name}.restoring-{uuid4().hex[:8]}"
    shutil.copytree(folder / name, staged)
    _private_tree(staged)
    prefix = f"{name}/"
    for path, expected in manifest.checksums.items():
        if path.startswith(prefix) and _sha256(staged / path.removeprefix(prefix)) != expected:
            shutil.rmtree(staged, ignore_errors=True)
            raise BackupError(f"the staged copy of {path} does not match its checksum")
    return staged


def _swap_folder(staged: Path | None, current: Path, stamp: str) -> list[str]:
    """The folder as it was at backup time; the current one kept aside (a backup without it leaves none)."""
    kept = []
    if current.exists():
        keep = current.with_name(f"{current.name}.before-restore-{stamp}")
        current.rename(keep)
        kept.append(str(keep))
    if staged is not None:
        staged.rename(current)
    return kept
