"""Reading workbooks as people really fill them in."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from staffplan.core.errors import InputError
from staffplan.core.months import month_index
from staffplan.inputs.reader import _norm, read_workbook
from staffplan.inputs.schema import SHEETS
from workbooks import MINIMAL_REQUIREMENT, minimal_sheets, write_workbook


def _patch_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    """Edit one XML part inside the xlsx zip (openpyxl cannot write cached formula values)."""
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                assert old in body
                body = body.replace(old, new)
            dst.writestr(info.filename, body)
    path.write_bytes(out.getvalue())


def test_clean_workbook(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "in.xlsx", minimal_sheets())
    inputs = read_workbook(path)
    s = inputs.settings
    assert (s.plan_name, s.horizon_start, s.horizon_months) == (
        "Minimal plan", month_index(2027, 1), 12)
    assert (s.currency, s.unmet_penalty, s.lookahead_months) == ("USD", 50000, 0)
    # Defaults from the schema for keys the sheet leaves out.
    assert (s.severance_months, s.supply_window_months, s.integer_hires) == (3.0, 1, True)
    assert (s.time_limit_s, s.mip_gap) == (60.0, 0.001)
    (site,) = inputs.sites
    assert (site.site_id, site.country, site.it_mw) == ("S1", "US", 10)
    assert (site.deal_start, site.go_live) == (month_index(2027, 1), month_index(2027, 10))
    assert inputs.roles["eng"].contractor_allowed is True
    assert inputs.roles["ops"].contractor_allowed is False
    assert inputs.roles["eng"].max_contractor_share == 0.5
    assert inputs.bands["US", "eng"].at("mid") == 140000
    assert inputs.markets["US", "ops"].supply("min") == 3
    assert inputs.fx == {} and inputs.mobility == [] and inputs.budgets == []
    assert inputs.requirement == MINIMAL_REQUIREMENT
    assert inputs.source == path
    assert inputs.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert inputs.warnings == []


def _messy_sheets() -> dict[str, list[list]]:
    """The minimal plan as a person might type it: odd names, mixed formats, blank rows."""
    s = minimal_sheets()
    return {
        " settings ": [["Key", " VALUE "], ["Plan Name", "Minimal plan"],
                       [" horizon_start", datetime(2027, 1, 15)], ["HORIZON MONTHS", "12"],
                       ["currency", " USD "], [None, None], ["unmet-penalty", 50000.0],
                       ["fte_per_24x7_post", 5], ["lookahead_months", 0],
                       ["owner", "Jo"]],
        "Notes": [["anything", "here"]],
        "SITES": [["Notes", " Site Id ", "SITE NAME", "Country", "IT MW", "deal start",
                   "Construction_Start", "commissioning-start", "Go Live", "extra"],
                  [None] * 10,
                  ["first site", "S1", "Site one", "US", "=5*2", date(2027, 1, 31), "2027-03-01",
                   "2027-07", datetime(2027, 10, 1), "x"]],  # mw_ramp_months left out
        "Roles": [["role_id", "role_name", "family", "ramp_months", "contractor_allowed",
                   "contractor_premium", "max_contractor_share"],
                  ["eng", "Engineer", "Engineering", 1.0, True, 1.5, "50%"],
                  [None, None, None, None, None, None, None],
                  ["ops", "Operator", "operations", 0, "N", 1.5, 0]],
        "staffing": s["Staffing"][:3] + [[None] * 5] + s["Staffing"][3:],
        "Salary Bands": s["SalaryBands"],
        "labour_market": [row[:7] + [row[7], row[8]] for row in s["LabourMarket"]],
    }


def test_messy_workbook_reads_like_the_clean_one(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "messy.xlsx", _messy_sheets())
    wb = openpyxl.load_workbook(path)
    wb["labour_market"]["H2"].value = 0.1
    wb["labour_market"]["H2"].number_format = "0%"  # a percent-formatted cell holds 0.1
    wb.save(path)
    # openpyxl writes formulas without a result; store the result Excel would have saved.
    _patch_member(path, "xl/worksheets/sheet3.xml", b"<f>5*2</f><v />", b"<f>5*2</f><v>10</v>")

    inputs = read_workbook(path)
    clean = read_workbook(write_workbook(tmp_path / "clean.xlsx", minimal_sheets()))
    assert inputs.settings == clean.settings
    assert inputs.sites == clean.sites
    assert inputs.roles == clean.roles
    assert inputs.staffing == clean.staffing
    assert inputs.bands == clean.bands
    assert inputs.markets == clean.markets
    assert inputs.requirement == MINIMAL_REQUIREMENT
    assert inputs.warnings == ["Settings!A10: unknown key 'owner' ignored"]


def test_percent_forms_are_the_same_fraction(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["SalaryBands"][1][6] = "25%"
    sheets["SalaryBands"][2][6] = " 25 % "
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    inputs = read_workbook(path)
    assert inputs.bands["US", "eng"].on_cost_pct == pytest.approx(0.25)
    assert inputs.bands["US", "ops"].on_cost_pct == pytest.approx(0.25)


def test_formula_without_saved_result_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["Sites"][1][3] = "=5*2"
    sheets["Sites"][0].append("notes")
    sheets["Sites"][1].append("=A2")  # an ignored column may hold anything
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    with pytest.raises(InputError) as err:
        read_workbook(path)
    assert [str(p) for p in err.value.problems] == [
        "Sites!D2: it_mw is a formula with no saved result; open the workbook in Excel and save it"]


def test_optional_sheets_are_read(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["SalaryBands"][1][2] = "EUR"
    sheets["FX"] = [["currency", "rate_to_reporting"], ["EUR", 1.1], ["USD", 1]]
    sheets["LabourMarket"].append(["DE", "eng", 2, 2, 1, 0, 0, "10%", 8000])
    sheets["SalaryBands"].append(["DE", "eng", "EUR", 70000, 80000, 90000, 0.3, 0.02])
    sheets["Mobility"] = [["from_country", "to_country", "role_id", "max_per_month",
                           "cost_per_move"], ["DE", "US", "eng", 1, 20000]]
    sheets["Budget"] = [["year", "country", "max_cost"], ["all", "*", 1e7], [2027, "DE", 5e5]]
    sheets["ExtraDemand"] = [["country", "role_id", "start", "end", "fte"],
                             ["DE", "eng", "2027-02", "2027-03", 1.5]]
    inputs = read_workbook(write_workbook(tmp_path / "in.xlsx", sheets))
    assert inputs.fx == {"EUR": 1.1, "USD": 1}
    assert inputs.rate("EUR") == 1.1
    assert [(b.year, b.country, b.max_cost, b.row) for b in inputs.budgets] == [
        (None, None, 1e7, 2), (2027, "DE", 5e5, 3)]
    assert inputs.mobility[0].cost_per_move == 20000
    assert inputs.requirement["DE", "eng"] == [0, 1.5, 1.5] + [0] * 9


def test_integer_mode_warns_about_pay_points_that_yield_nobody(tmp_path: Path) -> None:
    sheets = minimal_sheets()
    sheets["LabourMarket"][1][5] = 0.25  # supply_at_mid for US / eng
    sheets["Settings"].append(["supply_window_months", 2])
    inputs = read_workbook(write_workbook(tmp_path / "in.xlsx", sheets))
    (warning,) = inputs.warnings
    assert "LabourMarket row 2 (US / eng): supply_at_mid 0.25 x supply_window_months 2" in warning
    assert "raise supply_window_months to 4, or the supply to at least 0.5 a month" in warning
    sheets["Settings"].append(["integer_hires", "no"])
    assert read_workbook(write_workbook(tmp_path / "lp.xlsx", sheets)).warnings == []


def test_schema_names_stay_distinct_after_normalising() -> None:
    """The reader ignores case, spaces and _; no two names of one sheet may collide."""
    assert len({_norm(s.name) for s in SHEETS}) == len(SHEETS)
    for sheet in SHEETS:
        assert len({_norm(c.name) for c in sheet.columns}) == len(sheet.columns), sheet.name


def _big_sites_xml(n: int) -> bytes:
    head = ["site_id", "site_name", "country", "it_mw", "deal_start", "construction_start",
            "commissioning_start", "go_live", "mw_ramp_months"]
    cols = "ABCDEFGHI"

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    rows = ['<row r="1">' + "".join(text(f"{c}1", h) for c, h in zip(cols, head)) + "</row>"]
    for r in range(2, n + 2):
        rows.append(
            f'<row r="{r}">{text(f"A{r}", f"S{r}")}{text(f"B{r}", "Site")}{text(f"C{r}", "US")}'
            f'<c r="D{r}"><v>10</v></c>{text(f"E{r}", "2027-01")}{text(f"F{r}", "2027-03")}'
            f'{text(f"G{r}", "2027-07")}{text(f"H{r}", "2027-10")}<c r="I{r}"><v>0</v></c></row>')
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:I{n + 1}"/><sheetData>' + "".join(rows)
            + "</sheetData></worksheet>").encode()


def test_fifty_thousand_site_rows(tmp_path: Path) -> None:
    n = 50_000
    path = write_workbook(tmp_path / "big.xlsx", minimal_sheets())
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, _big_sites_xml(n) if info.filename.endswith("sheet2.xml")
                         else body)
    path.write_bytes(out.getvalue())
    inputs = read_workbook(path)
    assert len(inputs.sites) == n
    assert inputs.requirement["US", "ops"] == [x * n for x in MINIMAL_REQUIREMENT["US", "ops"]]
