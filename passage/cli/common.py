"""What every `passage` command shares: one-line errors, JSON output, safe arguments."""

import json
import re
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from models.common import MAX_ID, clean_text
from passage.core import json_text
from passage.core.errors import PassageError

TaskId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="the task's number")]


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


def emit(value: BaseModel | list[BaseModel]) -> None:
    """Stable JSON for scripts: pydantic's JSON mode, keys in declaration order."""
    data: Any = [v.model_dump(mode="json") for v in value] if isinstance(value, list) else value.model_dump(mode="json")
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def read_json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise fail(f"{what} must be a JSON object")
    return value
