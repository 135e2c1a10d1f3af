"""`restore`: a stopped installation brought back from a backup, verified before anything is replaced."""

import os
import shutil
import sqlite3
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from models import AuditEvent
from passage.core import schema
from passage.core.db import unpooled_engine
from passage.core.settings import Settings
from passage.orchestration.backup.archive import (
    FOLDERS,
    RECONCILER_LOCK,
    RESTORE_LOCK,
    AuditMark,
    BackupError,
    DatabaseCopy,
    LostEvent,
    Manifest,
    RestoreReport,
    Target,
    _audit_mark,
    _libpq,
    _lock,
    _pg_tool,
    _private_file,
    _private_tree,
    _revision,
    _row_counts,
    _run,
    _sha256,
    _stamp,
    app_target,
    home_folder,
    prefect_target,
    read_manifest,
)


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
