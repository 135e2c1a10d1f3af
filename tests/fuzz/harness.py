"""What every fuzz test shares: its number of examples under the active profile, and the row counts."""

from collections.abc import Iterable

from hypothesis import settings
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from passage.core.i18n import reason_in
from tests.fuzz.conftest import PROFILE

SCALE = 10 if PROFILE == "deep" else 1


def fuzz(examples: int) -> settings:
    """The settings of a fuzz test that tries `examples` inputs (ten times as many under "deep")."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * SCALE)


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows every table holds: equal before and after a refused input, or something was written."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def untranslated(reasons: Iterable[str]) -> list[str]:
    """The reasons a Dutch reader would read in English: each must have an entry (passage/core/locales/nl)."""
    return [reason for reason in reasons if reason_in("nl", reason) == reason]
