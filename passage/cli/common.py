"""What every `passage` command shares: one-line errors, JSON output, safe arguments."""

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError

from models.common import MAX_ID, clean_text
from passage.core import json_text
from passage.core.db import session_scope
from passage.core.errors import NotFound, PassageError
from passage.core.i18n import translate
from passage.core.settings import get_settings
from passage.services.users import get_user

TaskId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="the task's number")]
# Who acts, when `--as` is not given: set once per shell (`export PASSAGE_AS=pm.anna`), as kubectl's context.
AS_ENVVAR = "PASSAGE_AS"
AsJson = Annotated[bool, typer.Option("--json", help="print JSON with stable keys, for scripts")]


def as_option(help: str) -> Any:
    """The `--as` option of a command: who acts, by default the user named by PASSAGE_AS."""
    return typer.Option("--as", envvar=AS_ENVVAR, show_envvar=True, help=help)


# A line break or other control character inside a message (a name typed with one) is shown escaped,
# so every problem stays one `error:` line.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def say_error(message: str) -> None:
    typer.echo("error: " + _BREAKS.sub(lambda m: repr(m.group())[1:-1], message), err=True)


def fail(message: str) -> typer.Exit:
    say_error(message)
    return typer.Exit(1)


def refuse_bad_arguments(args: list[str]) -> None:
    """Refuse an argument holding control characters or bytes that are not UTF-8, named by its option."""
    for i, arg in enumerate(args):
        try:
            clean_text(arg)
        except ValueError as exc:
            name = args[i - 1] if i and args[i - 1].startswith("-") else f"argument {i + 1}"
            raise PassageError(f"{name}: {exc}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    return value


def emit(value: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    """Stable JSON for scripts: pydantic's JSON mode, keys in declaration order (a dict's keys as written)."""
    typer.echo(json.dumps(_plain(value), ensure_ascii=False, indent=2, default=str))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Rows as aligned columns under their headers (rich), as plain text.

    Every cell is a rich Text, never markup: a name typed as "[bold]…" prints as typed. No colour and no
    frame, and as wide as the rows need when piped, so `grep` and `cut` see one line per row.
    """
    grid = Table(box=None, pad_edge=False, show_edge=False, header_style="none")
    for header in headers:
        grid.add_column(Text(header), overflow="fold")
    for row in rows:
        grid.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 10_000
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, markup=False, highlight=False, emoji=False).print(grid)
    typer.echo("\n".join(line.rstrip() for line in out.getvalue().splitlines()))


def read_json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise fail(f"{what} must be a JSON object")
    return value


def counts(result: BaseModel) -> None:
    """A pass's counts (sent, retrying, …) as a two-column table, in the order the model declares them."""
    table(("WHAT", "COUNT"), result.model_dump(mode="json").items())


def language_of(actor: str | None) -> str:
    """The language the CLI speaks to `actor`: theirs as stored, else PASSAGE_LANGUAGE (English by default)."""
    if actor:
        with session_scope() as session:
            try:
                return get_user(session=session, username=actor).language
            except NotFound:  # the command itself says so, in its own words
                pass
    return get_settings().language


def acting_user(args: list[str]) -> str | None:
    """Whom a command line acts as: its `--as NAME` or `--as=NAME`, else PASSAGE_AS; None for neither."""
    for i, arg in enumerate(args):
        if arg == "--as" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--as="):
            return arg.removeprefix("--as=")
    return os.environ.get(AS_ENVVAR) or None


def error_language(args: list[str]) -> str:
    """The language of an `error:` line: the acting user's, else PASSAGE_LANGUAGE, also when the database
    cannot say (the refusal may be about the database itself) or the name is no text (undecodable bytes in
    argv: the very refusal being worded)."""
    try:
        return language_of(acting_user(args))
    except (SQLAlchemyError, UnicodeError):
        return get_settings().language


def say(language: str, text: str, /, **values: object) -> None:
    """One line of human text from the catalogue (passage/core/locales/nl/cli.toml), in `language`."""
    typer.echo(translate(language, text, **values))
