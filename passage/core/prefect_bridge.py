"""Every call Passage makes into Prefect, in one place (tests/tasks/test_prefect_bridge.py guards it)."""

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, TypeVar, cast
from uuid import UUID

import httpx
from prefect import Flow
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    WorkPoolFilter,
    WorkPoolFilterName,
)
from prefect.client.schemas.objects import FlowRun, State, StateType
from prefect.client.schemas.responses import OrchestrationResult, SetStateStatus
from prefect.context import FlowRunContext
from prefect.deployments import run_deployment
from prefect.deployments.runner import EntrypointType  # type: ignore[attr-defined]
from prefect.engine import handle_engine_signals
from prefect.exceptions import Abort, ObjectAlreadyExists, ObjectNotFound
from prefect.flow_engine import load_flow_run, run_flow
from prefect.flow_runs import suspend_flow_run
from prefect.logging.loggers import flow_run_logger
from prefect.schedules import Cron
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.states import Cancelled, Cancelling, Crashed, Scheduled
from pydantic import BaseModel

from passage.core.errors import PassageError

T = TypeVar("T", bound=BaseModel)

BROKEN = frozenset({StateType.CRASHED, StateType.FAILED})
LIVE = frozenset({StateType.PENDING, StateType.RUNNING})
# The label Prefect's base worker gives each run it submits: which worker holds the run's process.
WORKER_LABEL = "prefect.worker.name"
# A worker silent for this many heartbeat intervals is gone. Prefect's foreman says "offline" after 3;
# Passage waits longer because it acts on it: a heartbeat held back by a loaded server (503s make the
# worker back off) must not make a live run look like a zombie.
SILENT_HEARTBEATS = 6
# What "Prefect is down or overloaded" looks like from the client.
UNREACHABLE = (OSError, httpx.TransportError, httpx.HTTPStatusError)


class PrefectUnavailable(PassageError):
    """Prefect did not answer; the caller keeps what it recorded and retries later."""


def is_busy(exc: BaseException) -> bool:
    """True when Prefect answered but was too busy (503: SQLite locked), so a retry soon may pass."""
    cause = exc.__cause__ if isinstance(exc, PrefectUnavailable) else exc
    return isinstance(cause, httpx.HTTPStatusError) and cause.response.status_code == 503


# Pauses between further attempts when Prefect answers "busy" (503) after its client's own retries.
BUSY_PAUSES = (0.1, 0.3, 0.9)


class RunNotWaiting(PassageError):
    """A resume for a run that is not suspended at that gate (it moved on, ended, or never existed)."""


class RunState(BaseModel):
    type: str
    name: str
    pause_key: str | None = None

    @property
    def is_paused(self) -> bool:
        return self.type == StateType.PAUSED.value

    @property
    def is_broken(self) -> bool:
        """A run that ended without finishing its case: it must be started again."""
        return StateType(self.type) in BROKEN


