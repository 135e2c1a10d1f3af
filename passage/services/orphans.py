"""Zombie runs: a run whose worker died stays Running in Prefect; mark it Crashed so recovery brings it back."""

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from models import Case
from passage.core import prefect_bridge as prefect
from passage.core.settings import get_settings
from passage.services import audit

log = logging.getLogger(__name__)

WORKER_LOST = "run.worker-lost"


def crash_orphaned_runs(*, session: Session) -> int:
    """Mark Crashed every run of the pool whose worker stopped heart-beating; returns how many.

    The same reconciler pass then reschedules them (recovery.py), bounded and audited: the run
    replays to where it was, done steps and decided gates are not repeated.
    """
    settings = get_settings()
    settled = timedelta(seconds=prefect.SILENT_HEARTBEATS * settings.worker_heartbeat_seconds)
    crashed = 0
    for run_id, worker in prefect.orphaned_runs(settings.work_pool, settled=settled):
        if not prefect.crash(run_id, f"worker {worker} stopped heart-beating; its process is gone"):
            continue  # the run moved on meanwhile: it was not a zombie
        crashed += 1
        case = session.exec(select(Case).where(col(Case.flow_run_id) == run_id)).first()
        log.warning("run %s (case %s) lost its worker %s; marked Crashed", run_id, case and case.ref, worker)
        if case is not None:
            detail = {"flow_run_id": run_id, "worker": worker}
            audit.record(session=session, actor="system", action=WORKER_LOST, case_id=case.id, detail=detail)
            session.commit()
    return crashed
