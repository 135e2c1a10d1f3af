"""Every gate form of every programme, fed bad values: refused field by field, nothing stored.

The forms come from the registry (`form_types()`), so a new programme's forms are fuzzed without a line here.
"""

from itertools import count
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from models import HumanTask, Role, TaskStatus
from passage.core.db import get_engine
from passage.core.errors import FormInvalid
from passage.programme import GateForm
from passage.programme.registry import form_types
from passage.services.decisions import decide, validate_form
from passage.services.human_tasks import decision_for
from tests.factories import new_case, open_gate
from tests.fuzz.harness import fuzz, row_counts, untranslated
from tests.fuzz.strategies import bad_value, huge_text, names_field, visible_text, with_control

FORMS = sorted(form_types().items())
DECIDER = "pm.anna"
bad_comment = with_control() | huge_text


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[type[GateForm], dict[str, Any], str, list[str]]:
    """A form type, its data with one to three fields spoiled, the comment, and the names of the spoiled ones."""
    form_type, form = draw(st.sampled_from(FORMS))
    own = form.field_names()
    spoiled = draw(st.lists(st.sampled_from([*own, "comment"]), min_size=1, max_size=3, unique=True))
    data = {name: draw(bad_value(form.model_fields[name])) for name in spoiled if name != "comment"}
    comment = draw(bad_comment) if "comment" in spoiled else draw(st.sampled_from(["", "checked"]))
    return form, data, comment, spoiled


def refusal(form: type[GateForm], approve: bool, comment: str, data: dict[str, Any]) -> FormInvalid:
    task = HumanTask(
        case_id=1,
        programme="-",
        step="-",
        title="-",
        form_type=form.form_type(),
        role=Role.PROGRAMME_MANAGER,
        flow_run_id="-",
        requested_by="-",
    )  # validate_form reads only its form type
    with pytest.raises(FormInvalid) as refused:
        validate_form(task=task, actor=DECIDER, approve=approve, comment=comment, data=data)
    return refused.value


@fuzz(1000)
@given(case=corrupted(), approve=st.booleans())
def test_every_spoiled_field_of_every_form_is_named(
    case: tuple[type[GateForm], dict[str, Any], str, list[str]], approve: bool
) -> None:
    form, data, comment, spoiled = case
    fields = refusal(form, approve, comment, data).fields
    assert all(names_field(fields, (name,)) for name in spoiled), (spoiled, fields)
    assert all(reason.strip() for reason in fields.values())
    assert untranslated(fields.values()) == []


@fuzz(300)
@given(form=st.sampled_from(FORMS), key=st.text(min_size=1, max_size=30))
def test_a_field_the_form_does_not_have_is_refused_by_name(form: tuple[str, type[GateForm]], key: str) -> None:
    _form_type, model = form
    if key in model.model_fields:
        return
    fields = refusal(model, True, "", {key: "value"}).fields
    assert key.encode("utf-8", "backslashreplace").decode() in fields, fields


@pytest.fixture
def tasks(db: Session) -> dict[str, int]:
    """One open task per form type, on one case, decided by a programme manager who did not request it."""
    case_id = new_case(session=db)
    return {
        form_type: open_gate(session=db, case_id=case_id, step=form_type, form_type=form_type, title=form_type)
        for form_type, _form in FORMS
    }


@fuzz(1000)
@given(case=corrupted(), approve=st.booleans())
def test_a_refused_decision_writes_no_row_anywhere(
    db: Session, tasks: dict[str, int], case: tuple[type[GateForm], dict[str, Any], str, list[str]], approve: bool
) -> None:
    form, data, comment, spoiled = case
    task_id = tasks[form.form_type()]
    before = row_counts(get_engine())
    with pytest.raises(FormInvalid) as refused:
        decide(session=db, task_id=task_id, actor=DECIDER, approve=approve, comment=comment, data=data, deliver=False)
    assert all(names_field(refused.value.fields, (name,)) for name in spoiled)
    assert row_counts(get_engine()) == before
    db.expire_all()
    assert db.get(HumanTask, task_id).status == TaskStatus.OPEN  # type: ignore[union-attr]


STEPS = count(1)


@fuzz(200)
@given(text=visible_text)
def test_any_printable_text_is_stored_exactly_as_given(db: Session, tasks: dict[str, int], text: str) -> None:
    """Scripts, emoji, HTML and SQL-like text in a comment and a free-text field come back verbatim."""
    case_id = db.get(HumanTask, next(iter(tasks.values()))).case_id  # type: ignore[union-attr]
    step = f"judgement-{next(STEPS)}"
    task_id = open_gate(session=db, case_id=case_id, step=step, form_type="condition-judgement")
    evidence = text[:200]
    data = {"evidence": evidence}
    decide(session=db, task_id=task_id, actor=DECIDER, approve=True, comment=text, data=data, deliver=False)
    db.expire_all()
    stored = decision_for(session=db, task_id=task_id)
    assert stored is not None and (stored.comment, stored.data) == (text, data)
