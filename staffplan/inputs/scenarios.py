"""What-if scenarios: the baseline workbook with the `Scenarios` sheet's changes applied.

A scenario changes the workbook's raw cells, before any typing or validation, and is
then validated exactly as `staffplan check` validates a workbook (reader.inputs_from_raw).
So a scenario's inputs are the inputs of the workbook a person would get by making the
same edits in Excel and saving it as its own file, and its plan is that file's plan.

Every problem names the Scenarios row: a row that names an unknown sheet or column,
matches nothing or has an unusable value; and, for a scenario whose result is invalid,
the problem as `check` reports it, prefixed with the scenario's name (on the row that
last changed the cell concerned, else the scenario's first row).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from staffplan.core.errors import InputError, Problem
from staffplan.core.months import month_label
from staffplan.inputs.data import Inputs
from staffplan.inputs.reader import (
    BadValue,
    RawSheet,
    RawWorkbook,
    convert,
    header_key,
    inputs_from_raw,
    is_blank,
)
from staffplan.inputs.rules import Tables
from staffplan.inputs.schema import SCENARIOS, SHEETS, Column, Sheet

log = logging.getLogger(__name__)

SHEET = SCENARIOS.name
NUMERIC = ("number", "int", "pct")


@dataclass(frozen=True)
class Change:
    """One row of the Scenarios sheet."""

    row: int  # worksheet row, so messages can name it
    scenario: str
    sheet: str
    column: str
    match: str
    change: str  # set, multiply, add, shift_months
    value: str

    def words(self) -> str:
        """The change as a recruiting lead would say it."""
        what = f"{self.sheet} {self.column}"
        conds = _conditions_text(self.match)
        where = f" where {conds}" if conds else " in every row"
        if header_key(self.sheet) == header_key("Settings"):
            key = _settings_key(self)
            what = f"setting {key}" if key else what
            where = ""
        value = self.value
        if self.change == "set":
            return f"{what} set to {value or 'blank'}{where}"
        if self.change == "multiply":
            return f"{what} multiplied by {value}{where}"
        if self.change == "add":
            num = _float(value)
            if num is not None and num < 0:
                return f"{what} reduced by {_num_text(-num)}{where}"
            return f"{what} increased by {value}{where}"
        num = _float(value)
        if num is not None:
            n = int(num)
            side = "later" if n >= 0 else "earlier"
            return f"{what} moved {abs(n)} month{'s' if abs(n) != 1 else ''} {side}{where}"
        return f"{what} shifted by {value} months{where}"


@dataclass
class Scenario:
    """A named scenario: its changes and the validated inputs they give."""

    name: str
    changes: list[Change]
    inputs: Inputs

    def words(self) -> list[str]:
        return [c.words() for c in self.changes]


@dataclass
class _Work:
    """A scenario being applied: copies of the raw sheets it has changed so far."""

    book: RawWorkbook
    sheets: dict[str, RawSheet]
    touched: dict[tuple[str, str], int] = field(default_factory=dict)  # (sheet, cell) -> row

    def rows(self, title: str) -> list[list[Any]]:
        """Writable rows of sheet `title`, copied on first write."""
        sheet = self.sheets[title]
        if sheet is self.book.sheets[title]:
            sheet = RawSheet(title, [list(r) for r in sheet.rows], set(sheet.no_value),
                             list(sheet.merges))
            self.sheets[title] = sheet
        return sheet.rows  # type: ignore[return-value]


def changes_by_scenario(tables: Tables) -> dict[str, list[Change]]:
    """The Scenarios sheet's rows grouped by scenario, scenarios in order of first row."""
    out: dict[str, list[Change]] = {}
    for rec in tables[SHEET]:
        if not rec.complete("scenario", "sheet", "column", "change"):
            continue  # the reader has already reported the blank or bad cell
        out.setdefault(rec["scenario"], []).append(Change(
            row=rec.row, scenario=rec["scenario"], sheet=rec["sheet"], column=rec["column"],
            match=rec["match"] or "", change=rec["change"], value=rec["value"] or ""))
    return out


def build_scenarios(book: RawWorkbook, tables: Tables,
                    names: Sequence[str] | None = None) -> list[Scenario]:
    """Every scenario (or those named), validated; all problems raised at once as InputError."""
    by_name = changes_by_scenario(tables)
    problems: list[Problem] = []
    if names is not None:
        unknown = [n for n in names if n not in by_name]
        for n in unknown:
            known = ", ".join(by_name) or "none"
            problems.append(Problem(SHEET, f"no scenario named {n!r}; the Scenarios sheet has: "
                                           f"{known}"))
        if problems:
            raise InputError(problems, source=str(book.path))
        by_name = {n: by_name[n] for n in names}
    out: list[Scenario] = []
    for name, changes in by_name.items():
        inputs, found = _one(book, name, changes)
        problems += found
        if inputs is not None:
            out.append(Scenario(name, changes, inputs))
    if problems:
        raise InputError(problems, source=str(book.path))
    return out


