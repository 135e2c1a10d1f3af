"""The audit trail's seal: a keyed hash chain, signed checkpoints of its head, decisions sealed in it.

Why: with a plain SHA-256 chain anyone holding the database can rewrite an event and re-hash everything
after it, delete the newest events, or change a decision (its table was outside the chain), and the
chain still verifies. Here:
- every event's hash is an HMAC-SHA256 under a key kept outside the database (PASSAGE_AUDIT_KEY, or
  <home>/audit/key): re-sealing needs the key;
- a checkpoint (the head's id, hash and the number of events, signed with the key) is appended to a file
  outside the database now and then (the runner, `passage audit checkpoint`): deleting or rewriting
  events up to a checkpoint is found, the newest events since the last one are not (see the docs);
- each decision's content is sealed in its audit event, so a changed or deleted decision is found.
Events written before the key existed keep their plain hashes: the first checkpoint says from which
event on the chain is keyed (`keyed_from`), and only events before it may carry a plain hash.
"""

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from models import Decision
from models.common import utcnow
from passage.core.secrets import stored_secret
from passage.core.settings import get_settings


@cache
def audit_key() -> bytes:
    """The chain's key: PASSAGE_AUDIT_KEY, or made once in <home>/audit/key (0600)."""
    settings = get_settings()
    if settings.audit_key is not None:
        return settings.audit_key.get_secret_value().encode("utf-8")
    return stored_secret(settings.home.resolve() / "audit" / "key", lambda: secrets.token_hex(32)).encode("utf-8")


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def keyed(content: dict[str, Any]) -> str:
    return hmac.new(audit_key(), canonical(content), hashlib.sha256).hexdigest()


def plain(content: dict[str, Any]) -> str:
    """The hash of an event written before the chain was keyed."""
    return hashlib.sha256(canonical(content)).hexdigest()


def decision_seal(decision: Decision) -> str:
    """A digest of what a decision says (not when it was delivered), kept in its audit event."""
    content = {
        "task_id": decision.task_id,
        "outcome": decision.outcome.value,
        "comment": decision.comment,
        "data": decision.data,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.astimezone(UTC).isoformat(),
    }
    return hashlib.sha256(canonical(content)).hexdigest()


class Checkpoint(BaseModel):
    """The chain's head at a moment, signed: what a later verification must still find."""

    id: int
    hash: str
    count: int
    at: datetime
    keyed_from: int
    mac: str = ""

    def signed(self) -> "Checkpoint":
        return self.model_copy(update={"mac": keyed(self.model_dump(mode="json", exclude={"mac"}))})

    @property
    def genuine(self) -> bool:
        return hmac.compare_digest(self.mac, keyed(self.model_dump(mode="json", exclude={"mac"})))


def checkpoint_file(database_url: str) -> Path:
    """The checkpoints of one database (one file per database, so a test's or a restored one never mixes)."""
    settings = get_settings()
    folder = settings.audit_checkpoints or settings.home.resolve() / "audit"
    return folder / f"checkpoints-{hashlib.sha256(database_url.encode()).hexdigest()[:16]}.jsonl"


def read_checkpoints(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    return [Checkpoint.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def append_checkpoint(path: Path, *, id: int, hash: str, count: int, keyed_from: int) -> Checkpoint:
    """Sign and append one checkpoint (0600 file in a 0700 folder; appends are atomic for one line)."""
    made = Checkpoint(id=id, hash=hash, count=count, at=utcnow(), keyed_from=keyed_from).signed()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with path.open("a", encoding="utf-8") as out:
        out.write(made.model_dump_json() + "\n")
    path.chmod(0o600)
    return made
