"""Drive a programme flow through its gates as people would, via the services."""

import re
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from models import Case, CaseStatus, HumanTask, TaskStatus
from passage.core.db import get_engine
from passage.services.decisions import decide
from passage.services.delivery import start_case
from tests.conftest import wait_for
from tests.factories import DECIDERS, FORMS, referral


def start(case_file: dict[str, Any] | None = None, *, programme: str = "resettlement-nl", **overrides: Any) -> Case:
    """Open a case of `programme` and start its flow (by default a resettlement referral with `overrides`)."""
    with Session(get_engine()) as session:
        case = start_case(
            session=session, programme=programme, case_file=case_file or referral(**overrides), actor="cw.amal"
        )
        assert case.flow_run_id is not None, "the flow run should start at once"
        return Case.model_validate(case)


def task_at(case_id: int, step: str, timeout: float = 90) -> HumanTask:
    """The open task of `case_id` at `step`, once the flow has opened it."""

    def find() -> HumanTask | None:
        with Session(get_engine()) as session:
            live = col(HumanTask.set_aside_at).is_(None)  # not a task set aside when its case was reopened
            query = select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.step == step, live)
            task = session.exec(query).first()
            return task if task is not None and task.status == TaskStatus.OPEN else None

    return wait_for(find, timeout=timeout, what=f"task {step} of case {case_id}")  # type: ignore[no-any-return]


def decide_at(
    case_id: int,
    step: str,
    *,
    approve: bool = True,
    comment: str = "",
    forms: Mapping[str, dict[str, Any]] = FORMS,
    **data: Any,
) -> HumanTask:
    """Wait for the gate, then decide it with the step's usual form data from `forms`.

    A step asked again or per member (`movement-plan-2`, `dna-result-2`) takes its base step's data.
    """
    task = task_at(case_id, step)
    form = {**forms.get(step, forms.get(re.sub(r"-\d+$", "", step), {})), **data}
    actor = data.pop("actor", None) or DECIDERS[task.role]
    form.pop("actor", None)
    with Session(get_engine()) as session:
        decide(session=session, task_id=task.id or 0, actor=actor, approve=approve, comment=comment, data=form)
    return task


def closed(case_id: int, timeout: float = 90) -> Case:
    def find() -> Case | None:
        with Session(get_engine()) as session:
            case = session.get(Case, case_id)
            return case if case is not None and case.status not in (CaseStatus.NEW, CaseStatus.ACTIVE) else None

    return wait_for(find, timeout=timeout, what=f"case {case_id} to close")  # type: ignore[no-any-return]