def current_run_id() -> str:
    """The id of the flow run this code runs in."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("a gate can only open inside a flow run")
    return str(context.flow_run.id)


def suspend(*, key: str) -> None:
    """Suspend the current run at gate `key` until it is resumed; the process exits meanwhile.

    Prefect is given the key and nothing else: no input schema, no form. The decision that resumes the
    run is read from Passage's database, so no personal or special-category data is ever stored in
    Prefect, whose API has no per-record access rules. Called again after the resume, it returns at
    once (Prefect refuses a second suspension under a key that has fired).
    """
    # No timeout: a gate waits days or months, and Passage tracks due dates itself.
    suspend_flow_run(key=key, timeout=None)


def suspend_again(*, key: str) -> None:
    """Suspend the current run at gate `key` once more, after a resume that brought no decision.

    Prefect refuses a second suspension under a key that has fired, so the key is first taken off the
    run's used pause keys, as Prefect's own retry does. The gate then waits exactly as before, and the
    real decision resumes it.
    """
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("suspend_again is called inside a flow run")
    run_id = context.flow_run.id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        used = (run.empirical_policy.pause_keys or set()) - {key}
        client.update_flow_run(
            run_id, empirical_policy=run.empirical_policy.model_copy(update={"pause_keys": used, "resuming": False})
        )
    suspend(key=key)


def run_tags(*, programme: str, case_ref: str) -> list[str]:
    """The tags of a case's run, for an operator to filter Prefect's UI by: identifiers only, never a name."""
    return [f"programme:{programme}", f"case:{case_ref}"]


def start_run(*, deployment: str, programme: str, case_ref: str, case_uid: str) -> str:
    """Create the case's flow run (idempotent per case: one run however often it is asked) and return its id.

    The run is named by its case reference (an identifier, which Prefect may hold), not a generated
    "peculiar-adder", so an operator finds a case's run in Prefect's UI; the flows set no run-name
    template, so every resumed or recovered segment of the run keeps the name.
    """
    for pause in (*BUSY_PAUSES, None):
        try:
            run = run_deployment(
                deployment,
                parameters={"case_ref": case_ref},
                flow_run_name=case_ref,
                tags=run_tags(programme=programme, case_ref=case_ref),
                timeout=0,
                idempotency_key=f"case-{case_uid}",
                as_subflow=False,
            )
            break
        except UNREACHABLE as exc:
            # Creating a run is a read and a write in one SQLite transaction: under load another write
            # often lands between the two (503) after Prefect's own quick retries. Safe to ask again: the
            # idempotency key gives back the run an answered attempt created.
            if pause is None or not is_busy(exc):
                raise PrefectUnavailable("could not start the flow run: {exc}", exc=exc) from exc
        time.sleep(pause)
    assert isinstance(run, FlowRun)  # the sync variant, called outside an event loop
    return str(run.id)


def publish_table(*, key: str, description: str, rows: list[dict[str, object]]) -> None:
    """Show `rows` as a table artifact of the current flow run under `key` (its versions: one per run).

    Artifacts are read by anyone with Prefect's API: the rows must be aggregates and identifiers only.
    """
    create_table_artifact(table=[dict(row) for row in rows], key=key, description=description)


def run_state(flow_run_id: str) -> RunState | None:
    """The run's current state, or None when Prefect does not know the run (or it never had one)."""
    try:
        run_id = UUID(flow_run_id)
    except ValueError:  # a task recorded before its case's run started (the demo's pre-decided gates)
        return None
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(run_id)
    except ObjectNotFound:
        return None
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not read the flow run: {exc}", exc=exc) from exc
    if run.state is None:
        return None
    details = run.state.state_details
    return RunState(
        type=run.state.type.value,
        name=run.state.name or "",
        pause_key=details.pause_key,
    )


def resume(flow_run_id: str, *, step: str) -> None:
    """Resume a run suspended at gate `step`: a bare signal, carrying no data (the run reads its decision).

    Refuses (RunNotWaiting) a run that is not suspended at `step`: it moved on, ended, or is unknown.
    Without client retries: a retry seconds later could land on the run suspended at its *next*
    gate. The caller checked the pause key just before; on failure it checks again and retries.
    """
    try:
        with temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}), get_client(sync_client=True) as client:
            try:
                state = client.read_flow_run(UUID(flow_run_id)).state
            except ObjectNotFound:
                raise RunNotWaiting(
                    "flow run {flow_run_id} is not waiting: Prefect does not know it", flow_run_id=flow_run_id
                ) from None
            if state is None or not state.is_paused() or state.state_details.pause_key != step:
                where = f"{state.name} at {state.state_details.pause_key}" if state else "without a state"
                raise RunNotWaiting(
                    "flow run {flow_run_id} is not waiting at {step} (it is {where})",
                    flow_run_id=flow_run_id,
                    step=step,
                    where=where,
                )
            keyset = state.state_details.run_input_keyset
            if keyset:
                _take_empty_input(client, UUID(flow_run_id), keyset["schema"])
            response = client.resume_flow_run(UUID(flow_run_id), run_input={} if keyset else None)
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not resume the flow run: {exc}", exc=exc) from exc
    if response.status == SetStateStatus.REJECT:
        reason = getattr(response.details, "reason", None) or "no reason given"
        raise RunNotWaiting(
            "flow run {flow_run_id} refused the resume: {reason}", flow_run_id=flow_run_id, reason=reason
        )


def _take_empty_input(client: SyncPrefectClient, flow_run_id: UUID, schema_key: str) -> None:
    """Let a run suspended by an earlier release, which waits for its gate's whole form, take an empty input.

    Releases before the floors suspended with the gate's form as the input schema and resumed with the
    decision in it. Such a run, still waiting, has its saved schema replaced by one that accepts `{}`:
    the resumed run ignores its input and reads the decision from the database like any other.
    """
    client.delete_flow_run_input(flow_run_id, schema_key)
    client.create_flow_run_input(flow_run_id, schema_key, "{}")


