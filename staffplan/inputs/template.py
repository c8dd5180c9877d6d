"""Write a styled input workbook from `schema.SHEETS`: headers, formats, drop-downs, Instructions.

The layout, number formats and drop-down lists all follow each column's kind
in the schema, so the template cannot drift from what the reader accepts.
`write_input_workbook` writes to a temporary file beside the target and moves
it into place only when complete, and never replaces an existing file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from staffplan.core.atomic import atomic_path
from staffplan.core.errors import StaffplanError
from staffplan.core.xlsx_text import looks_like_formula
from staffplan.inputs.schema import SHEETS, Column, Sheet, display_default

log = logging.getLogger(__name__)

# A record is column name -> value; dates are `datetime.date`, percentages fractions.
Record = Mapping[str, Any]
Content = Mapping[str, Sequence[Record]]

INSTRUCTIONS = "Instructions"
LISTS = "Lists"  # hidden sheet holding the drop-down lists; the reader ignores it
VALIDATED_ROWS = 500  # drop-downs reach this many data rows below the header

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
NOTE_FONT = Font(italic=True, color="595959")

# ISO 3166-1 alpha-2 codes, for the country drop-downs.
COUNTRIES = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW"
).split()
# Common ISO 4217 codes; other valid codes are accepted after a warning.
CURRENCIES = (
    "AED AUD BRL CAD CHF CLP CNY CZK DKK EUR GBP HKD IDR ILS INR JPY KRW MXN MYR NOK NZD PHP "
    "PLN SAR SEK SGD THB TRY TWD USD VND ZAR"
).split()
YES_NO = ("yes", "no")

NUMBER_FORMATS = {"date": "yyyy-mm", "pct": "0.0%", "int": "0", "number": "#,##0.###"}
KIND_TEXT = {
    "text": "text",
    "id": "id: letters, digits and _",
    "country": "country code (ISO 3166-1 alpha-2, e.g. AU)",
    "currency": "currency code (ISO 4217, e.g. AUD)",
    "number": "number >= 0",
    "int": "whole number >= 0",
    "date": "date or YYYY-MM (the month it falls in)",
    "pct": "percentage: 25% or 0.25",
    "yesno": "yes / no",
    "choice": "one of: {choices}",
    "year_all": "year (e.g. 2027) or all",
    "country_star": "country code, or * for all countries",
    "req_id": "id: letters, digits, _ and -",
}


class OutputExists(StaffplanError):
    """The target already exists; `init` never overwrites a person's workbook (exit 1)."""


def write_input_workbook(path: Path, content: Content, intro: Sequence[str] = ()) -> None:
    """Write `content` (sheet name -> records) as an input workbook at `path`, atomically."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise StaffplanError(f"{path}: the file name must end in .xlsx")
    if path.exists():
        raise OutputExists(f"{path} already exists; not overwriting it. Choose another name "
                           f"or move the existing file away first.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StaffplanError(f"{path}: the folder {folder} does not exist")
    wb = build_workbook(content, intro)
    _save_new(wb, path)


def build_workbook(content: Content, intro: Sequence[str] = ()) -> Workbook:
    """The whole workbook in memory: Instructions first, then every schema sheet with content."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS
    _write_lists(wb)
    for schema in SHEETS:
        records = content.get(schema.name)
        if records is None:
            continue
        ws = wb.create_sheet(schema.name)
        if schema.layout == "settings":
            _write_settings(ws, schema, records)
        else:
            _write_table(ws, schema, records)
    _write_instructions(instructions, intro)
    wb.move_sheet(LISTS, offset=len(wb.sheetnames))
    wb.active = 0
    return wb


def _save_new(wb: Workbook, path: Path) -> None:
    """Save beside `path`, then link into place (fails if `path` appeared meanwhile)."""
    try:
        with atomic_path(path, overwrite=False) as tmp:
            wb.save(tmp)
    except FileExistsError:
        raise OutputExists(f"{path} already exists; not overwriting it.") from None
    except OSError as exc:
        raise StaffplanError(f"{path}: cannot write the workbook: {exc.strerror or exc}") from None
    log.info("wrote %s", path)


