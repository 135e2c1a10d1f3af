"""Operations flows on a schedule (no case): the reminder sweep and the daily digest.

Each decides what to send through the services, enqueues it in the outbox, then runs one sender
pass. The runner deploys them with their cron (Europe/Amsterdam; PASSAGE_SCHEDULES overrides it).
"""

from prefect import flow, get_run_logger
from pydantic import BaseModel

from passage.db import session_scope
from passage.programmes import Scheduled
from passage.services.notifications import SendResult, send_due
from passage.services.reminders import SweepResult, digest_sweep, reminder_sweep


class NotifyRun(BaseModel):
    """What a scheduled notification run decided and sent."""

    decided: SweepResult
    sent: SendResult


@flow(name="notify-sweep")
def notify_sweep() -> NotifyRun:
    """Reminders at their business-hour offsets, escalations to leads, then one sender pass."""
    with session_scope() as session:
        decided = reminder_sweep(session=session)
        sent = send_due(session=session)
    get_run_logger().info("reminder sweep: %s; sent: %s", decided.model_dump(), sent.model_dump())
    return NotifyRun(decided=decided, sent=sent)


@flow(name="notify-digest")
def notify_digest() -> NotifyRun:
    """The daily digest of each person who chose it, then one sender pass."""
    with session_scope() as session:
        decided = digest_sweep(session=session)
        sent = send_due(session=session)
    get_run_logger().info("digest: %s; sent: %s", decided.model_dump(), sent.model_dump())
    return NotifyRun(decided=decided, sent=sent)


SCHEDULED = [
    # Every quarter hour on weekdays; the sweep itself does nothing outside office hours.
    Scheduled(flow=notify_sweep, cron="*/15 * * * 1-5"),
    Scheduled(flow=notify_digest, cron="0 9 * * 1-5"),
]
