"""Serve every programme flow and run the reconciler beside it (the `passage serve` process)."""

import asyncio
import logging
import threading

from prefect.deployments.runner import EntrypointType  # type: ignore[attr-defined]
from prefect.runner import Runner

from passage.db import init_db, session_scope
from passage.programmes import all_programmes
from passage.services.delivery import reconcile
from passage.settings import get_settings

log = logging.getLogger("passage.runner")


def reconcile_forever(stop: threading.Event, every: float) -> None:
    """Deliver what could not be delivered at once: decisions, and cases not yet started."""
    while not stop.wait(every):
        try:
            with session_scope() as session:
                sweep = reconcile(session=session)
            if sweep.launched or sweep.resumed or sweep.recovered or sweep.failed:
                log.info("reconciler: %s", sweep.model_dump())
        except Exception:
            log.exception("reconciler pass failed; retrying")


def build_runner() -> Runner:
    settings = get_settings()
    runner = Runner(
        name="passage",
        query_seconds=settings.runner_poll_seconds,
        limit=settings.max_flow_processes,
        pause_on_shutdown=False,
    )
    for programme in all_programmes().values():
        # A module path, not a file path: flow processes import the flow wherever they start.
        runner.add_flow(programme.flow, name="passage", entrypoint_type=EntrypointType.MODULE_PATH)
    return runner


def serve() -> None:
    """Block serving the flows until interrupted."""
    init_db()
    stop = threading.Event()
    sweeper = threading.Thread(
        target=reconcile_forever,
        args=(stop, get_settings().reconcile_seconds),
        daemon=True,
    )
    sweeper.start()
    try:
        asyncio.run(build_runner().start())
    finally:
        stop.set()
