"""The demo's notification routing: every demo user mailed at their own address through a local SMTP port.

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


def demo_routing() -> str:
    """An Apprise routing file (YAML): each user at their e-mail address (`mail:`), plus the programme leads."""
    leads = ", ".join(f"lead:{slug}" for slug in all_programmes())
    return (
        "\n".join(
            [
                "# Passage notification routing (Apprise YAML); check it with `passage notify check`.",
                "version: 1",
                "# Every active user with an e-mail address is mailed through this server (docs/notifications.md).",
                f"mail: mailto://{DEMO_SMTP}?from=passage@example.org&format=text",
                "urls:",
                f"  - mailto://{DEMO_SMTP}?from=passage@example.org&to={LEAD}&format=text:",
                f"      tag: {leads}",
            ]
        )
        + "\n"
    )


def seed_notifications(*, session: Session, usernames: list[str]) -> None:
    """Write the demo routing file once (an existing file is the operator's), and the demo's digest choice."""
    path: Path = get_settings().notify_config_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(demo_routing(), encoding="utf-8")
    if session.get(NotifyPreference, DIGEST_USER) is None and DIGEST_USER in usernames:
        set_digest(session=session, username=DIGEST_USER, digest=True)
