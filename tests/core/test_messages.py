"""The notifications' words: the one catalogue in the reader's language, times on the office's clock."""

import ast
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from passage.core import messages
from passage.core.i18n import catalog, title_in, translate

AMS = ZoneInfo("Europe/Amsterdam")


def facts(due_at: datetime, role: str = "movement_officer") -> messages.TaskFacts:
    return messages.TaskFacts(7, "RST-00001", "Book the flight", role, "resettlement-nl", due_at)


def test_a_time_stored_in_utc_reads_on_the_amsterdam_clock_in_winter_and_summer() -> None:
    winter = datetime(2026, 1, 16, 16, 0, tzinfo=UTC)  # CET, UTC+1
    summer = datetime(2026, 7, 16, 15, 0, tzinfo=UTC)  # CEST, UTC+2
    _, english = messages.assigned(facts(winter), "en", AMS, "http://inbox")
    _, dutch = messages.assigned(facts(summer), "nl", AMS, "http://inbox")
    assert "Due: 16 Jan 2026 17:00" in english.splitlines()
    assert "Uiterste datum: 16-07-2026 17:00" in dutch.splitlines()


def test_a_dutch_message_uses_the_inbox_words() -> None:
    title, body = messages.cancelled(facts(datetime(2026, 1, 16, 16, 0, tzinfo=UTC)), "nl", AMS, "http://inbox")
    assert title.startswith("[Passage] Geannuleerd: ")
    assert "deze taak voor de reiscoördinator is geannuleerd" in body
    assert body.splitlines()[2] == "Dossier: RST-00001"
    assert "Taak openen: http://inbox/?task=7" in body


def test_counts_read_by_the_plural_rule_of_the_language() -> None:
    due = datetime(2026, 1, 16, 16, 0, tzinfo=UTC)
    one, _ = messages.escalation(facts(due), 1, "en", AMS, "http://inbox")
    two, _ = messages.escalation(facts(due), 2, "nl", AMS, "http://inbox")
    assert one.endswith("still open after 1 reminder")
    assert two.endswith("staat open na 2 herinneringen")
    report = messages.ReportFacts("resettlement-nl", "2026-W48", 1, 2, "/r.html", "/r.csv")
    _, body = messages.weekly_report(report, "nl", "http://inbox")
    assert body.splitlines()[0] == "De cijfers van deze week voor resettlement-nl: 1 open dossier, 2 taken te laat."


def test_every_text_of_a_message_has_a_dutch_entry() -> None:
    """The literal texts given to translate() and plural() in messages.py (English is the key)."""
    texts = {
        arg.value
        for node in ast.walk(ast.parse(Path(messages.__file__).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("translate", "plural")
        for arg in node.args[1:]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    assert len(texts) > 25
    assert sorted(text for text in texts if text not in catalog("nl")) == []


def test_a_numbered_or_per_member_step_reads_in_dutch_in_a_mail() -> None:
    # Tasks store the English title; a second round is numbered, a per-member gate names its member.
    dutch = translate("nl", "Accept for selection mission")
    assert dutch != "Accept for selection mission"
    assert title_in("nl", "Accept for selection mission (2)") == f"{dutch} (2)"
    assert title_in("nl", "Accept for selection mission: Amal Example") == f"{dutch}: Amal Example"
    assert title_in("en", "Accept for selection mission (2)") == "Accept for selection mission (2)"
