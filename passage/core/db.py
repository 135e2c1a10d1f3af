"""The one engine and session factory."""

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from models import Person
from passage.core import schema
from passage.core.names import name_key
from passage.core.settings import get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the inbox read while a flow writes; busy_timeout queues writers instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _key_the_name(_mapper: Any, _connection: Any, person: Person) -> None:
    """Every write of a person's row keys its name (the likely duplicate lookup's index).

    Here, beside the one engine, rather than in each service that writes a name: an intake, an amendment
    and a pseudonymisation all change a name, and a key left stale would find (or hide) the wrong person.
    A bulk UPDATE of names bypasses this and must set the key itself.
    """
    person.name_key = name_key(person.full_name)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured database), created once per process."""
    url = url or get_settings().db_url
    if url.startswith("sqlite"):
        get_settings().home.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
    elif url.startswith("postgresql"):
        # A lock held too long fails the statement (as SQLite's busy timeout does) instead of waiting forever.
        engine = create_engine(url, pool_pre_ping=True, connect_args={"options": "-c lock_timeout=15000"})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def init_db(engine: Engine | None = None) -> None:
    """Migrate the database to the code's schema if it is behind (a quick check when it is not)."""

    engine = engine or get_engine()
    if schema.current(engine) != schema.head():
        schema.upgrade(engine.url.render_as_string(hide_password=False))


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session on the configured engine, closed on exit (callers commit)."""
    with Session(get_engine()) as session:
        yield session


def unpooled_engine(url: str) -> Engine:
    """An engine on another installation's database (a backup's, a restore's), keeping no connection open."""
    return create_engine(url, poolclass=NullPool)


@contextmanager
def exclusive(name: str, *, engine: Engine | None = None, home: Path | None = None) -> Iterator[bool]:
    """Hold the installation-wide lock `name` unless another process holds it; yields whether it is held.

    PostgreSQL: a session advisory lock, shared by every machine on the database. SQLite (one machine):
    a file lock in the home. `engine` and `home` name another installation's database and home (a backup
    or a restore holds its lock); by default this process's.
    """
    engine = engine or get_engine()
    if engine.dialect.name != "postgresql":
        folder = (home or get_settings().home).resolve()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (folder / f"{name}.lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True  # closing the file releases the lock
        return
    key = zlib.crc32(name.encode())
    with engine.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
