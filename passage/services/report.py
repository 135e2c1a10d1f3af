"""A programme's weekly report: its charts (HTML) and numbers (CSV) under the home; its managers told."""

import html
from datetime import datetime
from pathlib import Path

import altair as alt
from pydantic import BaseModel
from sqlmodel import Session

from models import NotificationKind, Role
from passage.core import messages
from passage.core.i18n import DEFAULT, format_datetime
from passage.core.settings import get_settings
from passage.core.tabular import to_csv, to_xlsx
from passage.services.access import SYSTEM
from passage.services.charts import all_charts, step_name
from passage.services.dashboard import Dashboard, dashboard, figures
from passage.services.notifications import enqueue, personal_message, recipients

# The figures that name someone (a colleague's username): in the files for managers, not in Prefect.
NAMED_FIGURES = frozenset({"overdue by person"})


class Report(BaseModel):
    """One programme's report of one week: where its files are, how many managers were told, its aggregates."""

    programme: str
    title: str
    week: str
    html: Path
    csv: Path
    xlsx: Path  # the same numbers as an Excel workbook
    notified: int
    aggregates: list[dict[str, object]]  # figures(board) without NAMED_FIGURES: what Prefect may show


def aggregates(board: Dashboard) -> list[dict[str, object]]:
    """The numbers that name nobody (counts, durations, quotas by step, month, programme), as the CSV has them."""
    return [row for row in figures(board) if row["figure"] not in NAMED_FIGURES]


def iso_week(moment: datetime) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _table(rows: list[dict[str, object]]) -> str:
    """The numbers under the charts (escaped: they stay readable where the charts' scripts cannot load)."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row.values()) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(board: Dashboard) -> str:
    """A self-contained page: the dashboard's charts (Vega-Lite) and every number as a table."""
    charts = all_charts(board)
    figures_div = alt.vconcat(*charts).to_html(fullhtml=False, output_div="figures") if charts else ""
    rows = [{**row, "item": step_name(str(row["item"]))} for row in figures(board)]
    title = html.escape(f"{board.title} — week {iso_week(board.at)}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}</style></head>"
        f"<body><h1>{title}</h1><p>Figures at {format_datetime(DEFAULT, board.at)}.</p>"
        f"{figures_div}<h2>Numbers</h2>{_table(rows)}</body></html>\n"
    )


def write_report(*, session: Session, programme: str, now: datetime) -> Report:
    """Render `programme`'s figures to <home>/reports/<programme>/<week>.html and .csv, then tell its managers."""
    board = dashboard(session=session, programme=programme, actor=SYSTEM, now=now)
    week = iso_week(now)
    folder = get_settings().home.resolve() / "reports" / board.programme
    folder.mkdir(parents=True, exist_ok=True)
    html_path, csv_path, xlsx_path = (folder / f"{week}.{suffix}" for suffix in ("html", "csv", "xlsx"))
    html_path.write_text(render_html(board), encoding="utf-8")
    csv_path.write_bytes(to_csv(figures(board)))
    xlsx_path.write_bytes(to_xlsx({week: figures(board)}))
    report = Report(
        programme=board.programme,
        title=board.title,
        week=week,
        html=html_path,
        csv=csv_path,
        xlsx=xlsx_path,
        notified=0,
        aggregates=aggregates(board),
    )
    report.notified = _notify_managers(session, board, report, now)
    return report


def _notify_managers(session: Session, board: Dashboard, report: Report, now: datetime) -> int:
    """One message per programme manager of the programme, once per week (the key)."""
    facts = messages.ReportFacts(
        programme=board.title,
        week=report.week,
        open_cases=board.open_cases,
        overdue=sum(row.tasks for row in board.overdue_by_step),
        html=str(report.html),
        csv=str(report.csv),
    )
    rows = []
    for person in recipients(session=session, role=Role.PROGRAMME_MANAGER.value, programme=board.programme):
        title, body = messages.weekly_report(facts, person.language, get_settings().inbox_url)
        key = f"report:{board.programme}:{report.week}:{person.username}"
        rows.append(personal_message(person, key=key, kind=NotificationKind.REPORT, title=title, body=body, now=now))
    enqueue(session=session, rows=rows)
    session.commit()
    return len(rows)
