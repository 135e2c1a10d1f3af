"""Import cases from a spreadsheet: read → validate every row → open the confirmed cases in one transaction.

`read_import` is pure (no database) and never raises for bad content: every problem is an `ImportError`
with its row and column. `mark_already_opened` refuses the cases whose external reference is already a
case's (a list sent twice), `mark_likely_duplicates` lists the people who look like people of existing
cases. `open_imported` opens the valid cases of a plan all at once, or none of them; when some have likely
duplicates, only once the case worker confirms (audited per case). `import_template` is the empty file of a
programme's layout to fill in.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Case, Role
from passage.core.errors import LikelyDuplicates, PassageError, reason_of
from passage.core.settings import get_settings
from passage.core.spreadsheet import SheetError, read_sheet
from passage.core.tabular import to_csv, to_xlsx
from passage.programme import ImportLayout, Intake, Programme
from passage.programme.registry import all_programmes, get_programme
from passage.services import access, cases, duplicates
from passage.services.duplicates import DuplicateMatch

FIRST_ROW = 2  # the header is row 1, as a spreadsheet numbers them


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class RowError(BaseModel):
    """What is wrong, where: row 0 is the file as a whole, column '' the row or case as a whole."""

    row: int
    column: str
    message: str


class ImportedCase(BaseModel):
    """One case as the file describes it: its key, its rows, the case file they validate into."""

    key: str
    rows: list[int]
    case_file: dict[str, Any]
    valid: bool
    external_ref: str | None = None  # the partner's number, of a valid case
    duplicates: list[DuplicateMatch] = []  # its people's likely duplicates (mark_likely_duplicates)


class ImportPlan(BaseModel):
    """What a file would import: the cases found, each valid or not, and every error."""

    programme: str
    filename: str
    read_as: FileFormat | None = None  # None: the file could not be read
    encoding: str | None = None  # of a CSV file as read: UTF-8, UTF-8 with BOM or Windows-1252
    separator: str | None = None  # of a CSV file as read: ';' or ','
    rows: int = 0
    cases: list[ImportedCase] = []
    errors: list[RowError] = []

    @property
    def valid_cases(self) -> list[ImportedCase]:
        return [case for case in self.cases if case.valid]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def duplicates(self) -> list[DuplicateMatch]:
        """The likely duplicates of the valid cases: opening them needs a confirmation."""
        return [match for case in self.valid_cases for match in case.duplicates]


def layout_of(programme: str) -> tuple[Programme, ImportLayout]:
    """The programme and how its spreadsheets look; refuses a programme without an import."""
    spec = get_programme(programme)
    if spec.import_layout is None:
        raise PassageError("cases of {slug} cannot be imported from a file", slug=spec.slug)
    return spec, spec.import_layout


def importable_programmes(*, session: Session, actor: str) -> list[str]:
    """The programmes with an import whose cases `actor` may open (as their case worker)."""
    access.require_person(session=session, actor=actor)
    return [
        slug
        for slug, spec in all_programmes().items()
        if spec.import_layout is not None
        and Role.CASE_WORKER in access.roles_in(session=session, actor=actor, programme=slug)
    ]


def read_import(*, content: bytes, filename: str, programme: str) -> ImportPlan:
    """Every row of the file checked against the programme's case file model; nothing is written."""
    spec, layout = layout_of(programme)
    plan = ImportPlan(programme=spec.slug, filename=filename)
    settings = get_settings()
    if len(content) > settings.import_max_bytes:
        limit = settings.import_max_bytes / 1_000_000
        return _refused(plan, f"the file has {len(content):,} bytes; at most {limit:g} MB can be imported at once")
    try:
        sheet = read_sheet(content=content, filename=filename, max_rows=settings.import_max_rows)
    except SheetError as exc:
        return _refused(plan, str(exc))
    plan.read_as = FileFormat.CSV if sheet.encoding else FileFormat.XLSX
    plan.encoding, plan.separator = sheet.encoding, sheet.separator
    if header_errors := _header_errors(sheet.header, layout):
        plan.errors = header_errors
        return plan
    plan.rows = len(sheet.rows)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, cells in enumerate(sheet.rows, start=FIRST_ROW):
        row = {name: cell.strip() for name, cell in zip(sheet.header, cells, strict=True)}
        if not row[layout.key]:
            plan.errors.append(RowError(row=number, column=layout.key, message="required: the row names no case"))
            continue
        groups.setdefault(row[layout.key], []).append((number, row))
    for key, rows in groups.items():
        case, errors = _validate(spec, layout, key, rows)
        if plan.read_as is FileFormat.CSV and (lost := _lost_letters(rows)):
            case.valid, errors = False, [*lost, *errors]
        plan.cases.append(case)
        plan.errors.extend(errors)
    plan.errors.sort(key=lambda error: (error.row, error.column))
    return plan


