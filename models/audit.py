"""The append-only audit trail: nothing updates or deletes these rows.

Tamper-evident: each event carries the hash of the one before it (`prev_hash`) and its own hash over
its content and that link, so changing or deleting a row breaks the chain at that row
(`passage audit verify`).
"""

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
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
