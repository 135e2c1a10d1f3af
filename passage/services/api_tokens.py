"""API accounts and their tokens: how another system calls the REST API (passage/api), audited.

An administrator makes an API account (a service row with role grants per programme, like a person's; it
never logs in) and gives it tokens. A token is shown once, when made: only its SHA-256 is stored, so a copy
of the table calls nothing. A token past its expiry, revoked, or of an account disabled since, is refused.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from models import ApiToken, RoleGrant, User, UserKind
from models.common import clean_text, utcnow
from models.user import RESERVED_USERNAMES
from passage.core.errors import FormInvalid, NotFound
from passage.programme.registry import all_programmes
from passage.services import access, audit
from passage.services.users import ANY_PROGRAMME, USERNAME, Grant, has_role

PREFIX = "psg_"  # says what a token is where it turns up (a log, a paste), as GitHub's `ghp_` does
MAX_DAYS = 366
# Marking every call would write a row per request; a minute is as precise as "when was it last used" needs.
USE_RESOLUTION = timedelta(minutes=1)


class AccountCreate(BaseModel):
    """An API account: a name, what it is for, and its roles per programme."""

    username: str = Field(pattern=USERNAME)
    full_name: str = Field(min_length=1, max_length=200, description="what the account is for, e.g. 'IND gateway'")
    grants: list[Grant] = []

    _text = field_validator("username", "full_name", mode="before")(clean_text)

    @field_validator("grants")
    @classmethod
    def _case_roles_only(cls, grants: list[Grant]) -> list[Grant]:
        # An administrator's token would manage staff and tokens from anywhere it leaks to.
        if any(g.role not in access.CASE_ROLES for g in grants):
            raise ValueError("an API account holds case roles only, never administrator")
        return grants

    @field_validator("username")
    @classmethod
    def _not_reserved(cls, username: str) -> str:
        if username in RESERVED_USERNAMES:
            raise ValueError(f"'{username}' is reserved for a service account; choose another username")
        return username


class TokenRow(BaseModel):
    """A token as the administrator lists it: never the token itself."""

    id: int
    username: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    state: str  # active, expired or revoked


class IssuedToken(BaseModel):
    """A token just made: `token` is shown this once."""

    id: int
    username: str
    expires_at: datetime
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def save_account(*, session: Session, actor: str, account: AccountCreate) -> None:
    """An administrator adds an API account, or more roles to one; audited."""
    access.require_admin(session=session, actor=actor)
    known = all_programmes()
    unknown = [g.programme for g in account.grants if g.programme != ANY_PROGRAMME and g.programme not in known]
    if unknown:
        raise NotFound("unknown programme(s): {programmes}", programmes=", ".join(unknown))
    user = session.get(User, account.username)
    if user is not None and (user.kind != UserKind.SERVICE or account.username in RESERVED_USERNAMES):
        raise FormInvalid({"username": f"'{account.username}' is a person's name, not an API account's"})
    user = user or User(username=account.username, full_name=account.full_name, email="", kind=UserKind.SERVICE)
    user.full_name, user.active = account.full_name, True
    session.add(user)
    for grant in account.grants:
        if not has_role(session=session, username=user.username, role=grant.role, programme=grant.programme):
            session.add(RoleGrant(username=user.username, role=grant.role, programme=grant.programme))
    audit.record(
        session=session,
        actor=actor,
        action="api_account.saved",
        detail={"username": account.username, "grants": [g.model_dump(mode="json") for g in account.grants]},
    )
    session.commit()


def create_token(*, session: Session, actor: str, username: str, expires_days: int) -> IssuedToken:
    """An administrator makes a token for an API account, valid `expires_days` days; audited, shown once."""
    access.require_admin(session=session, actor=actor)
    if not access.is_api_account(session=session, actor=username):
        raise NotFound("no API account '{username}'", username=username)
    if not 1 <= expires_days <= MAX_DAYS:
        raise FormInvalid({"expires_days": f"between 1 and {MAX_DAYS} days"})
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=token_hash(token),
        username=username,
        created_by=actor,
        expires_at=utcnow() + timedelta(days=expires_days),
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="api_token.created",
        detail={"username": username, "token_id": row.id, "expires_at": row.expires_at.isoformat()},
    )
    session.commit()
    return IssuedToken(id=row.id or 0, username=username, expires_at=row.expires_at, token=token)


def _row(token: ApiToken, now: datetime) -> TokenRow:
    state = "revoked" if token.revoked_at is not None else "expired" if token.expires_at <= now else "active"
    return TokenRow.model_validate({**token.model_dump(exclude={"token_hash"}), "state": state})


def list_tokens(*, session: Session, actor: str) -> list[TokenRow]:
    """Every token, newest first (what it is for, whose, until when; never the token)."""
    access.require_admin(session=session, actor=actor)
    now = utcnow()
    return [_row(t, now) for t in session.exec(select(ApiToken).order_by(col(ApiToken.id).desc())).all()]


def revoke_token(*, session: Session, actor: str, token_id: int) -> TokenRow:
    """An administrator revokes a token at once; audited (revoking a revoked one changes nothing)."""
    access.require_admin(session=session, actor=actor)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("no API token {token_id}", token_id=token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(
            session=session,
            actor=actor,
            action="api_token.revoked",
            detail={"username": token.username, "token_id": token_id},
        )
        session.commit()
    return _row(token, utcnow())


def authenticate(*, session: Session, token: str) -> str | None:
    """The API account a bearer token stands for, or None: unknown, expired, revoked, or its account disabled."""
    found = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
    now = utcnow()
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        return None
    if not access.is_api_account(session=session, actor=found.username):
        return None
    if found.last_used_at is None or now - found.last_used_at >= USE_RESOLUTION:
        found.last_used_at = now
        session.add(found)
        session.commit()
    return found.username