def reschedule(flow_run_id: str) -> None:
    """Send a crashed or failed run back to Scheduled: it re-runs from the top, gates replay.

    The pause keys it has used are cleared first, as Prefect's own retry does, with the inputs saved under
    them: a forced state skips the rule that would clear them, and a run that crashed after suspending at
    a gate (its process reported dead a moment after the suspension) must be able to suspend at that gate
    again. With the key kept, Prefect answers "already fired", carries on without input and the run fails
    at every recovery; with the gate's saved form schema kept, the new suspension fails on it (409). The
    inputs are not needed: a gate reads its decision from Passage's database.
    """
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(flow_run_id))
            for key in run.empirical_policy.pause_keys or set():
                # Prefect keeps a suspension's inputs under "suspended-<pause key>-…" (keyset_from_paused_state).
                for saved in client.filter_flow_run_input(UUID(flow_run_id), f"suspended-{key}-", 10, set()):
                    client.delete_flow_run_input(UUID(flow_run_id), saved.key)
            policy = run.empirical_policy.model_copy(update={"pause_keys": set(), "resuming": False})
            client.update_flow_run(UUID(flow_run_id), empirical_policy=policy)
            client.set_flow_run_state(UUID(flow_run_id), Scheduled(name="Recovering"), force=True)
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not reschedule the flow run: {exc}", exc=exc) from exc


def cancel(flow_run_id: str, *, force: bool = False) -> RunState | None:
    """Ask Prefect to cancel a run; returns its state after the ask (None: Prefect does not know the run).

    A suspended or scheduled run has no process: Prefect makes it Cancelled at once. A run whose process
    is running goes to Cancelling: Prefect refuses its next task run, its gate finds its case closed
    (`end_cancelled`), and `force` (the reconciler's later try) makes it Cancelled outright. A run that
    has ended is left as it ended.
    """
    try:
        run_id = UUID(flow_run_id)
    except ValueError:
        return None
    try:
        with get_client(sync_client=True) as client:
            try:
                run = client.read_flow_run(run_id)
            except ObjectNotFound:
                return None
            if run.state is None or not run.state.is_final():
                message = "Cancelled by Passage: its case was withdrawn"
                wanted: State[Any] = Cancelled(message=message) if force else Cancelling(message=message)
                client.set_flow_run_state(run_id, wanted, force=force)
                run = client.read_flow_run(run_id)
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not cancel the flow run: {exc}", exc=exc) from exc
    if run.state is None:
        return None
    return RunState(type=run.state.type.value, name=run.state.name or "", pause_key=run.state.state_details.pause_key)


def is_final(state: RunState | None) -> bool:
    """True when the run has ended (or Prefect does not know it): nothing of it can run any more."""
    return state is None or StateType(state.type) in {
        StateType.COMPLETED,
        StateType.CANCELLED,
        StateType.FAILED,
        StateType.CRASHED,
    }


def end_cancelled(*, message: str) -> NoReturn:
    """End the current run as Cancelled and leave its process: its case was closed while it ran.

    Raises Prefect's own Abort signal, the one its engine raises when the server refuses a state: the
    engine leaves the run in the state set here instead of reporting a failure.
    """
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("end_cancelled is called inside a flow run")
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(context.flow_run.id, Cancelled(message=message), force=True)
    raise Abort(message)


def broken_runs(work_pool: str) -> list[tuple[str, str]]:
    """(id, state name) of the pool's runs that ended Crashed or Failed: their cases may need them back."""
    run_filter = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(BROKEN))))
    pool_filter = WorkPoolFilter(name=WorkPoolFilterName(any_=[work_pool]))
    try:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=run_filter, work_pool_filter=pool_filter, limit=200)
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not list flow runs: {exc}", exc=exc) from exc
    return [(str(run.id), (run.state.name if run.state else None) or "") for run in runs]


def task_run_count() -> int:
    """How many task runs the server holds (benchmarks: what one gate costs in API work)."""
    with get_client(sync_client=True) as client:  # the sync client has no count_task_runs
        response = client.request("POST", "/task_runs/count")
    return int(response.json())


