"""Ending a withdrawn case's flow run in Prefect: at once when Prefect answers, else by the reconciler."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Case
from models.common import utcnow
from passage.core import prefect_bridge as prefect
from passage.services import audit

log = logging.getLogger(__name__)

# A run still Cancelling this long after its case was withdrawn has no process left to end it: it is made
# Cancelled outright (a process that is in fact alive finds its case closed at its next gate and stops).
CANCELLING_GRACE = timedelta(minutes=1)


def cancel_run(*, session: Session, case_id: int, force: bool = False) -> bool:
    """Cancel the case's run waiting to be cancelled; True once nothing of it can run any more.

    False while Prefect does not answer or the run's process is still ending (Cancelling): the case keeps
    `run_to_cancel` and the reconciler tries again.
    """
    case = session.get(Case, case_id)
    if case is None or case.run_to_cancel is None:
        return True
    run_id = case.run_to_cancel
    try:
        state = prefect.cancel(run_id, force=force)
    except prefect.PrefectUnavailable as exc:
        log.warning("case %s: run %s not cancelled yet: %s", case.ref, run_id, exc)
        return False
    if not prefect.is_final(state):
        return False
    session.execute(
        update(Case).where(col(Case.id) == case_id, col(Case.run_to_cancel) == run_id).values(run_to_cancel=None)
    )
    ended = state.name if state is not None else "unknown to Prefect"
    audit.record(
        session=session,
        actor="system",
        action="run.cancelled",
        case_id=case_id,
        detail={"flow_run_id": run_id, "state": ended},
    )
    session.commit()
    return True


def cancel_pending(*, session: Session, now: datetime | None = None, limit: int = 200) -> int:
    """One reconciler pass over the withdrawn cases whose run is not cancelled yet; returns how many ended."""
    now = now or utcnow()
    query = select(Case.id, Case.closed_at).where(col(Case.run_to_cancel).is_not(None)).limit(limit)
    ended = 0
    for case_id, closed_at in session.exec(query).all():
        late = closed_at is not None and now - closed_at > CANCELLING_GRACE
        ended += cancel_run(session=session, case_id=case_id or 0, force=late)
    return ended
