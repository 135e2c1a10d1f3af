"""Finding a case: by reference, external reference, any person's name in any script, programme, status, step.

A case's search keys (passage/core/search_keys.py) are kept in `case_search_key`: its reference, its
partner's reference, the references its decisions record, and the words of its persons' names, each
folded and as a consonant skeleton. A search matches a case when the whole text is (the start of) one
of its references, or when every word of the text starts a word of one of its names, in any script.

Exact reference hits come first, then the other hits, newest first (case_matching.py: how, at a
million cases).

Like the case list it replaces, a search is not audited: its rows show what the list shows (reference,
title, status, step); opening a case is (`case.viewed`, timeline.py).
"""

from datetime import datetime

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import ColumnElement, delete, false, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from models import Case, CaseSearchKey, CaseStatus, Decision, HumanTask, Person
from passage.core.errors import FormInvalid, NotFound
from passage.core.search_keys import name_keys, ref_key
from passage.programme.registry import get_programme
from passage.services import access, case_matching

MAX_PAGE_SIZE = 200
_CASE = col(CaseSearchKey.case_id)


class CaseQuery(BaseModel):
    """What a search asks for (every part optional); a page of `page_size` rows."""

    text: str | None = Field(default=None, max_length=200)
    programme: str | None = Field(default=None, max_length=60)
    status: CaseStatus | None = None
    step: str | None = Field(default=None, max_length=80)
    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class CaseRow(BaseModel):
    """A case as the Cases page and `passage cases list` show it."""

    ref: str
    programme: str
    title: str
    status: CaseStatus
    step: str | None
    opened_at: datetime


class CasePage(BaseModel):
    rows: list[CaseRow]
    page: int
    page_size: int
    has_more: bool


# --- Keeping the keys -------------------------------------------------------------------------------


def index_case(*, session: Session, case_id: int) -> None:
    """Bring the case's search keys up to date with its persons and references (the caller commits)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("no case {case_id}", case_id=case_id)
    keys = case_keys(session=session, case=case)
    session.execute(delete(CaseSearchKey).where(_CASE == case_id))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # Two writers re-indexing one case at once (an amendment, a decision) agree on its keys: no conflict.
    insert = dialect.insert(CaseSearchKey).on_conflict_do_nothing()
    session.execute(insert, [{"case_id": case_id, "key": key} for key in sorted(keys)])


def case_keys(*, session: Session, case: Case) -> set[str]:
    """The keys of `case`: references always; names unless pseudonymised (a project's title: its name)."""
    references = [case.ref, _external_ref(case), *_decided_refs(session, case.id or 0)]
    keys = {key for reference in references if reference and (key := ref_key(reference))}
    if case.pseudonymised_at is not None:
        return keys
    names = list(session.execute(select(col(Person.full_name)).where(col(Person.case_id) == case.id)).scalars())
    for name in names or [case.title]:
        keys |= name_keys(name)
    return keys


def _external_ref(case: Case) -> str | None:
    """The partner's number, read from the stored case file without validating it again (dates move on)."""
    intake = get_programme(case.programme).intake.model_construct(**case.data)
    try:
        return intake.external_ref()
    except AttributeError:  # a case file of an earlier release without the field
        return None


def is_reference_field(name: str) -> bool:
    """A decision's field that holds a reference number (ind_reference, visa_reference, permit_reference)."""
    return name.endswith(("_ref", "_reference"))


def _decided_refs(session: Session, case_id: int) -> list[str]:
    query = select(col(Decision.data)).join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
    found = session.execute(query.where(col(HumanTask.case_id) == case_id)).scalars()
    return [v for data in found for k, v in data.items() if is_reference_field(k) and isinstance(v, str)]


# --- Searching ---------------------------------------------------------------------------------------


def search_cases(
    *,
    session: Session,
    actor: str,
    text: str | None = None,
    programme: str | None = None,
    status: CaseStatus | str | None = None,
    step: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> CasePage:
    """A page of the cases `actor` may see that match: exact reference hits first, then newest first."""
    try:
        query = CaseQuery(text=text, programme=programme, status=status, step=step, page=page, page_size=page_size)
    except ValidationError as exc:
        raise FormInvalid.from_validation(exc) from None
    access.require_person(session=session, actor=actor)
    if query.programme:
        get_programme(query.programme)  # an unknown programme is refused by name, not silently empty
    where = _filters(session, actor, query)
    start = (query.page - 1) * query.page_size
    wanted = query.page_size + 1  # one more than the page: whether there is a next one
    words = (query.text or "").strip()
    if not words:
        ids = case_matching.newest(session, where, offset=start, limit=wanted)
    else:
        exact = case_matching.exact_refs(session, where, words, limit=MAX_PAGE_SIZE)
        rest_start = max(0, start - len(exact))
        ids = exact[start : start + wanted]
        ids += case_matching.matching(session, where, words, exact, offset=rest_start, limit=wanted - len(ids))
    return CasePage(
        rows=_rows(session, ids[: query.page_size]),
        page=query.page,
        page_size=query.page_size,
        has_more=len(ids) > query.page_size,
    )


def _filters(session: Session, actor: str, query: CaseQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    visible = access.case_programmes(session=session, actor=actor)
    if visible is not None:
        where.append(col(Case.programme).in_(sorted(visible)) if visible else false())
    if query.programme:
        where.append(col(Case.programme) == query.programme)
    if query.status:
        where.append(col(Case.status) == query.status)
    if query.step:
        where.append(col(Case.current_step) == query.step)
    return where


def _rows(session: Session, ids: list[int]) -> list[CaseRow]:
    columns = [col(c) for c in (Case.id, Case.ref, Case.programme, Case.title, Case.status, Case.current_step)]
    query = select(*columns, col(Case.created_at)).where(col(Case.id).in_(ids))
    found = {row.id: row for row in session.execute(query)}
    return [
        CaseRow(
            ref=found[i].ref,
            programme=found[i].programme,
            title=found[i].title,
            status=found[i].status,
            step=found[i].current_step,
            opened_at=found[i].created_at,
        )
        for i in ids
    ]
