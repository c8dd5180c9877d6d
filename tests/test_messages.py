"""Messages that help (issue 10): one message per typo with a "did you mean", identical
problems on one line, and integer-mode supply warnings that say what to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.core.errors import Problem
from staffplan.inputs.rules import grouped
from test_bad_input import put, run_check, setting
from workbooks import minimal_sheets, write_workbook

Sheets = dict[str, list[list]]


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], sheets: Sheets) -> tuple[int, str]:
    return run_check(write_workbook(tmp_path / "in.xlsx", sheets), capsys)


def problems(err: str) -> list[str]:
    return [line[4:] for line in err.splitlines() if line.startswith("  - ")]


def test_role_typo_in_staffing_is_one_message(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`engg` on both eng rows: before, also "no row for US / engg ... add a LabourMarket
    row", a wrong fix caused by the same typo."""
    sheets = minimal_sheets()
    put(sheets, "Staffing", 2, "role_id", "engg")
    put(sheets, "Staffing", 3, "role_id", "engg")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == ["Staffing!A2, A3: role_id engg is not in Roles; did you mean eng?"]


def test_role_typo_in_labour_market_is_one_message(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`Ops` in LabourMarket: no follow-on "no SalaryBands row for US / Ops" nor "no row for
    US / ops" (the row meant for ops is the one with the typo)."""
    sheets = minimal_sheets()
    put(sheets, "LabourMarket", 3, "role_id", "Ops")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == ["LabourMarket!B3: role_id Ops is not in Roles; did you mean ops?"]


def test_role_typo_in_salary_bands_is_one_message(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "SalaryBands", 2, "role_id", "eng1")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == ["SalaryBands!B2: role_id eng1 is not in Roles; did you mean eng?"]


def test_unknown_role_with_nothing_close_has_no_suggestion(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "Staffing", 3, "role_id", "welder")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == ["Staffing!A3: role_id welder is not in Roles"]


def test_site_country_typo_is_one_message(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`UX` for `US`: one message at the site's cell, not one "add a LabourMarket row" per
    role."""
    sheets = minimal_sheets()
    put(sheets, "Sites", 2, "country", "UX")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == [
        "Sites!C2: country UX (did you mean US?) has no LabourMarket row, yet it has demand "
        "for eng, ops from 2027-01; if UX is right, add LabourMarket and SalaryBands rows for it"]


def test_missing_fx_rate_is_one_line_naming_every_band_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "SalaryBands", 2, "currency", "AUD")
    put(sheets, "SalaryBands", 3, "currency", "AUD")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == [
        "FX: no rate for currency AUD (used by SalaryBands rows 2, 3), which is not the "
        "reporting currency USD; add an FX row for AUD"]


def test_currency_typo_suggests_the_rate_there_is(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    put(sheets, "SalaryBands", 2, "currency", "EUT")
    sheets["FX"] = [["currency", "rate_to_reporting"], ["EUR", 1.1]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == [
        "FX: no rate for currency EUT (used by SalaryBands row 2), which is not the reporting "
        "currency USD; add an FX row for EUT; did you mean EUR?"]


def test_same_problem_on_many_rows_is_one_line(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Budget"] = [["year", "country", "max_cost"], [2027, "SU", 1e6], [2027, "SU", 2e6]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert "1 problem in" in err
    assert problems(err) == [
        "Budget!B2, B3: country SU has no LabourMarket row, so this budget would limit "
        "nothing; expected a planned country or *; did you mean US?"]


def test_grouping_keeps_order_and_caps_the_cells() -> None:
    same = [Problem("Staffing", "role_id x is not in Roles", cell=f"A{r}") for r in range(2, 15)]
    other = Problem("Sites", "something else", cell="C2")
    out = grouped([same[0], other, *same[1:]], most=3)
    assert out == [Problem("Staffing", "role_id x is not in Roles", cell="A2, A3, A4 and 10 more"),
                   other]
    # A problem without a cell (a whole sheet) is never merged into a list of cells.
    bare = [Problem("FX", "a"), Problem("FX", "a", cell="B2")]
    assert grouped(bare) == bare


# ---------------------------------------------------------------- integer-mode supply

def test_supply_warning_is_one_line_per_pair_and_says_what_to_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """US / eng supplies 0.25, 0.1, 0.5 a month at min, mid, max with a 1-month window: each
    is below one person, so whole-person hiring gets nobody. A window of ceil(1 / 0.1) = 10
    months pools a whole person at every pay point, and so does a supply of 1 / 1 = 1."""
    sheets = minimal_sheets()
    put(sheets, "LabourMarket", 2, "supply_at_min", 0.25)
    put(sheets, "LabourMarket", 2, "supply_at_mid", 0.1)
    put(sheets, "LabourMarket", 2, "supply_at_max", 0.5)
    code, err = check(tmp_path, capsys, sheets)
    assert code == 0, err
    assert "Warnings (1):" in err
    assert ("LabourMarket row 2 (US / eng): supply_at_min 0.25, supply_at_mid 0.1, "
            "supply_at_max 0.5 x supply_window_months 1 is below 1, so in integer mode nobody "
            "is hired at min, mid, max; raise supply_window_months to 10, or the supply to at "
            "least 1 a month") in err


def test_supply_warning_with_a_window(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Window 3: 0.25 x 3 = 0.75 < 1 (min warned), 0.5 x 3 = 1.5 (mid fine); ceil(1/0.25) = 4
    months, or 1/3 = 0.3333 a month."""
    sheets = minimal_sheets()
    setting(sheets, "supply_window_months", 3)
    put(sheets, "LabourMarket", 3, "supply_at_min", 0.25)
    put(sheets, "LabourMarket", 3, "supply_at_mid", 0.5)
    code, err = check(tmp_path, capsys, sheets)
    assert code == 0, err
    assert "Warnings (1):" in err
    assert ("LabourMarket row 3 (US / ops): supply_at_min 0.25 x supply_window_months 3 is "
            "below 1, so in integer mode nobody is hired at min; raise supply_window_months "
            "to 4, or the supply to at least 0.3333 a month") in err


def test_mobility_country_typo_suggests_a_planned_country(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Mobility"] = [["from_country", "to_country", "role_id", "max_per_month",
                           "cost_per_move"], ["SU", "DE", "eng", 1, 1000]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert problems(err) == [
        "Mobility!A2: from_country SU has no LabourMarket row for eng; did you mean US?",
        "Mobility!B2: to_country DE has no LabourMarket row for eng"]
