"""Read the input workbook into `Inputs`, driven by `schema.SHEETS`.

Every problem is collected and raised once as `InputError`; nothing a user
can put in a file (wrong format, encryption, corrupt zip, XML bomb) escapes
as anything else. Sheets are read with openpyxl in read-only, cached-values
mode so a 50,000-row sheet reads in seconds.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from staffplan.core.errors import InputError, Problem
from staffplan.core.files import not_a_plain_file
from staffplan.core.months import month_index
from staffplan.inputs import rules as validate
from staffplan.inputs.data import (
    Band,
    Budget,
    Extra,
    Inputs,
    Lane,
    Market,
    Requisition,
    Role,
    RosterRow,
    Settings,
    Site,
    StaffingRow,
)
from staffplan.inputs.demand import requirement_for
from staffplan.inputs.names import near_miss
from staffplan.inputs.rules import ALL, STAR, Record, Tables
from staffplan.inputs.schema import (
    BLANK,
    LARGEST,
    MOST_FTE,
    SHEETS,
    SMALLEST,
    Column,
    Sheet,
    display_default,
)

log = logging.getLogger(__name__)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 1 << 30  # refuse zip bombs before parsing anything
MAX_SHOWN = 200  # problems listed; a whole bad column of 50,000 rows would drown the rest
EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                "#SPILL!", "#CALC!", "#GETTING_DATA"}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_ID = re.compile(r"^[A-Za-z0-9_]+$")
_REQ_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


class BadValue(ValueError):
    """A cell value that does not fit its column; the message says what was expected."""


def read_workbook(path: Path) -> Inputs:
    """The validated inputs of one workbook, with the requirement filled in."""
    return inputs_from_raw(read_raw(path))[0]


@dataclass
class RawWorkbook:
    """The cells of a workbook's schema sheets, before any typing or validation: what
    `staffplan compare` changes to make a scenario (inputs/scenarios.py)."""

    path: Path
    sha256: str
    sheets: dict[str, RawSheet]


def read_raw(path: Path) -> RawWorkbook:
    """The raw cells of `path`; a file that is no readable workbook is an InputError."""
    path = Path(path)
    data = _read_bytes(path)
    return RawWorkbook(path, hashlib.sha256(data).hexdigest(), _extract(data, path))


def inputs_from_raw(book: RawWorkbook) -> tuple[Inputs, Tables]:
    """Validate raw cells exactly as `check` does; the inputs and the typed records."""
    tables, problems, warnings = _parse(book.sheets)
    problems += validate.check_rules(tables)
    if problems:
        raise InputError(_capped(sorted(problems, key=_where)), source=str(book.path),
                         total=len(problems))
    warnings += validate.warnings(tables)
    inputs = _build(tables)
    inputs.source = book.path
    inputs.sha256 = book.sha256
    inputs.warnings = warnings
    inputs.requirement = requirement_for(inputs)
    for w in warnings:
        log.info("%s", w)
    return inputs, tables


def _fail(message: str, path: Path | None = None) -> InputError:
    return InputError([Problem("", message)], source=str(path) if path else "")


def _where(p: Problem) -> tuple[int, int, int]:
    """Problems listed sheet by sheet in schema order, then top to bottom, left to right."""
    order = next((i for i, s in enumerate(SHEETS) if s.name == p.sheet), len(SHEETS))
    m = re.match(r"([A-Z]+)([0-9]+)", p.cell or "")
    if m:
        return order, int(m[2]), column_index_from_string(m[1])
    return order, p.row or 0, 0


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_SHOWN:
        return problems
    more = len(problems) - MAX_SHOWN
    return problems[:MAX_SHOWN] + [Problem("", f"... and {more} more problems not listed")]


# ---------------------------------------------------------------- file level

def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing before opening it anything that is not a plain file
    (reading /dev/zero never ends; opening a FIFO waits for a writer)."""
    why = not_a_plain_file(path)
    if why:
        raise _fail(why, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot be read: {exc.strerror or exc}", path) from None
    if not data:
        raise _fail("is an empty file, not an Excel workbook", path)
    if data.startswith(OLE2_MAGIC):
        raise _fail("is password protected or an old .xls workbook; remove the password "
                    "(File > Info > Protect Workbook) and save it as .xlsx", path)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            raise _fail("is a damaged .xlsx file (the zip is cut short or broken); save it "
                        "from Excel again", path)
        raise _fail("is not an Excel .xlsx workbook (it is not a zip file); save it from "
                    "Excel as .xlsx", path)
    return data


class RawSheet:
    """Cached values of one worksheet plus the cells openpyxl could not give a value."""

    def __init__(self, title: str, rows: list[tuple], no_value: set[tuple[int, int]],
                 merges: list[str], read: bool = True) -> None:
        self.title = title
        self.read = read  # False: not an input sheet's name; only the title is kept
        self.rows = rows  # rows[i] is worksheet row i + 1
        self.no_value = no_value  # (row, col) 1-based: formulas with no saved result
        self.merges = merges


def _extract(data: bytes, path: Path) -> dict[str, RawSheet]:
    """Title -> raw sheet for every sheet, in workbook order; only those whose names the
    schema knows are read (the others' titles are kept to spot near-miss names and to list
    them). Anything odd becomes InputError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "[Content_Types].xml" not in names or not any(
                    n.lower().startswith("xl/") for n in names):
                raise _fail("is a zip file but not an Excel workbook", path)
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED:
                raise _fail("unpacks to more than 1 GB; refusing to read it", path)
            return _extract_sheets(data, zf)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any library failure on user bytes is bad input
        log.debug("workbook unreadable", exc_info=True)
        if _caused_by(exc, DefusedXmlException):
            raise _fail("contains XML that is not allowed in a workbook (entity declarations, "
                        "a possible XML bomb); save it from Excel again", path) from None
        raise _fail(f"is corrupt or not a valid Excel workbook ({type(exc).__name__}: "
                    f"{str(exc)[:200]}); open it in Excel and save it again", path) from None


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """openpyxl wraps parser errors in ValueError; look down the chain."""
    while exc is not None:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _extract_sheets(data: bytes, zf: zipfile.ZipFile) -> dict[str, RawSheet]:
    wanted = {_norm(s.name) for s in SHEETS}
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas_wb = None
    out: dict[str, RawSheet] = {}
    try:
        for ws in wb.worksheets:
            if _norm(ws.title) not in wanted or not hasattr(ws, "iter_rows"):
                out[ws.title] = RawSheet(ws.title, [], set(), [], read=False)
                continue
            ws.reset_dimensions()  # some writers store a wrong <dimension>
            rows = list(ws.iter_rows(values_only=True))
            xml = _sheet_xml(ws, zf)
            merges = [m.decode() for m in _MERGE.findall(xml) if b":" in m]
            no_value: set[tuple[int, int]] = set()
            # Without the raw XML (openpyxl internals changed) look for formulas the slow way.
            if not xml or any(tag in xml for tag in (b"<f>", b"<f ", b":f>", b":f ")):
                if formulas_wb is None:
                    formulas_wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
                no_value = _formulas_without_value(formulas_wb[ws.title], rows)
            out[ws.title] = RawSheet(ws.title, rows, no_value, merges)
    finally:
        wb.close()
        if formulas_wb is not None:
            formulas_wb.close()
    return out


def _sheet_xml(ws: Any, zf: zipfile.ZipFile) -> bytes:
    member = getattr(ws, "_worksheet_path", None)
    if not member or member not in zf.namelist():
        return b""
    return zf.read(member)


def _formulas_without_value(ws: Any, values: list[tuple]) -> set[tuple[int, int]]:
    ws.reset_dimensions()
    missing = set()
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, (ArrayFormula, DataTableFormula)) or (
                    isinstance(v, str) and v.startswith("=")):
                inside = r <= len(values) and c <= len(values[r - 1])
                cached = values[r - 1][c - 1] if inside else None
                if cached is None:
                    missing.add((r, c))
    return missing


# ---------------------------------------------------------------- sheets

def _norm(name: Any) -> str:
    """Sheet, header and key names match ignoring case, spaces, `_` and `-` (`Site Id`)."""
    return re.sub(r"[\s_\-]+", "", str(name).lower())


header_key = _norm  # public name for inputs/scenarios.py, which finds sheets and columns alike


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


is_blank = _blank


def _parse(raw: dict[str, RawSheet]) -> tuple[Tables, list[Problem], list[str]]:
    by_norm: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for title, sheet in raw.items():
        if not sheet.read:
            continue
        first = by_norm.setdefault(_norm(title), sheet)
        if first is not sheet:
            problems.append(Problem(title, f"sheets '{first.title}' and '{title}' both read as "
                                           f"the same input sheet; keep one"))
    warnings: list[str] = []
    settings = Record("Settings", 0, {}, {})
    sheets: dict[str, list[Record]] = {}
    present: set[str] = set()
    absent = [s for s in SHEETS if _norm(s.name) not in by_norm]
    lookalikes = _lookalikes([t for t, rs in raw.items() if not rs.read],
                             [s.name for s in absent])
    for schema in absent:
        for title in lookalikes.get(schema.name, ()) if not schema.required else ():
            problems.append(Problem(title, f"this sheet's name looks like {schema.name}; if it "
                                           f"were ignored, {_sheet_ignored(schema)}. Rename it "
                                           f"{schema.name} (or, if it is not input, give it a "
                                           f"name unlike any input sheet)"))
    for schema in SHEETS:
        rs = by_norm.get(_norm(schema.name))
        if rs is None:
            if schema.required:
                problems.append(Problem(schema.name, _missing_sheet(schema, raw, lookalikes)))
            if schema.layout == "settings":
                settings = _settings_defaults_only()
            sheets[schema.name] = []
            continue
        present.add(schema.name)
        if schema.layout == "settings":
            settings = _read_settings(schema, rs, problems, warnings)
            sheets[schema.name] = []
        else:
            sheets[schema.name] = _read_table(schema, rs, problems)
    return Tables(settings, sheets, present), problems, warnings


def _lookalikes(names: list[str], absent: list[str]) -> dict[str, list[str]]:
    """Absent known name -> the unknown names that look like it (names.near_miss)."""
    out: dict[str, list[str]] = {}
    for name in names:
        match = near_miss(name, absent)
        if match is not None:
            out.setdefault(match, []).append(name)
    return out


def _sheet_ignored(schema: Sheet) -> str:
    return schema.if_ignored or f"the plan would be made as if there were no {schema.name} sheet"


def _missing_sheet(schema: Sheet, raw: dict[str, RawSheet],
                   lookalikes: dict[str, list[str]]) -> str:
    """What to do about a missing required sheet: the look-alike to rename, else what exists."""
    like = lookalikes.get(schema.name)
    if like:
        return (f"the sheet is missing; sheet {_quoted(like)} looks like it: rename it "
                f"{schema.name}")
    have = ", ".join(raw) if raw else "none"
    return f"the sheet is missing; expected a sheet named {schema.name} (the workbook has: {have})"


def _quoted(names: list[str]) -> str:
    return " and ".join(f"'{n}'" for n in names)


def _column_ignored(col: Column) -> str:
    if col.default is None:
        return f"{col.name} would be blank on every row"
    return f"{col.name} would be {_default(col)} on every row"


def _default(col: Column) -> str:
    value = display_default(col.default)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _header(schema: Sheet, rs: RawSheet, problems: list[Problem]) -> tuple[int, dict[str, int]]:
    """(header row number, column name -> 0-based index); the header is the first non-blank row."""
    for r, row in enumerate(rs.rows, start=1):  # noqa: B007 (r is the header row, used below)
        if any(not _blank(v) for v in row):
            break
    else:
        return 0, {}
    for ref in rs.merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row <= r <= max_row:
            problems.append(Problem(schema.name, "merged header cells; unmerge them so each "
                                                 "column has its own header", cell=ref))
    index: dict[str, int] = {}
    known = {_norm(col.name) for col in schema.columns} | {"key", "value"}
    for c, v in enumerate(row):
        if _blank(v):
            continue
        name = _norm(v)
        if name in index and name not in known:
            continue  # extra columns (a second `notes`) are ignored, duplicates included
        if name in index:
            problems.append(Problem(schema.name, f"column {str(v).strip()} appears twice (also in "
                                                 f"{get_column_letter(index[name] + 1)}{r})",
                                    cell=f"{get_column_letter(c + 1)}{r}"))
            continue
        index[name] = c
    return r, index


def _read_table(schema: Sheet, rs: RawSheet, problems: list[Problem]) -> list[Record]:
    header_row, index = _header(schema, rs, problems)
    expected = ", ".join(c.name for c in schema.columns if c.required)
    if not header_row:
        problems.append(Problem(schema.name, f"the sheet is empty; expected a header row with "
                                             f"{expected}"))
        return []
    known = {_norm(c.name) for c in schema.columns}
    header = rs.rows[header_row - 1]
    extras = {str(v).strip(): c for c, v in enumerate(header)
              if not _blank(v) and _norm(v) not in known}
    lookalikes = _lookalikes(list(extras), [c.name for c in schema.columns
                                            if _norm(c.name) not in index])
    cols: list[tuple[Column, int | None]] = []
    for col in schema.columns:
        idx = index.get(_norm(col.name))
        like = lookalikes.get(col.name, [])
        if idx is None and col.required:
            where = ", ".join(f"{get_column_letter(extras[n] + 1)}{header_row}" for n in like)
            hint = (f"; column {_quoted(like)} ({where}) looks like it: rename it {col.name}"
                    if like else f"; expected columns {expected}")
            problems.append(Problem(schema.name, f"missing column {col.name} in the header "
                                                 f"row {header_row}{hint}"))
        elif idx is None:
            for name in like:
                problems.append(Problem(
                    schema.name, f"column {name!r} looks like {col.name}; if it were ignored, "
                                 f"{_column_ignored(col)}. Rename it {col.name} (or, if it is "
                                 f"not input, give it a name unlike any input column)",
                    cell=f"{get_column_letter(extras[name] + 1)}{header_row}"))
        cols.append((col, idx))
    if any(idx is None and col.required for col, idx in cols):
        return []
    letters = {col.name: get_column_letter(idx + 1) for col, idx in cols if idx is not None}
    _data_merges(schema, rs, header_row, {idx + 1 for _, idx in cols if idx is not None},
                 problems)
    records = []
    for r in range(header_row + 1, len(rs.rows) + 1):
        row = rs.rows[r - 1]
        cells = [row[idx] if idx is not None and idx < len(row) else None for _, idx in cols]
        if all(_blank(v) for v in cells):
            continue
        values = {}
        for (col, idx), v in zip(cols, cells):
            cell = f"{letters.get(col.name, '?')}{r}"
            values[col.name] = _cell_value(schema.name, col, v, cell,
                                           idx is not None and (r, idx + 1) in rs.no_value,
                                           problems)
        records.append(Record(schema.name, r, values, letters))
    return records


def _data_merges(schema: Sheet, rs: RawSheet, header_row: int, used: set[int],
                 problems: list[Problem]) -> None:
    """Merged cells hide values from every row but the first; only schema columns matter."""
    for ref in rs.merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row > header_row and used & set(range(min_col, max_col + 1)):
            problems.append(Problem(schema.name, "merged cells; unmerge them so each row has "
                                                 "its own values", cell=ref))


def _settings_defaults_only() -> Record:
    schema = next(s for s in SHEETS if s.layout == "settings")
    return Record("Settings", 0, {c.name: c.default for c in schema.columns}, {})


def _read_settings(schema: Sheet, rs: RawSheet, problems: list[Problem],
                   warnings: list[str]) -> Record:
    header_row, index = _header(schema, rs, problems)
    if "key" not in index or "value" not in index:  # _norm leaves these two as they are
        problems.append(Problem(schema.name, "expected a header row with columns key and value",
                                cell=f"A{header_row or 1}"))
        return _settings_defaults_only()
    kc, vc = index["key"], index["value"]
    known = {_norm(c.name): c for c in schema.columns}
    values: dict[str, Any] = {}
    addresses: dict[str, str] = {}
    unknown: dict[str, str] = {}  # unknown key as written -> its cell
    for r in range(header_row + 1, len(rs.rows) + 1):
        row = rs.rows[r - 1]
        key = row[kc] if kc < len(row) else None
        value = row[vc] if vc < len(row) else None
        if _blank(key):
            continue
        key_cell, value_cell = f"{get_column_letter(kc + 1)}{r}", f"{get_column_letter(vc + 1)}{r}"
        col = known.get(_norm(key))
        if col is None:
            unknown.setdefault(str(key).strip(), key_cell)
            continue
        name = col.name
        if name in addresses:
            first = addresses[name]
            problems.append(Problem("Settings", f"key {name} appears twice (also on row "
                                                f"{re.sub(r'[A-Z]+', '', first)})", cell=key_cell))
            continue
        addresses[name] = value_cell
        no_value = (r, vc + 1) in rs.no_value
        if _blank(value) and not col.required and not no_value:
            values[name] = col.default
            continue
        values[name] = _cell_value("Settings", col, value, value_cell, no_value, problems)
    lookalikes = _lookalikes(list(unknown), [c.name for c in schema.columns
                                             if c.name not in addresses])
    near = {k for like in lookalikes.values() for k in like}
    for key, cell in unknown.items():
        if key not in near:  # resembles no setting: an extra row, like a note
            warnings.append(f"Settings!{cell}: unknown key {key!r} ignored")
    for col in schema.columns:
        if col.name in addresses:
            continue
        like = lookalikes.get(col.name, [])
        if col.required:
            fix = (f"key {_quoted(like)} on row {_row_of(unknown[like[0]])} looks like it: "
                   f"rename it {col.name}" if like
                   else f"add a row with key {col.name} and {_expect(col)}")
            problems.append(Problem("Settings", f"required key {col.name} is missing; {fix}"))
            values[col.name] = None
        else:
            for key in like:
                problems.append(Problem(
                    "Settings", f"key {key!r} looks like {col.name}; if it were ignored, "
                                f"{col.name} would be {_default(col)} (its "
                                f"default). Rename it {col.name} (or, if it is not a setting, "
                                f"give it a name unlike any setting)", cell=unknown[key]))
            values[col.name] = col.default
    return Record("Settings", 0, values, addresses)


def _row_of(cell: str) -> str:
    return re.sub(r"[A-Z]+", "", cell)


def _cell_value(sheet: str, col: Column, v: Any, cell: str, formula_no_value: bool,
                problems: list[Problem]) -> Any:
    """The typed value of one cell, or None after recording why it is unusable."""
    if formula_no_value:
        problems.append(Problem(sheet, f"{col.name} is a formula with no saved result; open "
                                       f"the workbook in Excel and save it", cell=cell))
        return None
    if _blank(v):
        if col.required:
            problems.append(Problem(sheet, f"{col.name} is blank; expected {_expect(col)}",
                                    cell=cell))
            return None
        return col.default
    try:
        return convert(col, v)
    except BadValue as exc:
        problems.append(Problem(sheet, f"{col.name} {_seen(v)}{exc}", cell=cell))
        return None


# ---------------------------------------------------------------- values

def _seen(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE " if v else "FALSE "
    if isinstance(v, (datetime, date)):
        return f"{v:%Y-%m-%d} "
    if isinstance(v, float):
        return f"{v:g} "
    if isinstance(v, str):
        return f"{v.strip()!r} "
    return f"{v} "


def _expect(col: Column) -> str:
    kind = col.kind
    if kind in ("number", "int"):
        what = "a whole number" if kind == "int" else "a number"
        lo = col.minimum if col.minimum is not None else 0
        hi = f" to {col.maximum:g}" if col.maximum is not None else ""
        rng = f" from {lo:g}{hi}" if hi else f" >= {lo:g}"
        return what + rng + (f" ({col.unit})" if col.unit else "")
    return {
        "text": "some text",
        "id": "an id of letters, digits and _ only",
        "country": "a two-letter country code in capitals (e.g. US)",
        "currency": "a three-letter currency code in capitals (e.g. USD)",
        "date": "a date or a month as YYYY-MM",
        "pct": "a fraction from 0 to 1 (e.g. 0.25 or 25%)",
        "yesno": "yes or no",
        "choice": "one of " + ", ".join(col.choices),
        "year_all": "a year (e.g. 2027) or all",
        "country_star": "a two-letter country code in capitals (e.g. US) or *",
        "req_id": "an id of letters, digits, _ and - only",
    }[kind]


def _number(v: Any, col: Column) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise BadValue(f"is not a number; expected {_expect(col)}")
    if isinstance(v, str):
        if v.strip() in EXCEL_ERRORS:
            raise BadValue(f"is an Excel error; expected {_expect(col)}")
        try:
            v = float(v.strip().replace("_", "x"))  # float() would take 1_000
        except ValueError:
            raise BadValue(f"is not a number; expected {_expect(col)}") from None
    try:
        x = float(v)
    except OverflowError:  # a whole number with hundreds of digits
        x = math.inf
    if not math.isfinite(x):
        raise BadValue(f"is not a finite number; expected {_expect(col)}")
    return x


def _bounded(x: float, col: Column) -> float:
    lo = col.minimum if col.minimum is not None else 0.0
    if x < lo or (col.maximum is not None and x > col.maximum):
        word = "negative" if x < 0 and lo == 0 else "out of range"
        raise BadValue(f"is {word}; expected {_expect(col)}")
    return _in_model_range(x, col)


def _in_model_range(x: float, col: Column) -> float:
    """A number the solver can use: not astronomically large, not a nonzero speck."""
    most = LARGEST if col.unit != "FTE" else MOST_FTE
    if col.maximum is None and x > most:
        unit = f" {col.unit}" if col.unit else ""
        raise BadValue(f"is too large for the model; expected at most {most:g}{unit}")
    if 0 < abs(x) < SMALLEST:
        raise BadValue(f"is too small for the model to tell from 0; expected 0 or at least "
                       f"{SMALLEST:g}")
    return x


def convert(col: Column, v: Any) -> Any:
    """Typed value of a non-blank cell for `col`, or BadValue saying what was expected."""
    if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
        raise BadValue(f"is an Excel error; expected {_expect(col)}")
    kind = col.kind
    if kind == "number":
        return _bounded(_number(v, col), col)
    if kind == "int":
        x = _bounded(_number(v, col), col)
        if x != int(x):
            raise BadValue(f"is not a whole number; expected {_expect(col)}")
        return int(x)
    if kind == "pct":
        return _pct(v, col)
    if kind == "date":
        return _month(v, col)
    if kind == "yesno":
        return _yesno(v, col)
    if kind == "year_all":
        if isinstance(v, str) and v.strip().lower() == ALL:
            return ALL
        x = _number(v, col)
        if x != int(x) or not 1900 <= x <= 9999:
            raise BadValue(f"is not a year; expected {_expect(col)}")
        return int(x)
    text = _text(v)
    if kind == "text":
        return text
    if kind == "id":
        if not _ID.match(text):
            raise BadValue(f"has characters other than letters, digits and _; "
                           f"expected {_expect(col)}")
        return text
    if kind == "req_id":
        if not _REQ_ID.match(text):
            raise BadValue(f"has characters other than letters, digits, _ and -; "
                           f"expected {_expect(col)}")
        return text
    if kind == "choice":
        choice = re.sub(r"[\s\-]+", "_", text.lower())
        if choice not in col.choices:
            raise BadValue(f"is not allowed; expected {_expect(col)}")
        return choice
    if kind == "country_star" and text == STAR:
        return STAR
    if kind in ("country", "country_star"):
        if not re.fullmatch(r"[A-Z]{2}", text):
            raise BadValue(f"is not a country code; expected {_expect(col)}")
        return text
    if kind == "currency":
        if not re.fullmatch(r"[A-Z]{3}", text):
            raise BadValue(f"is not a currency code; expected {_expect(col)}")
        return text
    raise AssertionError(kind)


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d}"
    return str(v).strip()


def _pct(v: Any, col: Column) -> float:
    if isinstance(v, str) and v.strip().endswith("%"):
        x = _number(v.strip()[:-1], col) / 100
    else:
        x = _number(v, col)
    if x < 0:
        raise BadValue(f"is negative; expected {_expect(col)}")
    if x > 1:
        raise BadValue("is above 1; expected a fraction from 0 to 1 (write 25% or 0.25, not 25)")
    return _in_model_range(x, col)


def _month(v: Any, col: Column) -> int:
    if isinstance(v, (datetime, date)):
        return month_index(v.year, v.month)
    if isinstance(v, str):
        m = _MONTH.match(v.strip())
        if m:
            year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
            try:
                date(year, month, day)
            except ValueError:
                raise BadValue(f"is not a real date; expected {_expect(col)}") from None
            return month_index(year, month)
    raise BadValue(f"is not a date; expected {_expect(col)}")


def _yesno(v: Any, col: Column) -> bool:
    if isinstance(v, bool):
        return v
    text = _text(v).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(f"is not yes or no; expected {_expect(col)}")


# ---------------------------------------------------------------- Inputs

def _build(t: Tables) -> Inputs:
    """Typed inputs from records that passed every check (no value is None here)."""
    s = t.settings.values
    settings = Settings(**{k: s[k] for k in Settings.__dataclass_fields__})
    rows = {name: [r.values for r in recs] for name, recs in t.sheets.items()}
    return Inputs(
        settings=settings,
        sites=[Site(**v) for v in rows["Sites"]],
        roles={v["role_id"]: Role(**v) for v in rows["Roles"]},
        staffing=[StaffingRow(**v) for v in rows["Staffing"]],
        bands={(v["country"], v["role_id"]): Band(**v) for v in rows["SalaryBands"]},
        markets={(v["country"], v["role_id"]): _market(v) for v in rows["LabourMarket"]},
        fx={v["currency"]: v["rate_to_reporting"] for v in rows["FX"]},
        mobility=[Lane(**v) for v in rows["Mobility"]],
        budgets=[Budget(year=None if r["year"] == ALL else r["year"],
                        country=None if r["country"] == STAR else r["country"],
                        max_cost=r["max_cost"], row=r.row) for r in t["Budget"]],
        extra=[Extra(**v) for v in rows["ExtraDemand"]],
        roster=[RosterRow(**r.values, row=r.row) for r in t["Roster"]],
        requisitions=[Requisition(**r.values, row=r.row) for r in t["Requisitions"]],
    )


def _market(values: dict[str, Any]) -> Market:
    """A blank starting_headcount (allowed only beside Roster rows) means nobody."""
    if values.get("starting_headcount") == BLANK:
        values = {**values, "starting_headcount": 0.0}
    return Market(**values)
