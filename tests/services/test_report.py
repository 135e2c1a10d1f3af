"""The weekly report: the dashboard's figures as an HTML page and a CSV file, its managers told once a week."""

import csv
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlmodel import Session, col, select

from models import CaseStatus, Notification, NotificationKind
from passage.services import quota
from passage.services.cases import close_case
from passage.services.report import write_report
from tests.factories import new_case

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday: ISO week 48


def seed(session: Session) -> None:
    """One arrival in November 2026 (with a name that must not reach the report) and 2 quota places taken."""
    case_id = new_case(session=session, title="<script>alert('x')</script>")
    close_case(session=session, case_id=case_id, status=CaseStatus.CLOSED, outcome="arrived")
    quota.reserve(session=session, year=2026, nationalities={"SY"}, persons=2)
    session.commit()


def test_the_report_is_written_as_html_and_csv_and_each_manager_is_told_once(db: Session) -> None:
    seed(db)
    first = write_report(session=db, programme="resettlement-nl", now=NOW)
    again = write_report(session=db, programme="resettlement-nl", now=NOW)  # a re-run of the same week
    assert first.week == "2026-W48" and first.html.name == "2026-W48.html"
    assert first.html.parent.name == "resettlement-nl" and first.html.parent.parent.name == "reports"
    page = first.html.read_text(encoding="utf-8")
    assert "Resettlement to the Netherlands — week 2026-W48" in page
    assert '"$schema": "https://vega.github.io/schema/vega-lite' in page  # the charts, embedded
    assert "<td>National resettlement quota 2026</td><td>remaining</td><td>498</td>" in page
    assert "alert(" not in page and "محمد" not in page  # no case title or name in aggregates
    rows = list(csv.DictReader(first.csv.open(encoding="utf-8-sig"), delimiter=";"))  # as a Dutch Excel reads it
    assert {"figure": "quota", "item": "National resettlement quota 2026", "measure": "used", "value": "2"} in rows
    month = datetime.now(UTC).strftime("%Y-%m")
    assert {"figure": "arrivals per month", "item": month, "measure": "cases", "value": "1"} in rows
    sheet = load_workbook(first.xlsx).worksheets[0]  # the same numbers beside it, typed
    assert ["arrivals per month", month, "cases", 1] in [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert first.notified == again.notified == 2
    messages = db.exec(
        select(Notification).where(Notification.kind == NotificationKind.REPORT).order_by(col(Notification.key))
    ).all()
    assert [m.key for m in messages] == [
        "report:resettlement-nl:2026-W48:pm.anna",
        "report:resettlement-nl:2026-W48:pm.joost",
    ]
    assert str(first.html) in messages[0].body and str(first.csv) in messages[0].body
    assert "/dashboard" in messages[0].body
