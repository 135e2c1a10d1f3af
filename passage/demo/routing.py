"""The demo's notification routing: every demo user mailed at example.org through a local SMTP port.

Nothing real: run `.venv/bin/python -m aiosmtpd -n -l 127.0.0.1:8025` to watch what would be mailed;
without it, the messages wait in the outbox, which the administrator's Outbox page shows with the reason.
"""

from pathlib import Path

from sqlmodel import Session

from models import NotifyPreference
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes
from passage.services.notifications import set_digest

DEMO_SMTP = "127.0.0.1:8025"
DIGEST_USER = "pm.joost"  # chooses the daily digest in the demo; everyone else gets a message per task
LEAD = "pm.anna@example.org"  # the lead of every demo programme: escalations go there


def _mailto(address: str) -> str:
    return f"mailto://{DEMO_SMTP}?from=passage@example.org&to={address}&format=text"


def demo_routing(users: list[tuple[str, str]]) -> str:
    """An Apprise routing file (YAML) for (username, e-mail) pairs, plus the programme leads."""
    lines = ["# Passage notification routing (Apprise YAML); check it with `passage notify check`.", "version: 1"]
    lines.append("urls:")
    for username, email in users:
        lines += [f"  - {_mailto(email)}:", f"      tag: user:{username}"]
    leads = ", ".join(f"lead:{slug}" for slug in all_programmes())
    lines += [f"  - {_mailto(LEAD)}:", f"      tag: {leads}"]
    return "\n".join(lines) + "\n"


def seed_notifications(*, session: Session, users: list[tuple[str, str]]) -> None:
    """Write the demo routing file once (an existing file is the operator's), and the demo's digest choice."""
    path: Path = get_settings().notify_config_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(demo_routing(users), encoding="utf-8")
    if session.get(NotifyPreference, DIGEST_USER) is None and any(name == DIGEST_USER for name, _ in users):
        set_digest(session=session, username=DIGEST_USER, digest=True)
