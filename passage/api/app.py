"""The REST API's application: its routes under /api/v1, its OpenAPI document, its errors as problems."""

from fastapi import APIRouter, FastAPI

from passage.api import cases, problems, tasks
from passage.core.release import version

PREFIX = "/api/v1"


def create_app() -> FastAPI:
    """The API over the services, with the OpenAPI document at /api/v1/openapi.json and docs at /api/v1/docs."""
    app = FastAPI(
        title="Passage API",
        version=version(),
        description="Cases and human tasks of Passage's programmes, for other systems (docs/api.md).",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
    )
    v1 = APIRouter(prefix=PREFIX)
    v1.include_router(cases.router)
    v1.include_router(tasks.router)
    app.include_router(v1)
    problems.install(app)
    return app
