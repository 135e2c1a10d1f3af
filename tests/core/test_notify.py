"""The Apprise routing file: every fault reported with its line, before anything is sent."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import Role
from passage.core.notify import Known, Notifier, check_config, mail_to, redact, url_accepted
from passage.demo.routing import demo_routing
from passage.programme.registry import all_programmes, all_scheduled, flow_named

KNOWN = Known(
    roles=frozenset(role.value.replace("_", "-") for role in Role),
    programmes=frozenset(all_programmes()),
    users=frozenset({"pm.anna", "mo.sara"}),
)

GOOD = """\
version: 1
urls:
  - mailto://127.0.0.1:8025?from=passage@example.org&to=pm.anna@example.org:
      tag: user:pm.anna
  - json://127.0.0.1:9/teams:
      tag: role:medical-officer, programme:afghan-transfer
  - mailto://127.0.0.1:8025?from=passage@example.org&to=lead@example.org:
      - tag: lead:family-reunification
"""

BAD = """\
version: 1
urls:
  - mailto://127.0.0.1:8025?from=passage@example.org&to=pm.anna@example.org:
      tag: user:pm.anna team:medical
  - notascheme://nowhere:
      tag: user:mo.sara
  - json://127.0.0.1:9/x:
      tag: role:pilot, programme:mars
  - json://127.0.0.1:9/y
  - json://127.0.0.1:9/z:
      tag: user:nobody, lead:atlantis
"""


def test_a_good_routing_file_has_no_fault() -> None:
    assert check_config(GOOD, KNOWN) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (4, "unknown tag 'team:medical' (use user:…, role:…, programme:…, lead:…)"),
        (5, "malformed or unsupported URL (Apprise cannot build a notifier from it)"),
        (8, "unknown role in 'role:pilot'"),
        (8, "unknown programme in 'programme:mars'"),
        (9, "URL without a tag: Passage never sends to it"),
        (11, "unknown user in 'user:nobody'"),
        (11, "unknown programme in 'lead:atlantis'"),
    ],
)
def test_each_fault_is_reported_on_its_line(line: int, message: str) -> None:
    faults = [(f.line, f.message) for f in check_config(BAD, KNOWN)]
    assert any(at == line and text.startswith(message) for at, text in faults), faults


def test_broken_yaml_reports_where() -> None:
    (fault,) = check_config("version: 1\nurls:\n  - json://x: [\n", KNOWN)
    assert fault.line == 4 and fault.message.startswith("not valid YAML")


@pytest.mark.parametrize(
    ("url", "accepted"),
    [("json://127.0.0.1:9/x", True), ("mailto://", False), ("notascheme://x", False), ("json://", False)],
)
def test_apprise_decides_what_a_malformed_url_is(url: str, accepted: bool) -> None:
    assert url_accepted(url) is accepted


def test_the_command_prints_each_fault_with_file_and_line_and_exits_1(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.yml", tmp_path / "good.yml"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD.replace("user:pm.anna", "user:admin"), encoding="utf-8")
    env_home = {"PASSAGE_HOME": str(tmp_path), "PASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    run = [sys.executable, "-m", "passage.cli", "notify", "check"]
    result = subprocess.run([*run, str(bad)], capture_output=True, text=True, env={**os.environ, **env_home})
    assert result.returncode == 1
    assert f"{bad}:4: unknown tag 'team:medical'" in result.stderr
    assert f"{bad}:5: malformed or unsupported URL" in result.stderr
    result = subprocess.run([*run, str(good)], capture_output=True, text=True, env={**os.environ, **env_home})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{good}: ok"


def test_the_scheduled_flows_are_found_by_name_for_the_worker() -> None:
    for scheduled in all_scheduled():
        assert flow_named(scheduled.flow.name) is scheduled.flow
    assert {s.flow.name: s.schedule for s in all_scheduled()} == {
        "notify-sweep": "*/15 * * * 1-5",
        "notify-digest": "0 9 * * 1-5",
        "weekly-report": "0 7 * * 1",
    }


MAIL = "mailto://127.0.0.1:8025?from=passage@example.org&format=text"


@pytest.mark.parametrize(
    ("setting", "fault"),
    [
        (MAIL, None),
        ("mailtos://passage:secret@smtp.example.org:587?from=passage@example.org", None),
        (f"{MAIL}&to=everyone@example.org", "`mail:` names no recipient"),
        (f"{MAIL}&bcc=archive@example.org", "`mail:` names no recipient"),  # would copy every person's mail
        ("mailto://u:p@smtp.example.org/boss@example.org?from=passage@example.org", "`mail:` names no recipient"),
        ("json://127.0.0.1:9/x", "`mail:` must be one mailto:// or mailtos:// URL"),
        ("[a, b]", "`mail:` must be one mailto:// or mailtos:// URL"),
        ("mailto://", "malformed `mail:` URL"),
    ],
)
def test_the_mail_setting_is_one_smtp_url_naming_no_recipient(setting: str, fault: str | None) -> None:
    faults = check_config(f"version: 1\nmail: {setting}\n", KNOWN)  # no `urls:`: e-mail for everyone is enough
    if fault is None:
        assert faults == []
    else:
        (only,) = faults
        assert only.line == 2 and only.message.startswith(fault), only


def test_the_demo_routing_file_is_clean_and_mails_everyone() -> None:
    text = demo_routing()
    assert check_config(text, KNOWN) == []
    assert Notifier(text).mail == "mailto://127.0.0.1:8025?from=passage@example.org&format=text"
    assert "user:" not in text  # no entry per person: their own addresses


def test_the_production_example_is_clean() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "notify.yml"
    assert check_config(example.read_text(encoding="utf-8"), KNOWN) == []


def test_a_persons_address_is_added_as_the_only_recipient() -> None:
    url = mail_to("mailtos://u:p%40ss@smtp.example.org:587?from=passage@example.org", "a.b+c@example.org")
    assert url == "mailtos://u:p%40ss@smtp.example.org:587?from=passage%40example.org&to=a.b%2Bc%40example.org"


def test_addresses_never_reach_a_log_record_from_apprise(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="apprise")
    logging.getLogger("apprise").warning('Sending email to "%s" failed.', "mo.sara@example.org")
    logging.getLogger("apprise").info("url mailto://h/mo.sara%40example.org?to=x")
    assert [r.getMessage() for r in caplog.records] == [
        'Sending email to "[e-mail]" failed.',
        "url mailto://h/[e-mail]?to=x",
    ]
    assert redact("to pm.anna@example.org and cw.amal@example.org") == "to [e-mail] and [e-mail]"
