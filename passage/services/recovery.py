"""Bringing crashed or failed flow runs of open cases back: they replay to their last gate."""

import logging

from sqlmodel import Session, col, func, select

from models import AuditEvent, Case
from passage.core import prefect_bridge as prefect
from passage.core.settings import get_settings
from passage.services import audit

log = logging.getLogger(__name__)

RECOVERED = "run.recovered"
ABANDONED = "run.left-to-operator"
# A run that fails every time (a bug, not a hiccup) is left alone after this many tries, so the
# reconciler does not spin on it; its case shows every try in the timeline.
MAX_RECOVERIES = 5


def _events(session: Session, case_id: int, action: str) -> int:
    query = select(func.count()).where(col(AuditEvent.case_id) == case_id, col(AuditEvent.action) == action)
    return int(session.exec(query).one())


def recoveries(*, session: Session, case_id: int) -> int:
    return _events(session, case_id, RECOVERED)


def recover_run(*, session: Session, case: Case, state: str) -> bool:
    """Send the case's broken run back to Scheduled, audited; False once it has been tried too often."""
    if case.flow_run_id is None or case.closed_at is not None:
        return False
    tries = recoveries(session=session, case_id=case.id or 0)
    if tries >= MAX_RECOVERIES:
        # Said once, in the log and on the case's trail: the reconciler meets this run on every pass.
        if not _events(session, case.id or 0, ABANDONED):
            audit.record(session=session, actor="system", action=ABANDONED, case_id=case.id, detail={"state": state})
            session.commit()
            log.error(
                "case %s: run %s is %s after %d recoveries; left for an operator",
                case.ref,
                case.flow_run_id,
                state,
                tries,
            )
        return False
    prefect.reschedule(case.flow_run_id)
    audit.record(
        session=session,
        actor="system",
        action=RECOVERED,
        case_id=case.id,
        detail={"flow_run_id": case.flow_run_id, "state": state, "try": tries + 1},
    )
    session.commit()
    log.info("case %s: run %s was %s; rescheduled (try %d)", case.ref, case.flow_run_id, state, tries + 1)
    return True


def recover_broken_runs(*, session: Session) -> int:
    """One pass over the work pool's crashed and failed runs; returns how many were rescheduled."""
    recovered = 0
    for run_id, state in prefect.broken_runs(get_settings().work_pool):
        case = session.exec(select(Case).where(col(Case.flow_run_id) == run_id)).first()
        if case is not None:
            recovered += recover_run(session=session, case=case, state=state)
    return recovered
