"""Failed logins counted per username and per source address, for the login throttle."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import time_field


class LoginThrottle(SQLModel, table=True):
    """One username (as typed, known or not) or one source address, and its recent failed logins.

    In the database, not in a process, so every inbox process sees the same counts.
    """

    __tablename__ = "login_throttle"

    scope: str = Field(primary_key=True, max_length=10, description="'name' or 'source'")
    key: str = Field(primary_key=True, max_length=100)
    failures: int = 0
    last_failure_at: datetime = time_field()
    last_source: str = Field(default="", max_length=100, description="where the last failure came from")


class LoginSession(SQLModel, table=True):
    """A login that outlives the browser tab: the inbox's cookie holds a random token, this row its hash.

    Only the hash is stored, so a copy of this table opens no one's inbox. Logging out or disabling the
    user deletes the row; a row past `expires_at` opens nothing and is deleted at the next login.
    """

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64, description="SHA-256 of the cookie's token, hex")
    username: str = Field(index=True, max_length=60)
    created_at: datetime = time_field()
    expires_at: datetime = time_field()
