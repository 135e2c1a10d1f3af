"""`make_backup`: an online backup, the app database's writes held while both databases are copied."""

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect

from passage.core.db import unpooled_engine
from passage.core.settings import Settings
from passage.orchestration.backup.archive import (
    FOLDERS,
    HOLD_WAIT_SECONDS,
    MANIFEST,
    BackupError,
    DatabaseCopy,
    Manifest,
    Target,
    _audit_mark,
    _libpq,
    _pg_tool,
    _private_file,
    _private_tree,
    _revision,
    _row_counts,
    _run,
    _sha256,
    _stamp,
    _versions,
    app_target,
    home_folder,
    prefect_target,
)


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
