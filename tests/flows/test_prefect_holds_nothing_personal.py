"""What Passage gives Prefect carries identifiers only: a scan of everything Prefect's API holds after real runs.

Prefect's API has no per-record access rules, so no name, comment, health or DNA value may reach it:
not as a run's input or parameters, its name, a log line, an artifact, a state message or an event.
"""

import json
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from sqlmodel import Session

from passage.core.settings import get_settings
from tests.factories import referral
from tests.flows.driver import closed, decide_at, start
from tests.flows.test_family_reunification import CHILDREN, SPONSOR, decide, request

# Comments are free text: each carries a marker the scan looks for.
COMMENT = "MARKER-comment-{n} oxygen after the TB treatment"
SECRETS = [
    *(c["full_name"] for c in CHILDREN),
    SPONSOR["full_name"],
    "MARKER-comment",
    "TB treatment",
    "MHAC-ADD-0001",  # a DNA sample's id
    "MHAC-ADD-0002",
    "not_confirmed",  # a DNA relationship
    "fit_with_escort",  # a health outcome
    "oxygen",  # a travel-health need
    *(p["full_name"] for p in referral()["persons"]),
]


PAGE = 200  # the most Prefect's API returns at once


def paged(read: Callable[[int], list[Any]]) -> list[Any]:
    """Every item of a paged read (`read(offset)` gives at most PAGE)."""
    found: list[Any] = []
    while batch := read(len(found)):
        found += batch
        if len(batch) < PAGE:
            break
    return found


def logs_of(client: SyncPrefectClient, run_id: UUID, offset: int) -> list[Any]:
    where = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id]))
    return list(client.read_logs(where, limit=PAGE, offset=offset))


def everything_prefect_holds() -> str:
    """Every flow run, task run, run input, log, artifact and event Prefect's API returns, as one text."""
    with get_client(sync_client=True) as client:
        runs = paged(lambda at: client.read_flow_runs(limit=PAGE, offset=at))
        found: list[Any] = [run.model_dump(mode="json") for run in runs]
        for run in runs:
            found += [i.model_dump(mode="json") for i in client.filter_flow_run_input(run.id, "", PAGE, set())]
            found += [s.model_dump(mode="json") for s in client.read_flow_run_states(run.id)]
            found += [log.message for log in paged(partial(logs_of, client, run.id))]
        found += [t.model_dump(mode="json") for t in paged(lambda at: client.read_task_runs(limit=PAGE, offset=at))]
        found += [a.model_dump(mode="json") for a in paged(lambda at: client.read_artifacts(limit=PAGE, offset=at))]
    found += events()
    return json.dumps(found, ensure_ascii=False, default=str)


def events() -> list[Any]:
    """Every event Prefect recorded (flow and task run state changes, with their resources and payloads)."""
    user, password = (get_settings().prefect_api_auth.get_secret_value()).split(":", 1)  # type: ignore[union-attr]
    api, auth = get_settings().prefect_api_url, (user, password)
    answer = httpx.post(f"{api}/events/filter", json={"limit": 50}, auth=auth, timeout=30)
    answer.raise_for_status()
    page = answer.json()
    found = list(page["events"])
    while page.get("next_page"):
        page = httpx.get(page["next_page"], auth=auth, timeout=30).json()
        found += page["events"]
    return found


def test_a_full_run_leaves_no_name_comment_or_health_and_dna_value_in_prefect(db: Session, runner: int) -> None:
    family = start(request([{**c, "dna_requested": True} for c in CHILDREN]), programme="family-reunification")
    fid = family.id or 0
    decide(fid, "dna-appointment", comment=COMMENT.format(n=1))
    decide(fid, "dna-sample-1", comment=COMMENT.format(n=2))
    decide(fid, "dna-sample-2", sample_id="MHAC-ADD-0002")
    decide(fid, "dna-result-1")
    decide(fid, "dna-result-2", approve=False, comment=COMMENT.format(n=3), relationship="not_confirmed")
    decide(fid, "visa")
    decide(fid, "needs-1", unaccompanied_minor=True, medical_condition=True)
    decide(fid, "fitness-1", fitness="fit_with_escort", comment=COMMENT.format(n=4))
    decide(fid, "escort-1")
    decide(fid, "travel")
    decide(fid, "arrival")
    resettlement = start()
    rid = resettlement.id or 0
    decide_at(rid, "accept-for-selection")
    decide_at(rid, "ind-decision")
    decide_at(rid, "fit-to-travel", approve=False, fitness="unfit", needs=["oxygen"], comment=COMMENT.format(n=5))
    assert closed(fid).outcome and closed(rid).outcome  # both ran to their end
    with get_client(sync_client=True) as client:
        for case in (family, resettlement):  # what an operator filters by: the case, never a person
            run = client.read_flow_run(UUID(case.flow_run_id or ""))
            assert run.name == case.ref
            assert sorted(run.tags) == sorted([f"programme:{case.programme}", f"case:{case.ref}"])
    held = everything_prefect_holds()
    assert str(UUID(family.flow_run_id or "")) in held, "the scan reads what Prefect holds"
    leaked = {
        secret: held[max(held.find(secret) - 160, 0) : held.find(secret) + 60] for secret in SECRETS if secret in held
    }
    assert leaked == {}, f"Prefect holds {list(leaked)}, e.g. {leaked}"
