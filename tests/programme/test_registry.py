"""The programme registry: one consistent list, and demo examples that every form accepts."""

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from flows.afghan_transfer import EXAMPLES
from flows.afghan_transfer import PROGRAMME as AFGHAN
from flows.resettlement import ACCEPT
from flows.third_country import JUDGEMENT_GATES
from flows.third_country import PROGRAMME as THIRD_COUNTRY
from models import Role
from passage.demo.seed import DECIDERS, seed_example
from passage.orchestration.worker import WARM_MODULES
from passage.programme import Example, Gate, Programme
from passage.programme.registry import FLOWS_PACKAGE, all_programmes, declares, form_types, gates_of, step_title
from passage.services.cases import open_case
from passage.services.human_tasks import list_tasks
from passage.services.process import StepState, process_of
from tasks import CaseInfo, gate
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


def test_a_flow_cannot_open_a_gate_its_programme_does_not_declare() -> None:
    """The inbox's step filter, step titles and the case page's steps to come read the declared gates."""
    case = CaseInfo(
        id=1,
        ref="RST-00001",
        programme="resettlement-nl",
        opened_by="cw.amal",
        data={},
        flags=[],
        nationalities=[],
        persons=1,
    )
    undeclared = Gate("not-in-the-procedure", "Not in the procedure", ACCEPT.form, Role.PROGRAMME_MANAGER)
    with pytest.raises(ValueError, match="gate 'not-in-the-procedure' is not declared by resettlement-nl"):
        gate(case, undeclared)
    assert declares("resettlement-nl", "movement-plan-2")  # a second round is its gate's
    assert declares("family-reunification", "dna-result-3")  # and so is a family member's
    assert not declares("resettlement-nl", "dna-result")  # another programme's gate is not


def test_gates_built_by_a_function_are_declared_and_titled() -> None:
    """Third-country's judgement gates are made per condition, not written out one by one."""
    steps = [spec.step for spec in gates_of("third-country")]
    assert [step for step in steps if step.startswith("condition-")] == [spec.step for spec in JUDGEMENT_GATES.values()]
    assert step_title("condition-safe") == "Eligibility (9): the resettlement can be safely organised"


def test_a_third_country_case_page_lists_its_judgement_gates_to_come(db: Session) -> None:
    example = THIRD_COUNTRY.examples[0]
    case = open_case(session=db, programme="third-country", case_file=example.case_file, actor="cw.amal")
    to_come = {p.key: p.title for p in process_of(session=db, case=case) if p.state == StepState.TO_COME}
    assert to_come["condition-safe"] == "Eligibility (9): the resettlement can be safely organised"
    assert list(to_come)[: len(JUDGEMENT_GATES)] == [spec.step for spec in JUDGEMENT_GATES.values()]


APP_PACKAGES = ("models", "passage", "tasks", "flows", "ui")


def test_only_the_registry_and_the_worker_name_the_flows_package() -> None:
    """The one door upward: a module below `flows` that loads it by name is the registry (and the worker's warm list).

    A static import of `flows` from below is refused by the import contracts (`make lint`); this guards the
    dynamic door, which the contracts cannot see.
    """
    root = Path(__file__).resolve().parents[2]
    dynamic = re.compile(r"\bimport_module\(|\b__import__\(|\bspec_from_file_location\(")
    loaders = sorted(
        str(path.relative_to(root))
        for package in APP_PACKAGES
        for path in (root / package).rglob("*.py")
        if dynamic.search(path.read_text(encoding="utf-8"))
    )
    assert loaders == ["passage/programme/registry.py"]
    assert FLOWS_PACKAGE == "flows" and "flows" in WARM_MODULES
    assert {p.flow.fn.__module__.split(".")[0] for p in all_programmes().values()} == {FLOWS_PACKAGE}
