"""Secrets Passage makes for itself once per home, in files for the service user only."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def stored_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept at `path`, made by `make()` the first time it is asked for.

    Made atomically: several processes of a starting stack may ask at the same moment, and the first
    link wins (the others read it). The file is 0600 in a 0700 folder.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as made:  # created 0600
            made.write(make() + "\n")
        try:
            os.link(made.name, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            os.unlink(made.name)
    return path.read_text(encoding="utf-8").strip()
