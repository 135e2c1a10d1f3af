"""Staff, their roles per programme, their passwords, their language (the administrator's functions: staff.py)."""

from collections.abc import Sequence

import bcrypt
from pydantic import BaseModel, EmailStr, Field, field_validator
from sqlmodel import Session, col, select

from models import Role, RoleGrant, User, UserKind
from models.common import clean_text
from models.user import RESERVED_USERNAMES
from passage.core.errors import FormInvalid, NotFound, PassageError
from passage.core.i18n import LANGUAGES
from passage.programme.registry import all_programmes
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

    @field_validator("username")
    @classmethod
    def _not_reserved(cls, username: str) -> str:
        # A service account's name held by a person would read as the service in every audit event.
        if username in RESERVED_USERNAMES:
            raise ValueError(f"'{username}' is reserved for a service account; choose another username")
        return username

    def programmes_unknown(self) -> list[str]:
        known = all_programmes()
        return [g.programme for g in self.grants if g.programme != ANY_PROGRAMME and g.programme not in known]


def hash_password(password: str) -> str:
    """bcrypt with a fresh salt (the `bcrypt` library; no hand-written crypto)."""
    if len(password.encode("utf-8")) > 72:
        raise PassageError("a password may be at most 72 bytes long")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def create_user(*, session: Session, user_create: UserCreate, password_hash: str | None = None) -> User:
    """Add a user and their grants, or update an existing one's (idempotent for seeding; the caller commits).

    Never a service account: those are made by the migrations, cannot log in and hold no roles.
    """
    existing = session.get(User, user_create.username)
    if existing is not None and existing.kind != UserKind.PERSON:
        raise FormInvalid(
            {"username": f"'{existing.username}' is a service account: it cannot be changed or granted roles"}
        )
    user = existing or User(
        username=user_create.username,
        full_name=user_create.full_name,
        email=user_create.email,
    )
    user.full_name, user.email = user_create.full_name, str(user_create.email)
    # A user's own choice of language stays when an administrator saves them again without naming one.
    if existing is None or "language" in user_create.model_fields_set:
        user.language = user_create.language
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
    """The active person called `username` (a service account is not one)."""
    user = session.get(User, username)
    if user is None or not user.active or user.kind != UserKind.PERSON:
        raise NotFound("no active user '{username}'", username=username)
    return user


def list_users(*, session: Session) -> Sequence[User]:
    """The staff: every person, active or not (the service accounts are no one's colleagues)."""
    query = select(User).where(User.kind == UserKind.PERSON).order_by(col(User.username))
    return session.exec(query).all()


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


def set_language(*, session: Session, actor: str, language: str) -> User:
    """A person chooses the language of their inbox and messages (`en` or `nl`)."""
    if language not in LANGUAGES:
        raise PassageError("language: use one of {languages}", languages=", ".join(LANGUAGES))
    user = get_user(session=session, username=actor)
    user.language = language
    session.add(user)
    audit.record(session=session, actor=actor, action="user.language", detail={"language": language})
    session.commit()
    session.refresh(user)
    return user
