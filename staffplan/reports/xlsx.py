"""The Excel plan: sheets for people first, then the machine-readable contract sheets.

Written with XlsxWriter in `constant_memory` mode: each row goes to disk as soon
as the next one starts, so every sheet is written top to bottom (openpyxl, which
the reader still uses, kept every cell as an object and spent most of the
plan's writing time in `save`).

Adding a sheet:

- a contract sheet (spec/workbook.md: header in row 1, one row per key,
  unrounded values) is one `ContractSheet` in `CONTRACT_SHEETS`: its name, a
  function from the result to a DataFrame (or None to leave the sheet out) and
  optional number formats by column;
- a people sheet is one `PeopleSheet(name, function, when)` in
  `staffplan.reports.xlsx_people.PEOPLE_SHEETS`; the function gets a `Sheet`
  (0-based rows and columns, as XlsxWriter counts) and the result, `when` says
  whether the result has the sheet.

Every text value goes through `write_string`, so text starting with `=`, `+`,
`-`, `@`, a tab or a carriage return stays text (`core.xlsx_text`); nothing in
this module writes a formula.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.reports.tables import pressure_explained
from staffplan.results.budgets import BUDGET_COLUMNS
from staffplan.results.changes import CHANGES_COLUMNS
from staffplan.results.tables import (
    COSTS_COLUMNS,
    HEADCOUNT_COLUMNS,
    HIRES_COLUMNS,
    INFLIGHT_COLUMNS,
    PRESSURE_COLUMNS,
    RISK_COLUMNS,
    PlanResult,
)

log = logging.getLogger(__name__)

HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "valign": "vcenter",
          "text_wrap": True}
WIDTH_SAMPLE_ROWS = 400  # column widths come from the first rows (a sample is enough)
A4 = 9  # XlsxWriter's paper code

# Options of every plan workbook. Text never becomes a formula, a number or a link
# (the writers below call write_string anyway); NaN is written as a blank cell.
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False,
                    "strings_to_numbers": False, "strings_to_urls": False}


class Book:
    """The workbook being written, with one cached Format per distinct style."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._formats: dict[tuple, Format] = {}
        self.memo: dict[str, Any] = {}  # values two sheet writers share (the chart data)

    def fmt(self, num_format: str | None = None, **props: Any) -> Format | None:
        """A cell format; None for the default style (cheapest to write)."""
        if num_format:
            props["num_format"] = num_format
        if not props or props == {"num_format": "General"}:
            return None
        key = tuple(sorted(props.items()))
        f = self._formats.get(key)
        if f is None:
            f = self._formats[key] = self.wb.add_format(props)
        return f

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(name))


@dataclass
class Sheet:
    """One worksheet written top to bottom; widths follow what was written."""

    book: Book
    ws: Worksheet
    widths: dict[int, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.ws.name

    def put(self, row: int, col: int, value: object, fmt: Format | None = None,
            width: bool = True) -> None:
        """One cell. Text always as text; numbers as numbers; None and NaN blank."""
        v = _plain(value)
        ws = self.ws
        if v is None:
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
            return
        if isinstance(v, str):
            rc = ws.write_string(row, col, v, fmt)
        elif isinstance(v, bool):
            rc = ws.write_boolean(row, col, v, fmt)
        elif isinstance(v, (int, float)):
            rc = ws.write_number(row, col, v, fmt)
        else:  # dates, decimals and the like: shown as their text
            rc = ws.write_string(row, col, str(v), fmt)
        if rc == -1:  # constant_memory drops a cell above the current row without a word
            raise ValueError(f"{self.name}: cell ({row}, {col}) is outside the sheet or "
                             "above a row already written")
        if width and row < WIDTH_SAMPLE_ROWS:
            self.measure(col, v, fmt)

    def row(self, row: int, values: Sequence[object],
            fmts: Sequence[Format | None] | Format | None = None, col: int = 0) -> int:
        """Cells from `col` on; `fmts` is one format for all or one per value."""
        if not isinstance(fmts, (list, tuple)):
            fmts = [fmts] * len(values)
        for i, (v, f) in enumerate(zip(values, fmts), start=col):
            self.put(row, i, v, f)
        return row

    def header(self, row: int, columns: Sequence[str], col: int = 0) -> None:
        self.row(row, columns, self.book.fmt(**HEADER), col=col)

    def table(self, columns: Sequence[str], rows: Iterable[Sequence[object]],
              formats: Mapping[str, str] | None = None, start: int = 0) -> int:
        """Header at `start`, rows below, frozen, filtered, print-ready. Returns the last row
        (the header row when there are no rows)."""
        self.header(start, columns)
        fmts = [self.book.fmt((formats or {}).get(c)) for c in columns]
        last = start
        for last, values in enumerate(rows, start=start + 1):
            self.row(last, values, fmts)
        self.finish(header_row=start, ncols=len(columns), last_row=last)
        return last

    def frame(self, df: pd.DataFrame, formats: Mapping[str, str] | None = None) -> int:
        """A DataFrame as a contract table, column by column type: numeric columns go
        straight to write_number (NaN blank), others through `put`."""
        columns = [str(c) for c in df.columns]
        self.header(0, columns)
        fmts = [self.book.fmt((formats or {}).get(c)) for c in columns]
        numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                   for t in df.dtypes]
        ws = self.ws
        write_number, put = ws.write_number, self.put
        last = 0
        for last, values in enumerate(df.itertuples(index=False, name=None), start=1):
            if last < WIDTH_SAMPLE_ROWS:
                for c, v in enumerate(values):
                    put(last, c, v, fmts[c])
                continue
            for c, v in enumerate(values):
                if numeric[c]:
                    if v == v and v not in (math.inf, -math.inf):
                        write_number(last, c, v, fmts[c])
                    elif fmts[c] is not None:
                        ws.write_blank(last, c, None, fmts[c])
                else:
                    put(last, c, v, fmts[c], width=False)
        self.finish(header_row=0, ncols=len(columns), last_row=last)
        return last

    def measure(self, col: int, v: object, fmt: Format | None) -> None:
        """Grow the column's width to the shown text (numbers by magnitude)."""
        if isinstance(v, float):
            n = len(f"{v:,.0f}") + (6 if fmt is not None and '"' in (fmt.num_format or "")
                                    else 2)
        else:
            n = len(str(v)) + 2
        if fmt is not None and fmt.bold:
            n += 1
        if n > self.widths.get(col, 0):
            self.widths[col] = n

    def finish(self, header_row: int, ncols: int, last_row: int, cap: int = 60) -> None:
        """Frozen header, autofilter, fitted widths, landscape print fitted to page width."""
        ws = self.ws
        ws.freeze_panes(header_row + 1, 0)
        if ncols:
            ws.autofilter(header_row, 0, max(last_row, header_row), ncols - 1)
            ws.repeat_rows(header_row)
        self.fit_widths(cap=cap)
        self.print_setup()

    def fit_widths(self, cap: int = 60, floor: int = 8) -> None:
        for col, n in self.widths.items():
            self.ws.set_column(col, col, max(floor, min(cap, n)))

    def print_setup(self) -> None:
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4)


