"""Passage's Prefect worker: runs each flow run in a fork of one warm process.

A resumed gate re-runs its flow from the top in a new process. Prefect's process worker starts
a fresh interpreter for that, which spends ~1.5 s importing Prefect before the first step; this
worker forks the run from a forkserver that imported Prefect and every programme once, so the
run starts in milliseconds. It is an ordinary `BaseWorker` of its own work-pool type ("passage"):
claiming runs, concurrency limits, heartbeats and crash detection are Prefect's own, and several
of these workers, on one machine or many, can serve the same pool.
"""

import atexit
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing import connection, forkserver
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any
from uuid import UUID

import anyio
import anyio.abc
import anyio.to_thread
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.responses import WorkerFlowRunResponse
from prefect.workers.base import BaseJobConfiguration, BaseVariables, BaseWorker, BaseWorkerResult

from passage.core import prefect_bridge
from passage.core.db import session_scope
from passage.programme.registry import flow_named
from passage.services.delivery import deliver_for_run

WORK_POOL_TYPE = "passage"
# Imported once in the forkserver; every run is a fork of that process.
WARM_MODULES = ["passage.orchestration.worker", "flows"]
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# A forkserver child's exit code is read once, from a pipe that the forkserver then closes. Two threads
# reading it at once (one joining the run, another starting a run, which polls every child) leave one of
# them at EOF, which multiprocessing reports as exit code 255: a run that had suspended was marked Crashed.
EXIT_CODES = threading.Lock()


class PassageWorkerResult(BaseWorkerResult):
    """How a forked run ended: its pid and exit code (0 also when the run suspended at a gate)."""


def _forkserver() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*WARM_MODULES, *_main_module()])
    return context


def _main_module() -> list[str]:
    """The worker's main module when it is a plain module, for the forkserver to import.

    multiprocessing runs the parent's main module again in every child before its target, unless it is
    a package's `__main__` (as `python -m passage.cli` is) or a script. Imported once in the forkserver,
    such a module's imports are already loaded in each fork: re-imported per run, the CLI's alembic,
    mako and pygments took a third of every run's CPU (py-spy on bench.quota_year). Never a `__main__`:
    importing one runs it.
    """
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is None or spec.name == "__main__" or spec.name.endswith(".__main__"):
        return []
    return [spec.name]


def die_with_parent() -> None:
    """End this run's process when its worker ends, even by SIGKILL.

    A worker killed outright would otherwise leave its runs' processes behind as orphans that keep
    running while the reconciler hands the same runs to another worker. Two links make the chain:
    the forkserver exits once nobody holds its "alive" pipe, which multiprocessing also hands to every
    forked child (so close this child's copy: it never starts processes through the forkserver), and
    the kernel SIGKILLs this process when the forkserver, its parent, exits (Linux PR_SET_PDEATHSIG).
    """
    if not sys.platform.startswith("linux"):
        return
    os.close(forkserver._forkserver._forkserver_alive_fd)  # type: ignore[attr-defined]
    parent = os.getppid()
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the call took effect
        os._exit(1)


def execute(flow_name: str, flow_run_id: str, env: dict[str, str]) -> None:
    """The body of a forked child: run one flow run to its end or its next gate, then exit."""

    die_with_parent()
    os.environ.update(env)
    try:
        prefect_bridge.execute_flow_run(flow_named(flow_name), flow_run_id)
    finally:
        # multiprocessing ends children with os._exit: flush Prefect's log and event queues first.
        atexit._run_exitfuncs()


def start_child(child: BaseProcess) -> None:
    with EXIT_CODES:  # Process.start polls every live child for its exit code
        child.start()


def join_child(child: BaseProcess) -> None:
    connection.wait([child.sentinel])  # without reading it
    with EXIT_CODES:
        child.join()


def hand_over_decisions(flow_run_id: str) -> None:
    """Resume the run at once if its gate was decided while its process was still suspending."""

    try:
        with session_scope() as session:
            deliver_for_run(session=session, flow_run_id=flow_run_id)
    except Exception:  # the reconciler delivers it later; never let this stop the worker
        logging.getLogger("passage.orchestration.worker").exception("could not hand decisions to run %s", flow_run_id)


class PassageWorker(BaseWorker[BaseJobConfiguration, BaseVariables, PassageWorkerResult]):
    """A Prefect worker for Passage's programme flows (work-pool type 'passage')."""

    type = WORK_POOL_TYPE
    job_configuration = BaseJobConfiguration
    job_configuration_variables = BaseVariables
    _description = "Runs Passage programme flows in forks of a warm process (no interpreter start per run)."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._context = _forkserver()
        self._live: set[UUID] = set()  # runs whose child has not been reaped yet

    async def _submit_scheduled_flow_runs(self, flow_run_response: list[WorkerFlowRunResponse]) -> list[FlowRun]:
        # A gate decided at once is resumed (Scheduled again) while the child that suspended is
        # still exiting; taking it then would hold two limiter tokens for one run, which Prefect's
        # base worker does not survive. Leave it for the next poll.
        ready = [entry for entry in flow_run_response if entry.flow_run.id not in self._live]
        return await super()._submit_scheduled_flow_runs(ready)

    async def _give_worker_labels_to_flow_run(self, flow_run_id: UUID) -> None:
        # The labels only say which worker ran the run. Prefect's base worker marks the run Crashed
        # when this update fails, and a SQLite server under load answers 503 now and then.
        try:
            await super()._give_worker_labels_to_flow_run(flow_run_id)
        except Exception as exc:
            self._logger.warning("flow run %s keeps no worker labels: %s", flow_run_id, exc)

    async def run(
        self,
        flow_run: FlowRun,
        configuration: BaseJobConfiguration,
        task_status: anyio.abc.TaskStatus[int] | None = None,
    ) -> PassageWorkerResult:
        flow_name = configuration.labels.get("prefect.io/flow-name")
        if flow_name is None:
            raise RuntimeError(f"flow run {flow_run.id} has no flow name label")
        env = {key: value for key, value in configuration.env.items() if value is not None}
        child = self._context.Process(
            target=execute,
            args=(flow_name, str(flow_run.id), env),
            name=f"passage-run-{flow_run.id}",
        )
        self._live.add(flow_run.id)
        try:
            await anyio.to_thread.run_sync(start_child, child)
            if task_status is not None:
                task_status.started(child.pid or 0)
            await anyio.to_thread.run_sync(join_child, child)
            await anyio.to_thread.run_sync(hand_over_decisions, str(flow_run.id))
        finally:
            # No await from here until the base class frees the run's limiter token.
            self._live.discard(flow_run.id)
        return PassageWorkerResult(identifier=str(child.pid), status_code=child.exitcode or 0)
