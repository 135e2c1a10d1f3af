"""Quota rules from settings, enforced by a guarded UPDATE so two acceptances cannot overshoot."""

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

from models import QuotaUsage
from passage.core.errors import QuotaExceeded
from passage.core.settings import QuotaRule, get_settings


class QuotaLine(BaseModel):
    rule: str
    label: str
    period: str
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return self.limit - self.used


def _period(rule: QuotaRule, year: int) -> str:
    return str(year) if rule.per_year else f"{rule.year_from}-{rule.year_to}"


def rules_for(*, year: int, nationalities: set[str]) -> list[QuotaRule]:
    """The rules a referral of `year` with these nationalities counts against."""
    rules = []
    for rule in get_settings().quotas:
        if rule.year_from is not None and year < rule.year_from:
            continue
        if rule.year_to is not None and year > rule.year_to:
            continue
        if rule.nationality is not None and rule.nationality not in nationalities:
            continue
        rules.append(rule)
    return rules


def counter(*, session: Session, key: str, period: str, limit: int) -> QuotaUsage:
    """The counter of `key` for `period`, created at zero; its limit follows the configuration."""
    query = select(QuotaUsage).where(QuotaUsage.rule == key, QuotaUsage.period == period)
    row = session.exec(query).first()
    if row is None:
        row = QuotaUsage(rule=key, period=period, limit=limit)
        session.add(row)
    else:
        # A ceiling changed in the settings applies from now on (places already taken stay taken).
        row.limit = limit
    session.flush()
    return row


def _usage(session: Session, rule: QuotaRule, year: int) -> QuotaUsage:
    return counter(session=session, key=rule.key, period=_period(rule, year), limit=rule.limit)


def check(*, session: Session, year: int, nationalities: set[str], persons: int) -> list[QuotaLine]:
    """The state of each applicable quota; raises QuotaExceeded when `persons` do not fit."""
    lines = []
    for rule in rules_for(year=year, nationalities=nationalities):
        usage = _usage(session, rule, year)
        line = QuotaLine(
            rule=rule.key,
            label=rule.label,
            period=usage.period,
            limit=usage.limit,
            used=usage.used,
        )
        if line.remaining < persons:
            raise QuotaExceeded(
                "{label} ({period}) has {remaining} of {limit} places left; this case needs {persons}",
                label=rule.label,
                period=usage.period,
                remaining=line.remaining,
                limit=usage.limit,
                persons=persons,
            )
        lines.append(line)
    return lines


def reserve(*, session: Session, year: int, nationalities: set[str], persons: int) -> list[QuotaLine]:
    """Take `persons` places from every applicable quota, all or none (the caller commits)."""
    lines = check(session=session, year=year, nationalities=nationalities, persons=persons)
    for line in lines:
        taken = session.execute(
            update(QuotaUsage)
            .where(
                col(QuotaUsage.rule) == line.rule,
                col(QuotaUsage.period) == line.period,
                col(QuotaUsage.used) + persons <= col(QuotaUsage.limit),
            )
            .values(used=col(QuotaUsage.used) + persons)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise QuotaExceeded(
                "{label} ({period}) was filled by another acceptance just now", label=line.label, period=line.period
            )
    return lines


def usage(*, session: Session) -> list[QuotaLine]:
    """Every quota counter, for dashboards and the CLI."""
    labels = {rule.key: rule.label for rule in get_settings().quotas}
    rows = session.exec(select(QuotaUsage).order_by(col(QuotaUsage.rule), col(QuotaUsage.period))).all()
    return [
        QuotaLine(
            rule=r.rule,
            label=labels.get(r.rule, r.rule),
            period=r.period,
            limit=r.limit,
            used=r.used,
        )
        for r in rows
    ]
