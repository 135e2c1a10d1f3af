"""What notifications say, in English and Dutch: one small catalogue, rendered per recipient's language."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("en", "nl")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "assigned.title": "[Passage] New task: {step} ({ref})",
        "assigned.intro": "A task for the {role} is waiting in the inbox.",
        "reminder.title": "[Passage] Reminder: {step} ({ref}) is due {due}",
        "overdue.title": "[Passage] Overdue: {step} ({ref}) was due {due}",
        "reminder.intro": "This task is still open.",
        "escalation.title": "[Passage] Escalation: {step} ({ref}) still open after {count} reminders",
        "escalation.intro": "This task for the {role} of {programme} is still open after {count} reminders.",
        "digest.title": "[Passage] Your tasks: {open} open, {overdue} overdue",
        "digest.intro": "Your open tasks, earliest due first:",
        "digest.more": "… and {count} more in the inbox: {link}",
        "digest.overdue": "OVERDUE",
        "expired.title": "[Passage] Expired: {step} ({ref}) was not decided in time",
        "expired.intro": "Nobody decided this task for the {role} of {programme} before its wait ran out. "
        "The case waits until a programme manager re-opens the task.",
        "cancelled.title": "[Passage] Cancelled: {step} ({ref})",
        "cancelled.intro": "The case was withdrawn: this task for the {role} is cancelled and needs nothing more.",
        "report.title": "[Passage] Weekly report: {programme} ({week})",
        "report.intro": "This week's figures of {programme}: {open} open cases, {overdue} overdue tasks.",
        "report.files": "Charts: {html}\nNumbers (CSV): {csv}",
        "report.dashboard": "The live dashboard: {link}",
        "case": "Case",
        "step": "Step",
        "due": "Due",
        "open": "Open the task",
        "safe": "The link only opens the task: you decide in the inbox.",
        "days": "Mon Tue Wed Thu Fri Sat Sun",
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "programme_manager": "programme manager",
        "case_worker": "case worker",
        "medical_officer": "medical officer",
        "movement_officer": "movement officer",
        "administrator": "administrator",
    },
    "nl": {
        "assigned.title": "[Passage] Nieuwe taak: {step} ({ref})",
        "assigned.intro": "Er wacht een taak voor de {role} in de inbox.",
        "reminder.title": "[Passage] Herinnering: {step} ({ref}) moet af op {due}",
        "overdue.title": "[Passage] Te laat: {step} ({ref}) moest af op {due}",
        "reminder.intro": "Deze taak staat nog open.",
        "escalation.title": "[Passage] Escalatie: {step} ({ref}) staat open na {count} herinneringen",
        "escalation.intro": "Deze taak voor de {role} van {programme} staat nog open na {count} herinneringen.",
        "digest.title": "[Passage] Uw taken: {open} open, {overdue} te laat",
        "digest.intro": "Uw openstaande taken, vroegste deadline eerst:",
        "digest.more": "… en nog {count} in de inbox: {link}",
        "digest.overdue": "TE LAAT",
        "expired.title": "[Passage] Verlopen: {step} ({ref}) is niet op tijd besloten",
        "expired.intro": "Niemand heeft deze taak voor de {role} van {programme} besloten voordat de wachttijd "
        "verliep. De zaak wacht tot een programmamanager de taak heropent.",
        "cancelled.title": "[Passage] Geannuleerd: {step} ({ref})",
        "cancelled.intro": "Het dossier is ingetrokken: deze taak voor de {role} is geannuleerd en vraagt niets meer.",
        "report.title": "[Passage] Weekrapport: {programme} ({week})",
        "report.intro": "De cijfers van deze week voor {programme}: {open} open dossiers, {overdue} taken te laat.",
        "report.files": "Grafieken: {html}\nCijfers (CSV): {csv}",
        "report.dashboard": "Het actuele dashboard: {link}",
        "case": "Zaak",
        "step": "Stap",
        "due": "Deadline",
        "open": "Taak openen",
        "safe": "De link opent alleen de taak: u beslist in de inbox.",
        "days": "ma di wo do vr za zo",
        "months": "jan feb mrt apr mei jun jul aug sep okt nov dec",
        "programme_manager": "programmamanager",
        "case_worker": "casemanager",
        "medical_officer": "medisch adviseur",
        "movement_officer": "reiscoördinator",
        "administrator": "beheerder",
    },
}


@dataclass(frozen=True)
class TaskFacts:
    """What a message says about one task."""

    task_id: int
    ref: str
    step: str  # the gate's title (as the procedure names it)
    role: str
    programme: str
    due_at: datetime


def text(language: str, name: str, **values: object) -> str:
    catalogue = TEXTS.get(language, TEXTS["en"])
    return catalogue[name].format(**values)


def when(at: datetime, language: str, zone: ZoneInfo) -> str:
    """'Fri 12 Jan 2024 17:00' / 'vr 12 jan 2024 17:00', in the office's time zone."""
    local = at.astimezone(zone)
    day = text(language, "days").split()[local.weekday()]
    month = text(language, "months").split()[local.month - 1]
    return f"{day} {local.day} {month} {local.year} {local:%H:%M}"


