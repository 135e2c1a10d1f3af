"""The `passage serve` process: deploy every programme to the work pool, run a warm worker and the reconciler."""

import asyncio
import logging
import threading

from passage import prefect_bridge
from passage.db import init_db, session_scope
from passage.programmes import all_programmes, all_scheduled
from passage.services.delivery import reconcile
from passage.settings import get_settings
from passage.worker import WORK_POOL_TYPE, PassageWorker

log = logging.getLogger("passage.runner")
WORKER_RESTART_SECONDS = 5.0


def reconcile_forever(stop: threading.Event, every: float) -> None:
    """Deliver what could not be delivered at once: decisions, and cases not yet started."""
    while not stop.wait(every):
        try:
            with session_scope() as session:
                sweep = reconcile(session=session)
            if sweep.launched or sweep.resumed or sweep.recovered or sweep.failed or sweep.expired:
                log.info("reconciler: %s", sweep.model_dump())
        except Exception:
            log.exception("reconciler pass failed; retrying")


def send_forever(stop: threading.Event, every: float) -> None:
    """Send the notification outbox: what a gate enqueued, and retries of what a notifier refused."""
    from passage.services.notifications import send_due

    while not stop.wait(every):
        try:
            with session_scope() as session:
                result = send_due(session=session)
            if result.sent or result.failed:
                log.info("notifications: %s", result.model_dump())
        except Exception:
            log.exception("notification pass failed; retrying")


def deploy_all() -> None:
    """The work pool, one deployment per programme and one per scheduled flow (idempotent: safe on every start)."""
    pool = get_settings().work_pool
    template = PassageWorker.get_default_base_job_template()
    prefect_bridge.ensure_work_pool(name=pool, pool_type=WORK_POOL_TYPE, base_job_template=template)
    for programme in all_programmes().values():
        prefect_bridge.deploy(programme.flow, name=programme.deployment_name, work_pool=pool)
    timezone = get_settings().office_timezone
    for scheduled in all_scheduled():
        prefect_bridge.deploy(
            scheduled.flow,
            name=scheduled.deployment_name,
            work_pool=pool,
            cron=scheduled.schedule,
            timezone=timezone,
        )


async def work() -> None:
    """Take runs from the pool until cancelled, at most `max_flow_processes` at once.

    Prefect's worker gives up when its server stays away for a minute or two (its service loops raise
    "Service exceeded error threshold"). A Prefect outage must not end `passage serve`: a new worker
    starts and waits for the server to come back, and the reconciler delivers what was decided meanwhile.
    """
    settings = get_settings()
    while True:
        worker = PassageWorker(
            work_pool_name=settings.work_pool,
            limit=settings.max_flow_processes,
            create_pool_if_not_found=False,
            prefetch_seconds=0,
        )
        try:
            await worker.start(printer=log.info)
            return
        except Exception:
            log.exception("worker stopped; a new one starts in %s s", WORKER_RESTART_SECONDS)
            await asyncio.sleep(WORKER_RESTART_SECONDS)


def serve() -> None:
    """Block serving the flows until interrupted."""
    init_db()
    deploy_all()
    stop = threading.Event()
    sweeper = threading.Thread(
        target=reconcile_forever,
        args=(stop, get_settings().reconcile_seconds),
        daemon=True,
    )
    sweeper.start()
    sender = threading.Thread(target=send_forever, args=(stop, get_settings().notify_send_seconds), daemon=True)
    sender.start()
    try:
        asyncio.run(work())
    finally:
        stop.set()
