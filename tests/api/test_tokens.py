"""API accounts and tokens: only an administrator makes them, an account holds case roles only and is never a
person, a token is printed once and listed never."""

import json

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from models import ApiToken, AuditEvent, Role, User, UserKind
from passage.core.errors import FormInvalid, NotFound, NotPermitted, PassageError
from passage.services import auth
from passage.services.api_tokens import AccountCreate, authenticate, create_token, save_account
from passage.services.users import Grant, list_users
from tests.cli.test_cli import Passage

CASE_WORKER = Grant(role=Role.CASE_WORKER, programme="resettlement-nl")


def account(username: str, *grants: Grant) -> AccountCreate:
    return AccountCreate(username=username, full_name="IND gateway", grants=[*grants])


def test_only_an_administrator_makes_accounts_and_tokens(db: Session) -> None:
    with pytest.raises(NotPermitted):
        save_account(session=db, actor="pm.anna", account=account("svc.ind", CASE_WORKER))
    save_account(session=db, actor="admin", account=account("svc.ind", CASE_WORKER))
    with pytest.raises(NotPermitted):
        create_token(session=db, actor="pm.anna", username="svc.ind", expires_days=1)
    issued = create_token(session=db, actor="admin", username="svc.ind", expires_days=1)
    assert authenticate(session=db, token=issued.token) == "svc.ind"
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.actor == "admin")).all()
    assert {"api_account.saved", "api_token.created"} <= set(actions)


def test_an_account_is_no_person_and_holds_case_roles_only(db: Session) -> None:
    with pytest.raises(ValidationError, match="case roles only"):
        account("svc.root", Grant(role=Role.ADMINISTRATOR))
    with pytest.raises(ValidationError, match="reserved"):
        account("system", CASE_WORKER)
    with pytest.raises(FormInvalid):
        save_account(session=db, actor="admin", account=account("pm.anna", CASE_WORKER))
    with pytest.raises(NotFound):
        save_account(
            session=db, actor="admin", account=account("svc.x", Grant(role=Role.CASE_WORKER, programme="nope"))
        )
    with pytest.raises(NotFound):
        create_token(session=db, actor="admin", username="pm.anna", expires_days=1)
    save_account(session=db, actor="admin", account=account("svc.ind", CASE_WORKER))
    row = db.get(User, "svc.ind")
    assert row is not None and (row.kind, row.password_hash) == (UserKind.SERVICE, "")
    assert "svc.ind" not in [u.username for u in list_users(session=db)]
    with pytest.raises(PassageError, match="wrong username or password"):
        auth.login(session=db, username="svc.ind", password="", source="127.0.0.1")


def test_the_token_is_printed_once_and_never_listed(db: Session, passage: Passage) -> None:
    made = passage("api-tokens", "account", "svc.ind", "--name", "IND", "--role", "case_worker", "--as", "admin")
    assert made.code == 0, made.err
    created = passage("api-tokens", "create", "svc.ind", "--expires-days", "7", "--as", "admin")
    token = created.out.splitlines()[-1]
    assert token.startswith("psg_") and "shown only now" in created.err
    listed = passage("api-tokens", "list", "--as", "admin", "--json")
    assert token not in listed.out and json.loads(listed.out)[0]["state"] == "active"
    assert db.exec(select(ApiToken.token_hash)).one() != token
    revoked = passage("api-tokens", "revoke", "1", "--as", "admin", "--json")
    assert json.loads(revoked.out)["state"] == "revoked"
    assert authenticate(session=db, token=token) is None
