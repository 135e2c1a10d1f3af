"""`@step`: an automated step of a procedure, done once per case even when the flow re-runs."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, get_type_hints

from pydantic import BaseModel
from sqlmodel import Session

from models import Case
from passage.core.db import session_scope
from passage.services import cases, steps
from passage.services.access import SYSTEM
from tasks.base import durable_task
from tasks.case import CaseInfo

R = TypeVar("R", bound=BaseModel)


class Done(BaseModel):
    """The result of a step that only records that it happened."""

    note: str = ""


def step(key: str, title: str) -> Callable[[Callable[[Session, Case], R]], Callable[[CaseInfo], R]]:
    """Wrap `fn(session, case) -> Result` as a retried Prefect task run once per (case, key).

    A suspended flow re-runs from the top when resumed; a step the case snapshot shows done is
    replayed from it with no task run, and the recorded step row makes any other replay return the
    first result instead of repeating the step's side effects.
    """

    def wrap(fn: Callable[[Session, Case], R]) -> Callable[[CaseInfo], R]:
        result_type: type[R] = get_type_hints(fn)["return"]

        def action(session: Session, case: Case) -> dict[str, Any]:
            return fn(session, case).model_dump(mode="json")

        def run(case: CaseInfo) -> R:
            with session_scope() as session:
                row = cases.get_case(session=session, ref=case.ref, actor=SYSTEM)
                cases.set_current_step(session=session, case_id=case.id, step=key)
                data = steps.run_once(session=session, case=row, step=key, title=title, action=action)
            return result_type.model_validate(data)

        run.__name__ = run.__qualname__ = fn.__name__
        run.__doc__ = fn.__doc__
        task = durable_task(run, name=key)

        @wraps(fn)
        def replay_or_run(case: CaseInfo) -> R:
            if key in case.done:
                return result_type.model_validate(case.done[key])
            return task(case)

        return replay_or_run

    return wrap


def _record(case: CaseInfo, key: str, title: str, note: str) -> Done:
    with session_scope() as session:
        row = cases.get_case(session=session, ref=case.ref, actor=SYSTEM)
        data = steps.run_once(
            session=session, case=row, step=key, title=title, action=lambda _s, _c: Done(note=note).model_dump()
        )
    return Done.model_validate(data)


_record_task = durable_task(_record, name="record")


def record(case: CaseInfo, key: str, title: str, note: str) -> Done:
    """Record, once per (case, key), something the flow itself decided, e.g. a member leaving the journey."""
    if key in case.done:
        return Done.model_validate(case.done[key])
    return _record_task(case, key, title, note)
