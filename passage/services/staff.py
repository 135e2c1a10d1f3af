"""The administrator's functions over staff: list them, add or change one, disable, unlock, grant or revoke a role;
audited."""

from pydantic import BaseModel
from sqlmodel import Session, select

from models import Role, RoleGrant, User, UserKind
from passage.core.errors import NotFound, PassageError
from passage.programme.registry import all_programmes
from passage.services import audit, auth
from passage.services.access import SYSTEM, require_admin
from passage.services.users import ANY_PROGRAMME, Grant, UserCreate, create_user, grants_of, has_role, list_users


class UserRow(BaseModel):
    """A user as the admin page and `passage users list` show them: no password hash."""

    username: str
    full_name: str
    email: str
    active: bool
    locked: bool
    grants: list[Grant]


def user_rows(*, session: Session, actor: str) -> list[UserRow]:
    """Every user with their grants (administrators only)."""

    require_admin(session=session, actor=actor)
    return [
        UserRow(
            username=u.username,
            full_name=u.full_name,
            email=u.email,
            active=u.active,
            locked=auth.retry_at(session=session, username=u.username) is not None,
            grants=[Grant(role=g.role, programme=g.programme) for g in grants_of(session=session, username=u.username)],
        )
        for u in list_users(session=session)
    ]


def add_user(*, session: Session, actor: str, user_create: UserCreate) -> User:
    """An administrator adds a user or adds grants to one, audited."""

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


def grant_role(*, session: Session, actor: str, username: str, grant: Grant) -> None:
    """An administrator gives an existing person one more role, audited (a role held already is no change)."""

    require_admin(session=session, actor=actor)
    user = session.get(User, username)
    if user is None or user.kind != UserKind.PERSON:
        raise NotFound("no user '{username}'", username=username)
    if grant.programme != ANY_PROGRAMME and grant.programme not in all_programmes():
        raise NotFound("unknown programme(s): {programmes}", programmes=grant.programme)
    if not has_role(session=session, username=username, role=grant.role, programme=grant.programme):
        session.add(RoleGrant(username=username, role=grant.role, programme=grant.programme))
        audit.record(
            session=session, actor=actor, action="user.granted", detail={"username": username, **grant.model_dump()}
        )
    session.commit()


def revoke_grant(*, session: Session, actor: str, username: str, grant: Grant) -> None:
    """An administrator removes one role of a user, audited."""

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

    require_admin(session=session, actor=actor)
    if actor == username and not active:
        raise PassageError("an administrator cannot disable their own account")
    user = session.get(User, username)
    if user is None:
        raise NotFound("no user '{username}'", username=username)
    if user.kind != UserKind.PERSON:
        raise PassageError("'{username}' is a service account: it never logs in, and is not enabled", username=username)
    user.active = active
    session.add(user)
    if not active:  # their logins end now: a cookie must not come back to life if they are enabled again
        auth.end_sessions(session=session, username=username)
    action = "user.enabled" if active else "user.disabled"
    audit.record(session=session, actor=actor, action=action, detail={"username": username})
    session.commit()
    session.refresh(user)
    return user


def unlock(*, session: Session, actor: str, username: str) -> None:
    """An administrator forgets a user's failed logins: they may log in at once, whatever wait they had.

    Only the name's count: an address that keeps failing keeps waiting (it may be the attacker's).
    """
    require_admin(session=session, actor=actor)
    if session.get(User, username) is None:
        raise NotFound("no user '{username}'", username=username)
    had_failures = auth.clear(session=session, username=username)
    detail = {"username": username, "had_failures": had_failures}
    audit.record(session=session, actor=actor, action="user.unlocked", detail=detail)
    session.commit()


def administrators(*, session: Session) -> list[str]:
    """The active persons who hold the administrator role."""
    query = (
        select(User.username)
        .join(RoleGrant, RoleGrant.username == User.username)  # type: ignore[arg-type]
        .where(
            RoleGrant.role == Role.ADMINISTRATOR,
            RoleGrant.programme == ANY_PROGRAMME,
            User.kind == UserKind.PERSON,
            User.active == True,  # noqa: E712  (SQL, not Python truth)
        )
        .order_by(User.username)
    )
    return list(session.exec(query).all())


def create_admin(*, session: Session, user_create: UserCreate, force: bool = False) -> User:
    """The server's operator makes an administrator (`passage users create-admin`): how an installation
    outside demo mode gets its first one. Audited as the `system` service account, with the operator and
    their channel beside it (audit.operating).

    Only while no active administrator exists, and only as a new username: later administrators are
    made by an administrator (`add_user`), so that the trail names who chose them. `force` is the way
    back in when no administrator can log in any more: it also takes over an existing username (its
    password replaced), and the event says it was forced.
    """
    if user_create.password is None:
        raise PassageError("an administrator needs a password")
    existing = administrators(session=session)
    if existing and not force:
        raise PassageError(
            "an administrator already exists ({names}): they add others with `passage users add`;"
            " --force only when none of them can log in",
            names=", ".join(existing),
        )
    if session.get(User, user_create.username) is not None and not force:
        raise PassageError(
            "user '{username}' already exists: choose a new username (--force makes it an administrator"
            " and replaces its password)",
            username=user_create.username,
        )
    admin = Grant(role=Role.ADMINISTRATOR, programme=ANY_PROGRAMME)
    user = create_user(session=session, user_create=user_create.model_copy(update={"grants": [admin]}))
    user.active = True
    audit.record(
        session=session,
        actor=SYSTEM,
        action="user.admin_created",
        detail={"username": user.username, "grants": [admin.model_dump(mode="json")], "forced": force},
    )
    session.commit()
    session.refresh(user)
    return user