# ---------------------------------------------------------------- cells

def _put(ws: Worksheet, row: int, col: int, value: Any, column: Column | None = None) -> None:
    """One cell; text that Excel would take for a formula stays text."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, bool):  # the drop-downs offer yes / no, so write what they show
        value = "yes" if value else "no"
    if isinstance(value, date):
        cell.value = value
        cell.number_format = NUMBER_FORMATS["date"]
        return
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
    elif column is not None and column.kind in NUMBER_FORMATS and isinstance(value, (int, float)):
        cell.number_format = _number_format(column)


def _number_format(column: Column) -> str:
    if column.kind == "number" and column.unit in ("reporting currency", "band currency",
                                                   "band currency / year"):
        return "#,##0"
    return NUMBER_FORMATS[column.kind]


def _header(ws: Worksheet, names: Sequence[str]) -> None:
    for c, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=c, value=name)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Landscape, as wide as one page, header repeated: readable when someone prints it."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _widths(ws: Worksheet, names: Sequence[str], max_width: int = 60) -> None:
    """Width from the longest value shown in each column, within reason."""
    for c, name in enumerate(names, start=1):
        longest = len(name)
        for (value,) in ws.iter_rows(min_row=2, min_col=c, max_col=c, values_only=True):
            if isinstance(value, date):
                longest = max(longest, 7)
            elif isinstance(value, float):
                longest = max(longest, len(f"{value:,.3f}".rstrip("0").rstrip(".")))
            elif value is not None:
                longest = max(longest, len(f"{value:,}" if isinstance(value, int) else str(value)))
        ws.column_dimensions[get_column_letter(c)].width = min(max_width, longest + 3)


# ---------------------------------------------------------------- sheets

def _extra_columns(schema: Sheet, records: Sequence[Record]) -> list[str]:
    """Columns the records carry beyond the schema (e.g. `notes`), in first-seen order."""
    known = {c.name for c in schema.columns}
    extra: list[str] = []
    for rec in records:
        extra += [k for k in rec if k not in known and k not in extra]
    return extra


def _write_table(ws: Worksheet, schema: Sheet, records: Sequence[Record]) -> None:
    columns = list(schema.columns)
    names = [c.name for c in columns] + _extra_columns(schema, records)
    _header(ws, names)
    for r, rec in enumerate(records, start=2):
        for c, name in enumerate(names, start=1):
            col = columns[c - 1] if c <= len(columns) else None
            _put(ws, r, c, rec.get(name), col)
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        rng = f"{letter}2:{letter}{VALIDATED_ROWS + 1}"
        _validate(ws, col, rng, schema.name)
        if col.kind in NUMBER_FORMATS:  # blank rows get the format too, for rows users add
            fmt = NUMBER_FORMATS[col.kind] if col.kind != "number" else _number_format(col)
            for r in range(len(records) + 2, min(len(records) + 52, VALIDATED_ROWS + 2)):
                ws.cell(row=r, column=c).number_format = fmt
    _widths(ws, names)


def _write_settings(ws: Worksheet, schema: Sheet, records: Sequence[Record]) -> None:
    """Key/value rows in schema order; `notes` defaults to the schema's description."""
    given = {rec["key"]: rec for rec in records}
    unknown = set(given) - {c.name for c in schema.columns}
    if unknown:
        raise ValueError(f"Settings keys not in the schema: {sorted(unknown)}")
    names = ["key", "value", "notes"]
    _header(ws, names)
    r = 1
    for col in schema.columns:
        if col.name not in given:
            continue
        rec = given[col.name]
        r += 1
        value = rec.get("value")
        _put(ws, r, 1, col.name)
        _put(ws, r, 2, value, col)
        _put(ws, r, 3, rec.get("notes") or col.description + (f" ({col.unit})" if col.unit else ""))
        _validate(ws, col, f"B{r}", schema.name)
        ws.cell(row=r, column=1).font = Font(bold=True)
        ws.cell(row=r, column=2).alignment = Alignment(horizontal="left")
    _widths(ws, names, max_width=80)


