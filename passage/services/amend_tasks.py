"""What an amendment of a case's persons does to its tasks (passage/services/amend.py).

A corrected name is corrected where the gates put it (a task's title, its context); an open task asked
about a removed person is cancelled, and the run waiting at it woken: resumed, it runs again from the top,
reads the case as amended and goes on without them. A run not woken then (Prefect busy or down, or the run
still in its gate's grace period) is woken by the reconciler's next pass (`wake_stranded`).
"""

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from models import Case, HumanTask, TaskStatus
from passage.core import prefect_bridge as prefect
from passage.core.errors import PassageError
from passage.services import access, human_tasks, reviews

log = logging.getLogger(__name__)
BUSY_RETRIES = (0.0, 0.2, 0.6)  # as delivery.py's: each try reads the run's state afresh


def cancel_tasks_about(*, session: Session, case: Case, name: str, names: set[str]) -> list[HumanTask]:
    """Cancel the open tasks asked about the removed person (audited); returns them, to wake their runs."""
    query = select(HumanTask).where(HumanTask.case_id == case.id, col(HumanTask.status).in_(human_tasks.WAITING))
    about = [task for task in session.exec(query).all() if reviews.asked_about(task, names) == name]
    why = {"why": "its person was removed from the case"}
    return [
        task
        for task in about
        if human_tasks.cancel_waiting(session=session, task=task, actor=access.SYSTEM, detail=why)
    ]


def rename(*, session: Session, case_id: int, renamed: dict[str, str]) -> None:
    """A corrected name in the case's task titles and contexts, where the gates put it."""
    if not renamed:
        return
    for task in session.exec(select(HumanTask).where(HumanTask.case_id == case_id)).all():
        for old, new in renamed.items():
            if task.title.endswith(f": {old}"):
                task.title = task.title.removesuffix(old) + new
        task.context = _replaced(task.context, renamed)
        session.add(task)


def _replaced(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(item, renamed) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, renamed) for item in value]
    return renamed.get(value, value) if isinstance(value, str) else value


def wake(*, task: HumanTask) -> bool:
    """Resume the run waiting at a cancelled task: it runs again from the top and reads the case as amended."""
    for pause in BUSY_RETRIES:
        time.sleep(pause)
        try:
            state = prefect.run_state(task.flow_run_id)
            if state is None or not state.is_paused or state.pause_key != task.step:
                return False
            prefect.resume(task.flow_run_id, step=task.step)
            return True
        except PassageError as exc:
            # A busy server (503) is worth another look at once; the reconciler's next pass tries again anyway.
            if not prefect.is_busy(exc) or pause == BUSY_RETRIES[-1]:
                log.warning("task %s cancelled, its run not woken: %s", task.id, exc)
                return False
    return False


def stranded(*, session: Session) -> Sequence[HumanTask]:
    """Cancelled tasks whose open case still stands at their step, in the same run: it may wait there for nothing."""
    query = (
        select(HumanTask)
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(
            col(HumanTask.status) == TaskStatus.CANCELLED,
            col(Case.closed_at).is_(None),
            col(Case.current_step) == col(HumanTask.step),
            col(Case.flow_run_id) == col(HumanTask.flow_run_id),
        )
    )
    return session.exec(query).all()


def wake_stranded(*, session: Session) -> int:
    """Wake each run waiting at a task an amendment cancelled; returns how many were woken."""
    return sum(wake(task=task) for task in stranded(session=session))
