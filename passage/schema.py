"""Schema migrations (Alembic, in passage/migrations): the one way the app database gets its tables.

Every process that opens the database calls `init_db()`, which migrates to the newest revision when
the database is behind. Two processes starting at once must not both migrate: the whole upgrade runs
in one transaction that holds a lock for its duration (PostgreSQL: a transaction-scoped advisory
lock; SQLite: `BEGIN IMMEDIATE`, the database's single write lock), and the second process, once it
has the lock, finds the schema current and does nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
# The schema of the last release made without Alembic (tables created by create_all).
BASELINE = "0001"
# Any fixed number, the same in every process: the key of the PostgreSQL advisory lock.
_LOCK_KEY = 0x7061_7373  # "pass"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built here (no alembic.ini): the scripts, and the connection to use."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: not migrated yet)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _begin_immediate(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite would start a transaction only before DML and commit DDL at once: take over its transactions.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=60000")


def _migration_engine(url: str) -> Engine:
    """A connection of its own for migrating, where a transaction holds the lock from its start."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _begin_immediate)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


@contextmanager
def _locked(url: str) -> Iterator[Connection]:
    """A connection in a transaction that no other migrator can enter until it commits."""
    engine = _migration_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
            yield connection
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision`, in one transaction."""
    with _locked(url) as connection:
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and "case" in tables:
            # A database of the release before migrations: its tables are the baseline's.
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` back to `revision` (tests of upgrades start from an older schema)."""
    with _locked(url) as connection:
        command.downgrade(alembic_config(connection), revision)
