"""A throwaway PostgreSQL database on the local server (127.0.0.1:5432, user postgres, trust auth)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

SERVER = "host=127.0.0.1 port=5432 user=postgres"


def _answers() -> str | None:
    """None when the server answers, else why not."""
    try:
        with psycopg.connect(f"{SERVER} dbname=postgres", connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"{type(exc).__name__}: {exc}".strip()


_WHY_NOT = _answers()
needs_postgres = pytest.mark.skipif(
    _WHY_NOT is not None,
    reason=f"needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): {_WHY_NOT}",
)


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """Create a database with a unique name, yield the name, drop it (and its connections) on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(f"{SERVER} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url(database: str, driver: str) -> str:
    """The SQLAlchemy URL of `database` with `driver` (psycopg for Passage, asyncpg for Prefect)."""
    return f"postgresql+{driver}://postgres@127.0.0.1:5432/{database}"
