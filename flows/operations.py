"""Operations flows on a schedule (no case): the reminder sweep, the daily digest, the weekly report.

Each decides what to send through the services, enqueues it in the outbox, then runs one sender
pass. The runner deploys them with their cron (Europe/Amsterdam; PASSAGE_SCHEDULES overrides it).
"""

from prefect import flow, get_run_logger
from pydantic import BaseModel

from models.common import utcnow
from passage.core import prefect_bridge as prefect
from passage.core.db import session_scope
from passage.programme import Scheduled
from passage.programme.registry import all_programmes
from passage.services.notifications import SendResult, send_due
from passage.services.reminders import SweepResult, digest_sweep, reminder_sweep
from passage.services.report import Report, write_report


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


class ReportRun(BaseModel):
    """The reports written this week, one per programme, and what the sender pass did."""

    reports: list[Report]
    sent: SendResult


@flow(name="weekly-report")
def weekly_report() -> ReportRun:
    """Every programme's figures to an HTML and a CSV file, its programme managers told, one sender pass."""
    now, reports = utcnow(), []
    with session_scope() as session:
        for slug in all_programmes():
            reports.append(write_report(session=session, programme=slug, now=now))
        sent = send_due(session=session)
    for report in reports:
        get_run_logger().info("weekly report %s: %s (%d told)", report.programme, report.html, report.notified)
        # For the operators, beside the files: the aggregates only (no one named), under Prefect's artifacts.
        prefect.publish_table(
            key=f"weekly-report-{report.programme}",
            description=f"{report.title}, week {report.week}",
            rows=report.aggregates,
        )
    return ReportRun(reports=reports, sent=sent)


SCHEDULED = [
    # Every quarter hour on weekdays; the sweep itself does nothing outside office hours.
    Scheduled(flow=notify_sweep, cron="*/15 * * * 1-5"),
    Scheduled(flow=notify_digest, cron="0 9 * * 1-5"),
    # Monday morning, before the office opens: the messages wait for 09:00 (nothing goes out at night).
    Scheduled(flow=weekly_report, cron="0 7 * * 1"),
]
