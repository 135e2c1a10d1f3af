"""The programme registry: one consistent list, and demo examples that every form accepts."""

import pytest
from sqlmodel import Session

from flows.afghan_transfer import EXAMPLES
from flows.afghan_transfer import PROGRAMME as AFGHAN
from passage.demo.seed import DECIDERS, seed_example
from passage.programme import Example, Programme
from passage.programme.registry import all_programmes, form_types
from passage.services.human_tasks import list_tasks
from tests.flows.driver import task_at

EXAMPLE_ROWS = [
    pytest.param(programme, example, id=f"{programme.slug}-{n}")
    for programme in all_programmes().values()
    for n, example in enumerate(programme.examples, start=1)
]


def test_programmes_are_listed_once_with_their_own_names() -> None:
    programmes = list(all_programmes().values())
    for attribute in ("slug", "ref_prefix", "deployment", "title"):
        values = [getattr(p, attribute) for p in programmes]
        assert len(set(values)) == len(values), attribute
    assert len(form_types()) == sum(len(p.forms) for p in programmes)  # no form type claimed twice
    assert all(p.examples for p in programmes), "every programme brings demo cases"


@pytest.mark.parametrize(("programme", "example"), EXAMPLE_ROWS)
def test_every_example_is_a_valid_case_file_with_valid_decisions(programme: Programme, example: Example) -> None:
    programme.intake.model_validate(example.case_file)
    for spec, data in example.decided:
        assert spec.form in programme.forms and spec.role in DECIDERS
        spec.form.model_validate({**data, "approved": True, "decided_by": DECIDERS[spec.role]})
    assert example.overdue is None or example.overdue.form in programme.forms


def test_demo_cases_wait_at_their_next_gate_some_overdue(db: Session, runner: int) -> None:
    moved = seed_example(session=db, programme=AFGHAN, example=EXAMPLES[0])
    waiting = seed_example(session=db, programme=AFGHAN, example=EXAMPLES[1])
    task = task_at(int(moved.removeprefix("AFG-")), "accommodation-cost")
    assert task.requested_by == "mv.tom"  # the flow took the demo's booking and went on
    overdue = list_tasks(session=db, actor="system", overdue_only=True)
    assert [(t.case_ref, t.step) for t in overdue] == [(waiting, "identity")]
