"""Alembic's entry point: the tables of `models` (SQLModel.metadata), on the configured database.

`passage.core.schema` hands in a connection that already holds the migration lock; run on its own (e.g.
`alembic -c ...`), this opens the database named by PASSAGE_DATABASE_URL.
"""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.common import UTCDateTime
from passage.core.settings import get_settings


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Plain SQLAlchemy types in revisions, so a revision never imports application code."""
    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = create_engine(get_settings().db_url, poolclass=NullPool)
    with engine.connect() as own:
        run(own)
    engine.dispose()