def _plain(v: object) -> object:
    """numpy scalars to Python; NaN to None (a blank cell: Excel has no NaN)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and (v != v or v in (math.inf, -math.inf)):
        return None
    return v


# --------------------------------------------------------------------------- sheet lists


@dataclass(frozen=True)
class PeopleSheet:
    """One sheet for people, written by `write`; left out when `when` says no."""

    name: str
    write: Callable[[Sheet, PlanResult], None]
    when: Callable[[PlanResult], bool] = lambda result: True


@dataclass(frozen=True)
class ContractSheet:
    """One machine-readable sheet: its table comes from the result (None: not written)."""

    name: str
    frame: Callable[[PlanResult], pd.DataFrame | None]
    formats: Mapping[str, str] = field(default_factory=dict)


def _summary(result: PlanResult) -> pd.DataFrame:
    return pd.DataFrame(result.summary_rows(), columns=["key", "value"], dtype=object)


def _pressure(result: PlanResult) -> pd.DataFrame:
    return pressure_explained(result)[PRESSURE_COLUMNS + ["explanation"]]


CONTRACT_SHEETS: list[ContractSheet] = [
    ContractSheet("Summary", _summary),
    ContractSheet("Hires", lambda r: r.hires[HIRES_COLUMNS]),
    ContractSheet("Headcount", lambda r: r.headcount[HEADCOUNT_COLUMNS]),
    ContractSheet("Costs", lambda r: r.costs[COSTS_COLUMNS]),
    ContractSheet("Risks", lambda r: r.risks[RISK_COLUMNS]),  # only its header when none
    ContractSheet("Budgets", lambda r: r.budgets[BUDGET_COLUMNS] if r.inputs.budgets else None),
    ContractSheet("Pressure", _pressure),
    # when the input has Requisitions rows
    ContractSheet("InFlight", lambda r: None if r.inflight.empty
                  else r.inflight[INFLIGHT_COLUMNS]),
    # with `plan --previous`
    ContractSheet("Changes", lambda r: None if r.comparison is None
                  else r.comparison.changes[CHANGES_COLUMNS]),
]


# --------------------------------------------------------------------------- the workbook


def write_plan_xlsx(result: PlanResult, path: Path) -> None:
    """Write the whole plan workbook; atomic, so a failure leaves any old file untouched."""
    from staffplan.reports.xlsx_people import PEOPLE_SHEETS  # it imports this module

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        book = Book(wb)
        for people in PEOPLE_SHEETS:
            if people.when(result):
                people.write(book.sheet(people.name), result)
        for spec in CONTRACT_SHEETS:
            df = spec.frame(result)
            if df is not None:
                book.sheet(spec.name).frame(df, spec.formats)
        wb.set_properties({"title": f"Staffing plan: {result.inputs.settings.plan_name}",
                           "author": f"staffplan {__version__}", "subject": "Hiring plan"})
        # On an error above the workbook is never closed: nothing is written, and its
        # row files (temporary files) go with it.
        wb.close()
    log.info("wrote %s", path)
