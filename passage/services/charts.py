"""The dashboard's charts (Vega-Lite through altair), drawn once for the inbox page and the weekly report.

`label` translates axis titles, legend words, tooltips and step names: the page passes its `t` (their Dutch in
passage/core/locales/nl/charts.toml and gates.toml), the report keeps English.
"""

from collections.abc import Callable

import altair as alt

from passage.programme.registry import gates_of
from passage.services.dashboard import UNASSIGNED, Dashboard

Label = Callable[[str], str]


def _same(text: str) -> str:
    return text


def _chart(values: list[dict[str, object]], title: str) -> alt.Chart:
    chart: alt.Chart = alt.Chart(alt.InlineData(values=values), title=title)
    return chart


def step_name(step: str) -> str:
    """A gate kind as people read it: 'accept-for-selection' → 'accept for selection'."""
    return step.replace("-", " ")


def gate_title(programme: str, form_type: str) -> str:
    """A form type as people read it: the title of the programme's gate that asks it, or, for a form several
    gates share (one per eligibility condition), its words ('eligibility condition')."""
    titles = {spec.title for spec in gates_of(programme) if spec.form.form_type() == form_type}
    return titles.pop() if len(titles) == 1 else step_name(form_type)


def _tips(label: Label, *fields: str) -> list[alt.Tooltip]:
    """Tooltips titled in the reader's language ("step:N" reads "stap")."""
    return [alt.Tooltip(field, title=label(field.split(":")[0])) for field in fields]


def quota_chart(board: Dashboard, label: Label = _same) -> alt.Chart | None:
    """Used and remaining places, one stacked bar per quota and period."""
    values = [
        {"quota": f"{label(bar.label)} {bar.period}", "part": label(part), "places": places}
        for bar in board.quota
        for part, places in (("used", bar.used), ("remaining", bar.remaining))
    ]
    if not values:
        return None
    chart: alt.Chart = (
        _chart(values, label("Quota used and remaining"))
        .mark_bar()
        .encode(
            x=alt.X("places:Q", title=label("places")),
            y=alt.Y("quota:N", title=None),
            color=alt.Color("part:N", title=None, sort=[label("used"), label("remaining")]),
            tooltip=_tips(label, "quota:N", "part:N", "places:Q"),
        )
    )
    return chart


def funnel_chart(board: Dashboard, label: Label = _same) -> alt.Chart | None:
    """Cases that reached each step, in the order of the procedure."""
    values = [
        {"step": label(gate_title(board.programme, s.step)), "cases": s.reached, "waiting": s.waiting}
        for s in board.funnel
    ]
    if not any(value["cases"] for value in values):
        return None
    order = [str(value["step"]) for value in values]
    chart: alt.Chart = (
        _chart(values, label("Cases by step"))
        .mark_bar()
        .encode(
            x=alt.X("cases:Q", title=label("cases that reached the step")),
            y=alt.Y("step:N", sort=order, title=None),
            tooltip=_tips(label, "step:N", "cases:Q", "waiting:Q"),
        )
    )
    return chart


def _person(username: str, label: Label) -> str:
    """A person by their username; the tasks nobody has claimed as "(unclaimed)", translated."""
    return label(username) if username == UNASSIGNED else username


def overdue_chart(board: Dashboard, by: str, label: Label = _same) -> alt.Chart | None:
    """Overdue open tasks by step (`by='step'`) or by person (`by='person'`)."""
    rows = board.overdue_by_step if by == "step" else board.overdue_by_person
    values = [
        {
            by: label(gate_title(board.programme, row.key)) if by == "step" else _person(row.key, label),
            "tasks": row.tasks,
        }
        for row in rows
    ]
    if not values:
        return None
    chart: alt.Chart = (
        _chart(values, label(f"Overdue tasks by {by}"))
        .mark_bar(color="#d62728")
        .encode(
            x=alt.X("tasks:Q", title=label("overdue tasks")),
            y=alt.Y(f"{by}:N", sort="-x", title=None),
            tooltip=_tips(label, f"{by}:N", "tasks:Q"),
        )
    )
    return chart


def step_time_chart(board: Dashboard, label: Label = _same) -> alt.Chart | None:
    """Hours from a task opening to its decision, median and 90th percentile per step."""
    steps = [label(gate_title(board.programme, row.step)) for row in board.step_times]
    values = [
        {"step": step, "measure": label(measure), "hours": hours}
        for step, row in zip(steps, board.step_times, strict=True)
        for measure, hours in (("median", row.median_hours), ("90th percentile", row.p90_hours))
    ]
    if not values:
        return None
    chart: alt.Chart = (
        _chart(values, label("Time spent per step"))
        .mark_bar()
        .encode(
            x=alt.X("hours:Q", title=label("hours")),
            y=alt.Y("step:N", sort=steps, title=None),
            yOffset="measure:N",
            color=alt.Color("measure:N", title=None),
            tooltip=_tips(label, "step:N", "measure:N", "hours:Q"),
        )
    )
    return chart


def arrivals_chart(board: Dashboard, label: Label = _same) -> alt.Chart | None:
    """Cases completed (arrived, handed over) per month."""
    values = [{"month": row.month, "cases": row.cases} for row in board.arrivals]
    if not values:
        return None
    chart: alt.Chart = (
        _chart(values, label("Arrivals per month"))
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=label("month")),
            y=alt.Y("cases:Q", title=label("cases")),
            tooltip=_tips(label, "month:O", "cases:Q"),
        )
    )
    return chart


def all_charts(board: Dashboard, label: Label = _same) -> list[alt.Chart]:
    """Every chart that has something to show, in the dashboard's order."""
    charts = [
        quota_chart(board, label),
        funnel_chart(board, label),
        overdue_chart(board, "step", label),
        overdue_chart(board, "person", label),
        step_time_chart(board, label),
        arrivals_chart(board, label),
    ]
    return [chart for chart in charts if chart is not None]