def task_link(base_url: str, task_id: int) -> str:
    """The inbox page of one task: opening it shows the task and decides nothing."""
    return f"{base_url.rstrip('/')}/?task={task_id}"


def _task_lines(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> list[str]:
    return [
        f"{text(language, 'case')}: {facts.ref}",
        f"{text(language, 'step')}: {facts.step}",
        f"{text(language, 'due')}: {when(facts.due_at, language, zone)}",
        "",
        f"{text(language, 'open')}: {task_link(base_url, facts.task_id)}",
        text(language, "safe"),
    ]


def assigned(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    """(title, body) of the message sent when a gate opens."""
    title = text(language, "assigned.title", step=facts.step, ref=facts.ref)
    intro = text(language, "assigned.intro", role=text(language, facts.role))
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def reminder(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str, now: datetime) -> tuple[str, str]:
    name = "overdue.title" if facts.due_at <= now else "reminder.title"
    title = text(language, name, step=facts.step, ref=facts.ref, due=when(facts.due_at, language, zone))
    return title, "\n".join([text(language, "reminder.intro"), "", *_task_lines(facts, language, zone, base_url)])


def escalation(facts: TaskFacts, count: int, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    title = text(language, "escalation.title", step=facts.step, ref=facts.ref, count=count)
    role = text(language, facts.role)
    intro = text(language, "escalation.intro", role=role, programme=facts.programme, count=count)
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def expired(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    title = text(language, "expired.title", step=facts.step, ref=facts.ref)
    intro = text(language, "expired.intro", role=text(language, facts.role), programme=facts.programme)
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def cancelled(facts: TaskFacts, language: str, zone: ZoneInfo, base_url: str) -> tuple[str, str]:
    """(title, body) of the message sent when a withdrawal cancels a task (the reason is not in it)."""
    title = text(language, "cancelled.title", step=facts.step, ref=facts.ref)
    intro = text(language, "cancelled.intro", role=text(language, facts.role))
    return title, "\n".join([intro, "", *_task_lines(facts, language, zone, base_url)])


def digest(
    tasks: list[TaskFacts], language: str, zone: ZoneInfo, base_url: str, now: datetime, shown: int = 25
) -> tuple[str, str]:
    """One message listing a person's open tasks (the first `shown` of them, earliest due first)."""
    tasks = sorted(tasks, key=lambda t: (t.due_at, t.task_id))
    overdue = sum(t.due_at <= now for t in tasks)
    title = text(language, "digest.title", open=len(tasks), overdue=overdue)
    lines = [text(language, "digest.intro"), ""]
    for facts in tasks[:shown]:
        late = f"{text(language, 'digest.overdue')} " if facts.due_at <= now else ""
        due = when(facts.due_at, language, zone)
        lines.append(f"- {late}{facts.ref} · {facts.step} · {text(language, 'due')} {due}")
        lines.append(f"  {task_link(base_url, facts.task_id)}")
    if len(tasks) > shown:
        lines.append(text(language, "digest.more", count=len(tasks) - shown, link=base_url))
    return title, "\n".join([*lines, "", text(language, "safe")])


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
    title = text(language, "report.title", programme=facts.programme, week=facts.week)
    lines = [
        text(language, "report.intro", programme=facts.programme, open=facts.open_cases, overdue=facts.overdue),
        "",
        text(language, "report.files", html=facts.html, csv=facts.csv),
        text(language, "report.dashboard", link=f"{base_url.rstrip('/')}/dashboard"),
    ]
    return title, "\n".join(lines)
