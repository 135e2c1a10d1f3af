"""The task page: the case beside the form, earlier decisions as the reader may see them, claim, reject."""

from sqlmodel import Session

from models import Role
from passage.services.decisions import decide
from tests.factories import FORMS, new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean, markdown

FIT = {"step": "fit-to-travel", "form_type": "fit-to-travel", "title": "Fit to travel", "role": Role.MEDICAL_OFFICER}
PLAN_OK = {"step": "movement-plan-approval", "form_type": "movement-plan-approval", "title": "Approve movement plan"}


def decided_case(db: Session) -> int:
    """A family with an unaccompanied minor, accepted and found fit; its plan waits for a manager."""
    case_id = new_case(session=db, vulnerabilities=["unaccompanied_minor"])
    accept = open_gate(session=db, case_id=case_id)
    decide(session=db, task_id=accept, actor="pm.joost", approve=True, comment="complete", deliver=False)
    fit = open_gate(session=db, case_id=case_id, **FIT)
    data = {**FORMS["fit-to-travel"], "fitness": "fit"}
    decide(session=db, task_id=fit, actor="mo.sara", approve=True, data=data, deliver=False)
    return open_gate(session=db, case_id=case_id, requested_by="mv.tom", **PLAN_OK)


def test_the_task_shows_flags_and_earlier_decisions_with_health_masked(db: Session, app: OpenApp) -> None:
    task_id = decided_case(db)
    at = app("pm.anna", task=str(task_id))
    assert_clean(at)
    assert ":orange-badge[unaccompanied minor] :orange-badge[minor]" in markdown(at)
    persons, decisions = at.dataframe[0].value, at.dataframe[1].value
    assert persons["minor"].tolist() == ["", "yes"]
    assert decisions["what"].tolist() == ["Accept for selection mission: approved", "Fit to travel: approved"]
    assert decisions["who"].tolist() == ["pm.joost", "mo.sara"]
    assert decisions["note"].tolist() == ["complete", ""]
    # A manager reads the outcome only; the medical officer would read the form itself.
    assert decisions["form"].tolist()[1] == "Fitness: cleared, Needs: withheld"
    [process] = [m for m in markdown(at) if m.startswith(":green[✔]")]
    lines = [line.split(" · ")[0] for line in process.split("  \n")]  # without the durations
    assert lines[:4] == [
        ":green[✔] Accept for selection mission — approved",
        ":green[✔] Fit to travel — approved",
        ":orange[▶] Approve movement plan",
        ":gray[○] Record IND decision",  # the factory skipped it; a real case would have it done
    ]
    assert ":gray[○] Propose movement plan" in lines


def test_reject_needs_a_comment_named_on_the_form_and_goes_through_with_one(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    at.button(key="reject").click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["comment: a rejection needs a reason"]
    at.text_area(key=f"comment-{task_id}").input("referral incomplete")
    at.button(key="reject").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == [f"Task {task_id} rejected; the case moves on."]


def test_claim_and_unclaim(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    assert "Not claimed" in [c.value for c in at.caption]
    at.button(key="claim").click().run()
    assert "Claimed by pm.anna" in [c.value for c in at.caption]
    other = app("pm.joost")
    assert [b.key for b in other.button if str(b.key).startswith("open-")] == []  # hers now
    at.button(key="unclaim").click().run()
    assert_clean(at)
    assert "Not claimed" in [c.value for c in at.caption]
