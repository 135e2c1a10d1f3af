"""Getting recorded decisions (and new cases) to Prefect, now or, if it is down, later."""

import logging
import time
from collections.abc import Sequence

from pydantic import BaseModel
from sqlmodel import Session, col, select

from models import Case, Decision, HumanTask, TaskStatus
from models.common import utcnow
from passage.core import prefect_bridge as prefect
from passage.programme.registry import get_programme
from passage.services import amend_tasks, cancellation, cases, expiry
from passage.services.human_tasks import get_task
from passage.services.orphans import crash_orphaned_runs
from passage.services.recovery import recover_broken_runs, recover_run

log = logging.getLogger(__name__)
# Pauses before each try when a loaded Prefect server answers 503; each try reads the run's state
# afresh, so a late try never resumes the run at a gate it has since moved past.
BUSY_RETRIES = (0.0, 0.2, 0.6)


class Sweep(BaseModel):
    """What one reconciler pass did."""

    launched: int = 0
    resumed: int = 0
    recovered: int = 0
    orphaned: int = 0
    waiting: int = 0
    failed: int = 0
    expired: int = 0
    cancelled: int = 0  # runs of withdrawn cases that Prefect could not cancel at once


def unapplied(*, session: Session, flow_run_id: str | None = None) -> Sequence[tuple[Decision, HumanTask]]:
    """Decisions whose flow run has not taken them yet (of one run, or all), oldest first."""
    # Not of a closed case (its run was cancelled: a decision taken just before must not resume it) nor of
    # one on hold (it waits where it is; the reconciler delivers once it is resumed).
    query = (
        select(Decision, HumanTask)
        .join(HumanTask, col(HumanTask.id) == col(Decision.task_id))
        .join(Case, col(Case.id) == col(HumanTask.case_id))
        .where(col(Decision.applied_at).is_(None), col(Case.closed_at).is_(None), col(Case.held_at).is_(None))
        .order_by(col(Decision.id))
    )
    if flow_run_id is not None:
        query = query.where(col(HumanTask.flow_run_id) == flow_run_id)
    return session.exec(query).all()


def _decided(session: Session, case_id: int, step: str | None) -> bool:
    query = select(HumanTask.id).where(col(HumanTask.case_id) == case_id, col(HumanTask.step) == step)
    query = query.where(col(HumanTask.status) == TaskStatus.DECIDED, col(HumanTask.set_aside_at).is_(None))
    return session.exec(query).first() is not None


def _deliver_once(session: Session, decision: Decision, task: HumanTask) -> str:
    state = prefect.run_state(task.flow_run_id)
    if state is None:
        return "unknown-run"
    # A run waiting at a gate Passage saw decided is behind Passage's record (Prefect's database restored
    # to an earlier point than Passage's): resumed there, it replays from the record to this gate.
    behind = state.is_paused and state.pause_key != task.step and _decided(session, task.case_id, state.pause_key)
    if state.is_paused and (state.pause_key == task.step or behind):
        try:
            prefect.resume(task.flow_run_id, step=state.pause_key or task.step)
        except prefect.RunNotWaiting:
            return "waiting"  # it moved on since the look above: its gate reads the decision itself
        decision.delivered_at = utcnow()
        return "resumed"
    if state.is_broken:
        case = session.get(Case, task.case_id)
        recovered = case is not None and recover_run(session=session, case=case, state=state.name)
        return "recovered" if recovered else "failed"
    # Running, scheduled or paused at an earlier point: the gate will read the decision itself.
    return "waiting"


