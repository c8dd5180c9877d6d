"""The Excel plan: sheets for people first, then the machine-readable contract sheets.

The contract sheets (`Summary`, `Hires`, `Headcount`, `Costs`, and `Pressure`
with an `explanation` column) are spec/workbook.md exactly: header in row 1,
one row per key, unrounded values. The people sheets are built in
`report_xlsx_people.py` from the same tables the HTML report uses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.core.xlsx_text import looks_like_formula
from staffplan.reports.tables import pressure_explained
from staffplan.results.changes import CHANGES_COLUMNS
from staffplan.results.tables import (
    COSTS_COLUMNS,
    HEADCOUNT_COLUMNS,
    HIRES_COLUMNS,
    PRESSURE_COLUMNS,
    PlanResult,
)

log = logging.getLogger(__name__)

# Text starting with one of these would be read by Excel as a formula (or DDE).

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)


def write_plan_xlsx(result: PlanResult, path: Path) -> None:
    """Write the whole plan workbook; atomic, so a failure leaves any old file untouched."""
    from staffplan.reports.xlsx_people import add_people_sheets

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    add_people_sheets(wb, result)
    add_machine_sheets(wb, result)
    wb.properties.title = f"Staffing plan: {result.inputs.settings.plan_name}"
    wb.properties.creator = f"staffplan {__version__}"
    wb.properties.subject = "Hiring plan"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    log.info("wrote %s", path)


def add_machine_sheets(wb: Workbook, result: PlanResult) -> None:
    """The contract sheets, after the people sheets, in spec order."""
    summary = wb.create_sheet("Summary")
    write_table(summary, ["key", "value"], result.summary_rows())
    tables = [("Hires", HIRES_COLUMNS, result.hires), ("Headcount", HEADCOUNT_COLUMNS,
                                                        result.headcount),
              ("Costs", COSTS_COLUMNS, result.costs)]
    for name, cols, df in tables:
        write_table(wb.create_sheet(name), cols, df[cols].itertuples(index=False, name=None))
    pressure = pressure_explained(result)
    cols = PRESSURE_COLUMNS + ["explanation"]
    write_table(wb.create_sheet("Pressure"), cols, pressure[cols].itertuples(index=False,
                                                                             name=None))
    if result.comparison is not None:  # with `plan --previous`
        changes = result.comparison.changes
        write_table(wb.create_sheet("Changes"), CHANGES_COLUMNS,
                    changes[CHANGES_COLUMNS].itertuples(index=False, name=None))


# --------------------------------------------------------------------------- cell helpers


def safe_append(ws: Worksheet, values: Sequence[object]) -> int:
    """Append a row; text that Excel would read as a formula stays text. Returns the row."""
    ws.append([_plain(v) for v in values])
    # append() keeps the row it wrote; ws.max_row scans every cell (quadratic over a sheet).
    row = ws._current_row
    for i, v in enumerate(values, start=1):
        if looks_like_formula(v):
            cell = ws.cell(row=row, column=i)
            cell.value = v
            cell.data_type = "s"
    return row


def put(ws: Worksheet, row: int, col: int, value: object, number_format: str | None = None):
    """Set one cell, never as a formula from text."""
    cell = ws.cell(row=row, column=col)
    cell.value = _plain(value)
    if looks_like_formula(value):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _plain(v: object) -> object:
    """numpy scalars to Python, so openpyxl writes them as numbers."""
    item = getattr(v, "item", None)
    return item() if callable(item) and not isinstance(v, (str, bytes)) else v


def style_header(ws: Worksheet, row: int, ncols: int, col: int = 1) -> None:
    for c in range(col, col + ncols):
        cell = ws.cell(row=row, column=c)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGN


def write_table(ws: Worksheet, columns: Sequence[str], rows: Iterable[Sequence[object]],
                formats: dict[str, str] | None = None) -> int:
    """Header in row 1, rows below, styled, frozen and filtered. Returns the last row."""
    safe_append(ws, columns)
    style_header(ws, 1, len(columns))
    last = 1
    for values in rows:
        last = safe_append(ws, values)
    if formats:
        for i, name in enumerate(columns, start=1):
            fmt = formats.get(name)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                    cell.number_format = fmt
    finish_sheet(ws, header_row=1, ncols=len(columns), last_row=last)
    return last


def finish_sheet(ws: Worksheet, header_row: int, ncols: int, last_row: int) -> None:
    """Frozen header, autofilter, fitted widths, landscape print fitted to page width."""
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if ncols:
        ws.auto_filter.ref = (f"A{header_row}:{get_column_letter(ncols)}"
                              f"{max(last_row, header_row)}")
        ws.print_title_rows = f"{header_row}:{header_row}"
    fit_widths(ws)
    print_setup(ws)


def print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4


def fit_widths(ws: Worksheet, sample: int = 400, cap: int = 60, skip_rows: int = 0) -> None:
    """Column widths from the longest shown text in the first rows (numbers by magnitude)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=1 + skip_rows, max_row=min(ws.max_row, sample + skip_rows)):
        for cell in row:
            v = cell.value
            if v is None:
                continue
            if isinstance(v, float):
                n = len(f"{v:,.0f}") + (6 if "\"" in (cell.number_format or "") else 2)
            else:
                n = len(str(v)) + 2
            if cell.font is not None and cell.font.b:
                n += 1
            widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, n in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(cap, n))
