"""JSON a person typed or uploaded (a case file, a form's data): strict, and every failure a JSONDecodeError."""

import json
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str) -> Any:
    """`json.loads`, refusing NaN and Infinity; nesting too deep or a number too long is a JSONDecodeError too.

    Callers then need one `except json.JSONDecodeError` to tell the user where and why, never a traceback.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except ValueError as exc:  # NaN or Infinity, or an integer of more than 4,300 digits
        raise json.JSONDecodeError(str(exc), text, 0) from None
