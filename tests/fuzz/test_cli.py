"""The `passage` commands that take what a person types, fed bad arguments through the real entry point.

Whatever the arguments: the command exits (never a traceback), a refusal exits non-zero with one reason per
line naming the argument or field, and a refused command changed no row of any table.
"""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from passage.core.db import get_engine
from tests.cli.test_cli import Passage, Run
from tests.factories import new_case, open_gate
from tests.fuzz.harness import fuzz, row_counts
from tests.fuzz.strategies import NAMES, huge_text, universally_bad, visible_text, with_control

USERS = ["pm.anna", "pm.joost", "cw.amal", "mo.sara", "mv.tom", "admin", "cw.other", "system"]
# What a person may type for any argument: valid-looking names, typos, scripts, control characters, floods.
typed = st.one_of(
    st.sampled_from(["", " ", "-", "--", "0", "-1", "None", "pm.ana", "PM.ANNA", "*", "resettlement", "2026-02-30"]),
    visible_text,
    with_control(),
    huge_text,
    st.sampled_from(NAMES),
)
numbers = st.one_of(
    st.sampled_from(["0", "-1", "1.5", "abc", "", "²", "١٢", "9" * 30, str(2**63), str(2**63 - 1), "0x10"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
who = st.sampled_from(USERS) | typed
json_data = st.one_of(
    typed,
    st.dictionaries(st.sampled_from(["priority", "comment", "approved", "x"]), universally_bad | typed).map(json.dumps),
    st.sampled_from(['{"priority": "urgent"', "[]", "null", '{"priority": NaN}', "[" * 50_000]),
)


@pytest.fixture
def task_id(db: Session) -> int:
    """An open gate (accept for selection, a programme manager's) requested by cw.amal."""
    return open_gate(session=db, case_id=new_case(session=db))


@st.composite
def commands(draw: st.DrawFn, task: int) -> list[str]:
    """One `passage` command line with bad input somewhere."""
    number = draw(st.just(str(task)) | numbers)
    flag = draw(st.sampled_from(["--approve", "--reject"]))
    choices = [
        ["tasks", "decide", number, flag, "--as", draw(who), "--comment", draw(typed), "--data", draw(json_data)],
        ["tasks", draw(st.sampled_from(["claim", "unclaim"])), number, "--as", draw(who)],
        ["tasks", "reassign", number, "--to", draw(who), "--as", draw(who)],
        ["tasks", "list", "--as", draw(who), "--programme", draw(typed)],
        ["tasks", "list", "--as", draw(who), "--role", draw(typed), "--status", draw(typed)],
        ["cases", "show", draw(typed), "--as", draw(who)],
        ["users", "add", draw(typed), "--name", draw(typed), "--email", draw(typed), "--role", draw(typed)]
        + ["--as", draw(who)],
        ["users", draw(st.sampled_from(["disable", "enable"])), draw(typed), "--as", draw(typed)],
        ["users", "delegate", draw(who), "--to", draw(who), "--from", draw(typed), "--until", draw(typed)]
        + ["--as", draw(who)],
        ["notify", "digest", "--as", draw(typed), draw(st.sampled_from(["--on", "--off"]))],
        ["notify", "outbox", "--status", draw(typed)],
        ["privacy", "export", draw(typed | numbers), "--as", draw(who)],
    ]
    return draw(st.sampled_from(choices))


def assert_refused_cleanly(ran: Run) -> None:
    """Exit 1 with one `error: ...` line per problem, or exit 2 with click's usage error naming the argument."""
    assert ran.code in (1, 2), ran
    if ran.code == 1:
        lines = ran.err.splitlines()
        assert lines and all(line.startswith("error: ") and line[7:].strip() for line in lines), ran.err
    else:
        assert "Invalid value" in ran.err or "Missing" in ran.err or "No such" in ran.err, ran.err


@fuzz(1000)
@given(data=st.data())
def test_a_command_with_bad_input_is_refused_in_words_and_changes_nothing(
    db: Session, passage: Passage, task_id: int, data: st.DataObject
) -> None:
    args = data.draw(commands(task_id))
    before = row_counts(get_engine())
    ran = passage(*args)  # any exception but the command's own exit fails the test: a traceback
    if ran.code != 0:
        assert_refused_cleanly(ran)
        assert row_counts(get_engine()) == before, args


@fuzz(200)
@given(content=typed | json_data, programme=st.sampled_from(["resettlement-nl", "diaspora"]) | typed, actor=who)
def test_cases_start_with_a_bad_file_programme_or_user_is_refused_and_writes_nothing(
    db: Session, passage: Passage, tmp_path: Path, content: str, programme: str, actor: str
) -> None:
    file = tmp_path / "case.json"
    file.write_bytes(content.encode("utf-8", "surrogatepass"))  # as a broken editor would save it
    before = row_counts(get_engine())
    ran = passage("cases", "start", programme, "--file", str(file), "--as", actor)
    assert_refused_cleanly(ran)
    assert row_counts(get_engine()) == before
