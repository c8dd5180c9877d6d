"""`staffplan init` and the shipped example workbook inputs/apac_expansion.xlsx."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from staffplan.cli import main
from staffplan.core.errors import StaffplanError
from staffplan.core.months import month_index
from staffplan.core.resources import example_workbook
from staffplan.inputs import example as example
from staffplan.inputs.reader import read_workbook
from staffplan.inputs.schema import SHEETS
from staffplan.inputs.template import INSTRUCTIONS, build_workbook, write_input_workbook

EXAMPLE_INPUT = example_workbook()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("init") / "example.xlsx"
    assert main(["init", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def book(fresh: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(fresh)


def _values(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _column_letter(ws, name: str) -> str:
    for cell in ws[1]:
        if cell.value == name:
            return cell.column_letter
    raise KeyError(name)


def _validations_at(ws, cell: str) -> list:
    col, row = openpyxl.utils.cell.coordinate_from_string(cell)
    c = openpyxl.utils.column_index_from_string(col)
    found = []
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(rng.coord)
            if min_col <= c <= max_col and min_row <= row <= max_row:
                found.append(dv)
    return found


# ---------------------------------------------------------------- the command

def test_init_writes_a_workbook_and_no_temporary_file(fresh: Path, book, capsys) -> None:
    assert fresh.is_file()
    assert book.sheetnames[0] == INSTRUCTIONS
    assert {s.name for s in SHEETS} <= set(book.sheetnames)
    assert [p.name for p in fresh.parent.iterdir()] == [fresh.name]


def test_init_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"a person's own work")
    assert main(["init", str(target)]) == 1
    assert target.read_bytes() == b"a person's own work"
    err = capsys.readouterr().err
    assert "already exists" in err and "mine.xlsx" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["mine.xlsx"]


@pytest.mark.parametrize("name, message", [
    ("plan.csv", "must end in .xlsx"),
    ("no_such_folder/plan.xlsx", "does not exist"),
])
def test_init_refuses_bad_target(tmp_path: Path, capsys, name: str, message: str) -> None:
    assert main(["init", str(tmp_path / name)]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    def broken_save(self, filename) -> None:
        Path(filename).write_bytes(b"half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(StaffplanError, match="No space left on device"):
        example.write_example(tmp_path / "plan.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_shipped_example_agrees_with_a_fresh_init(fresh: Path, book) -> None:
    shipped = openpyxl.load_workbook(EXAMPLE_INPUT)
    assert shipped.sheetnames == book.sheetnames
    for name in book.sheetnames:
        assert _values(shipped[name]) == _values(book[name]), (
            f"sheet {name} of {EXAMPLE_INPUT} is stale; regenerate it with staffplan init")


# ---------------------------------------------------------------- the template

def test_instructions_name_every_column_of_the_schema(book) -> None:
    rows = _values(book[INSTRUCTIONS])
    header = next(i for i, r in enumerate(rows) if r[:2] == ("sheet", "column"))
    listed = {(r[0], r[1]): r for r in rows[header + 1:] if r[1] not in (None, "required sheet",
                                                                         "optional sheet")}
    expected = {(s.name, c.name) for s in SHEETS for c in s.columns}
    assert set(listed) == expected
    fte = listed[("Settings", "fte_per_24x7_post")]
    assert fte[2:5] == ("no", 5, "FTE")
    assert listed[("Staffing", "phase")][5] == (
        "one of: deal, construction, commissioning, operations")
    assert listed[("Sites", "it_mw")][2:5] == ("yes", None, "MW")


@pytest.mark.parametrize("sheet, column, must_offer", [
    ("Staffing", "phase", ["deal", "construction", "commissioning", "operations"]),
    ("Roles", "family", ["engineering", "operations", "deal_sourcing", "other"]),
    ("Roles", "contractor_allowed", ["yes", "no"]),
])
def test_enumerated_columns_have_drop_downs(book, sheet: str, column: str,
                                            must_offer: list[str]) -> None:
    ws = book[sheet]
    letter = _column_letter(ws, column)
    for row in (2, 300):  # existing rows and rows a person adds
        dvs = [dv for dv in _validations_at(ws, f"{letter}{row}") if dv.type == "list"]
        assert len(dvs) == 1, (sheet, column, row)
        assert dvs[0].formula1.strip('"').split(",") == must_offer


@pytest.mark.parametrize("sheet, column, source", [
    ("Staffing", "role_id", "'Roles'!$A$2"),
    ("SalaryBands", "role_id", "'Roles'!$A$2"),
    ("LabourMarket", "role_id", "'Roles'!$A$2"),
    ("Mobility", "role_id", "'Roles'!$A$2"),
    ("ExtraDemand", "role_id", "'Roles'!$A$2"),
    ("Sites", "country", "list_country"),
    ("LabourMarket", "country", "list_country"),
    ("Mobility", "to_country", "list_country"),
    ("Budget", "country", "list_country_star"),
    ("SalaryBands", "currency", "list_currency"),
])
def test_reference_columns_draw_from_lists(book, sheet: str, column: str, source: str) -> None:
    ws = book[sheet]
    dvs = _validations_at(ws, f"{_column_letter(ws, column)}2")
    assert [dv.type for dv in dvs] == ["list"]
    assert dvs[0].formula1.startswith(source)


def test_named_lists_hold_the_codes(book) -> None:
    countries = [c for (c,) in book["Lists"].iter_rows(min_row=2, max_col=1, values_only=True)
                 if c is not None]
    assert {"AU", "JP", "US", "GB"} <= set(countries) and len(countries) == 249
    assert book["Lists"].sheet_state == "hidden"
    dest = list(book.defined_names["list_country_star"].destinations)
    assert dest == [("Lists", "$C$2:$C$251")]
    assert book["Lists"]["C2"].value == "*"


def test_settings_yes_no_value_has_a_drop_down(book) -> None:
    ws = book["Settings"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "integer_hires")
    assert ws.cell(row, 2).value == "yes"
    dvs = _validations_at(ws, f"B{row}")
    assert [dv.formula1 for dv in dvs] == ['"yes,no"']


def test_headers_frozen_and_cells_formatted(book) -> None:
    for s in SHEETS:
        assert book[s.name].freeze_panes == "A2", s.name
        assert book[s.name]["A1"].font.bold
    sites = book["Sites"]
    go_live = sites[f"{_column_letter(sites, 'go_live')}2"]
    assert isinstance(go_live.value, datetime) and go_live.number_format == "yyyy-mm"
    bands = book["SalaryBands"]
    on_cost = bands[f"{_column_letter(bands, 'on_cost_pct')}2"]
    assert on_cost.number_format.endswith("%") and 0 < on_cost.value < 1
    assert book["Settings"]["B3"].number_format == "yyyy-mm"  # horizon_start
    assert book["Sites"].column_dimensions["B"].width > len("site_name")
    roles = book["Roles"]
    assert {roles[f"{_column_letter(roles, 'contractor_allowed')}{r}"].value
            for r in range(2, 8)} == {"yes", "no"}


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    content = copy.deepcopy(dict(example.CONTENT))
    content["Sites"][0]["notes"] = "=HYPERLINK(\"http://evil\")"
    content["Sites"][0]["site_name"] = "-Sydney"
    path = tmp_path / "x.xlsx"
    write_input_workbook(path, content)
    ws = openpyxl.load_workbook(path)["Sites"]
    notes = ws[f"{_column_letter(ws, 'notes')}2"]
    assert notes.value == "=HYPERLINK(\"http://evil\")" and notes.data_type == "s"
    assert ws["B2"].value == "-Sydney" and ws["B2"].data_type == "s"


def test_unknown_settings_key_is_a_programming_error() -> None:
    content = dict(example.CONTENT)
    content["Settings"] = [*example.SETTINGS, {"key": "horizon", "value": 3}]
    with pytest.raises(ValueError, match="horizon"):
        build_workbook(content)


# ---------------------------------------------------------------- the content

def test_example_round_trips_through_the_reader(fresh: Path) -> None:
    inputs = read_workbook(fresh)
    s = inputs.settings
    assert (s.horizon_start, s.horizon_months, s.lookahead_months) == (
        month_index(2027, 1), 48, 12)
    assert (s.integer_hires, s.time_limit_s, s.mip_gap, s.supply_window_months) == (
        True, 60, 0.005, 3)
    assert s.currency == "USD" and s.fte_per_24x7_post == 5.0
    assert len(inputs.sites) == 10 and len(inputs.roles) == 6
    assert sorted({site.country for site in inputs.sites}) == ["AU", "GB", "JP", "US"]
    assert inputs.bands[("AU", "ops_manager")].band_min == 208_600
    assert inputs.bands[("GB", "deal_sourcing")].band_max == 270_000
    assert inputs.bands[("US", "dc_operator")].on_cost_pct == pytest.approx(0.25)
    posts = [r.posts_24x7 for r in inputs.staffing
             if (r.role_id, r.phase) == ("dc_operator", "operations")]
    assert posts == [4]
    assert inputs.fx == {"USD": 1.0, "AUD": 0.65, "JPY": 0.0067, "GBP": 1.27}
    assert {(lane.from_country, lane.to_country) for lane in inputs.mobility} == {
        ("US", "AU"), ("US", "JP")}
    assert [(e.country, e.role_id) for e in inputs.extra] == [("JP", "deal_sourcing")]
    assert len(inputs.budgets) == 2
    assert sum(x.headcount for x in inputs.roster) == 8
    assert {x.pay_point for x in inputs.roster} == {"min", "mid", "max"}
    assert inputs.markets[("US", "dc_electrical_engineer")].starting_headcount == 0
    assert sorted({q.status for q in inputs.requisitions}) == ["offer_accepted", "open"]
    assert inputs.warnings == []  # e.g. no market too thin to yield a whole hire per window


def test_example_is_consistent_with_the_contract() -> None:
    """What the reader checks, asserted on the content itself so a bad edit names its row."""
    bands = {(b["country"], b["role_id"]): b for b in example.SALARY_BANDS}
    markets = {(m["country"], m["role_id"]) for m in example.LABOUR_MARKET}
    countries = {site["country"] for site in example.SITES}
    roles = {r["role_id"] for r in example.ROLES}
    assert markets == {(c, r) for c in countries for r in roles}
    assert set(bands) == markets
    assert {b["currency"] for b in bands.values()} == {f["currency"] for f in example.FX}
    for b in bands.values():
        assert b["band_min"] <= b["band_mid"] <= b["band_max"], b
    for site in example.SITES:
        dates = [site[k] for k in ("deal_start", "construction_start", "commissioning_start",
                                   "go_live")]
        assert dates == sorted(dates), site["site_id"]


def test_example_plan_shows_early_risks_in_tight_markets(fresh: Path) -> None:
    """Linear relaxation (fast): JP and AU fall short early, budgets leave a plan possible."""
    from staffplan.jobs.plan import solve_inputs

    result = solve_inputs(read_workbook(fresh), lp=True)
    assert result.status.value == "optimal"
    head = result.headcount
    unmet = head[head.unmet > 1e-6]
    jp_ops = unmet[(unmet.country == "JP") & (unmet.role_id == "dc_operator")]
    assert not jp_ops.empty and jp_ops.month.max() < "2029-01"
    au = unmet[unmet.country == "AU"]
    assert not au.empty and au.month.min() < "2028-01"
    us_ops = unmet[(unmet.country == "US") & (unmet.role_id == "dc_operator")]
    assert us_ops.empty
    assert result.total_cost < min(b.max_cost for b in result.inputs.budgets
                                   if b.year is None)