def _lost_letters(rows: list[tuple[int, dict[str, str]]]) -> list[RowError]:
    """The cells where Excel, saving "CSV" in Windows-1252, wrote '?' for letters the code page cannot hold
    (Arabic or Dari script): importing them would open a case of people named '???'. Every CSV file is
    checked: one whose every other letter is ASCII reads as UTF-8 too."""
    return [
        RowError(
            row=number,
            column=column,
            message="'?' in place of letters: a CSV file saved in Windows-1252 loses those it cannot hold (e.g. "
            "Arabic script); save the file as 'CSV UTF-8' or as an Excel workbook and import that",
        )
        for number, row in rows
        for column, cell in row.items()
        if "?" in cell
    ]


def _refused(plan: ImportPlan, message: str) -> ImportPlan:
    plan.errors = [RowError(row=0, column="", message=message)]
    return plan


def _header_errors(header: list[str], layout: ImportLayout) -> list[RowError]:
    expected = ", ".join(layout.columns)
    unknown = [name for name in header if name not in layout.columns]
    missing = sorted(layout.required - set(header))
    twice = sorted({name for name in header if header.count(name) > 1})
    return [
        RowError(row=1, column=name, message=f"{problem}; the expected header is: {expected}")
        for names, problem in ((unknown, "unknown column"), (missing, "missing column"), (twice, "column given twice"))
        for name in names
    ]


def _value(layout: ImportLayout, column: str, cell: str) -> Any:
    if column in layout.list_columns:
        return [part.strip() for part in cell.split(";") if part.strip()]
    return cell


def _case_file(layout: ImportLayout, rows: list[tuple[int, dict[str, str]]]) -> tuple[dict[str, Any], list[RowError]]:
    """The case file of one case's rows; a case column that differs between its rows is an error."""
    case_file: dict[str, Any] = {}
    errors, first_number, first = [], rows[0][0], rows[0][1]
    for column, path in layout.case_columns.items():
        if first.get(column):
            *parents, leaf = path.split(".")
            target = case_file
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = _value(layout, column, first[column])
        for number, row in rows[1:]:
            if row.get(column) and row[column] != first.get(column):
                message = f"differs from row {first_number} of the same case ('{first.get(column, '')}')"
                errors.append(RowError(row=number, column=column, message=message))
    case_file[layout.members] = [
        {column: _value(layout, column, row[column]) for column in layout.member_columns if row.get(column)}
        for _number, row in rows
    ]
    return case_file, errors


def _validate(
    spec: Programme, layout: ImportLayout, key: str, rows: list[tuple[int, dict[str, str]]]
) -> tuple[ImportedCase, list[RowError]]:
    case_file, errors = _case_file(layout, rows)
    external_ref = None
    try:
        external_ref = spec.intake.model_validate(case_file).external_ref()
    except ValidationError as exc:
        errors.extend(_located(exc, layout, [number for number, _row in rows]))
    numbers = [number for number, _row in rows]
    imported = ImportedCase(key=key, rows=numbers, case_file=case_file, valid=not errors, external_ref=external_ref)
    return imported, errors


def _located(exc: ValidationError, layout: ImportLayout, numbers: list[int]) -> list[RowError]:
    """Each validation error at its row and column: a person's field at that person's row."""
    columns_by_path = {path: column for column, path in layout.case_columns.items()}
    located = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        row, column = numbers[0], ""
        if loc[:1] == [layout.members] and len(loc) >= 2 and loc[1].isdigit() and int(loc[1]) < len(numbers):
            row, column = numbers[int(loc[1])], ".".join(loc[2:3])
        elif loc:
            column = next((columns_by_path[p] for p in (".".join(loc[:2]), loc[0]) if p in columns_by_path), "")
        reason = reason_of(err)
        message = reason if column or not loc else f"{'.'.join(loc)}: {reason}"
        located.append(RowError(row=row, column=column, message=message))
    return located


KEYS_PER_QUERY = 500  # bound parameters per query: well under every database's limit


def _opened(session: Session, spec: Programme, imported: list[ImportedCase]) -> dict[str, str]:
    """The cases of the programme that hold these cases' external references (e.g. UNHCR's): ref -> case ref."""
    numbers = [case.external_ref for case in imported if case.external_ref is not None]
    found: dict[str, str] = {}
    for start in range(0, len(numbers), KEYS_PER_QUERY):
        chunk = numbers[start : start + KEYS_PER_QUERY]
        query = select(Case.external_ref, Case.ref).where(Case.programme == spec.slug)
        query = query.where(col(Case.external_ref).in_(chunk)).order_by(col(Case.id))
        found |= {str(number): ref for number, ref in session.exec(query)}
    return found


