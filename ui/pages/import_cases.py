"""Import cases: download a template, upload a CSV or Excel file, see how it was read, every row checked and the
people who look like people of existing cases, confirm, and the valid cases are opened."""

import hashlib

import streamlit as st

from passage.core.errors import PassageError
from passage.core.spreadsheet import UTF8, UTF8_BOM
from passage.programme.registry import get_programme
from passage.services.importing import (
    FileFormat,
    ImportPlan,
    import_template,
    importable_programmes,
    layout_of,
    mark_already_opened,
    mark_likely_duplicates,
    open_imported,
    read_import,
)
from ui.export import download_button, export_buttons, table
from ui.i18n import explain_reason, t
from ui.state import current_user, session
from ui.text import explain_md

UPLOADS = "import.uploads"  # bumped after an import: a fresh uploader, so the same file is not opened twice
DONE = "import.done"


def read_as(plan: ImportPlan) -> str:
    """How the file was read: a CSV file's encoding and separator, or a workbook's first sheet."""
    if plan.read_as is FileFormat.XLSX:
        return t("Read as an Excel workbook (its first sheet).")
    encodings = {UTF8: "UTF-8", UTF8_BOM: t("UTF-8 with BOM")}
    encoding = encodings.get(plan.encoding or "", t("Windows-1252 (Excel's 'CSV' in Western Europe)"))
    return t("Read as CSV: {encoding}, separated by '{separator}'.", encoding=encoding, separator=plan.separator)


def templates(programme: str) -> None:
    """The programme's empty file to fill in, as Excel (with an example case on a second sheet) and CSV."""
    with st.container(horizontal=True):
        for file_format, label in ((FileFormat.XLSX, t("Template (Excel)")), (FileFormat.CSV, t("Template (CSV)"))):
            download_button(
                label,
                import_template(programme=programme, file_format=file_format),
                file_name=f"{programme}-template.{file_format.value}",
                key=f"template-{programme}-{file_format.value}",
            )


def preview(plan: ImportPlan) -> None:
    """How the file was read, the counts, the cases found and every error by row and column."""
    if plan.read_as is not None:
        st.caption(read_as(plan))
    rows, found, valid, wrong = st.columns(4)
    rows.metric(t("Rows"), plan.rows)
    found.metric(t("Cases"), len(plan.cases))
    valid.metric(t("Valid cases"), len(plan.valid_cases))
    wrong.metric(t("Errors"), len(plan.errors))
    if plan.errors:
        st.error(t("These rows are wrong; their cases will not be opened. Correct them and import them again."))
        errors = [
            {t("row"): error.row or "", t("column"): error.column, t("problem"): explain_reason(error.message)}
            for error in plan.errors
        ]
        table(errors, hide_index=True)
        export_buttons(errors, name="import-errors")
    if plan.cases:
        table(
            [
                {
                    t("case"): case.key,
                    t("rows"): ", ".join(map(str, case.rows)),
                    t("persons"): len(case.rows),
                    t("valid"): "✓" if case.valid else "✗",
                }
                for case in plan.cases
            ],
            hide_index=True,
        )


def likely_duplicates(plan: ImportPlan) -> None:
    """The people of the file who look like people of existing cases (that the user may see), by their rows."""
    if not plan.duplicates:
        return
    st.warning(t("Some people look like people of existing cases: check them before you open these cases."))
    table(
        [
            {
                t("rows"): ", ".join(map(str, case.rows)),
                t("name in the file"): match.new_name,
                t("looks like"): match.name,
                t("born"): match.birth_date,
                t("in case"): f"{match.case_ref} · {t(get_programme(match.programme).title)}",
                t("status"): t(match.status),
            }
            for case in plan.valid_cases
            for match in case.duplicates
        ],
        hide_index=True,
    )


def confirm(plan: ImportPlan, user: str) -> None:
    """Open the valid cases, all in one transaction, with a progress bar; likely duplicates confirmed first."""
    count = len(plan.valid_cases)
    # A confirmation holds for the duplicates it was shown: another file, or other duplicates, asks afresh.
    shown = "|".join(f"{match.case_ref}:{match.new_name}" for match in plan.duplicates)
    key = f"import-open-anyway-{st.session_state.get(UPLOADS, 0)}-{hashlib.sha256(shown.encode()).hexdigest()[:16]}"
    anyway = bool(plan.duplicates) and st.checkbox(
        t("I have checked the possible duplicates: open these cases anyway"), key=key
    )
    blocked = not count or (bool(plan.duplicates) and not anyway)
    if not st.button(t("Open {count} valid case(s)", count=count), type="primary", disabled=blocked):
        return
    bar = st.progress(0.0, text=t("Opening cases…"))
    try:
        with session() as s:
            result = open_imported(
                session=s,
                plan=plan,
                actor=user,
                progress=lambda done, total: bar.progress(done / total),
                open_anyway=anyway,
            )
    except PassageError as exc:
        st.error(explain_md(exc))
        return
    st.session_state[DONE] = result.refs
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
    st.rerun()


def import_page(user: str) -> None:
    st.title(t("Import cases"))
    if refs := st.session_state.pop(DONE, None):
        st.success(
            t("{count} case(s) opened; their flows start shortly: {refs}", count=len(refs), refs=", ".join(refs))
        )
    with session() as s:
        programmes = importable_programmes(session=s, actor=user)
    if not programmes:
        st.warning(t("Importing opens cases: it is for case workers of a programme with an import."))
        return
    titles = {slug: t(get_programme(slug).title) for slug in programmes}  # not in format_func: see admin.py
    programme = st.selectbox(t("Programme"), programmes, format_func=titles.__getitem__)
    _spec, layout = layout_of(programme)
    st.caption(t("One row per person; the rows of one case share its '{key}'. Expected header:", key=layout.key))
    st.code(",".join(layout.columns), language=None)
    templates(programme)
    upload = st.file_uploader(
        t("CSV or Excel file"), type=["csv", "xlsx"], key=f"upload-{st.session_state.get(UPLOADS, 0)}"
    )
    if upload is None:
        return
    plan = read_import(content=upload.getvalue(), filename=upload.name, programme=programme)
    with session() as s:
        plan = mark_already_opened(session=s, plan=plan)
        plan = mark_likely_duplicates(session=s, plan=plan, actor=user)
    preview(plan)
    likely_duplicates(plan)
    confirm(plan, user)


user = current_user()
if user is not None:
    import_page(user)
