"""Quota rules: which apply, and reservations that never overshoot."""

import pytest
from sqlmodel import Session

from passage.core.errors import QuotaExceeded
from passage.core.settings import get_settings
from passage.services import quota


@pytest.mark.parametrize(
    ("year", "nationalities", "rules"),
    [
        (2026, {"SY"}, ["national"]),
        (2014, {"SY"}, ["national", "syrian"]),
        (2013, {"AF", "SY"}, ["national", "syrian"]),
        (2014, {"AF"}, ["national"]),
        (2015, {"SY"}, ["national"]),
    ],
)
def test_rules_that_apply(year: int, nationalities: set[str], rules: list[str]) -> None:
    assert [r.key for r in quota.rules_for(year=year, nationalities=nationalities)] == rules


def test_syrian_sub_quota_spans_2013_and_2014(db: Session) -> None:
    quota.reserve(session=db, year=2013, nationalities={"SY"}, persons=200)
    quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=48)
    db.commit()
    with pytest.raises(QuotaExceeded, match=r"Syrian sub-quota 2013-2014 \(2013-2014\) has 2 of 250 places left"):
        quota.reserve(session=db, year=2014, nationalities={"SY"}, persons=3)
    used = {(line.rule, line.period): line.used for line in quota.usage(session=db)}
    assert used == {("national", "2013"): 200, ("national", "2014"): 48, ("syrian", "2013-2014"): 248}


def test_national_quota_is_per_year(db: Session) -> None:
    quota.reserve(session=db, year=2025, nationalities={"AF"}, persons=30)
    for _ in range(16):
        quota.reserve(session=db, year=2026, nationalities={"AF"}, persons=30)
    quota.reserve(session=db, year=2026, nationalities={"AF"}, persons=20)
    db.commit()
    with pytest.raises(QuotaExceeded, match="has 0 of 500 places left"):
        quota.check(session=db, year=2026, nationalities={"AF"}, persons=1)


def test_a_changed_ceiling_applies_to_an_existing_counter(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    quota.reserve(session=db, year=2030, nationalities={"AF"}, persons=3)
    db.commit()
    monkeypatch.setenv("PASSAGE_QUOTAS", '[{"key": "national", "label": "National", "limit": 4}]')
    get_settings.cache_clear()
    with pytest.raises(QuotaExceeded, match="has 1 of 4 places left"):
        quota.check(session=db, year=2030, nationalities={"AF"}, persons=2)
