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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from models import AuditEvent, Decision
from passage.services import seal

# The events that record a decision, and the detail key of the decision's seal in them.
DECIDED = frozenset({"task.approved", "task.rejected"})
DECISION = "decision"
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


def event_content(event: AuditEvent) -> dict[str, Any]:
    """What an event's hash covers: its content and its link to the previous event."""
    return {
        "id": event.id,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "action": event.action,
        "case_id": event.case_id,
        "task_id": event.task_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    """HMAC-SHA256, under the key kept outside the database, over the event's content and link (seal.py)."""
    return seal.keyed(event_content(event))


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
    _anchor(session, event.id or 0)
    return event


def _anchor(session: Session, event_id: int) -> None:
    """The first keyed event of this database is named in its checkpoint file before anything else."""
    path = seal.checkpoint_file(str(session.get_bind().engine.url))
    if not path.exists():
        seal.append_checkpoint(path, id=0, hash="", count=0, keyed_from=event_id)


def checkpoint(*, session: Session) -> seal.Checkpoint | None:
    """Sign the chain's current head into the checkpoint file (None: nothing new since the last one)."""
    head = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    path = seal.checkpoint_file(str(session.get_bind().engine.url))
    made = seal.read_checkpoints(path)
    if head is None or (made and made[-1].id == head.id):
        return None
    count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    keyed_from = made[0].keyed_from if made else head.id or 0
    return seal.append_checkpoint(path, id=head.id or 0, hash=head.hash, count=count, keyed_from=keyed_from)


def case_trail(*, session: Session, case_id: int) -> Sequence[AuditEvent]:
    """Every event of a case, oldest first (callers check access: see timeline.case_view)."""
    query = select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(col(AuditEvent.id))
    return session.exec(query).all()


class ChainReport(BaseModel):
    """What `verify` found: the events, checkpoints and decisions it checked, and the first fault if any."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    checkpoints: int = 0
    decisions: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def verify(*, session: Session, batch: int = 1000) -> ChainReport:
    """Check the whole trail against its key and its checkpoints, and every decision against its event.

    Stops at the first fault: an event whose link or keyed hash does not match (a plain hash only before
    the chain was keyed), a checkpointed head that is gone or changed (events deleted or rewritten), or a
    decision that differs from what its event sealed.
    """
    checkpoints = seal.read_checkpoints(seal.checkpoint_file(str(session.get_bind().engine.url)))
    forged = next((n for n, c in enumerate(checkpoints, start=1) if not c.genuine), None)
    if forged is not None:
        return ChainReport(checked=0, broken_at=0, reason=f"checkpoint {forged} is not signed with the audit key")
    keyed_from = checkpoints[0].keyed_from if checkpoints else None
    wanted = {c.id: c for c in checkpoints if c.id}
    previous, checked, last_id, seals = "", 0, 0, {}
    while True:
        query = select(AuditEvent).where(col(AuditEvent.id) > last_id).order_by(col(AuditEvent.id)).limit(batch)
        events = session.exec(query).all()
        if not events:
            break
        for event in events:
            fault = _fault(event, previous, keyed_from)
            if fault:
                return ChainReport(checked=checked, broken_at=event.id, reason=fault)
            if keyed_from is None:  # no checkpoint yet: keyed from the first keyed event on
                keyed_from = event.id if event.hash == event_hash(event) else None
            previous, checked, last_id = event.hash, checked + 1, event.id or 0
            mark = wanted.pop(last_id, None)
            if mark is not None and (mark.hash != event.hash or mark.count != checked):
                return ChainReport(checked=checked, broken_at=last_id, reason="it differs from its checkpoint")
            if event.action in DECIDED and event.task_id is not None:
                seals[event.task_id] = (last_id, event.detail.get(DECISION))
    if wanted:
        gone = min(wanted)
        return ChainReport(checked=checked, broken_at=gone, reason="a checkpointed event is gone (events deleted)")
    return _check_decisions(session, seals, keyed_from, ChainReport(checked=checked, checkpoints=len(checkpoints)))


def _fault(event: AuditEvent, previous: str, keyed_from: int | None) -> str:
    if event.prev_hash != previous:
        return "its link to the previous event"
    if event.hash == event_hash(event):
        return ""
    written_before_the_key = keyed_from is None or (event.id or 0) < keyed_from
    if written_before_the_key and event.hash == seal.plain(event_content(event)):
        return ""
    return "its content was changed"


def _check_decisions(
    session: Session, seals: dict[int, tuple[int, Any]], keyed_from: int | None, report: ChainReport
) -> ChainReport:
    """Every decision matches the seal its audit event holds; an event's sealed decision still exists."""
    decisions = {d.task_id: d for d in session.exec(select(Decision))}
    for task_id, decision in decisions.items():
        event_id, sealed = seals.get(task_id, (None, None))
        if sealed is None:
            if event_id is not None and keyed_from is not None and event_id >= keyed_from:
                return report.model_copy(
                    update={"broken_at": event_id, "reason": f"task {task_id}'s decision is not sealed"}
                )
            continue  # decided before decisions were sealed
        if sealed != seal.decision_seal(decision):
            return report.model_copy(update={"broken_at": event_id, "reason": f"task {task_id}'s decision was changed"})
    for task_id, (event_id, sealed) in seals.items():
        if sealed is not None and task_id not in decisions:
            return report.model_copy(update={"broken_at": event_id, "reason": f"task {task_id}'s decision is gone"})
    return report.model_copy(update={"decisions": len(decisions)})
