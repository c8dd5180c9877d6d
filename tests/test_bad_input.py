"""Bad workbooks: one defect each, reported with sheet and cell, exit 2, nothing written."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from staffplan.cli import main
from workbooks import minimal_sheets, write_workbook

Sheets = dict[str, list[list]]


def put(sheets: Sheets, sheet: str, row: int, column: str, value) -> None:
    """Set worksheet row `row` (2 = first record) of `column` in `sheet`."""
    header = sheets[sheet][0]
    sheets[sheet][row - 1][header.index(column)] = value


def setting(sheets: Sheets, key: str, value) -> None:
    for row in sheets["Settings"][1:]:
        if row[0] == key:
            row[1] = value
            return
    sheets["Settings"].append([key, value])


def drop_column(sheets: Sheets, sheet: str, column: str) -> None:
    i = sheets[sheet][0].index(column)
    for row in sheets[sheet]:
        del row[i]


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    before = sorted(p.name for p in path.parent.iterdir())
    code = main(["check", str(path)])
    after = sorted(p.name for p in path.parent.iterdir())
    assert after == before, "check must not write any file"
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 0:  # a good workbook's summary (warnings included) is on stdout (cli.md)
        assert captured.err == ""
        return code, captured.out
    assert captured.out == ""  # problems are messages for people: stderr
    return code, captured.err


def _m(fn: Callable[[Sheets], None]) -> Callable[[Sheets], None]:
    return fn


# (test id, how to break the minimal workbook, fragments the message must contain)
CASES: list[tuple[str, Callable[[Sheets], None], list[str]]] = [
    ("missing_sheet", lambda s: s.pop("Roles"), ["Roles: the sheet is missing"]),
    ("missing_column", lambda s: drop_column(s, "Sites", "it_mw"),
     ["Sites: missing column it_mw"]),
    ("wrong_type", lambda s: put(s, "Sites", 2, "it_mw", "ten"),
     ["Sites!D2: it_mw 'ten' is not a number"]),
    ("negative", lambda s: put(s, "LabourMarket", 2, "cost_per_hire", -5),
     ["LabourMarket!I2: cost_per_hire -5 is negative"]),
    ("inf_text", lambda s: put(s, "SalaryBands", 2, "band_mid", "inf"),
     ["SalaryBands!E2: band_mid 'inf' is not a finite number"]),
    ("nan_text", lambda s: put(s, "Staffing", 3, "per_mw", "nan"),
     ["Staffing!D3: per_mw 'nan' is not a finite number"]),
    ("excel_error", lambda s: put(s, "Sites", 2, "it_mw", "#DIV/0!"),
     ["Sites!D2: it_mw '#DIV/0!' is an Excel error"]),
    ("construction_before_deal", lambda s: put(s, "Sites", 2, "construction_start", "2026-12"),
     ["Sites!F2: construction_start 2026-12 is before deal_start 2027-01"]),
    ("go_live_before_commissioning", lambda s: put(s, "Sites", 2, "go_live", "2027-06-15"),
     ["Sites!H2: go_live 2027-06 is before commissioning_start 2027-07"]),
    ("unknown_role", lambda s: put(s, "Staffing", 3, "role_id", "welder"),
     ["Staffing!A3: role_id welder is not in Roles"]),
    ("unknown_role_in_market", lambda s: put(s, "LabourMarket", 3, "role_id", "welder"),
     ["LabourMarket!B3: role_id welder is not in Roles"]),
    ("unknown_currency", lambda s: put(s, "SalaryBands", 2, "currency", "EUR"),
     ["FX: no rate for currency EUR (used by SalaryBands row 2), which is not the reporting "
      "currency USD; add an FX row for EUR"]),
    ("duplicate_site", lambda s: s["Sites"].append(list(s["Sites"][1])),
     ["Sites!A3: duplicate site_id S1: already given on row 2"]),
    ("duplicate_role", lambda s: s["Roles"].append(list(s["Roles"][1])),
     ["Roles!A4: duplicate role_id eng"]),
    ("duplicate_band", lambda s: s["SalaryBands"].append(list(s["SalaryBands"][2])),
     ["SalaryBands!A4: duplicate band for US / ops"]),
    ("duplicate_market", lambda s: s["LabourMarket"].append(list(s["LabourMarket"][1])),
     ["LabourMarket!A4: duplicate market for US / eng"]),
    ("duplicate_setting", lambda s: s["Settings"].append(["Horizon Months", 6]),
     ["Settings!A9: key horizon_months appears twice"]),
    ("band_min_above_mid", lambda s: put(s, "SalaryBands", 2, "band_min", 150000),
     ["SalaryBands!D2: band_min 150000 is above band_mid 140000"]),
    ("band_mid_above_max", lambda s: put(s, "SalaryBands", 3, "band_mid", 90000),
     ["SalaryBands!E3: band_mid 90000 is above band_max 80000"]),
    ("pct_above_one", lambda s: put(s, "SalaryBands", 2, "on_cost_pct", 25),
     ["SalaryBands!G2: on_cost_pct 25 is above 1"]),
    ("pct_text_above_one", lambda s: put(s, "LabourMarket", 2, "annual_attrition_pct", "120%"),
     ["LabourMarket!H2: annual_attrition_pct '120%' is above 1"]),
    ("fx_reporting_not_one", lambda s: s.update(FX=[["currency", "rate_to_reporting"],
                                                     ["USD", 1.1]]),
     ["FX!B2: rate_to_reporting 1.1 for the reporting currency USD; expected 1"]),
    ("bad_id", lambda s: put(s, "Sites", 2, "site_id", "S-1"),
     ["Sites!A2: site_id 'S-1' has characters other than letters, digits and _"]),
    ("bad_country", lambda s: put(s, "Sites", 2, "country", "usa"),
     ["Sites!C2: country 'usa' is not a country code"]),
    ("bad_currency", lambda s: setting(s, "currency", "Dollar"),
     ["Settings!B5: currency 'Dollar' is not a currency code"]),
    ("demand_without_market", lambda s: s["LabourMarket"].pop(2),
     ["LabourMarket: no row for US / ops, which has demand from 2027-07"]),
    ("lookahead_demand_without_market", lambda s: (
        setting(s, "lookahead_months", 12),
        s["Sites"].append(["S2", "Two", "DE", 5, "2028-03", "2028-06", "2028-09", "2028-12", 0])),
     ["Sites!C3: country DE has no LabourMarket row, yet it has demand for eng, ops from "
      "2028-03"]),
    ("market_without_band", lambda s: s["SalaryBands"].pop(2),
     ["LabourMarket!A3: no SalaryBands row for US / ops"]),
    ("lane_to_itself", lambda s: s.update(Mobility=[
        ["from_country", "to_country", "role_id", "max_per_month", "cost_per_move"],
        ["US", "US", "eng", 1, 1000]]),
     ["Mobility!B2: lane from US to itself"]),
    ("lane_end_without_market", lambda s: s.update(Mobility=[
        ["from_country", "to_country", "role_id", "max_per_month", "cost_per_move"],
        ["US", "DE", "eng", 1, 1000]]),
     ["Mobility!B2: to_country DE has no LabourMarket row for eng"]),
    ("budget_year_outside_horizon", lambda s: s.update(Budget=[
        ["year", "country", "max_cost"], [2027, "*", 1e7], [2030, "US", 1e6]]),
     ["Budget!A3: year 2030 has no horizon month"]),
    ("budget_country_not_planned", lambda s: s.update(Budget=[
        ["year", "country", "max_cost"], [2027, "UK", 1e6]]),
     ["Budget!B2: country UK has no LabourMarket row, so this budget would limit nothing"]),
    ("same_sheet_twice_under_two_spellings", lambda s: s.update({"F X": [
        ["currency", "rate_to_reporting"], ["EUR", 99]], "FX": [
        ["currency", "rate_to_reporting"], ["EUR", 1.1]]}),
     ["'F X'", "both read as the same input sheet; keep one"]),
    ("extra_end_before_start", lambda s: s.update(ExtraDemand=[
        ["country", "role_id", "start", "end", "fte"], ["US", "eng", "2027-05", "2027-03", 1]]),
     ["ExtraDemand!D2: end 2027-03 is before start 2027-05"]),
    ("horizon_zero", lambda s: setting(s, "horizon_months", 0),
     ["Settings!B4: horizon_months 0 is out of range; expected a whole number from 1 to 240"]),
    ("horizon_too_long", lambda s: setting(s, "horizon_months", 241),
     ["Settings!B4: horizon_months 241 is out of range"]),
    ("lookahead_too_long", lambda s: setting(s, "lookahead_months", 121),
     ["Settings!B8: lookahead_months 121 is out of range; expected a whole number from 0 to 120"]),
    ("supply_window_zero", lambda s: setting(s, "supply_window_months", 0),
     ["Settings!B9: supply_window_months 0 is out of range"]),
    ("bad_phase", lambda s: put(s, "Staffing", 2, "phase", "build"),
     ["Staffing!B2: phase 'build' is not allowed; expected one of deal, construction"]),
    ("bad_family", lambda s: put(s, "Roles", 2, "family", "engineers"),
     ["Roles!C2: family 'engineers' is not allowed"]),
    ("missing_setting", lambda s: s["Settings"].pop(4),
     ["Settings: required key currency is missing"]),
    ("fractional_int", lambda s: put(s, "Roles", 2, "ramp_months", 1.5),
     ["Roles!D2: ramp_months 1.5 is not a whole number"]),
    ("bad_month", lambda s: put(s, "Sites", 2, "deal_start", "2027-13"),
     ["Sites!E2: deal_start '2027-13' is not a real date"]),
    ("bad_yesno", lambda s: put(s, "Roles", 3, "contractor_allowed", "maybe"),
     ["Roles!E3: contractor_allowed 'maybe' is not yes or no"]),
    ("blank_required", lambda s: put(s, "Sites", 2, "site_name", None),
     ["Sites!B2: site_name is blank"]),
]


@pytest.mark.parametrize("breaker,fragments", [(c[1], c[2]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_one_defect(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                    breaker: Callable[[Sheets], None], fragments: list[str]) -> None:
    sheets = copy.deepcopy(minimal_sheets())
    breaker(sheets)
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    code, err = run_check(path, capsys)
    assert code == 2
    for fragment in fragments:
        assert fragment in err


def test_three_defects_on_three_sheets_all_reported(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "Sites", 2, "it_mw", -1)
    put(sheets, "Roles", 3, "family", "ops")
    put(sheets, "SalaryBands", 2, "band_max", 100000)
    code, err = run_check(write_workbook(tmp_path / "bad.xlsx", sheets), capsys)
    assert code == 2
    assert "3 problems" in err
    assert "Sites!D2: it_mw -1 is negative" in err
    assert "Roles!C3: family 'ops' is not allowed" in err
    assert "SalaryBands!E2: band_mid 140000 is above band_max 100000" in err


def test_bad_role_id_is_not_reported_again_where_it_is_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "Roles", 2, "ramp_months", "two")  # the row is bad, but eng is still a role
    code, err = run_check(write_workbook(tmp_path / "bad.xlsx", sheets), capsys)
    assert code == 2
    assert "1 problem in" in err
    assert "Roles!D2: ramp_months 'two' is not a number" in err


# ---------------------------------------------------------------- file level

def _xlsx_bytes(sheets: Sheets, tmp_path: Path) -> bytes:
    return write_workbook(tmp_path / "src.xlsx", sheets).read_bytes()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b'</sheetData></worksheet>')


def _file_cases(tmp_path: Path) -> dict[str, tuple[bytes | None, str]]:
    good = _xlsx_bytes(minimal_sheets(), tmp_path / "..")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("notes.txt", "hello")
    return {
        "missing": (None, "no such file"),
        "text": (b"site_id,country\nS1,US\n", "is not an Excel .xlsx workbook"),
        "empty": (b"", "is an empty file"),
        "zip_not_workbook": (zipped.getvalue(), "is a zip file but not an Excel workbook"),
        "password": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "password protected"),
        "truncated": (good[: len(good) // 2], "is a damaged .xlsx file"),
        "corrupt_xml": (_rezip(good, {"xl/worksheets/sheet2.xml": b"<worksheet><sheetData><row"}),
                        "is corrupt or not a valid Excel workbook"),
        "xml_bomb": (_rezip(good, {"xl/worksheets/sheet2.xml": BOMB}), "possible XML bomb"),
    }


@pytest.mark.parametrize("case", ["missing", "text", "empty", "zip_not_workbook", "password",
                                  "truncated", "corrupt_xml", "xml_bomb"])
def test_file_that_is_not_a_usable_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            case: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data, fragment = _file_cases(folder)[case]
    path = folder / "input.xlsx"
    if data is not None:
        path.write_bytes(data)
    code, err = run_check(path, capsys)
    assert code == 2
    assert f"{path}: 1 problem" in err
    assert fragment in err


def test_merged_header_cells_named_by_range(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    path = write_workbook(tmp_path / "merged.xlsx", minimal_sheets())
    wb = openpyxl.load_workbook(path)
    wb["Sites"].merge_cells("A1:B1")
    wb.save(path)
    code, err = run_check(path, capsys)
    assert code == 2
    assert "Sites!A1:B1: merged header cells" in err


def test_merged_data_cells_matter_only_in_schema_columns(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    sheets = minimal_sheets()
    sheets["Roles"][0].append("notes")
    sheets["Roles"][1].append("shared note")
    sheets["Roles"][2].append(None)
    path = write_workbook(tmp_path / "merged.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Roles"].merge_cells("H2:H3")  # the notes column: harmless
    wb.save(path)
    assert main(["check", str(path)]) == 0
    capsys.readouterr()  # that run's summary
    wb["Roles"].merge_cells("F2:F3")  # contractor_premium: row 3 would lose its value
    wb.save(path)
    code, err = run_check(path, capsys)
    assert code == 2
    assert "Roles!F2:F3: merged cells" in err


def test_optional_setting_as_formula_without_result(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    setting(sheets, "mip_gap", "=1/1000")
    code, err = run_check(write_workbook(tmp_path / "f.xlsx", sheets), capsys)
    assert code == 2
    assert "Settings!B9: mip_gap is a formula with no saved result" in err


def test_extra_columns_may_repeat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two `notes` columns are extra columns like any other: ignored, not an error."""
    sheets = minimal_sheets()
    for i, row in enumerate(sheets["Sites"]):
        row += ["notes", "notes"] if i == 0 else ["a", "b"]
    code, err = run_check(write_workbook(tmp_path / "ok.xlsx", sheets), capsys)
    assert code == 0, err


def test_problem_count_is_the_real_total_when_the_list_is_cut(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """250 bad Sites rows: the first 200 are listed, the headline counts all 250."""
    sheets = minimal_sheets()
    good = sheets["Sites"][1]
    it_mw = sheets["Sites"][0].index("it_mw")
    for i in range(250):
        row = list(good)
        row[0] = f"S{i:03d}"
        row[it_mw] = -1
        sheets["Sites"].append(row)
    del sheets["Sites"][1]
    code, err = run_check(write_workbook(tmp_path / "bad.xlsx", sheets), capsys)
    assert code == 2
    assert "250 problems in the input workbook" in err
    assert "... and 50 more problems not listed" in err


def test_whole_number_too_large_for_a_float(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A 400-digit number stored in the sheet XML (openpyxl reads it as a Python int)."""
    sheets = minimal_sheets()
    put(sheets, "Sites", 2, "it_mw", 123456789)
    path = write_workbook(tmp_path / "src.xlsx", sheets)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data.replace(b"<v>123456789</v>", b"<v>" + b"9" * 400 + b"</v>"))
    path.unlink()
    code, err = run_check(bad, capsys)
    assert code == 2
    assert "Sites!D2: it_mw" in err and "is not a finite number" in err