def _write_lists(wb: Workbook) -> None:
    """A hidden sheet holding the long drop-down lists, named for the validations."""
    ws = wb.create_sheet(LISTS)
    ws.sheet_state = "hidden"
    lists = {"country": COUNTRIES, "currency": CURRENCIES, "country_star": ("*", *COUNTRIES)}
    for c, (name, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=c, value=name)
        for r, v in enumerate(values, start=2):
            ws.cell(row=r, column=c, value=v).data_type = "s"
        letter = get_column_letter(c)
        ref = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${len(values) + 1}"
        wb.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)


def _validate(ws: Worksheet, col: Column, rng: str, sheet: str) -> None:
    """Drop-down or range check for one column, following its kind."""
    dv: DataValidation | None = None
    if col.kind == "choice":
        dv = _list_dv(",".join(col.choices))
    elif col.kind == "yesno":
        dv = _list_dv(",".join(YES_NO))
    elif col.kind == "id" and col.name == "role_id" and sheet != "Roles":
        dv = DataValidation(type="list", formula1=f"{quote_sheetname('Roles')}!$A$2:$A$"
                                                  f"{VALIDATED_ROWS + 1}")
    elif col.kind in ("country", "country_star", "currency"):
        dv = DataValidation(type="list", formula1=f"list_{col.kind}")
        if col.kind == "currency":  # the list holds common codes only
            dv.errorStyle = "warning"
    elif col.kind == "pct":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    elif col.kind in ("number", "int"):
        lo = col.minimum if col.minimum is not None else 0
        kind = "whole" if col.kind == "int" else "decimal"
        if col.maximum is not None:
            dv = DataValidation(type=kind, operator="between", formula1=f"{lo:g}",
                                formula2=f"{col.maximum:g}")
        else:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{lo:g}")
    if dv is None:
        return
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = f"{col.name}"
    dv.error = f"{col.name}: expected {_kind_text(col)}."[:255]
    dv.promptTitle = col.name[:32]
    dv.prompt = col.description[:255]
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(rng)


def _list_dv(values: str) -> DataValidation:
    return DataValidation(type="list", formula1=f'"{values}"')


def _kind_text(col: Column) -> str:
    return KIND_TEXT[col.kind].format(choices=", ".join(col.choices))


# ---------------------------------------------------------------- Instructions

def _write_instructions(ws: Worksheet, intro: Sequence[str]) -> None:
    """How to fill in the workbook, then every sheet and column, all from the schema."""
    ws.cell(row=1, column=1, value="How to fill in this workbook").font = TITLE_FONT
    r = 2
    for line in intro:
        _put(ws, r, 1, line)
        r += 1
    r += 1
    names = ["sheet", "column", "required", "default", "unit", "type", "description"]
    for c, name in enumerate(names, start=1):
        cell = ws.cell(row=r, column=c, value=name)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
    header_row = r
    for schema in SHEETS:
        r += 1
        need = "required sheet" if schema.required else "optional sheet"
        for c in range(1, len(names) + 1):
            ws.cell(row=r, column=c).fill = SECTION_FILL
        ws.cell(row=r, column=1, value=schema.name).font = Font(bold=True)
        ws.cell(row=r, column=2, value=need)
        _put(ws, r, 7, schema.description + (" Layout: a key column and a value column; one "
                                              "row per setting below."
                                              if schema.layout == "settings" else ""))
        for col in schema.columns:
            r += 1
            default = "" if col.required else display_default(col.default)
            values = [schema.name, col.name, "yes" if col.required else "no", default,
                      col.unit, _kind_text(col), col.description]
            for c, v in enumerate(values, start=1):
                _put(ws, r, c, v)
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws)
    ws.print_title_rows = f"{header_row}:{header_row}"
    for letter, width in zip("ABCDEFG", (14, 24, 10, 10, 22, 42, 90)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1, max_row=r):
        row[3].alignment = Alignment(horizontal="left", vertical="top")
        row[6].alignment = Alignment(wrap_text=True, vertical="top")