def deliver_decision(*, session: Session, decision: Decision) -> str:
    """Resume the run waiting for this decision; returns what happened ('resumed', 'waiting', ...)."""
    task = get_task(session=session, task_id=decision.task_id)
    decision.delivery_attempts += 1
    for pause in BUSY_RETRIES:
        time.sleep(pause)
        try:
            result, decision.delivery_error = _deliver_once(session, decision, task), None
            break
        except Exception as exc:
            decision.delivery_error, result = f"{type(exc).__name__}: {exc}"[:500], "failed"
            # A busy server (503) is worth another look at once; a server that is down is not.
            if not prefect.is_busy(exc):
                break
    if result == "failed":
        log.warning("decision %s not delivered: %s", decision.id, decision.delivery_error)
    session.add(decision)
    session.commit()
    return result


def deliver_for_run(*, session: Session, flow_run_id: str) -> int:
    """Deliver what was decided for `flow_run_id` while its process was still running; returns how many resumed.

    A decision taken in the second between a gate opening and its run suspending finds the run still
    running and is left for later; the worker calls this when the run's process exits, so it does not
    wait for the next reconciler pass.
    """
    return sum(
        deliver_decision(session=session, decision=decision) == "resumed"
        for decision, _task in unapplied(session=session, flow_run_id=flow_run_id)
    )


def launch_case(*, session: Session, case_id: int) -> bool:
    """Start the case's flow run; False (and the case kept as new) when Prefect is unreachable."""
    case = session.get(Case, case_id)
    if case is None or case.flow_run_id is not None:
        return False
    try:
        run_id = prefect.start_run(
            deployment=get_programme(case.programme).deployment,
            programme=case.programme,
            case_ref=case.ref,
            case_uid=case.uid,
        )
    except prefect.PrefectUnavailable as exc:
        log.warning("case %s not started yet: %s", case.ref, exc)
        return False
    cases.attach_run(session=session, case_id=case_id, flow_run_id=run_id)
    return True


def reconcile(*, session: Session) -> Sweep:
    """One pass: start cases not started, bring broken and orphaned runs back, deliver decisions not taken up,
    expire the tasks whose wait has run out, cancel the runs of withdrawn cases that Prefect did not answer for.

    Run one at a time (passage.orchestration.runner.reconcile_pass holds the installation's lock): starting a case and
    delivering a decision are idempotent, but two passes could both reschedule one crashed run.
    """
    sweep = Sweep(expired=expiry.expire_due(session=session), cancelled=cancellation.cancel_pending(session=session))
    try:
        sweep.orphaned = crash_orphaned_runs(session=session)
        sweep.recovered += recover_broken_runs(session=session)
    except prefect.PrefectUnavailable as exc:
        log.warning("broken runs not checked: %s", exc)
    for case in cases.cases_to_launch(session=session):
        sweep.launched += launch_case(session=session, case_id=case.id or 0)
    for decision, _task in unapplied(session=session):
        result = deliver_decision(session=session, decision=decision)
        if result == "resumed":
            sweep.resumed += 1
        elif result == "recovered":
            sweep.recovered += 1
        elif result == "failed":
            sweep.failed += 1
        else:
            sweep.waiting += 1
    sweep.resumed += amend_tasks.wake_stranded(session=session)  # runs left at a task an amendment cancelled
    return sweep


def start_case(
    *, session: Session, programme: str, case_file: dict[str, object], actor: str, open_anyway: bool = False
) -> Case:
    """Open a case (a case worker of the programme) and start its flow run, now or by the reconciler."""
    return start_case_file(
        session=session, programme=programme, case_file=case_file, actor=actor, open_anyway=open_anyway
    ).case


def start_case_file(
    *, session: Session, programme: str, case_file: dict[str, object], actor: str, open_anyway: bool = False
) -> cases.Opening:
    """`start_case`, saying whether the case is new or the one this same file opened before (cases.open_case_file)."""
    opening = cases.open_case_file(
        session=session, programme=programme, case_file=dict(case_file), actor=actor, open_anyway=open_anyway
    )
    # The case opened before is started too if Prefect did not answer then: starting a case is idempotent.
    launch_case(session=session, case_id=opening.case.id or 0)
    session.refresh(opening.case)
    return opening
