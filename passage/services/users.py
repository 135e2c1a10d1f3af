"""Staff, their roles per programme, and the permission checks the other services call."""

from collections.abc import Sequence

from pydantic import BaseModel, EmailStr
from sqlmodel import Session, col, select

from models import Role, RoleGrant, User
from passage.services.errors import NotFound, NotPermitted

ANY_PROGRAMME = "*"


class Grant(BaseModel):
    role: Role
    programme: str = ANY_PROGRAMME


class UserCreate(BaseModel):
    username: str
    full_name: str
    email: EmailStr
    language: str = "en"
    grants: list[Grant] = []


def create_user(*, session: Session, user_create: UserCreate) -> User:
    """Add a user and their grants, or update an existing one's (idempotent for seeding)."""
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
    session.add(user)
    for grant in user_create.grants:
        if not has_role(
            session=session,
            username=user.username,
            role=grant.role,
            programme=grant.programme,
        ):
            session.add(RoleGrant(username=user.username, role=grant.role, programme=grant.programme))
    return user


def get_user(*, session: Session, username: str) -> User:
    """The active user called `username`."""
    user = session.get(User, username)
    if user is None or not user.active:
        raise NotFound(f"no active user '{username}'")
    return user


def list_users(*, session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.username))).all()


def grants_of(*, session: Session, username: str) -> Sequence[RoleGrant]:
    return session.exec(select(RoleGrant).where(RoleGrant.username == username)).all()


def has_role(*, session: Session, username: str, role: Role | str, programme: str) -> bool:
    """True when the user holds `role` in `programme` (or in every programme)."""
    query = select(RoleGrant.id).where(
        RoleGrant.username == username,
        RoleGrant.role == Role(role),
        col(RoleGrant.programme).in_([programme, ANY_PROGRAMME]),
    )
    return session.exec(query).first() is not None


def require_role(*, session: Session, username: str, role: Role | str, programme: str) -> None:
    """Refuse unless the user holds `role` in `programme`."""
    get_user(session=session, username=username)
    if not has_role(session=session, username=username, role=role, programme=programme):
        raise NotPermitted(f"{username} is not a {Role(role).value.replace('_', ' ')} of {programme}")
