"""What notifications say: the one catalogue's entries (passage/core/i18n.py; the Dutch ones in
locales/nl/notifications.toml), rendered per recipient's language, dates and times as the inbox shows them."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from passage.core.i18n import format_datetime, plural, title_in, translate


@dataclass(frozen=True)
class TaskFacts:
    """What a message says about one task."""

    task_id: int
    ref: str
    step: str  # the gate's title (as the procedure names it)
    role: str
    programme: str
    due_at: datetime


def when(at: datetime, language: str, zone: ZoneInfo) -> str:
    """16 Jan 2026 17:00 / 16-01-2026 17:00 on the clock of `zone` (the office's): as the inbox writes it."""
    return format_datetime(language, at, zone=zone)


def _role(language: str, role: str) -> str:
    """A role's name ("programme_manager") as the inbox words it, in `language`."""
    return translate(language, role.replace("_", " "))


def task_link(base_url: str, task_id: int) -> str:
    """The inbox page of one task: opening it shows the task and decides nothing."""
    return f"{base_url.rstrip('/')}/?task={task_id}"


def _task_lines(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> list[str]:
    return [
        translate(language, "Case: {ref}", ref=facts.ref),
        translate(language, "Step: {step}", step=title_in(language, facts.step)),
        translate(language, "Due: {due}", due=when(facts.due_at, language, zone)),
        "",
        translate(language, "Open the task: {link}", link=task_link(base_url, facts.task_id)),
        translate(language, "The link only opens the task: you decide in the inbox."),
    ]


def _about(facts: TaskFacts, language: str) -> dict[str, str]:
    """The values a task's title names: its step in the reader's language and its case."""
    return {"step": title_in(language, facts.step), "ref": facts.ref}


def assigned(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    """(title, body) of the message sent when a gate opens."""
    title = translate(language, "[Passage] New task: {step} ({ref})", **_about(facts, language))
    intro = translate(language, "A task for the {role} is waiting in the inbox.", role=_role(language, facts.role))
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def reminder(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str, now: datetime) -> tuple[str, str]:
    due = when(facts.due_at, language, zone)
    if facts.due_at <= now:
        title = translate(
            language, "[Passage] Overdue: {step} ({ref}) was due {due}", due=due, **_about(facts, language)
        )
    else:
        title = translate(
            language, "[Passage] Reminder: {step} ({ref}) is due {due}", due=due, **_about(facts, language)
        )
    intro = translate(language, "This task is still open.")
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def escalation(facts: TaskFacts, count: int, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    title = plural(
        language,
        count,
        "[Passage] Escalation: {step} ({ref}) still open after {count} reminder",
        "[Passage] Escalation: {step} ({ref}) still open after {count} reminders",
        **_about(facts, language),
    )
    intro = plural(
        language,
        count,
        "This task for the {role} of {programme} is still open after {count} reminder.",
        "This task for the {role} of {programme} is still open after {count} reminders.",
        role=_role(language, facts.role),
        programme=facts.programme,
    )
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def expired(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    title = translate(language, "[Passage] Expired: {step} ({ref}) was not decided in time", **_about(facts, language))
    intro = translate(
        language,
        "Nobody decided this task for the {role} of {programme} before its wait ran out. "
        "The case waits until a programme manager re-opens the task.",
        role=_role(language, facts.role),
        programme=facts.programme,
    )
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def cancelled(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    """(title, body) of the message sent when a withdrawal cancels a task (the reason is not in it)."""
    title = translate(language, "[Passage] Cancelled: {step} ({ref})", **_about(facts, language))
    intro = translate(
        language,
        "The case was withdrawn: this task for the {role} is cancelled and needs nothing more.",
        role=_role(language, facts.role),
    )
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def digest(
    tasks: list[TaskFacts], language: str, zone: ZoneInfo, base_url: str, now: datetime, shown: int = 25
) -> tuple[str, str]:
    """One message listing a person's open tasks (the first `shown` of them, earliest due first)."""
    tasks = sorted(tasks, key=lambda t: (t.due_at, t.task_id))
    overdue = sum(t.due_at <= now for t in tasks)
    title = translate(
        language, "[Passage] Your tasks: {open} open, {overdue} overdue", open=len(tasks), overdue=overdue
    )
    lines = [translate(language, "Your open tasks, earliest due first:"), ""]
    for facts in tasks[:shown]:
        late = f"{translate(language, 'OVERDUE')} " if facts.due_at <= now else ""
        due = translate(language, "Due: {due}", due=when(facts.due_at, language, zone))
        lines.append(f"- {late}{facts.ref} · {title_in(language, facts.step)} · {due}")
        lines.append(f"  {task_link(base_url, facts.task_id)}")
    if len(tasks) > shown:
        lines.append(
            translate(language, "… and {count} more in the inbox: {link}", count=len(tasks) - shown, link=base_url)
        )
    return title, "\n".join([*lines, "", translate(language, "The link only opens the task: you decide in the inbox.")])


@dataclass(frozen=True)
class ReportFacts:
    """What the weekly report's message says: where the files are and two headline numbers."""

    programme: str
    week: str  # ISO week, e.g. 2026-W48
    open_cases: int
    overdue: int
    html: str
    csv: str


def weekly_report(facts: ReportFacts, language: str, base_url: str) -> tuple[str, str]:
    """(title, body) of the message telling a programme's managers that its weekly report is ready."""
    title = translate(
        language, "[Passage] Weekly report: {programme} ({week})", programme=facts.programme, week=facts.week
    )
    cases = plural(language, facts.open_cases, "{count} open case", "{count} open cases")
    tasks = plural(language, facts.overdue, "{count} overdue task", "{count} overdue tasks")
    lines = [
        translate(
            language,
            "This week's figures of {programme}: {cases}, {tasks}.",
            programme=facts.programme,
            cases=cases,
            tasks=tasks,
        ),
        "",
        translate(language, "Charts: {html}", html=facts.html),
        translate(language, "Numbers (CSV): {csv}", csv=facts.csv),
        translate(language, "The live dashboard: {link}", link=f"{base_url.rstrip('/')}/dashboard"),
    ]
    return title, "\n".join(lines)


def case_link(base_url: str, ref: str) -> str:
    """The inbox page of one case."""
    return f"{base_url.rstrip('/')}/cases?case={ref}"


def mentioned(author: str, ref: str, language: str, base_url: str) -> tuple[str, str]:
    """(title, body) of the message to a person a comment mentions: who and on which case, never what it says
    (a comment may hold what a channel must not carry, and the inbox shows each reader what they may read)."""
    title = translate(language, "[Passage] {author} mentioned you on {ref}", author=author, ref=ref)
    lines = [
        translate(language, "{author} mentioned you in a comment on case {ref}.", author=author, ref=ref),
        "",
        translate(language, "Open the case: {link}", link=case_link(base_url, ref)),
    ]
    return title, "\n".join(lines)
