"""Migrations: an empty database migrated to head has exactly the models' schema, on SQLite and PostgreSQL;
a database of the previous release keeps its rows; a model changed without a migration is caught."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, MetaData, String, create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, col, select

import models  # noqa: F401  (the tables on SQLModel.metadata)
from models import Case, HumanTask, Person
from passage.core import schema
from passage.core.db import init_db
from tests.databases import PostgresServer

RELEASE_0_1 = Path(__file__).parents[1] / "release_0_1"  # tests/release_0_1


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of each backend (PostgreSQL-only half skipped where none answers)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        engine = create_engine(url, poolclass=NullPool)
        yield engine
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    with server.empty() as url:
        engine = create_engine(url, poolclass=NullPool)
        yield engine
        engine.dispose()


def differences(engine: Engine, metadata: MetaData = SQLModel.metadata) -> list[Any]:
    """What autogenerate would put in a new revision: the database's schema against `metadata`."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def load_release_0_1(engine: Engine) -> None:
    """The tables as release 0.1 made them (create_all, no alembic_version), from its schema dump."""
    script = (RELEASE_0_1 / f"{engine.dialect.name}.sql").read_text(encoding="utf-8")
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.connection.driver_connection.executescript(script)  # type: ignore[union-attr]
        else:
            connection.exec_driver_sql(script)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_upgrade_from_empty_gives_exactly_the_models_schema(empty: Engine) -> None:
    schema.upgrade(url_of(empty))
    assert schema.current(empty) == schema.head()
    assert differences(empty) == []


def test_a_model_changed_without_a_migration_is_caught(empty: Engine) -> None:
    schema.upgrade(url_of(empty))
    changed = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["human_task"].append_column(Column("vulnerable", String(20), nullable=True))
    assert [(d[0], d[3].name) for d in differences(empty, changed)] == [("add_column", "vulnerable")]


BASELINE_ROWS = [
    """INSERT INTO "case" (id, programme, title, ref, uid, status, data, flags, opened_by, created_at)
       VALUES (1, 'resettlement-nl', 'محمد الأحمد', 'RST-00001', 'u1', 'active', '{"unhcr_ref": "LEB-24-000101"}',
               '["medical"]', 'cw.amal', '2026-01-05 10:00:00+00:00')""",
    """INSERT INTO person (id, case_id, full_name, nationality, birth_date, is_principal)
       VALUES (1, 1, 'محمد الأحمد', 'SY', '1984-03-02', true)""",
    """INSERT INTO human_task (id, case_id, programme, step, title, form_type, role, status, flow_run_id,
                               requested_by, context, due_at, created_at, approvals_required, assignee)
       VALUES (1, 1, 'resettlement-nl', 'accept-for-selection', 'Accept for selection', 'AcceptForm',
               'programme_manager', 'open', 'run-1', 'cw.amal', '{}', '2026-01-12 16:00:00+00:00',
               '2026-01-05 10:00:00+00:00', 1, NULL)""",
]


@pytest.mark.parametrize("start", ["release 0.1 (no alembic_version)", "baseline revision"])
def test_a_database_of_the_previous_release_keeps_its_rows_when_migrated(empty: Engine, start: str) -> None:
    if start.startswith("release"):
        load_release_0_1(empty)
    else:
        schema.upgrade(url_of(empty), schema.BASELINE)
    with empty.begin() as connection:
        for statement in BASELINE_ROWS:
            connection.execute(text(statement))
    init_db(empty)  # what every process does on start
    assert schema.current(empty) == schema.head()
    assert differences(empty) == []
    with Session(empty) as session:
        case = session.exec(select(Case)).one()
        assert (case.ref, case.title, case.data, case.flags) == (
            "RST-00001",
            "محمد الأحمد",
            {"unhcr_ref": "LEB-24-000101"},
            ["medical"],
        )
        assert session.exec(select(Person)).one().full_name == "محمد الأحمد"
        task = session.exec(select(HumanTask)).one()
        assert task.due_at == datetime(2026, 1, 12, 16, tzinfo=UTC)


def test_old_cases_get_their_partner_number_once_and_old_persons_their_name_key(empty: Engine) -> None:
    """Migration 0011: a number two old cases share stays with the oldest, so the unique constraint holds."""
    schema.upgrade(url_of(empty), schema.BASELINE)
    twin = BASELINE_ROWS[0].replace("(1, ", "(2, ").replace("RST-00001", "RST-00002").replace("'u1'", "'u2'")
    with empty.begin() as connection:
        for statement in (BASELINE_ROWS[0], twin, BASELINE_ROWS[1]):
            connection.execute(text(statement))
    init_db(empty)
    with Session(empty) as session:
        assert [c.external_ref for c in session.exec(select(Case).order_by(col(Case.id)))] == ["LEB-24-000101", None]
        assert session.exec(select(Person)).one().name_key == "hmd mhmd"
