"""Quota rules from settings, enforced by a guarded UPDATE so two acceptances cannot overshoot.

What a case takes is also written down per case (`Reservation`), for quota places and budget euros alike:
withdrawing the case gives back exactly that, once (`release`), and reopening it takes it again (`retake`).
"""

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Case, QuotaUsage, Reservation
from models.common import utcnow
from passage.core.errors import CaseNotOpen, QuotaExceeded
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


def reserve(
    *, session: Session, year: int, nationalities: set[str], persons: int, case_id: int | None = None
) -> list[QuotaLine]:
    """Take `persons` places from every applicable quota, all or none (the caller commits).

    With `case_id`, the places are written down as the case's (and a closed case is refused): a withdrawal
    gives them back.
    """
    if case_id is not None:
        lock_open_case(session=session, case_id=case_id)
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
        if case_id is not None:
            session.add(Reservation(case_id=case_id, rule=line.rule, period=line.period, amount=persons))
    return lines


def lock_open_case(*, session: Session, case_id: int) -> None:
    """Take the case's row until the caller commits, refusing a closed case.

    Whatever takes something for a case (quota places, budget) does this first, and a withdrawal closes
    the case with the same kind of guarded UPDATE before it gives back what the case holds: the two never
    interleave (PostgreSQL makes the second wait for the row, SQLite for its write lock), so nothing is
    taken for a case that was just withdrawn.
    """
    found = session.execute(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.closed_at).is_(None))
        .values(current_step=col(Case.current_step))
    )
    if found.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise CaseNotOpen("case {case_id} is closed: nothing is reserved for it", case_id=case_id)


def reservations_of(*, session: Session, case_id: int) -> Sequence[Reservation]:
    """What the case took from the quota and budget counters, released or not, oldest first."""
    query = select(Reservation).where(Reservation.case_id == case_id).order_by(col(Reservation.id))
    return session.exec(query).all()


def release(*, session: Session, case_id: int) -> list[Reservation]:
    """Give back everything the case holds; returns what was given back (the caller commits).

    Each reservation is released by a guarded UPDATE in the caller's transaction: a withdrawal retried, or
    two at once, give each back once.
    """
    released = []
    for row in reservations_of(session=session, case_id=case_id):
        marked = session.execute(
            update(Reservation)
            .where(col(Reservation.id) == row.id, col(Reservation.released_at).is_(None))
            .values(released_at=utcnow())
        )
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            continue  # given back before
        session.execute(
            update(QuotaUsage)
            .where(col(QuotaUsage.rule) == row.rule, col(QuotaUsage.period) == row.period)
            .values(used=col(QuotaUsage.used) - row.amount)
        )
        released.append(row)
    return released


def retake(*, session: Session, case_id: int) -> list[Reservation]:
    """Take again what a withdrawal gave back, all or none; QuotaExceeded when a counter has no room now."""
    taken = []
    for row in reservations_of(session=session, case_id=case_id):
        if row.released_at is None:
            continue
        fits = session.execute(
            update(QuotaUsage)
            .where(
                col(QuotaUsage.rule) == row.rule,
                col(QuotaUsage.period) == row.period,
                col(QuotaUsage.used) + row.amount <= col(QuotaUsage.limit),
            )
            .values(used=col(QuotaUsage.used) + row.amount)
        )
        if fits.rowcount != 1:  # type: ignore[attr-defined]
            usage = session.exec(
                select(QuotaUsage).where(QuotaUsage.rule == row.rule, QuotaUsage.period == row.period)
            ).first()
            session.rollback()
            raise QuotaExceeded(
                "{counter} ({period}) has {remaining} of {limit} left; this case needs {amount} again",
                counter={rule.key: rule.label for rule in get_settings().quotas}.get(row.rule, row.rule),
                period=row.period,
                remaining=usage.limit - usage.used if usage else 0,
                limit=usage.limit if usage else 0,
                amount=row.amount,
            )
        row.released_at = None
        session.add(row)
        taken.append(row)
    return taken


class Recount(BaseModel):
    """One quota's places for a case before and after its persons changed."""

    rule: str
    label: str
    period: str
    held: int
    holds: int


def adjust(*, session: Session, case_id: int, year: int, nationalities: set[str], persons: int) -> list[Recount]:
    """Recount the places a case holds after an amendment changed its persons: per quota, the difference taken
    (guarded: QuotaExceeded naming the quota when it has no room) or given back, all or none (the caller commits).

    Only a case that holds places (an unreleased reservation) is recounted; its reservations follow, so that a
    withdrawal gives back what it holds now.
    """
    held = {
        (row.rule, row.period): row
        for row in reservations_of(session=session, case_id=case_id)
        if row.released_at is None and row.rule in {rule.key for rule in get_settings().quotas}
    }
    if not held:
        return []
    wanted = {(rule.key, _period(rule, year)): rule for rule in rules_for(year=year, nationalities=nationalities)}
    labels = {rule.key: rule.label for rule in get_settings().quotas}
    changes = []
    for rule, period in sorted(held.keys() | wanted.keys()):
        before = held[rule, period].amount if (rule, period) in held else 0
        after = persons if (rule, period) in wanted else 0
        if before == after:
            continue
        if (rule, period) in wanted:  # a quota the case newly counts against: its counter may not exist yet
            counter(session=session, key=rule, period=period, limit=wanted[rule, period].limit)
        _move(session, rule=rule, label=labels.get(rule, rule), period=period, places=after - before)
        reservation = held.get((rule, period)) or Reservation(case_id=case_id, rule=rule, period=period, amount=0)
        reservation.amount = after
        session.add(reservation)
        changes.append(Recount(rule=rule, label=labels.get(rule, rule), period=period, held=before, holds=after))
    return changes


def _move(session: Session, *, rule: str, label: str, period: str, places: int) -> None:
    """Take `places` more of a counter (or give back, when negative), never past its limit."""
    counted = update(QuotaUsage).where(col(QuotaUsage.rule) == rule, col(QuotaUsage.period) == period)
    if places > 0:  # a place given back always fits, even under a ceiling lowered since
        counted = counted.where(col(QuotaUsage.used) + places <= col(QuotaUsage.limit))
    moved = session.execute(counted.values(used=col(QuotaUsage.used) + places))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        usage = session.exec(select(QuotaUsage).where(QuotaUsage.rule == rule, QuotaUsage.period == period)).one()
        raise QuotaExceeded(
            "{label} ({period}) has {remaining} of {limit} places left; this amendment needs {places} more",
            label=label,
            period=period,
            remaining=usage.limit - usage.used,
            limit=usage.limit,
            places=places,
        )


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
