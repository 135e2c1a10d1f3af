"""The append-only audit trail: nothing updates or deletes these rows."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.common import json_field, time_field


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = time_field(index=True)
    actor: str
    action: str = Field(index=True)
    case_id: int | None = Field(default=None, index=True)
    task_id: int | None = None
    detail: dict[str, Any] = json_field()
