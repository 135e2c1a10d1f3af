"""Errors as RFC 9457 problem details (`application/problem+json`), field by field where input was wrong.

A refusal of the services (PassageError) keeps its sentence as `detail`; its class decides the status:
404 for what does not exist (or is not the caller's to know of), 403 for what the caller may not do, 409
for what the state of a case or task no longer allows (already decided, on hold), 422 for input that fails
its form or the request's own schema, 400 for any other refusal. A fault of the server says nothing more.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from passage.core.errors import (
    BudgetExceeded,
    CaseNotOpen,
    CaseOnHold,
    DuplicateCase,
    FormInvalid,
    NotFound,
    NotPermitted,
    PassageError,
    QuotaExceeded,
    TaskNotOpen,
    reason_of,
)

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# The class, most specific first: its status and the last part of its `type` (docs/api.md lists them).
KINDS: list[tuple[type[PassageError], int, str]] = [
    (NotFound, 404, "not-found"),
    (NotPermitted, 403, "not-permitted"),
    (TaskNotOpen, 409, "task-not-open"),
    (CaseOnHold, 409, "case-on-hold"),
    (CaseNotOpen, 409, "case-not-open"),
    (QuotaExceeded, 409, "quota-exceeded"),
    (BudgetExceeded, 409, "budget-exceeded"),
    (DuplicateCase, 409, "duplicate-case"),
    (FormInvalid, 422, "invalid"),
]
TITLES = {
    400: "Refused",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    500: "Internal error",
}


class FieldError(BaseModel):
    field: str  # dotted, as the form or the request names it: "fitness", "page", "data.needs.0"
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, and for bad input which field and why."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


class Unauthenticated(Exception):
    """No bearer token, or one that is unknown, expired or revoked."""


def problem_type(slug: str) -> str:
    return f"urn:passage:problem:{slug}"


def respond(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem.model_dump(mode="json"), problem.status, headers=headers, media_type=MEDIA_TYPE)


def of_passage_error(exc: PassageError) -> Problem:
    status, slug = next(((s, k) for cls, s, k in KINDS if isinstance(exc, cls)), (400, "refused"))
    errors = [FieldError(field=f, detail=d) for f, d in exc.fields.items()] if isinstance(exc, FormInvalid) else []
    return Problem(type=problem_type(slug), title=TITLES[status], status=status, detail=str(exc), errors=errors)


def _field(loc: tuple[int | str, ...]) -> str:
    """A request error's location without its part of the request ("body", "query", "path")."""
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
    return ".".join(str(p) for p in parts) or "request"


def of_validation(exc: RequestValidationError) -> Problem:
    errors = [FieldError(field=_field(tuple(e["loc"])), detail=reason_of(e)) for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.detail}" for e in errors)
    return Problem(type=problem_type("invalid"), title=TITLES[422], status=422, detail=detail, errors=errors)


def install(app: FastAPI) -> None:
    """Every error of `app` answered as a problem."""

    async def passage_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PassageError)
        return respond(of_passage_error(exc))

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return respond(of_validation(exc))

    async def unauthenticated(_request: Request, exc: Exception) -> JSONResponse:
        problem = Problem(type=problem_type("unauthenticated"), title=TITLES[401], status=401, detail=str(exc))
        return respond(problem, {"WWW-Authenticate": "Bearer"})

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        title = TITLES.get(exc.status_code, "Error")
        problem = Problem(type="about:blank", title=title, status=exc.status_code, detail=str(exc.detail))
        return respond(problem, dict(exc.headers or {}))

    handlers: dict[type[Exception], Any] = {
        PassageError: passage_error,
        RequestValidationError: validation,
        Unauthenticated: unauthenticated,
        HTTPException: http_error,
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, handler)
    app.middleware("http")(fault)


async def fault(request: Request, call_next: Any) -> Response:
    """A fault answered as a bare 500 and logged by its kind only.

    Caught here rather than by an `Exception` handler, which Starlette re-raises for the server to log with
    its traceback: a database error's message holds the statement's values, a person's name among them.
    """
    try:
        response: Response = await call_next(request)
    except Exception as exc:
        log.error("API fault on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return respond(Problem(type="about:blank", title=TITLES[500], status=500))
    return response


# What every route may answer besides its own result, for the OpenAPI document.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": TITLES[status], "content": {MEDIA_TYPE: {}}}
    for status in (401, 403, 404, 409, 422)
}
