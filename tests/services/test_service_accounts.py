"""Service accounts are a kind of user, not a name: reserved, unable to log in, and every check tests the kind."""

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlmodel import Session, select

from models import Case, RoleGrant, User, UserKind
from passage.core.errors import FormInvalid, NotFound, NotPermitted, PassageError
from passage.services import access, auth, staff
from passage.services.users import Grant, UserCreate, create_user, hash_password
from tests.factories import new_case

ADMIN_GRANT = [Grant(role="administrator")]


def admin_adds(db: Session, username: str) -> User:
    user_create = UserCreate.model_validate(
        {
            "username": username,
            "full_name": "Not a service",
            "email": "someone@example.org",
            "grants": [{"role": "administrator"}],
            "password": "a-long-password",
        }
    )
    return staff.add_user(session=db, actor="admin", user_create=user_create)


def test_a_migrated_database_holds_system_as_a_service_row_that_cannot_log_in(db: Session) -> None:
    system = db.get(User, "system")
    assert system is not None
    assert (system.kind, system.active, system.password_hash) == (UserKind.SERVICE, False, "")
    assert access.is_service(session=db, actor="system")
    assert [u.username for u in staff.user_rows(session=db, actor="admin") if u.username == "system"] == []


@pytest.mark.parametrize("username", ["system", "anonymous"])
def test_an_administrator_cannot_create_a_reserved_name(db: Session, username: str) -> None:
    with pytest.raises(ValidationError) as refused:
        admin_adds(db, username)
    [error] = refused.value.errors()
    assert error["loc"] == ("username",)
    assert f"'{username}' is reserved for a service account" in error["msg"]
    row = db.get(User, username)
    assert row is None or row.kind == UserKind.SERVICE
    assert db.exec(select(RoleGrant).where(RoleGrant.username == username)).all() == []


def test_a_service_row_is_never_changed_or_granted_roles_through_the_user_services(db: Session) -> None:
    # Past the model's check (as a caller building the model without validation would be).
    sneaked = UserCreate.model_construct(
        username="system", full_name="x", email="x@example.org", language="en", grants=ADMIN_GRANT, password=None
    )
    with pytest.raises(FormInvalid) as refused:
        staff.add_user(session=db, actor="admin", user_create=sneaked)
    assert list(refused.value.fields) == ["username"]
    db.rollback()
    with pytest.raises(FormInvalid):
        create_user(session=db, user_create=sneaked, password_hash=hash_password("a-long-password"))
    db.rollback()
    with pytest.raises(PassageError, match="service account"):
        staff.set_active(session=db, actor="admin", username="system", active=True)
    system = db.get(User, "system")
    assert system is not None and (system.active, system.password_hash) == (False, "")
    assert db.exec(select(RoleGrant).where(RoleGrant.username == "system")).all() == []


def test_a_service_account_cannot_log_in_even_with_a_password_hash_in_its_row(db: Session) -> None:
    db.execute(
        text("UPDATE \"user\" SET password_hash = :h, active = :t WHERE username = 'system'"),
        {"h": hash_password("a-long-password"), "t": True},
    )
    db.commit()
    with pytest.raises(auth.LoginRefused):
        auth.login(session=db, username="system", password="a-long-password", source="127.0.0.1")


def test_checks_of_the_service_actor_go_by_the_rows_kind_not_its_name(db: Session) -> None:
    case_id = new_case(session=db)
    assert access.is_service(session=db, actor="system")
    access.require_admin(session=db, actor="system")
    # The same name on a person's row (as an earlier release let an administrator make) passes nothing.
    db.execute(text("UPDATE \"user\" SET kind = 'person', active = :t WHERE username = 'system'"), {"t": True})
    db.commit()
    db.expire_all()
    assert not access.is_service(session=db, actor="system")
    with pytest.raises(NotPermitted):
        access.require_admin(session=db, actor="system")
    case = db.get(Case, case_id)
    assert case is not None
    with pytest.raises(NotPermitted):
        access.require_case_access(session=db, actor="system", case=case)
    assert not access.may_read(session=db, actor="system", programme=case.programme, kind=access.HEALTH_KIND)
    # And a service name without its row is no service either.
    db.execute(text("DELETE FROM \"user\" WHERE username = 'system'"))
    db.commit()
    db.expire_all()
    assert not access.is_service(session=db, actor="system")
    with pytest.raises(NotFound):
        access.require_admin(session=db, actor="system")
