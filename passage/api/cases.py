"""GET /api/v1/cases (search, filters, pages) and GET /api/v1/cases/{ref}: the Cases page's services."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from models import CaseStatus
from passage.api.auth import Caller, acting
from passage.api.problems import PROBLEMS
from passage.services.case_search import MAX_PAGE_SIZE, CaseRow, search_cases
from passage.services.timeline import CaseView, case_view

router = APIRouter(prefix="/cases", tags=["cases"], responses=PROBLEMS)


class CaseList(BaseModel):
    """One page of cases. `total` is not counted (a name search among a million cases counts no further
    than the next page): `has_more` says whether another page follows."""

    items: list[CaseRow]
    page: int
    page_size: int
    total: int | None = None
    has_more: bool


@router.get("", response_model=CaseList)
def list_cases(
    actor: Caller,
    text: Annotated[str | None, Query(max_length=200, description="a reference or a name, any script")] = None,
    programme: Annotated[str | None, Query(max_length=60)] = None,
    status: CaseStatus | None = None,
    step: Annotated[str | None, Query(max_length=80)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CaseList:
    """The cases the caller may see that match, exact reference hits first, then newest first."""
    with acting(actor) as session:
        found = search_cases(
            session=session,
            actor=actor,
            text=text,
            programme=programme,
            status=status,
            step=step,
            page=page,
            page_size=page_size,
        )
    return CaseList(items=found.rows, page=found.page, page_size=found.page_size, has_more=found.has_more)


# The case file as typed (`data`) is left out until it is masked field by field as the gates' data is.
@router.get("/{ref}", response_model=CaseView, response_model_exclude={"data"})
def read_case(actor: Caller, ref: str) -> CaseView:
    """One case, if the caller holds a role in its programme: persons, timeline and audit trail, special-category
    data masked for the caller's roles; the reading is audited as the inbox's is."""
    with acting(actor) as session:
        return case_view(session=session, ref=ref, actor=actor)