def orphaned_runs(work_pool: str, *, settled: timedelta) -> list[tuple[str, str]]:
    """(id, worker name) of the pool's pending or running runs whose worker stopped heart-beating.

    Such a run is a zombie: no process will ever finish it, and Prefect leaves it Running. Only runs
    in their state for at least `settled` are judged: a run just taken by a worker is Pending for a
    moment under the label of the worker that ran its previous segment, possibly one long gone.
    """
    run_filter = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(LIVE))))
    pool_filter = WorkPoolFilter(name=WorkPoolFilterName(any_=[work_pool]))
    try:
        with get_client(sync_client=True) as client:
            # Runs first: a worker that starts between the two reads is then in the list of workers.
            runs = client.read_flow_runs(flow_run_filter=run_filter, work_pool_filter=pool_filter, limit=200)
            workers = client.read_workers_for_work_pool(work_pool_name=work_pool)
    except ObjectNotFound:
        return []
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not list flow runs or workers: {exc}", exc=exc) from exc
    now = datetime.now(UTC)
    runs = [run for run in runs if run.state is not None and now - run.state.timestamp >= settled]
    alive = {
        worker.name
        for worker in workers
        if worker.last_heartbeat_time is not None
        and now - worker.last_heartbeat_time
        <= timedelta(seconds=SILENT_HEARTBEATS * (worker.heartbeat_interval_seconds or 30))
    }
    found = [(str(run.id), str(run.labels.get(WORKER_LABEL) or "")) for run in runs]
    return [(run_id, worker) for run_id, worker in found if worker and worker not in alive]


def crash(flow_run_id: str, message: str) -> bool:
    """Propose Crashed for a run (not forced); False when Prefect refused it, e.g. the run has moved on."""
    try:
        with get_client(sync_client=True) as client:
            result: OrchestrationResult[Any] = client.set_flow_run_state(UUID(flow_run_id), Crashed(message=message))
    except UNREACHABLE as exc:
        raise PrefectUnavailable("could not mark the flow run crashed: {exc}", exc=exc) from exc
    return result.status == SetStateStatus.ACCEPT


def ensure_work_pool(*, name: str, pool_type: str, base_job_template: dict[str, Any]) -> None:
    """Create the work pool once; an existing pool is kept as its operators configured it."""
    pool = WorkPoolCreate(name=name, type=pool_type, base_job_template=base_job_template)
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(work_pool=pool)
        except ObjectAlreadyExists:
            pass


def deploy(
    flow: Flow[..., Any], *, name: str, work_pool: str, cron: str | None = None, timezone: str | None = None
) -> None:
    """Register (or update) the flow's deployment in the work pool, entrypoint as a module path.

    With `cron`, Prefect's scheduler creates its runs (one schedule, replaced on every deploy).
    """
    schedules = [Cron(cron, timezone=timezone, slug=f"{flow.name}-cron")] if cron else None
    deployment = flow.to_deployment(
        name=name,
        work_pool_name=work_pool,
        entrypoint_type=EntrypointType.MODULE_PATH,
        schedules=schedules,
    )
    deployment.apply()  # type: ignore[union-attr]


def execute_flow_run(flow: Flow[..., Any], flow_run_id: str) -> None:
    """Run one flow run in this process, as `python -m prefect.engine` does; exits at a gate."""
    run_id = UUID(flow_run_id)
    # No flow-run heartbeats: they only matter to a zombie-detection automation, which Passage does not
    # use (the worker reports a dead child as Crashed, the reconciler brings it back), and their thread
    # sleeps in 1 s steps that every run segment waited out on exit (~0.8 s per resumed gate, measured).
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), handle_engine_signals(run_id):
        flow_run = load_flow_run(run_id)
        # Prefect's own engine entry point passes this adapter (its annotation says Logger): the adapter
        # adds the run's name and id that Prefect's log format needs.
        run_logger = cast(logging.Logger, flow_run_logger(flow_run=flow_run))
        run_flow(flow, flow_run=flow_run, error_logger=run_logger)


def worker_polled_since(work_pool: str, since: datetime) -> bool:
    """True once a worker of `work_pool` has sent a heartbeat after `since` (it is taking runs)."""
    try:
        with get_client(sync_client=True) as client:
            workers = client.read_workers_for_work_pool(work_pool_name=work_pool)
    except (ObjectNotFound, *UNREACHABLE):
        return False
    return any(w.last_heartbeat_time is not None and w.last_heartbeat_time >= since for w in workers)
