"""The case page's amend panel: a person corrected with a reason, a refusal under its field, a review cleared."""

from datetime import date

from sqlmodel import Session, select

from models import Case, Person
from passage.services import reviews
from passage.services.decisions import decide
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown

CASES = "pages/cases.py"


def test_a_case_worker_corrects_a_birth_date_and_a_manager_clears_the_decision_to_review(
    db: Session, app: OpenApp
) -> None:
    case_id = new_case(session=db)
    accept = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=accept, actor="pm.anna", approve=True, deliver=False)
    child = db.exec(select(Person).where(Person.case_id == case_id, Person.number == 2)).one()
    at = app("cw.amal", page=CASES, case="RST-00001")
    assert_clean(at)
    at.selectbox(key="who").set_value(child.id).run()  # the person to correct
    at.date_input(key=f"amend-{child.id}-birth_date").set_value(date(2001, 7, 1))
    submit = next(b for b in at.button if b.label == "Correct a person")
    submit.click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["`reason`: an amendment needs a reason"]
    at.text_area(key="why-correct").input("UNHCR corrected the year")
    next(b for b in at.button if b.label == "Correct a person").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["The case is amended: person corrected. 1 decision(s) marked for review."]
    db.expire_all()
    assert db.get(Case, case_id).flags == []  # type: ignore[union-attr]
    assert at.dataframe[0].value["minor"].tolist() == ["", ""]
    manager = app("pm.anna", page=CASES, case="RST-00001")
    assert any("Accept for selection mission" in m and "UNHCR corrected the year" in m for m in markdown(manager))
    [review] = reviews.reviews_of(session=db, ref="RST-00001", actor="pm.anna")
    manager.button(key=f"reviewed-{review.id}").click().run()
    assert_clean(manager)
    assert not [w for w in manager.warning if "to review" in w.value]
