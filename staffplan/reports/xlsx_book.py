"""The plan workbook's building blocks, shared by the contract sheets (reports.xlsx), the
people sheets (reports.xlsx_people) and the native charts (reports.xlsx_charts).

`Book` wraps an XlsxWriter workbook with one cached Format per style; `Sheet` writes rows top
to bottom (XlsxWriter's `constant_memory` mode) with every text as a text cell (through
`write_string`, or past the first rows of a big table as the very XML XlsxWriter writes for
it, see "streamed rows" below), so text starting with `=`, `+`, `-`, `@`, a tab or a carriage
return stays text; `PeopleSheet` names one sheet written for people. Kept apart from
reports.xlsx so that the sheet modules and the workbook writer import it, and not each other.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from staffplan.results.tables import PlanResult

HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "valign": "vcenter",
          "text_wrap": True}
WIDTH_SAMPLE_ROWS = 400  # column widths come from the first rows (a sample is enough)
A4 = 9  # XlsxWriter's paper code

# Options of every plan workbook. Text never becomes a formula, a number or a link
# (the writers below call write_string anyway); NaN is written as a blank cell.
# A row to write: its values, and one format for all or one per value.
Row = tuple[Sequence[object], Sequence[Format | None] | Format | None]

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
        last = self.rows(start + 1, ((values, fmts) for values in rows))
        self.finish(header_row=start, ncols=len(columns), last_row=last)
        return last

    def rows(self, first: int, rows: Iterable[Row], col: int = 0) -> int:
        """(values, formats) rows from row `first` down, as `row` writes them; returns the last
        row (first - 1 when there are none). The rows go to the sheet's XML in one piece each
        (`_stream_rows`: a large plan has over a million cells), the first ones measured for
        the column widths on the way."""
        it = iter(rows)
        head = next(it, None)
        if head is None:
            return first - 1
        it = itertools.chain([head], it)
        tail = _row_tail(self.ws, first)
        if tail is None:  # cell by cell through XlsxWriter
            last = first - 1
            for last, (values, fmts) in enumerate(it, start=first):
                self.row(last, values, fmts, col)
            return last
        if first < WIDTH_SAMPLE_ROWS:
            sample = self._measured(itertools.islice(it, WIDTH_SAMPLE_ROWS - first), col)
            it = itertools.chain(sample, it)
        return _stream_rows(self, first, it, col, tail)

    def _measured(self, rows: Iterable[Row], col: int) -> Iterable[Row]:
        """The rows unchanged, each measured for the widths as `put` measures a cell."""
        for values, fmts in rows:
            each = fmts if isinstance(fmts, (list, tuple)) else [fmts] * len(values)
            for j, (value, f) in enumerate(zip(values, each), start=col):
                v = _plain(value)
                if v is not None:
                    self.measure(j, v, f)
            yield values, fmts

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


# --------------------------------------------------------------------------- streamed rows
#
# XlsxWriter spends about 5 microseconds a cell (a tuple per cell, kept until the row ends,
# then XML written attribute by attribute), most of the plan's writing time. In
# `constant_memory` mode a finished row is just text in the sheet's row file, so rows of
# plain numbers and plain text are written there directly, as XlsxWriter itself would write
# them; any other cell (text to escape or trim, booleans, dates, other types) is handed to
# XlsxWriter's own writer at its place in the row. tests/test_report_xlsx.py checks that a
# sheet written both ways is the same file, byte for byte. The hooks used are XlsxWriter
# internals; when one is missing (another XlsxWriter) every row goes the usual way.

_HOOKS = ("_write_single_row", "_write_row", "_write_cell", "fh", "table", "previous_row",
          "row_info", "comments", "col_info", "dim_rowmin", "dim_rowmax", "dim_colmin",
          "dim_colmax", "xls_rowmax", "xls_colmax", "xls_strmax")
# Text XlsxWriter changes on the way out (XML escapes, control characters and their _xHHHH_
# escapes, leading or trailing blanks kept with xml:space, rich text): it writes that text.
_NOT_PLAIN = re.compile(r'[&<>"\x00-\x1f\ufffe\uffff]|_x|^\s|\s$')


def _row_tail(ws: Worksheet, first: int) -> str | None:
    """What follows `<row r="N"` in XlsxWriter's tag for a row without properties, when rows
    from `first` on can be streamed; None when they cannot: not constant_memory, a cell
    pending in that row, row or column formats or comments the rows' XML would carry, or
    an XlsxWriter without the hooks used here."""
    if not getattr(ws, "constant_memory", False) or not all(hasattr(ws, h) for h in _HOOKS):
        return None
    if (first < ws.previous_row or ws.table.get(first) or ws.comments or ws.col_info
            or any(r >= first for r in ws.row_info)):
        return None
    out, fh = io.StringIO(), ws.fh
    ws.fh = out
    try:
        ws._write_row(0, None)
    finally:
        ws.fh = fh
    tag = out.getvalue()
    return tag[len('<row r="1"'):] if tag.startswith('<row r="1"') else None


def _stream_rows(sh: Sheet, first: int, rows: Iterable[Row], col: int, tail: str) -> int:
    """Write (values, formats) rows from `first` straight into the sheet's row file;
    `tail` from `_row_tail`. The inner loop is the plan's hottest: a float or plain text
    costs one f-string."""
    ws = sh.ws
    if first > ws.previous_row:
        ws._write_single_row(first)  # the row still pending, as the next write would
    limit = ws.xls_strmax // 2  # longer text: XlsxWriter checks its length
    plain: dict[str, bool] = {}  # text written as it is (the same texts come back often)
    letters: list[str] = []
    fmts_seen: object = None
    styles: list[str] = []
    out: list[str] = []
    fh = ws.fh
    lo_col = hi_col = lo_row = hi_row = -1
    last = first - 1
    for last, (values, fmts) in enumerate(rows, start=first):
        many = isinstance(fmts, (list, tuple))
        width = min(len(values), len(fmts)) if many else len(values)  # as `row`'s zip
        if last >= ws.xls_rowmax or col + width > ws.xls_colmax:
            raise ValueError(f"{sh.name}: row {last} is outside the sheet")
        while len(letters) < width:
            letters.append(xl_col_to_name(col + len(letters)))
        if fmts is not fmts_seen or len(styles) < width:
            # Style ids in column order, as XlsxWriter numbers a format at its first cell.
            fmts_seen = fmts
            each = fmts[:width] if many else [fmts] * width
            styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in each]
        n = last + 1
        cells: list[str] = []
        opened = False  # the row's tag already in the file (a cell XlsxWriter wrote)
        first_j = last_j = -1
        for j in range(width):
            v = values[j]
            t = type(v)
            if t is float or t is int:
                if v - v == 0:  # not NaN, not infinite
                    cells.append(f'<c r="{letters[j]}{n}"{styles[j]}><v>{v:.16G}</v></c>')
                elif styles[j]:
                    cells.append(f'<c r="{letters[j]}{n}"{styles[j]}/>')
                else:
                    continue
            elif t is str and (ok := plain.get(v)) is not False and (  # known, else check
                    ok or plain.setdefault(v, len(v) <= limit and not _NOT_PLAIN.search(v))):
                cells.append(f'<c r="{letters[j]}{n}"{styles[j]} t="inlineStr"><is><t>{v}</t>'
                             "</is></c>")
            elif v is None:
                if not styles[j]:
                    continue
                cells.append(f'<c r="{letters[j]}{n}"{styles[j]}/>')
            else:  # numpy scalars, booleans, dates, text to escape: XlsxWriter's own writer
                sh.put(last, col + j, v, fmts[j] if many else fmts, width=False)
                cell = ws.table[last].pop(col + j, None)
                if cell is None:  # e.g. a numpy NaN without a format: no cell
                    continue
                out.append("" if opened else f'<row r="{n}"{tail}')
                out.extend(cells)
                fh.write("".join(out))
                out.clear()
                cells.clear()
                opened = True
                ws._write_cell(last, col + j, cell)
            if first_j < 0:
                first_j = j
            last_j = j
        if opened or cells:
            if not opened:
                out.append(f'<row r="{n}"{tail}')
            out.extend(cells)
            out.append("</row>")
            lo_col = first_j if lo_col < 0 else min(lo_col, first_j)
            hi_col = max(hi_col, last_j)
            if lo_row < 0:
                lo_row = last
            hi_row = last
            if len(out) > 4000:
                fh.write("".join(out))
                out.clear()
    fh.write("".join(out))
    if lo_row >= 0:
        for attr, value, better in (("dim_rowmin", lo_row, min), ("dim_rowmax", hi_row, max),
                                    ("dim_colmin", col + lo_col, min),
                                    ("dim_colmax", col + hi_col, max)):
            old = getattr(ws, attr)
            setattr(ws, attr, value if old is None else better(old, value))
    ws.previous_row = max(ws.previous_row, last + 1)  # written rows are closed
    return last


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
