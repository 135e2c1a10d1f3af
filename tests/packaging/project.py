"""The checkout as pyproject.toml describes it: its root, its settings, the import packages it ships."""

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# flows, tasks, ui, models, passage: the `include` patterns of [tool.setuptools.packages.find], "ui*" → "ui".
PACKAGES = tuple(pattern.rstrip("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
