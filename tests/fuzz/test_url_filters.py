"""The inbox's filters come from the link (`?programme=…&page=…`): any link is a filter or a refusal by field."""

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from passage.core.errors import FormInvalid
from passage.services.human_tasks import list_tasks
from passage.services.task_filters import TaskFilter, from_query
from tests.fuzz.harness import fuzz, untranslated
from tests.fuzz.strategies import CONTROLS, huge_text, visible_text, with_control

values = st.one_of(visible_text, with_control(), huge_text, st.sampled_from(["", "0", "-1", "10001", "true", "maybe"]))
links = st.dictionaries(st.sampled_from([*TaskFilter.model_fields, "task", "utm_source"]), values, max_size=6)


@fuzz(500)
@given(link=links)
def test_any_link_is_a_filter_the_database_can_take_or_a_refusal_by_field(db: Session, link: dict[str, str]) -> None:
    try:
        filters = from_query(link)
    except FormInvalid as exc:
        assert exc.fields and set(exc.fields) <= set(TaskFilter.model_fields), exc.fields
        assert untranslated(exc.fields.values()) == []
        return
    assert not any(ch in str(value) for value in filters.model_dump().values() for ch in CONTROLS)
    list_tasks(session=db, actor="pm.anna", filters=filters)  # the query runs: no value it cannot bind