def _one(book: RawWorkbook, name: str, changes: list[Change]) -> tuple[Inputs | None,
                                                                        list[Problem]]:
    work = _Work(book, dict(book.sheets))
    problems: list[Problem] = []
    for ch in changes:
        try:
            _apply(work, ch)
        except BadValue as exc:
            problems.append(Problem(SHEET, f"{name}: {exc}", row=ch.row))
    if problems:
        return None, problems
    try:
        inputs, _ = inputs_from_raw(RawWorkbook(book.path, book.sha256, work.sheets))
    except InputError as exc:
        first = changes[0].row
        return None, [Problem(SHEET, f"{name}: {p}", row=work.touched.get((p.sheet, p.cell or ""),
                                                                            first))
                      for p in exc.problems]
    inputs.warnings = [f"{name}: {w}" for w in inputs.warnings]
    log.info("scenario %s: %d changes applied", name, len(changes))
    return inputs, []


# --------------------------------------------------------------------------- applying

def _schema(ch: Change) -> Sheet:
    for s in SHEETS:
        if s is not SCENARIOS and header_key(s.name) == header_key(ch.sheet):
            return s
    names = ", ".join(s.name for s in SHEETS if s is not SCENARIOS)
    raise BadValue(f"sheet {ch.sheet!r} is not an input sheet; expected one of {names}")


def _raw_title(work: _Work, schema: Sheet) -> str:
    for title in work.sheets:
        if header_key(title) == header_key(schema.name):
            return title
    raise BadValue(f"the workbook has no {schema.name} sheet to change")


def _apply(work: _Work, ch: Change) -> None:
    schema = _schema(ch)
    title = _raw_title(work, schema)
    if schema.layout == "settings":
        _apply_setting(work, title, schema, ch)
        return
    column = _column(schema, ch.column)
    header_row, index = _header(work.sheets[title])
    if header_row == 0:
        raise BadValue(f"the {schema.name} sheet is empty; nothing to change")
    conditions = _conditions(schema, ch, index)
    target = index.get(header_key(column.name))
    rows = work.sheets[title].rows
    matched = [r for r in range(header_row + 1, len(rows) + 1)
               if _is_record(rows[r - 1], schema, index)
               and all(_current(rows[r - 1], index, c) == v for c, v in conditions)]
    if not matched:
        raise BadValue(f"{_match_text(ch)} matches no row of {schema.name}")
    rows = work.rows(title)
    if target is None:  # an optional column the sheet leaves out: add it at the end
        target = max(len(rows[header_row - 1]), max(index.values()) + 1)
        _set_cell(rows, header_row, target, column.name)
        index[header_key(column.name)] = target
    for r in matched:
        new = _new_value(column, _current(rows[r - 1], index, column), ch)
        _set_cell(rows, r, target, new)
        work.sheets[title].no_value.discard((r, target + 1))
        work.touched[(schema.name, f"{_letter(target)}{r}")] = ch.row


def _apply_setting(work: _Work, title: str, schema: Sheet, ch: Change) -> None:
    """Settings rows are key / value pairs: `column` is `value`, `match` is key=NAME (or
    `column` names the key itself and `match` is blank)."""
    if header_key(ch.column) == "value":
        conds = _parse_conditions(ch.match)
        if len(conds) != 1 or header_key(conds[0][0]) != "key":
            raise BadValue(f"match {ch.match!r}: a Settings change matches one row by "
                           f"key=NAME (e.g. key=horizon_months)")
        key = conds[0][1]
    elif not ch.match.strip():
        key = ch.column
    else:
        raise BadValue(f"column {ch.column!r}: a Settings change sets column value, "
                       f"matched by key=NAME")
    column = next((c for c in schema.columns if header_key(c.name) == header_key(key)), None)
    if column is None:
        raise BadValue(f"Settings has no key {key!r}; expected one of "
                       f"{', '.join(c.name for c in schema.columns)}")
    sheet = work.sheets[title]
    header_row, index = _header(sheet)
    if "key" not in index or "value" not in index:
        raise BadValue("the Settings sheet has no key and value columns to change")
    kc, vc = index["key"], index["value"]
    found = [r for r in range(header_row + 1, len(sheet.rows) + 1)
             if kc < len(sheet.rows[r - 1]) and not is_blank(sheet.rows[r - 1][kc])
             and header_key(sheet.rows[r - 1][kc]) == header_key(column.name)]
    rows = work.rows(title)
    if found:
        r = found[0]
    else:  # the workbook relies on the default: add the key
        rows.append([None] * (max(kc, vc) + 1))
        r = len(rows)
        _set_cell(rows, r, kc, column.name)
    current = _typed(column, rows[r - 1][vc] if vc < len(rows[r - 1]) else None)
    _set_cell(rows, r, vc, _new_value(column, current, ch))
    work.sheets[title].no_value.discard((r, vc + 1))
    work.touched[("Settings", f"{_letter(vc)}{r}")] = ch.row


