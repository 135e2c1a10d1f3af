"""The weekly report as Prefect runs it: the scheduled deployment, run by `passage serve`'s worker, writes
the files and mails each programme manager through the outbox (a real SMTP server)."""

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from sqlmodel import Session

from flows.operations import weekly_report
from models import CaseStatus
from models.common import utcnow
from passage.core.business_hours import next_office_time
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes, all_scheduled
from passage.services.cases import close_case
from passage.services.notifications import office_hours, send_due
from passage.services.report import iso_week
from tests.conftest import wait_for
from tests.factories import new_case
from tests.mailboxes import Mail, Mailbox, smtp_server


@pytest.fixture
def mailbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Session) -> Iterator[Mailbox]:
    """The programme managers' mail routed to a real SMTP server (set before `runner` starts `passage serve`)."""
    with smtp_server() as box:
        routing = tmp_path / "notify.yml"
        lines = ["version: 1", "urls:"]
        for user in ("pm.anna", "pm.joost"):
            lines += [f"  - {box.url(f'{user}@example.org')}:", f"      tag: user:{user}"]
        routing.write_text("\n".join(lines), encoding="utf-8")
        monkeypatch.setenv("PASSAGE_NOTIFY_CONFIG", str(routing))
        get_settings.cache_clear()
        yield box


def all_mailed(mailbox: Mailbox, address: str, count: int) -> list[Mail]:
    """The mails to `address` once there are `count` of them (empty before)."""
    mails = mailbox.to(address)
    return mails if len(mails) >= count else []


def test_the_weekly_report_is_a_scheduled_deployment() -> None:
    (scheduled,) = [s for s in all_scheduled() if s.flow is weekly_report]
    assert scheduled.schedule == "0 7 * * 1"


def test_the_deployment_writes_each_programmes_report_and_mails_its_managers(
    mailbox: Mailbox, runner: int, db: Session
) -> None:
    case_id = new_case(session=db)
    close_case(session=db, case_id=case_id, status=CaseStatus.CLOSED, outcome="arrived")
    run = run_deployment(f"{weekly_report.name}/passage", timeout=180)
    assert isinstance(run, FlowRun)  # the sync variant, outside an event loop
    assert run.state is not None and run.state.is_completed(), run.state
    week = iso_week(utcnow())
    folder = get_settings().home.resolve() / "reports"
    for slug in all_programmes():
        assert (folder / slug / f"{week}.html").is_file() and (folder / slug / f"{week}.csv").is_file()
    csv_text = (folder / "resettlement-nl" / f"{week}.csv").read_text(encoding="utf-8")
    assert f"arrivals per month;{utcnow():%Y-%m};cases;1" in csv_text
    assert_published_as_artifacts(run)
    # Outside office hours the run only queued the messages: the next opening sends them, once.
    send_due(session=db, now=next_office_time(utcnow(), office_hours()))
    expected = len(all_programmes())
    for user in ("pm.anna", "pm.joost"):
        mails = wait_for(partial(all_mailed, mailbox, f"{user}@example.org", expected), what=f"{user}'s reports")
        assert len(mails) == expected
        (ours,) = [m for m in mails if "Resettlement to the Netherlands" in m.subject]
        assert str(folder / "resettlement-nl" / f"{week}.html") in ours.body


def assert_published_as_artifacts(run: FlowRun) -> None:
    """Each programme's aggregates are a table artifact of the run, with no figure naming a person."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert set(by_key) == {f"weekly-report-{slug}" for slug in all_programmes()}
    ours = by_key["weekly-report-resettlement-nl"]
    assert ours.type == "table" and ours.description == f"Resettlement to the Netherlands, week {iso_week(utcnow())}"
    rows = json.loads(str(ours.data))
    assert {"figure": "arrivals per month", "item": f"{utcnow():%Y-%m}", "measure": "cases", "value": 1} in rows
    assert {row["figure"] for row in rows} >= {"open cases", "cases by step", "arrivals per month"}
    assert not [row for row in rows if row["figure"] == "overdue by person"]
