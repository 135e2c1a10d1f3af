"""The CLI speaks the language of the user it acts as (as stored), else PASSAGE_LANGUAGE; English by default."""

import ast
from pathlib import Path

import pytest
from sqlmodel import Session

from passage.cli.common import language_of
from passage.core.i18n import catalog
from passage.core.settings import get_settings
from passage.services.users import set_language
from tests.cli.test_cli import Passage
from tests.factories import new_case, open_gate

CLI = Path(__file__).resolve().parents[2] / "passage" / "cli"
# The catalogue's functions and which argument is the English text.
CALLS = {"say": 1, "translate": 1}


def texts_said() -> dict[str, str]:
    """Every literal text the CLI passes to `say` or `translate`, with where."""
    found: dict[str, str] = {}
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS:
                for arg in node.args[CALLS[node.func.id] :][:1]:  # a text, or texts chosen by a condition
                    for literal in ast.walk(arg):
                        if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                            found.setdefault(literal.value, f"{path.name}:{node.lineno}")
    return found


def test_every_text_the_cli_says_has_a_dutch_entry() -> None:
    texts = texts_said()
    assert len(texts) >= 8  # the scan finds the texts
    assert {text: where for text, where in texts.items() if text not in catalog("nl")} == {}


def test_a_dutch_user_is_answered_in_dutch_an_english_one_in_english(db: Session, passage: Passage) -> None:
    task = open_gate(session=db, case_id=new_case(session=db))
    set_language(session=db, actor="pm.anna", language="nl")
    assert passage("tasks", "claim", str(task), "--as", "pm.anna").out == f"taak {task} opgepakt door pm.anna\n"
    header = passage("tasks", "list", "--as", "pm.anna").out.splitlines()[0]
    assert header.split() == ["TAAK", "DOSSIER", "TITEL", "ROL", "UITERSTE", "DATUM"]
    assert passage("tasks", "unclaim", str(task), "--as", "pm.anna").out == f"taak {task} teruggegeven\n"
    said = passage("tasks", "decide", str(task), "--approve", "--as", "pm.joost")
    assert said.out == f"task {task} approved by pm.joost (recorded; the flow picks it up shortly)\n"


def test_without_a_user_passage_language_decides(monkeypatch: pytest.MonkeyPatch, db: Session) -> None:
    assert language_of(None) == "en"
    monkeypatch.setenv("PASSAGE_LANGUAGE", "nl")
    get_settings.cache_clear()
    assert language_of(None) == language_of("nobody") == "nl"
    assert language_of("pm.joost") == "en"  # a user's own language wins


def test_a_dutch_user_reads_the_cases_commands_and_their_errors_in_dutch(db: Session, passage: Passage) -> None:
    new_case(session=db)
    set_language(session=db, actor="pm.anna", language="nl")
    listed = passage("cases", "list", "--as", "pm.anna").out.splitlines()
    assert listed[0].split() == ["DOSSIER", "PROGRAMMA", "STATUS", "STAP", "GEOPEND", "TITEL"]
    assert listed[-1] == "pagina 1: 1 dossier(s)"
    assert passage("cases", "list", "--as", "pm.joost").out.splitlines()[-1] == "page 1: 1 case(s)"
    unknown = passage("cases", "show", "RST-09999", "--as", "pm.anna")
    assert (unknown.code, unknown.err) == (1, "error: geen dossier 'RST-09999'\n")
    assert passage("cases", "show", "RST-09999", "--as", "pm.joost").err == "error: no case 'RST-09999'\n"
