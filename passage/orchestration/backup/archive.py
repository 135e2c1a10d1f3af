"""What a backup is: its folder, manifest and checksums; the databases it holds; the installation's lock."""

import hashlib
import os
import platform
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import URL, Engine, inspect, make_url, text
from sqlmodel import Session, col, select

from models import AuditEvent
from passage.core import release, schema
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
    # Keyed by what they are; Passage's distribution is not named "passage" (passage/core/release.py).
    for name, distribution in (("passage", release.DISTRIBUTION), ("prefect", "prefect"), ("alembic", "alembic")):
        with suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(distribution)
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