def mark_already_opened(*, session: Session, plan: ImportPlan) -> ImportPlan:
    """The plan with every case whose external reference is already a case's made invalid, by its rows."""
    spec, layout = layout_of(plan.programme)
    opened = _opened(session, spec, plan.cases)
    for case in plan.cases:
        if case.external_ref in opened:
            case.valid = False
            message = f"already opened as case {opened[case.external_ref]}: a referral is imported once"
            plan.errors.append(RowError(row=case.rows[0], column=layout.key, message=message))
    plan.errors.sort(key=lambda error: (error.row, error.column))
    return plan


def mark_likely_duplicates(*, session: Session, plan: ImportPlan, actor: str) -> ImportPlan:
    """The plan with each valid case's likely duplicates among the cases `actor` may see."""
    spec, _layout = layout_of(plan.programme)
    chosen = plan.valid_cases
    people = [spec.intake.model_validate(case.case_file).people() for case in chosen]
    found = duplicates.likely_duplicates_each(session=session, actor=actor, files=people)
    for case, matches in zip(chosen, found, strict=True):
        case.duplicates = matches
    return plan


class ImportResult(BaseModel):
    """The cases an import opened, by reference, in the order of the file."""

    refs: list[str]


Progress = Callable[[int, int], object]  # (cases opened so far, cases to open)


def _refuse_opened(session: Session, spec: Programme, chosen: list[ImportedCase]) -> None:
    if opened := _opened(session, spec, chosen):
        listed = ", ".join(f"{number} ({ref})" for number, ref in opened.items())
        raise PassageError("already opened, nothing imported: {listed}", listed=listed)


def open_imported(
    *,
    session: Session,
    plan: ImportPlan,
    actor: str,
    progress: Progress | None = None,
    open_anyway: bool = False,
) -> ImportResult:
    """Open every valid case of `plan` in one transaction: all of them, or (on any failure) none.

    Refused when a case has likely duplicates, unless `open_anyway` (the case worker saw them listed).
    """
    spec, _layout = layout_of(plan.programme)
    access.require_role(session=session, actor=actor, role=Role.CASE_WORKER, programme=spec.slug)
    chosen, refs = plan.valid_cases, []
    # Checked again here: another import may have opened some of them since the preview.
    _refuse_opened(session, spec, chosen)
    intakes = [spec.intake.model_validate(imported.case_file) for imported in chosen]
    found = duplicates.likely_duplicates_each(session=session, actor=actor, files=[i.people() for i in intakes])
    if any(found) and not open_anyway:
        raise LikelyDuplicates([match for matches in found for match in matches])
    try:
        for done, (intake, matches) in enumerate(zip(intakes, found, strict=True), start=1):
            refs.append(_record(session, spec, intake, actor, matches))
            if progress is not None:
                progress(done, len(chosen))
        session.commit()
    except IntegrityError:
        session.rollback()  # another import opened one of them since the look above
        _refuse_opened(session, spec, chosen)
        raise
    except BaseException:
        session.rollback()
        raise
    return ImportResult(refs=refs)


def _record(session: Session, spec: Programme, intake: Intake, actor: str, matches: list[DuplicateMatch]) -> str:
    case = cases.record_case(session=session, spec=spec, intake=intake, actor=actor)
    if matches:
        duplicates.record_confirmed(session=session, actor=actor, case=case, matches=matches)
    return case.ref


def template_rows(programme: str) -> list[dict[str, object]]:
    """The programme's first example case (demo values) as the rows of its layout, one per person."""
    spec, layout = layout_of(programme)
    if not spec.examples:
        return []
    case_file = spec.intake.model_validate(spec.examples[0].case_file).model_dump(mode="python")
    shared = {column: _at(case_file, path) for column, path in layout.case_columns.items()}
    return [
        {**shared, **{column: member.get(column) for column in layout.member_columns}}
        for member in case_file[layout.members]
    ]


def _at(case_file: dict[str, Any], path: str) -> object:
    value: Any = case_file
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def import_template(*, programme: str, file_format: FileFormat) -> bytes:
    """The file to fill in: its header row, no data. The workbook has a second sheet, `example`, with an
    example case; the import reads the first sheet only, so the example is never opened by mistake (and a
    CSV file, one sheet, has no example)."""
    _spec, layout = layout_of(programme)
    if file_format is FileFormat.CSV:
        return to_csv([], columns=layout.columns)
    example = template_rows(programme)
    return to_xlsx({"cases": [], **({"example": example} if example else {})}, columns=layout.columns)
