"""Staff, their roles per programme, their passwords; the administrator's functions to manage them."""

from collections.abc import Sequence

import bcrypt
from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlmodel import Session, col, select

from models import Role, RoleGrant, User
from models.common import clean_text
from passage.core.errors import NotFound, PassageError
from passage.services import audit

ANY_PROGRAMME = "*"
USERNAME = r"^[a-z0-9][a-z0-9._-]{1,59}$"


class Grant(BaseModel):
    role: Role
    programme: str = ANY_PROGRAMME


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME)
    full_name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    language: str = "en"
    grants: list[Grant] = []
    # bcrypt reads at most 72 bytes; a longer password would be silently cut.
    password: str | None = Field(default=None, min_length=8, max_length=72)

    _text = field_validator("username", "full_name", "email", "language", mode="before")(clean_text)

    def programmes_unknown(self) -> list[str]:
        from passage.programme.registry import all_programmes

        known = all_programmes()
        return [g.programme for g in self.grants if g.programme != ANY_PROGRAMME and g.programme not in known]


class UserRow(BaseModel):
    """A user as the admin page and `passage users list` show them: no password hash."""

    username: str
    full_name: str
    email: str
    active: bool
    locked: bool
    grants: list[Grant]


def hash_password(password: str) -> str:
    """bcrypt with a fresh salt (the `bcrypt` library; no hand-written crypto)."""
    if len(password.encode("utf-8")) > 72:
        raise PassageError("a password may be at most 72 bytes long")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def create_user(*, session: Session, user_create: UserCreate, password_hash: str | None = None) -> User:
    """Add a user and their grants, or update an existing one's (idempotent for seeding; the caller commits)."""
    user = session.get(User, user_create.username) or User(
        username=user_create.username,
        full_name=user_create.full_name,
        email=user_create.email,
    )
    user.full_name, user.email, user.language = (
        user_create.full_name,
        str(user_create.email),
        user_create.language,
    )
    if password_hash is not None:
        user.password_hash = password_hash
    elif user_create.password is not None:
        user.password_hash = hash_password(user_create.password)
    session.add(user)
    for grant in user_create.grants:
        if not has_role(session=session, username=user.username, role=grant.role, programme=grant.programme):
            session.add(RoleGrant(username=user.username, role=grant.role, programme=grant.programme))
    return user


def get_user(*, session: Session, username: str) -> User:
    """The active user called `username`."""
    user = session.get(User, username)
    if user is None or not user.active:
        raise NotFound("no active user '{username}'", username=username)
    return user


def list_users(*, session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.username))).all()


def grants_of(*, session: Session, username: str) -> Sequence[RoleGrant]:
    return session.exec(select(RoleGrant).where(RoleGrant.username == username)).all()


def has_role(*, session: Session, username: str, role: Role | str, programme: str) -> bool:
    """True when the user holds `role` in `programme` (or in every programme) by their own grant."""
    query = select(RoleGrant.id).where(
        RoleGrant.username == username,
        RoleGrant.role == Role(role),
        col(RoleGrant.programme).in_([programme, ANY_PROGRAMME]),
    )
    return session.exec(query).first() is not None


def user_rows(*, session: Session, actor: str) -> list[UserRow]:
    """Every user with their grants (administrators only)."""
    from models.common import utcnow
    from passage.services.access import require_admin

    require_admin(session=session, actor=actor)
    now = utcnow()
    return [
        UserRow(
            username=u.username,
            full_name=u.full_name,
            email=u.email,
            active=u.active,
            locked=u.locked_until is not None and u.locked_until > now,
            grants=[Grant(role=g.role, programme=g.programme) for g in grants_of(session=session, username=u.username)],
        )
        for u in list_users(session=session)
    ]


def add_user(*, session: Session, actor: str, user_create: UserCreate) -> User:
    """An administrator adds a user or adds grants to one, audited."""
    from passage.services.access import require_admin

    require_admin(session=session, actor=actor)
    if user_create.programmes_unknown():
        raise NotFound("unknown programme(s): {programmes}", programmes=", ".join(user_create.programmes_unknown()))
    user = create_user(session=session, user_create=user_create)
    user.active = True
    audit.record(
        session=session,
        actor=actor,
        action="user.saved",
        detail={
            "username": user.username,
            "grants": [g.model_dump(mode="json") for g in user_create.grants],
            "password_set": user_create.password is not None,
        },
    )
    session.commit()
    session.refresh(user)
    return user


def revoke_grant(*, session: Session, actor: str, username: str, grant: Grant) -> None:
    """An administrator removes one role of a user, audited."""
    from passage.services.access import require_admin

    require_admin(session=session, actor=actor)
    row = session.exec(
        select(RoleGrant).where(
            RoleGrant.username == username, RoleGrant.role == grant.role, RoleGrant.programme == grant.programme
        )
    ).first()
    if row is None:
        raise NotFound(
            "{username} has no {role} grant in {programme}",
            username=username,
            role=grant.role.value,
            programme=grant.programme,
        )
    session.delete(row)
    audit.record(
        session=session, actor=actor, action="user.revoked", detail={"username": username, **grant.model_dump()}
    )
    session.commit()


def set_active(*, session: Session, actor: str, username: str, active: bool) -> User:
    """An administrator disables (or re-enables) a user: a disabled user cannot log in or act."""
    from passage.services.access import require_admin

    require_admin(session=session, actor=actor)
    if actor == username and not active:
        raise PassageError("an administrator cannot disable their own account")
    user = session.get(User, username)
    if user is None:
        raise NotFound("no user '{username}'", username=username)
    user.active = active
    session.add(user)
    action = "user.enabled" if active else "user.disabled"
    audit.record(session=session, actor=actor, action=action, detail={"username": username})
    session.commit()
    session.refresh(user)
    return user


def set_language(*, session: Session, actor: str, language: str) -> User:
    """A person chooses the language of their inbox and messages (`en` or `nl`)."""
    from passage.core.messages import LANGUAGES

    if language not in LANGUAGES:
        raise PassageError("language: use one of {languages}", languages=", ".join(LANGUAGES))
    user = get_user(session=session, username=actor)
    user.language = language
    session.add(user)
    audit.record(session=session, actor=actor, action="user.language", detail={"language": language})
    session.commit()
    session.refresh(user)
    return user
