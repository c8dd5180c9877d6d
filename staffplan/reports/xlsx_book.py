"""The plan workbook's building blocks, shared by the contract sheets (reports.xlsx), the
people sheets (reports.xlsx_people) and the native charts (reports.xlsx_charts).

`Book` wraps an XlsxWriter workbook with one cached Format per style; `Sheet` writes rows top
to bottom (XlsxWriter's `constant_memory` mode) with every text through `write_string`, so
text starting with `=`, `+`, `-`, `@`, a tab or a carriage return stays text; `PeopleSheet`
names one sheet written for people. Kept apart from reports.xlsx so that the sheet modules
and the workbook writer import it, and not each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from staffplan.results.tables import PlanResult

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
        if row >= WIDTH_SAMPLE_ROWS:
            self._fast_row(row, values, fmts, col)
            return row
        for i, (v, f) in enumerate(zip(values, fmts), start=col):
            self.put(row, i, v, f)
        return row

    def _fast_row(self, row: int, values: Sequence[object], fmts: Sequence[Format | None],
                  col: int = 0) -> None:
        """`put` for rows past the width sample, dispatching on the exact type first: most of
        a big plan's cells are plain floats and strings (a million on the large benchmark)."""
        ws = self.ws
        for i, (v, f) in enumerate(zip(values, fmts), start=col):
            t = type(v)
            if t is float:
                if v - v == 0.0:  # not NaN, not infinite
                    rc = ws.write_number(row, i, v, f)
                elif f is not None:
                    rc = ws.write_blank(row, i, None, f)
                else:
                    continue
            elif t is str:
                rc = ws.write_string(row, i, v, f)
            else:
                self.put(row, i, v, f, width=False)
                continue
            if rc == -1:
                raise ValueError(f"{self.name}: cell ({row}, {i}) is outside the sheet or "
                                 "above a row already written")

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
        """A DataFrame as a contract table: header in row 1, one row per record."""
        return self.table([str(c) for c in df.columns], rows_of(df), formats)

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


def rows_of(df: pd.DataFrame) -> Iterable[tuple]:
    """The rows of a DataFrame as tuples of plain Python values (numpy floats and ints to
    float and int, missing values to None). Column lists are much faster than itertuples
    over a frame with object or extension columns."""
    cols = []
    for name in df.columns:
        col = df[name]
        if pd.api.types.is_float_dtype(col.dtype):
            cols.append(col.to_numpy(dtype=float).tolist())  # NaN stays NaN: written blank
        else:
            cols.append([None if v is pd.NA or v is pd.NaT else v
                         for v in col.astype(object).tolist()])
    return zip(*cols)


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
