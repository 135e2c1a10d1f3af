"""Test databases: every one gets its schema from the migrations, migrated once per session into a template.

SQLite: the template is a file, copied for each test. PostgreSQL (a server named by
PASSAGE_TEST_POSTGRES_URL, or the local one for the PostgreSQL-only tests): the template is a
database, and each test gets `CREATE DATABASE … TEMPLATE` of it, dropped after the test.
"""

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

from passage.core import schema

# Set by `.ci/run`'s second pass (and `make test-postgres`): run every test on this PostgreSQL server.
SERVER_ENV = "PASSAGE_TEST_POSTGRES_URL"
LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    """The PostgreSQL server the tests use (its database is only where we connect to create others)."""
    return os.environ.get(SERVER_ENV) or LOCAL_SERVER


def on_postgres() -> bool:
    """Whether this run puts every test's database on PostgreSQL."""
    return bool(os.environ.get(SERVER_ENV))


def _admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 3})


def postgres_answers(url: str) -> str | None:
    """None if the server at `url` answers, else why not."""
    try:
        with _admin(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means the same: no server here
        return f"no PostgreSQL answers at {make_url(url).render_as_string()}: {str(exc).splitlines()[0]}"
    return None


def sqlite_template(directory: Path) -> Path:
    """A SQLite file migrated to head."""
    path = directory / "template.db"
    schema.upgrade(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    path = directory / "passage.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class PostgresServer:
    """Databases on one server, named after this process so that parallel runs never collide.

    Creating a database from a template takes a second or more on a busy machine, so one thread
    makes the next test's database and drops the last one while a test runs.
    """

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"{self.url.database or 'passage'}_{os.getpid()}_{uuid4().hex[:6]}"
        self._background = ThreadPoolExecutor(max_workers=1)
        self._spare: Future[str] | None = None

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with _admin(self.url_of(self.url.database or "postgres")).connect() as connection:
            connection.execute(text(statement))

    def _create(self, name: str, template: str | None = None) -> str:
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        # FORCE: a flow process or a page's engine may still hold a connection.
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _copy(self, template: str) -> Future[str]:
        return self._background.submit(self._create, f"{self.prefix}_{uuid4().hex[:10]}", template)

    @contextmanager
    def template(self) -> Iterator[str]:
        """A database migrated to head, to copy from; dropped (with any spare copy) at the end."""
        name = self._create(f"{self.prefix}_tpl")
        schema.upgrade(self.url_of(name))
        try:
            yield name
        finally:
            spare, self._spare = self._spare, None
            self._background.shutdown(wait=True)
            for leftover in ([spare.result()] if spare is not None else []) + [name]:
                self.drop(leftover)

    @contextmanager
    def empty(self) -> Iterator[str]:
        """A new database without tables, dropped after use."""
        name = self._create(f"{self.prefix}_{uuid4().hex[:10]}")
        try:
            yield self.url_of(name)
        finally:
            self.drop(name)

    @contextmanager
    def fresh(self, template: str) -> Iterator[str]:
        """A new database with the template's schema, dropped after use."""
        ready = self._spare or self._copy(template)
        self._spare = self._copy(template)
        name = ready.result()
        try:
            yield self.url_of(name)
        finally:
            self._background.submit(self.drop, name)
