"""API tokens: how a service account (another system) calls Passage's REST API (passage/api)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import optional_time_field, time_field


class ApiToken(SQLModel, table=True):
    """One bearer token of a service account; only its SHA-256 is stored, so a copy of this table calls nothing.

    The account acts in its own role grants, like a person. A token past `expires_at`, or revoked, is refused.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64, description="SHA-256 of the token, hex")
    username: str = Field(foreign_key="user.username", index=True, max_length=60)
    created_by: str = Field(max_length=60)
    created_at: datetime = time_field()
    expires_at: datetime = time_field()
    revoked_at: datetime | None = optional_time_field()
    last_used_at: datetime | None = optional_time_field()
