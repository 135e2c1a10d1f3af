"""Guards Passage's reliance on Prefect internals: a Prefect upgrade that changes them fails here, loudly.

Everything named here is used by passage/prefect_bridge.py or passage/worker.py and is not part of
Prefect's documented public API (or is, but Passage depends on a detail of it).
"""

import inspect
from datetime import UTC, datetime
from uuid import uuid4

import httpx
import prefect
import pytest
from packaging.version import Version
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import Flow as APIFlow
from prefect.client.schemas.objects import FlowRun
from prefect.engine import handle_engine_signals
from prefect.flow_engine import load_flow_run, run_flow
from prefect.flow_runs import suspend_flow_run
from prefect.workers.base import BaseJobConfiguration, BaseWorker

from passage.core import prefect_bridge
from passage.orchestration.worker import PassageWorker


def parameters(fn: object) -> list[str]:
    return list(inspect.signature(fn).parameters)  # type: ignore[arg-type]


def test_prefect_is_the_minor_release_passage_was_built_on() -> None:
    # The bridge was checked against 3.8, then 3.9 (2026-12-04: every entry point, signature and override this
    # file names is unchanged in 3.9.1; it brings `whenever` as a new dependency and needs certifi 2026.10.19).
    # A new minor release must be checked again before it is allowed.
    assert Version("3.9") <= Version(prefect.__version__) < Version("3.10")


def test_engine_entry_points_take_what_the_worker_passes() -> None:
    assert {"flow", "flow_run", "error_logger"} <= set(parameters(run_flow))
    assert parameters(load_flow_run) == ["flow_run_id"]
    assert parameters(handle_engine_signals) == ["flow_run_id"]


def test_suspend_and_resume_take_a_key_and_an_optional_input() -> None:
    assert {"key", "timeout"} <= set(parameters(suspend_flow_run))
    assert {"flow_run_id", "run_input"} <= set(parameters(SyncPrefectClient.resume_flow_run))
    # A run suspended by an earlier release has its saved form schema replaced (prefect_bridge._take_empty_input).
    assert parameters(SyncPrefectClient.delete_flow_run_input) == ["self", "flow_run_id", "key"]
    assert {"flow_run_id", "key", "value"} <= set(parameters(SyncPrefectClient.create_flow_run_input))


def test_worker_overrides_still_override_something() -> None:
    # PassageWorker overrides these private methods of BaseWorker; if Prefect renames them, the
    # override silently stops working (a resumed run taken twice, a 503 crashing a run).
    for name, params in {
        "_submit_scheduled_flow_runs": ["self", "flow_run_response"],
        "_give_worker_labels_to_flow_run": ["self", "flow_run_id"],
        "run": ["self", "flow_run", "configuration", "task_status"],
    }.items():
        assert parameters(getattr(BaseWorker, name)) == params, name
        assert getattr(PassageWorker, name) is not getattr(BaseWorker, name), name


def test_job_configuration_labels_carry_the_flow_name() -> None:
    # The worker finds which programme flow to run from this label.
    run = FlowRun(id=uuid4(), name="run", flow_id=uuid4(), expected_start_time=datetime.now(UTC))
    configuration = BaseJobConfiguration()
    configuration.prepare_for_flow_run(flow_run=run, flow=APIFlow(id=run.flow_id, name="resettlement-nl", labels={}))
    assert configuration.labels["prefect.io/flow-name"] == "resettlement-nl"
    assert configuration.env["PREFECT__FLOW_RUN_ID"] == str(run.id)


def http_error(status: int) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1:9/api/flow_runs/x/resume")
    return httpx.HTTPStatusError("error", request=request, response=httpx.Response(status, request=request))


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (prefect_bridge.PrefectUnavailable("busy"), False),
        (http_error(503), True),
        (http_error(500), False),
        (httpx.ConnectError("refused"), False),
    ],
)
def test_only_a_503_counts_as_busy(error: Exception, busy: bool) -> None:
    assert prefect_bridge.is_busy(error) is busy
    wrapped = prefect_bridge.PrefectUnavailable("could not resume")
    wrapped.__cause__ = error
    assert prefect_bridge.is_busy(wrapped) is busy


def test_the_base_worker_labels_a_run_with_the_label_zombie_detection_reads() -> None:
    # orphaned_runs() finds a run's worker by this label, set by BaseWorker._give_worker_labels_to_flow_run.
    source = inspect.getsource(BaseWorker._give_worker_labels_to_flow_run)
    assert f'"{prefect_bridge.WORKER_LABEL}": self.name' in source


def test_the_forkserver_hands_its_children_the_alive_pipe_they_close() -> None:
    # die_with_parent() closes this descriptor so the forkserver can end with its worker.
    from multiprocessing import forkserver

    assert "_forkserver_alive_fd" in inspect.getsource(forkserver._serve_one)  # type: ignore[attr-defined]


def test_a_task_recorded_before_its_run_started_has_no_run_state() -> None:
    # No server is asked: an id that is not a run's cannot be a run Prefect knows.
    assert prefect_bridge.run_state("") is None


def test_a_suspensions_inputs_are_kept_under_suspended_and_its_pause_key() -> None:
    """prefect_bridge.reschedule deletes a crashed run's inputs by this prefix before its gate suspends again."""
    from prefect.input.run_input import keyset_from_paused_state
    from prefect.states import Suspended

    keys = keyset_from_paused_state(Suspended(pause_key="accept-for-selection"))
    assert keys and all(key.startswith("suspended-accept-for-selection-") for key in keys.values())


def test_starting_a_run_asks_again_while_prefect_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 503 after Prefect's own retries is asked again (safe: the idempotency key); the run's id comes back."""
    run = FlowRun(id=uuid4(), name="run", flow_id=uuid4(), expected_start_time=datetime.now(UTC))
    answers: list[object] = [http_error(503), http_error(503), run]
    asked: list[str] = []

    def run_deployment(name: str, **kwargs: object) -> object:
        asked.append(str(kwargs["idempotency_key"]))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(prefect_bridge, "run_deployment", run_deployment)
    monkeypatch.setattr("passage.core.prefect_bridge.time.sleep", lambda _seconds: None)
    assert prefect_bridge.start_run(deployment="d", programme="resettlement", case_ref="RST-1", case_uid="u1") == str(
        run.id
    )
    assert asked == ["case-u1"] * 3


@pytest.mark.parametrize("busy_answers", [0, len(prefect_bridge.BUSY_PAUSES) + 1])
def test_starting_a_run_gives_up_on_other_errors_at_once_and_on_busy_in_the_end(
    monkeypatch: pytest.MonkeyPatch, busy_answers: int
) -> None:
    answers = [http_error(503)] * busy_answers + [http_error(500)]
    asked: list[str] = []

    def run_deployment(name: str, **_kwargs: object) -> object:
        asked.append(name)
        raise answers.pop(0)

    monkeypatch.setattr(prefect_bridge, "run_deployment", run_deployment)
    monkeypatch.setattr("passage.core.prefect_bridge.time.sleep", lambda _seconds: None)
    with pytest.raises(prefect_bridge.PrefectUnavailable):
        prefect_bridge.start_run(deployment="d", programme="resettlement", case_ref="RST-1", case_uid="u1")
    assert len(asked) == max(1, busy_answers)