def _new_value(column: Column, current: Any, ch: Change) -> Any:
    """The raw cell value after the change, as a person would type it; a value the column
    cannot take is written as given, so validation reports it as `check` would."""
    if ch.change == "set":
        if is_blank(ch.value):
            return None
        try:
            return _as_cell(column, convert(column, ch.value))
        except BadValue:
            return ch.value
    if ch.change == "shift_months":
        if column.kind != "date":
            raise BadValue(f"shift_months needs a date column; {ch.column} is not one")
        n = _float(ch.value)
        if n is None or n != int(n):
            raise BadValue(f"value {ch.value!r}: shift_months needs a whole number of months "
                           f"(negative for earlier)")
        if current is None:
            raise BadValue(f"{ch.column} is blank in a matched row; nothing to shift")
        return month_label(current + int(n))
    if column.kind not in NUMERIC:
        raise BadValue(f"{ch.change} needs a number column; {ch.column} is not one")
    x = _float(ch.value)
    if x is None:
        raise BadValue(f"value {ch.value!r}: {ch.change} needs a number")
    if current is None:
        raise BadValue(f"{ch.column} is blank in a matched row; nothing to {ch.change}")
    if isinstance(current, bool):
        current = float(current)
    new = current * x if ch.change == "multiply" else current + x
    return _clean(new)


def _clean(x: float) -> float | int:
    """0.15 + 0.05 is 0.2, not 0.20000000000000001: round away binary noise only."""
    r = round(x, 12)
    return int(r) if r == int(r) and abs(r) < 1e15 else r


def _as_cell(column: Column, typed: Any) -> Any:
    if column.kind == "date":
        return month_label(typed)
    return typed


# --------------------------------------------------------------------------- reading cells

def _header(sheet: RawSheet) -> tuple[int, dict[str, int]]:
    """(header row, header key -> 0-based column), first non-blank row, as the reader does."""
    for r, row in enumerate(sheet.rows, start=1):
        if any(not is_blank(v) for v in row):
            index: dict[str, int] = {}
            for c, v in enumerate(row):
                if not is_blank(v):
                    index.setdefault(header_key(v), c)
            return r, index
    return 0, {}


def _column(schema: Sheet, name: str) -> Column:
    col = next((c for c in schema.columns if header_key(c.name) == header_key(name)), None)
    if col is None:
        raise BadValue(f"{schema.name} has no column {name!r}; expected one of "
                       f"{', '.join(c.name for c in schema.columns)}")
    return col


def _parse_conditions(text: str) -> list[tuple[str, str]]:
    out = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise BadValue(f"match {text!r}: expected column=value conditions joined by ; "
                           f"(e.g. country=JP; role_id=dc_operator)")
        name, value = part.split("=", 1)
        out.append((name.strip(), value.strip()))
    return out


def _conditions(schema: Sheet, ch: Change, index: dict[str, int]) -> list[tuple[Column, Any]]:
    out = []
    for name, text in _parse_conditions(ch.match):
        col = _column(schema, name)
        if header_key(col.name) not in index:
            raise BadValue(f"match {ch.match!r}: {schema.name} has no {col.name} column")
        try:
            value = convert(col, text)
        except BadValue as exc:
            raise BadValue(f"match {ch.match!r}: {col.name} {text!r} {exc}") from None
        out.append((col, value))
    return out


def _is_record(row: Sequence[Any], schema: Sheet, index: dict[str, int]) -> bool:
    """A row the reader reads (blank rows are skipped)."""
    cols = [index[header_key(c.name)] for c in schema.columns if header_key(c.name) in index]
    return any(i < len(row) and not is_blank(row[i]) for i in cols)


def _current(row: Sequence[Any], index: dict[str, int], column: Column) -> Any:
    i = index.get(header_key(column.name))
    return _typed(column, row[i] if i is not None and i < len(row) else None)


def _typed(column: Column, raw: Any) -> Any:
    if is_blank(raw):
        return column.default
    try:
        return convert(column, raw)
    except BadValue:
        return None  # matches nothing; validation reports the cell itself


def _set_cell(rows: list[list[Any]], r: int, c: int, value: Any) -> None:
    while len(rows) < r:
        rows.append([])
    row = rows[r - 1]
    if len(row) <= c:
        row.extend([None] * (c + 1 - len(row)))
    row[c] = value


def _letter(c: int) -> str:
    return get_column_letter(c + 1)


def _float(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    try:
        x = float(str(text).strip().replace("_", "x"))
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _num_text(x: float) -> str:
    return f"{x:g}"


def _conditions_text(match: str) -> str:
    try:
        conds = _parse_conditions(match)
    except BadValue:
        return match
    return " and ".join(f"{k} is {v}" for k, v in conds)


def _match_text(ch: Change) -> str:
    return f"match {ch.match!r}" if ch.match.strip() else "the change"


def _settings_key(ch: Change) -> str | None:
    try:
        conds = _parse_conditions(ch.match)
    except BadValue:
        return None
    if len(conds) == 1 and header_key(conds[0][0]) == "key":
        return conds[0][1]
    return ch.column if not conds else None
