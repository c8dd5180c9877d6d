"""The Excel plan: contract sheets exact and unrounded, people sheets first, no formula text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from conftest import FORMULA_ROLE, HOSTILE_PLAN
from staffplan.reports import tables as rt
from staffplan.reports import xlsx_book
from staffplan.reports.xlsx import write_plan_xlsx
from staffplan.results.tables import (
    COSTS_COLUMNS,
    HEADCOUNT_COLUMNS,
    HIRES_COLUMNS,
    PRESSURE_COLUMNS,
    RISK_COLUMNS,
    PlanResult,
)

MACHINE = ["Summary", "Hires", "Headcount", "Costs", "Risks", "Pressure"]
PEOPLE = ["Overview", "Requisitions", "Headcount by quarter", "Cost by year", "Unmet demand",
          "Assumptions"]


def _write(result: PlanResult, tmp_path: Path, name: str = "plan.xlsx") -> openpyxl.Workbook:
    path = tmp_path / name
    write_plan_xlsx(result, path)
    return openpyxl.load_workbook(path)


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _same(a: object, b: object) -> bool:
    if isinstance(b, float) or isinstance(a, float):
        # unrounded: openpyxl stores 16 significant digits, more than Excel shows (15)
        return math.isclose(float(a), float(b), rel_tol=1e-15, abs_tol=0)
    return a == b


@pytest.fixture(scope="module")
def hostile_wb(hostile_result, tmp_path_factory) -> openpyxl.Workbook:
    return _write(hostile_result, tmp_path_factory.mktemp("xlsx"))


def test_people_sheets_come_first_then_the_contract_sheets(hostile_wb):
    names = hostile_wb.sheetnames
    assert names[-len(MACHINE):] == MACHINE
    for sheet in PEOPLE:
        assert names.index(sheet) < names.index("Summary")
    assert names[0] == "Overview"


@pytest.mark.parametrize("sheet,columns,attr", [
    ("Hires", HIRES_COLUMNS, "hires"),
    ("Headcount", HEADCOUNT_COLUMNS, "headcount"),
    ("Costs", COSTS_COLUMNS, "costs"),
    ("Risks", RISK_COLUMNS, "risks"),
])
def test_contract_sheets_hold_the_result_tables_unrounded(hostile_wb, hostile_result, sheet,
                                                          columns, attr):
    rows = _rows(hostile_wb[sheet])
    assert list(rows[0]) == columns
    df = getattr(hostile_result, attr)
    assert len(rows) - 1 == len(df) > 0
    for got, want in zip(rows[1:], df[columns].itertuples(index=False, name=None)):
        assert all(_same(g, w) for g, w in zip(got, want)), (got, want)


def test_summary_is_the_key_value_list(hostile_wb, hostile_result):
    rows = _rows(hostile_wb["Summary"])
    assert rows[0] == ("key", "value")
    got = dict(rows[1:])
    for key, value in hostile_result.summary_rows():
        assert _same(got[key], value), key
    assert got["plan_name"] == HOSTILE_PLAN
    assert got["mode"] == "integer" and got["status"] == "optimal"


def test_pressure_sheet_explains_each_shadow_price(tmp_path, hostile_lp_result):
    rows = _rows(_write(hostile_lp_result, tmp_path)["Pressure"])
    assert list(rows[0]) == PRESSURE_COLUMNS + ["explanation"]
    p = hostile_lp_result.pressure
    assert len(rows) - 1 == len(p) > 0
    assert {"supply", "requirement"} <= set(p["kind"])
    cur = hostile_lp_result.inputs.settings.currency
    for row in rows[1:]:
        rec = dict(zip(rows[0], row))
        assert rt.fmt_money(rec['value'], cur) in rec["explanation"]
        words = "would save" if rec["kind"] == "supply" else "would cost"
        assert words in rec["explanation"] and rec["country"] in rec["explanation"]


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path, hostile_result):
    settings = dataclasses.replace(hostile_result.inputs.settings, plan_name="=1+2")
    inputs = dataclasses.replace(hostile_result.inputs, settings=settings)
    warnings = ["+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx"]
    wb = _write(dataclasses.replace(hostile_result, inputs=inputs, warnings=warnings), tmp_path)
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert dict(_rows(wb["Summary"])[1:])["plan_name"] == "=1+2"
    assert {"=1+2", FORMULA_ROLE, "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"} <= texts


def test_write_is_atomic_and_replaces_the_old_file(tmp_path, hostile_result, monkeypatch):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"old plan")

    def broken_close(self):
        Path(self.filename).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
    with pytest.raises(OSError, match="disk full"):
        write_plan_xlsx(hostile_result, path)
    assert path.read_bytes() == b"old plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]
    monkeypatch.undo()
    write_plan_xlsx(hostile_result, path)
    assert openpyxl.load_workbook(path).sheetnames[-1] == "Pressure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_risks_sheet_is_only_its_header_when_nothing_is_unmet(tmp_path, hostile_result):
    calm = dataclasses.replace(hostile_result, risks=hostile_result.risks.iloc[0:0])
    assert _rows(_write(calm, tmp_path)["Risks"]) == [tuple(RISK_COLUMNS)]


def test_people_see_unmet_months_as_spans_of_one_reason(hostile_result):
    """Consecutive months of a pair with the same reason form one span; a change of reason or
    a gap starts another."""
    import pandas as pd

    risks = pd.DataFrame([
        ("JP", "eng", "2027-03", 1.0, "time_to_fill", "a"),
        ("JP", "eng", "2027-04", 2.0, "time_to_fill", "b"),
        ("JP", "eng", "2027-05", 0.5, "supply", "c"),
        ("JP", "eng", "2027-07", 0.5, "supply", "d"),
        ("US", "eng", "2027-08", 1.0, "supply", "e"),
    ], columns=RISK_COLUMNS)
    g = rt.risk_groups(dataclasses.replace(hostile_result, risks=risks))
    spans = sorted(zip(g["country"], g["first_month"], g["last_month"], g["months"],
                       g["unmet_fte_months"], g["reason"], g["detail"]))
    assert spans == [("JP", "2027-03", "2027-04", 2, 3.0, "time_to_fill", "b"),
                     ("JP", "2027-05", "2027-05", 1, 0.5, "supply", "c"),
                     ("JP", "2027-07", "2027-07", 1, 0.5, "supply", "d"),
                     ("US", "2027-08", "2027-08", 1, 1.0, "supply", "e")]


def test_requisitions_sheet_is_ready_for_an_applicant_tracking_system(tmp_path, hostile_result):
    """Months to open and start are real Excel dates shown as yyyy-mm; the band's pay range is
    in its own currency (JP ops: JPY 4,500,000 to 7,000,000); the sheet is sorted by the month
    to open and has a filter on every column."""
    import datetime as dt

    path = tmp_path / "p.xlsx"
    write_plan_xlsx(hostile_result, path)
    ws = openpyxl.load_workbook(path)["Requisitions"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["Open requisition", "Start month", "Country", "Site", "Role",
                          "Role id", "Hires", "Pay point", "Annual salary"]
    rows = list(ws.iter_rows(min_row=2))
    assert rows and all(isinstance(r[0].value, dt.datetime) and r[0].value.day == 1
                        and r[0].number_format == "yyyy-mm" for r in rows)
    opens = [r[0].value for r in rows]
    assert opens == sorted(opens)
    jp_ops = [r for r in rows if r[2].value == "JP" and r[5].value == "ops"]
    assert jp_ops and {(r[9].value, r[10].value, r[11].value) for r in jp_ops} == {
        (4_500_000, 7_000_000, "JPY")}
    assert jp_ops[0][9].number_format == '"JPY "#,##0'
    assert ws.auto_filter.ref == f"A1:M{len(rows) + 1}"
    assert sum(r[6].value for r in rows) == pytest.approx(
        hostile_result.hires.query("source == 'new'")["hires"].sum())


def test_overview_mirrors_the_reports_first_screen(tmp_path, hostile_result):
    from staffplan.reports.html import build_context

    path = tmp_path / "p.xlsx"
    write_plan_xlsx(hostile_result, path)
    ws = openpyxl.load_workbook(path)["Overview"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    ctx = build_context(hostile_result, with_charts=False)
    d = ctx["decision"]
    assert f"Open {d['hires']} requisitions, {d['span']}" in " ".join(text)
    assert "To approve now" in text and "Risks that matter most" in text
    assert ctx["top_risks"][0] in text
    by_country = {r[0].value: r for r in ws.iter_rows() if r[0].value in ("JP", "US")
                  and isinstance(r[2].value, (int, float))}
    assert rt.fmt_money(by_country["JP"][2].value, "USD") == d["countries"][0]["cost"]


# Values a plan's big tables can hold past the width sample, where rows are streamed into the
# sheet's XML (xlsx_book._stream_rows); each row mixes them in another order.
AWKWARD = [1.5, -0.0, 1e-300, 12345678901234567.0, 3, -7, float("nan"), float("inf"), None,
           "plain", "=1+2", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "R&D",
           "a & b < c > d \"e\"", "quote \"q\"",
           " lead", "trail ", "\ttab", "line\nbreak", "bell\x07", "_x0041_ literal",
           "<r><t>rich?</t></r>", "x" * 20000, "日本 ✓", True, False, np.float64(2.25),
           np.int64(4), np.float64("nan"), dt.date(2027, 5, 1), pd.Timestamp("2027-05-01")]


def _sheet_xml(tmp_path: Path, name: str, stream: bool, monkeypatch) -> tuple[bytes, bytes]:
    """A table of AWKWARD rows (one format per column, some none) written through Sheet.table,
    streamed or cell by cell; the sheet's and the styles' XML."""
    if not stream:
        monkeypatch.setattr(xlsx_book, "_row_tail", lambda ws, first: None)
    path = tmp_path / name
    wb = xlsxwriter.Workbook(str(path), xlsx_book.WORKBOOK_OPTIONS)
    sh = xlsx_book.Book(wb).sheet("T")
    n = len(AWKWARD)
    rows = [[AWKWARD[(i + j) % n] for j in range(7)] for i in range(xlsx_book.WIDTH_SAMPLE_ROWS
                                                                      + 3 * n)]
    rows[-5] = [None] * 7  # a row with no cell at all
    last = sh.table([f"c{j}" for j in range(7)], rows,
                    {"c1": "#,##0.0", "c3": '"JPY "#,##0', "c4": "0.00", "c6": "0%"})
    sh.put(last + 2, 0, "A note under the table.")
    wb.close()
    monkeypatch.undo()
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml"), z.read("xl/styles.xml")


def test_streamed_rows_are_the_sheet_xlsxwriter_writes_cell_by_cell(tmp_path, monkeypatch):
    """Past the width sample, rows go straight into the sheet's XML; written cell by cell
    through XlsxWriter instead, the sheet and its styles are the same bytes, for numbers, NaN
    and infinity (blank), text that looks like a formula or needs escaping, blanks at either
    end, control characters, text longer than Excel's limit, booleans, numpy scalars and
    dates."""
    streamed = _sheet_xml(tmp_path, "streamed.xlsx", True, monkeypatch)
    cell_by_cell = _sheet_xml(tmp_path, "cells.xlsx", False, monkeypatch)
    assert streamed[0].count(b"<row ") > xlsx_book.WIDTH_SAMPLE_ROWS + 2 * len(AWKWARD)
    assert streamed == cell_by_cell
    ws = openpyxl.load_workbook(tmp_path / "streamed.xlsx")["T"]
    texts = [c for row in ws.iter_rows(min_row=xlsx_book.WIDTH_SAMPLE_ROWS + 1) for c in row
             if isinstance(c.value, str)]
    assert {"=1+2", "@SUM(1)", "a & b < c > d \"e\"", " lead"} <= {c.value for c in texts}
    assert all(c.data_type != "f" for c in texts)


def test_a_streamed_row_cannot_be_written_again(tmp_path):
    """Rows streamed into the sheet are closed: a later cell in one of them is refused with
    the sheet's name (constant_memory would drop it silently), a cell below them is written.
    (Where the streaming hooks are missing, rows are written one by one and the same holds.)"""
    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), xlsx_book.WORKBOOK_OPTIONS)
    sh = xlsx_book.Book(wb).sheet("T")
    last = sh.rows(0, [([float(i), "x"], None) for i in range(xlsx_book.WIDTH_SAMPLE_ROWS + 10)])
    with pytest.raises(ValueError, match="T: cell"):
        sh.put(last - 1, 2, "late")
    sh.put(last + 1, 0, "below")
    wb.close()
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert ws.cell(last + 1, 1).value == float(last) and ws.cell(last + 2, 1).value == "below"
