"""Append to the audit trail (in the caller's transaction), read it back, and verify its hash chain.

Each event's `hash` covers its content and `prev_hash`, the hash of the event before it. The chain
must not fork when two processes write at once, so `record` serialises writers until their commit:
on PostgreSQL with a transaction-scoped advisory lock, on SQLite by writing the event first (the
INSERT takes SQLite's single write lock) and only then reading the event before it.

An event names the identity that acted (`actor`); where a real operator stands behind it, as when the
CLI's `--as pm.anna` is typed by the server's OS user `root`, the event also names that operator and
their channel, as `sudo` and `kubectl --as` do: `operating(channel=..., operator=...)` sets them for
everything recorded inside it, and `record` seals them in the event's detail (under `origin`), so they
are covered by its hash and the chain of events written before this release verifies unchanged.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session, col, select

from models import AuditEvent

CHAIN_LOCK = 0x5A55_A6E  # the advisory lock id that serialises audit writers on PostgreSQL
ORIGIN = "origin"  # the detail key that holds the operator and channel behind an event's actor


class Origin(BaseModel):
    """Who is really at the controls, and through what: the CLI's OS user, the inbox's logged-in user."""

    channel: str
    operator: str


_origin: ContextVar[Origin | None] = ContextVar("passage_audit_origin", default=None)


@contextmanager
def operating(*, channel: str, operator: str) -> Iterator[Origin]:
    """Every event recorded inside names `operator` acting through `channel` beside its actor."""
    origin = Origin(channel=channel, operator=operator)
    token = _origin.set(origin)
    try:
        yield origin
    finally:
        _origin.reset(token)


def set_origin(*, origin: Origin | None) -> None:
    """Like `operating`, for the rest of this context (None: no one): a Streamlit session's script thread,
    which is its own and sets it again on every run."""
    _origin.set(origin)


def origin_of(event: AuditEvent) -> Origin | None:
    """The operator and channel an event records, if any (events before this release have none)."""
    found = event.detail.get(ORIGIN)
    return Origin.model_validate(found) if isinstance(found, dict) else None


def shown_actor(event: AuditEvent) -> str:
    """The actor as the trail shows it: `pm.anna (via cli by root)` where someone else acted as them."""
    origin = origin_of(event)
    if origin is None or origin.operator == event.actor:
        return event.actor
    return f"{event.actor} (via {origin.channel} by {origin.operator})"


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the event's content and its link to the previous event."""
    content = {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "action": event.action,
        "case_id": event.case_id,
        "task_id": event.task_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _serialise_writers(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    case_id: int | None = None,
    task_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event, linked to the one before; it commits with the change it describes, or not at all."""
    _serialise_writers(session)
    detail = dict(detail or {})
    origin = _origin.get()
    if origin is not None:
        detail[ORIGIN] = origin.model_dump()
    event = AuditEvent(actor=actor, action=action, case_id=case_id, task_id=task_id, detail=detail)
    session.add(event)
    session.flush()  # the event's id, and on SQLite the write lock: no other writer until we commit
    previous = session.exec(
        select(AuditEvent.hash).where(col(AuditEvent.id) < event.id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event.prev_hash = previous or ""
    event.hash = event_hash(event)
    session.add(event)
    return event


def case_trail(*, session: Session, case_id: int) -> Sequence[AuditEvent]:
    """Every event of a case, oldest first (callers check access: see timeline.case_view)."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.id))
    return session.exec(query).all()


class ChainReport(BaseModel):
    """What `verify` found: how many events it checked, and the first broken link if any."""

    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(*, session: Session, batch: int = 1000) -> ChainReport:
    """Walk the whole chain oldest first; stop at the first event whose link or content does not match."""
    previous, checked, last_id = "", 0, 0
    while True:
        query = select(AuditEvent).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id)).limit(batch)
        events = session.exec(query).all()
        if not events:
            return ChainReport(checked=checked)
        for event in events:
            if event.prev_hash != previous:
                return ChainReport(checked=checked, broken_at=event.id, reason="its link to the previous event")
            if event.hash != event_hash(event):
                return ChainReport(checked=checked, broken_at=event.id, reason="its content was changed")
            previous, checked, last_id = event.hash, checked + 1, event.id or 0
