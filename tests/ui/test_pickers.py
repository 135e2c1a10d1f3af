"""Colleagues and roles are picked from lists, never typed: reassigning a task, adding and removing a role."""

from datetime import date

from sqlmodel import Session, select

from models import AuditEvent, HumanTask, Role, RoleGrant, User
from passage.services.assignment import DelegationCreate, delegate
from passage.services.staff import add_user, set_active
from passage.services.users import UserCreate, grants_of, set_language
from tests.factories import new_case, open_gate
from tests.ui.conftest import OpenApp, assert_clean


def test_a_task_is_reassigned_to_a_colleague_of_its_role_chosen_from_a_list(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    at = app("pm.anna", task=str(task_id))
    assert_clean(at)
    picker = at.selectbox(key="reassign-to")
    assert picker.options == ["pm.anna", "pm.joost"]  # the programme's managers; no case worker, no admin
    picker.set_value("pm.joost")
    at.button(key="reassign").click().run()
    assert_clean(at)
    assert not at.error
    db.expire_all()
    task = db.get(HumanTask, task_id)
    assert task is not None and task.assignee == "pm.joost"


def test_the_list_leaves_out_the_disabled_and_the_requester_and_takes_in_a_stand_in(db: Session, app: OpenApp) -> None:
    task_id = open_gate(session=db, case_id=new_case(session=db))
    set_active(session=db, actor="admin", username="pm.joost", active=False)
    today = date.today()
    delegate(
        session=db,
        actor="admin",
        request=DelegationCreate(delegator="pm.anna", delegate="cw.pieter", starts_on=today, ends_on=today),
    )
    at = app("pm.anna", task=str(task_id))
    # cw.amal opened the case (four-eyes: not offered); cw.pieter stands in for pm.anna today.
    assert at.selectbox(key="reassign-to").options == ["cw.pieter", "pm.anna"]


def test_a_role_to_remove_is_chosen_among_the_users_own(db: Session, app: OpenApp) -> None:
    db.add(RoleGrant(username="cw.amal", role=Role.CASE_WORKER, programme="afghan-transfer"))
    db.commit()
    at = app("admin", page="pages/admin.py")
    at.selectbox(key="manage-user").set_value("cw.amal").run()
    picker = at.selectbox(key="revoke-grant")
    assert picker.options == ["case worker (All programmes)", "case worker (afghan-transfer)"]
    picker.set_value("case_worker@afghan-transfer")
    at.button(key="revoke").click().run()
    assert_clean(at)
    db.expire_all()
    assert [(g.role, g.programme) for g in grants_of(session=db, username="cw.amal")] == [(Role.CASE_WORKER, "*")]


def test_a_role_is_added_to_a_user_by_picking_role_and_programme_keeping_their_language(
    db: Session, app: OpenApp
) -> None:
    set_language(session=db, actor="cw.amal", language="nl")
    at = app("admin", page="pages/admin.py")
    at.selectbox(key="manage-user").set_value("cw.amal").run()
    assert at.selectbox(key="grant-programme").options[0] == "All programmes"
    at.selectbox(key="grant-role").set_value("medical_officer")
    at.selectbox(key="grant-programme").set_value("afghan-transfer")
    at.button(key="grant").click().run()
    assert_clean(at)
    assert not at.error
    db.expire_all()
    granted = [(g.role, g.programme) for g in grants_of(session=db, username="cw.amal")]
    assert (Role.MEDICAL_OFFICER, "afghan-transfer") in granted
    amal = db.get(User, "cw.amal")
    assert amal is not None and amal.language == "nl"  # saving a role is not saving the person's settings
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "user.granted")).all()
    assert event.actor == "admin" and event.detail["username"] == "cw.amal"


def test_saving_a_known_user_again_keeps_the_language_they_chose(db: Session) -> None:
    set_language(session=db, actor="cw.amal", language="nl")
    add_user(
        session=db,
        actor="admin",
        user_create=UserCreate(username="cw.amal", full_name="Amal", email="amal@example.org", grants=[]),
    )
    amal = db.get(User, "cw.amal")
    assert amal is not None and amal.language == "nl"
