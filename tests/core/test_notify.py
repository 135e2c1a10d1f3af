"""The Apprise routing file: every fault reported with its line, before anything is sent."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import Role
from passage.core.notify import Known, check_config, url_accepted
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
