"""Append to the audit trail (in the caller's transaction) and read it back."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from models import AuditEvent


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    case_id: int | None = None,
    task_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event; it commits with the change it describes, or not at all."""
    event = AuditEvent(
        actor=actor,
        action=action,
        case_id=case_id,
        task_id=task_id,
        detail=detail or {},
    )
    session.add(event)
    return event


def case_trail(*, session: Session, case_id: int) -> Sequence[AuditEvent]:
    """Every event of a case, oldest first."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.id))
    return session.exec(query).all()
