"""Passage's long-running processes: deploy the flows, run a warm worker, run the reconciler.

`passage serve` is all three in one process (the embedded default). In production they are separate:
`passage deploy` once per release, `passage worker` as many times as there are machines or cores,
`passage reconciler` once per installation (README "Production").
"""

import asyncio
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable

from passage.core import prefect_bridge
from passage.core.db import exclusive, init_db, session_scope
from passage.core.settings import get_settings
from passage.orchestration.worker import WORK_POOL_TYPE, PassageWorker
from passage.programme.registry import all_programmes, all_scheduled
from passage.services import audit
from passage.services.delivery import Sweep, reconcile
from passage.services.notifications import send_due

log = logging.getLogger("passage.orchestration.runner")
WORKER_RESTART_SECONDS = 5.0
RECONCILER_LOCK = "passage-reconciler"


def reconcile_pass() -> Sweep | None:
    """One reconciler pass, or None when another reconciler of the installation is in the middle of one."""
    with exclusive(RECONCILER_LOCK) as held:
        if not held:
            return None
        with session_scope() as session:
            return reconcile(session=session)


def reconcile_forever(stop: threading.Event, every: float) -> None:
    """Deliver what could not be delivered at once: decisions, cases not yet started, runs that lost their process."""
    while not stop.wait(every):
        try:
            sweep = reconcile_pass()
            # Decisions still waiting for their run are not news: the pass counts them every time.
            if sweep is not None and any(sweep.model_dump(exclude={"waiting"}).values()):
                log.info("reconciler: %s", sweep.model_dump())
        except Exception:
            log.exception("reconciler pass failed; retrying")


def send_forever(stop: threading.Event, every: float) -> None:
    """Send the notification outbox: what a gate enqueued, and retries of what a notifier refused."""

    while not stop.wait(every):
        try:
            with session_scope() as session:
                result = send_due(session=session)
            if result.sent or result.failed:
                log.info("notifications: %s", result.model_dump())
        except Exception:
            log.exception("notification pass failed; retrying")


def checkpoint_forever(stop: threading.Event, every: float) -> None:
    """Sign the audit trail's head into its checkpoint file now and then (passage/services/seal.py)."""
    while not stop.wait(every):
        try:
            with session_scope() as session:
                audit.checkpoint(session=session)
        except Exception:
            log.exception("audit checkpoint failed; retrying")


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
    """Take runs from the pool until cancelled or sent SIGTERM, at most `max_flow_processes` at once.

    Prefect's worker gives up when its server stays away for a minute or two (its service loops raise
    "Service exceeded error threshold"). A Prefect outage must not end the worker: a new one starts and
    waits for the server to come back, and the reconciler delivers what was decided meanwhile.
    Prefect's own `prefect worker start` ignores SIGTERM, which containers send to stop; here it ends
    the worker as Ctrl-C does: no new runs, the running ones finish their segment, then exit.
    """
    settings = get_settings()
    # Unique across machines, and readable in the runs' labels and the pool's worker list.
    name = f"passage {socket.gethostname()} {os.getpid()}"
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        while True:
            worker = PassageWorker(
                work_pool_name=settings.work_pool,
                name=name,
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
    except asyncio.CancelledError:
        log.info("worker %s stopped", name)


def background(stop: threading.Event) -> None:
    """Start the reconciler and the notification sender as daemon threads, until `stop` is set."""
    loops: list[tuple[Callable[[threading.Event, float], None], float]] = [
        (reconcile_forever, get_settings().reconcile_seconds),
        (send_forever, get_settings().notify_send_seconds),
        (checkpoint_forever, get_settings().audit_checkpoint_seconds),
    ]
    for target, every in loops:
        threading.Thread(target=target, args=(stop, every), daemon=True).start()


def serve() -> None:
    """All in one (the embedded default): deploy, reconcile, send notifications and work until interrupted."""
    init_db()
    deploy_all()
    stop = threading.Event()
    background(stop)
    try:
        asyncio.run(work())
    finally:
        stop.set()


def run_worker() -> None:
    """One worker of the pool, nothing else (`passage worker`)."""
    asyncio.run(work())


def run_reconciler() -> None:
    """The reconciler and the notification sender, until SIGTERM or Ctrl-C (`passage reconciler`)."""
    init_db()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    background(stop)
    try:
        stop.wait()
    except KeyboardInterrupt:
        stop.set()
