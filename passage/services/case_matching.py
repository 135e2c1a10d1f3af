"""How a search text finds its cases, newest first, at a million cases (bench/case_search.py).

Each word of the text asks for key ranges (passage/core/search_keys.py). Its keys are counted first
(up to CAP): a word that starts no key rules its branch out, the rarest word is checked first, and the
counts choose one of two ways to the page. Few keys: read the cases they name, then sort. Many keys:
walk the cases newest first, each one's keys checked through the index (case_id, key), until the page
is full. Both ways are bounded; the database is told which way, not left to guess from its statistics.
"""

from math import prod

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, literal, or_, select
from sqlmodel import Session, col

from models import Case, CaseSearchKey
from passage.core.search_keys import Term, name_terms, ref_key, ref_term

CAP = 10_000  # a word's keys are counted up to this many per range: enough to choose how to search
MIN_WINDOW = 2_000  # the fewest case ids a walk looks at in one query
_KEY = col(CaseSearchKey.key)
_CASE = col(CaseSearchKey.case_id)


def newest(session: Session, where: list[ColumnElement[bool]], *, offset: int, limit: int) -> list[int]:
    query = select(col(Case.id)).where(*where).order_by(col(Case.id).desc()).offset(offset).limit(limit)
    return list(session.execute(query).scalars())


def exact_refs(session: Session, where: list[ColumnElement[bool]], text: str, *, limit: int) -> list[int]:
    """The cases one of whose references is `text` (the case's own, its partner's, a decision's)."""
    key = ref_key(text)
    if key is None:
        return []
    hits = select(_CASE).where(_KEY == key)
    return newest(session, [col(Case.id).in_(hits), *where], offset=0, limit=limit)


def _in(term: Term) -> ColumnElement[bool]:
    return or_(*(_KEY == low if high is None else and_(_KEY >= low, _KEY < high) for low, high in term.ranges))


def _has(term: Term) -> ColumnElement[bool]:
    """Whether the case has a key of `term`: one look into the index (case_id, key) per case."""
    return exists().where(_CASE == col(Case.id), _in(term))


def matching(
    session: Session, where: list[ColumnElement[bool]], text: str, exact: list[int], *, offset: int, limit: int
) -> list[int]:
    """The cases matching `text` but not by an exact reference, newest first.

    Each part is counted first: a reference or a word that starts no key rules its branch out; the
    rarest word is checked first (most cases fail there) and, where it is rare enough, gives the candidates.
    """
    if limit <= 0:
        return []
    reference, names = ref_term(text), name_terms(text)
    *counts, references, cases = _measure(session, [*names, reference])
    counted = sorted(zip(counts, names, strict=True), key=lambda found: found[0])
    branches, drivers, keys, share = [], [], 0, 0.0
    if counted and counted[0][0]:
        branches.append(and_(*(_has(term) for _, term in counted)))
        drivers.append(counted[0][1])
        keys += counted[0][0]
        share += prod(min(1.0, count / cases) for count, _ in counted)
    if reference and references:
        branches.append(_has(reference))
        drivers.append(reference)
        keys += references
        share += min(1.0, references / cases)
    if not branches:
        return []
    where = [*where, or_(*branches), col(Case.id).not_in(exact)]
    if by_keys(keys=keys, share=share, wanted=offset + limit):
        candidates = select(_CASE).where(or_(*map(_in, drivers)))
        return newest(session, [*where, col(Case.id).in_(candidates)], offset=offset, limit=limit)
    return _walk(session, where, top=cases, window=int((offset + limit) / share), offset=offset, limit=limit)


def by_keys(*, keys: int, share: float, wanted: int) -> bool:
    """Whether reading the `keys` the rarest word matches costs less than walking the cases newest first,
    `wanted` hits among them at an expected `share` of the cases (each word's own share, multiplied).

    A word counted up to CAP matches more keys than were counted: it is walked.
    """
    return keys < CAP and keys < wanted / share


def _walk(
    session: Session, where: list[ColumnElement[bool]], *, top: int, window: int, offset: int, limit: int
) -> list[int]:
    """The newest cases that match, a window of ids at a time, each window twice the last.

    A window, not all the cases at once: told it reads a few thousand cases, a database checks each one's
    keys through the index; told it reads a million, PostgreSQL gathers every key of the word instead.
    """
    found: list[int] = []
    window = max(window, MIN_WINDOW)
    while top > 0 and len(found) < offset + limit:
        ids = [col(Case.id) > top - window, col(Case.id) <= top]
        found += newest(session, [*where, *ids], offset=0, limit=offset + limit - len(found))
        top, window = top - window, window * 2
    return found[offset:]


def _measure(session: Session, terms: list[Term | None]) -> list[int]:
    """How many keys match each term (0 for None), each of its ranges counted up to CAP, and the newest
    case id (at least 1): one query of index ranges, each cut short.

    A range at a time: SQLite answers an OR of ranges by collecting every match first, cut short or not.
    """

    def counted(bounds: tuple[str, str | None]) -> ScalarSelect[int]:
        keys = select(_KEY).where(_in(Term("", (bounds,)))).limit(CAP).subquery()
        return select(func.count()).select_from(keys).scalar_subquery()

    sums = [sum((counted(b) for b in term.ranges), literal(0)) if term else literal(0) for term in terms]
    newest_id = select(func.coalesce(func.max(Case.id), 1)).scalar_subquery()
    return [int(n) for n in session.execute(select(*sums, newest_id)).one()]
