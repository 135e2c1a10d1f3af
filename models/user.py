"""Staff and the roles they hold per programme."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import enum_field, time_field


class Role(StrEnum):
    PROGRAMME_MANAGER = "programme_manager"
    CASE_WORKER = "case_worker"
    MEDICAL_OFFICER = "medical_officer"
    MOVEMENT_OFFICER = "movement_officer"
    ADMINISTRATOR = "administrator"


class UserKind(StrEnum):
    """A person logs in and acts in their roles; a service account (flows, the reconciler) never logs in."""

    PERSON = "person"
    SERVICE = "service"


# The service accounts: kind=service rows made by migration 0007, never by a person. Being one is a
# matter of the row's kind, not of the name alone: a person row called "system" is no service.
SYSTEM = "system"
SERVICE_ACCOUNTS = frozenset({SYSTEM})
# Names no person may hold: the service accounts', and the name the audit trail gives a failed login
# of an unknown user (a person called that would be indistinguishable from one in the trail).
ANONYMOUS = "anonymous"
RESERVED_USERNAMES = SERVICE_ACCOUNTS | {ANONYMOUS}


class User(SQLModel, table=True):
    username: str = Field(primary_key=True, max_length=60)
    full_name: str
    email: str
    language: str = "en"
    active: bool = True
    # bcrypt; empty = no password login (e.g. OIDC only).
    password_hash: str = Field(default="", max_length=100)
    kind: UserKind = enum_field(UserKind, default=UserKind.PERSON)


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("username", "role", "programme"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(foreign_key="user.username", index=True)
    role: Role = enum_field(Role)
    programme: str = Field(description="a programme slug, or '*' for all")


class Delegation(SQLModel, table=True):
    """While `delegator` is on leave (from-to, inclusive), `delegate` may act in their roles."""

    id: int | None = Field(default=None, primary_key=True)
    delegator: str = Field(foreign_key="user.username", index=True)
    delegate: str = Field(foreign_key="user.username", index=True)
    starts_on: date
    ends_on: date
    created_by: str
    created_at: datetime = time_field()
    revoked: bool = False
