"""`passage db`: the app database's schema migrations (the database of PASSAGE_DATABASE_URL)."""

import typer

from passage.cli.common import AsJson, emit
from passage.core import schema
from passage.core.db import get_engine

db_app = typer.Typer(no_args_is_help=True, help="The app database's schema (Alembic migrations).")


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("head", help="the revision to migrate to"), as_json: AsJson = False
) -> None:
    """Migrate the database to the newest schema (every Passage process also does this on start)."""
    engine = get_engine()
    before = schema.current(engine)
    schema.upgrade(engine.url.render_as_string(hide_password=False), revision)
    after = schema.current(engine)
    if as_json:
        return emit({"revision": after, "was": before})
    typer.echo(f"database at {after} (was {before or 'empty'})" if after != before else f"database at {after}")


@db_app.command("current")
def db_current(as_json: AsJson = False) -> None:
    """The database's revision and the newest one this code knows (exit 1 when they differ)."""
    at, newest = schema.current(get_engine()), schema.head()
    if as_json:
        emit({"revision": at, "newest": newest, "current": at == newest})
    else:
        typer.echo(f"database at {at or 'no revision (empty)'}; newest {newest}")
    if at != newest:
        raise typer.Exit(1)


@db_app.command("revision")
def db_revision(
    message: str = typer.Argument(..., help="what changes, e.g. 'task priority'"), as_json: AsJson = False
) -> None:
    """For developers: write the migration for a change to `models/` (then review it and run ruff format)."""
    written = schema.new_revision(message)
    if as_json:
        return emit({"file": str(written)})
    typer.echo(f"wrote {written}")
