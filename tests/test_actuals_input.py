"""The Roster and Requisitions input sheets (workbook.md): read, validated cell by cell.

Built on tests/workbooks.py's minimal workbook: horizon 2027-01 .. 2027-12, look-ahead 0
(so the last modelled month is 2027-12), pairs US/eng and US/ops.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.core.errors import InputError
from staffplan.core.months import month_index
from staffplan.inputs.check import summary
from staffplan.inputs.reader import read_workbook
from test_bad_input import put, run_check, setting
from workbooks import minimal_sheets, write_workbook

ROSTER_HEADER = ["country", "role_id", "pay_point", "headcount", "start_month"]
REQ_HEADER = ["req_id", "country", "role_id", "pay_point", "status", "start_month"]


def with_actuals(roster: list[list] | None = None, reqs: list[list] | None = None) -> dict:
    """The minimal workbook with US/eng on the Roster (starting_headcount blank)."""
    sheets = minimal_sheets()
    put(sheets, "LabourMarket", 2, "starting_headcount", None)
    sheets["Roster"] = [ROSTER_HEADER, *(roster if roster is not None else [
        ["US", "eng", "min", 2, None],
        ["US", "eng", "mid", 1.5, "2026-11"],
        ["US", "eng", "mid", 1, None],
    ])]
    sheets["Requisitions"] = [REQ_HEADER, *(reqs if reqs is not None else [
        ["R-10", "US", "eng", "mid", "open", "2027-03"],
        ["R_2", "US", "ops", "min", "offer accepted", "2027-12"],
    ])]
    return sheets


def problems(tmp_path: Path, sheets: dict) -> str:
    with pytest.raises(InputError) as info:
        read_workbook(write_workbook(tmp_path / "bad.xlsx", sheets))
    return str(info.value)


def test_roster_and_requisitions_are_read(tmp_path: Path) -> None:
    inputs = read_workbook(write_workbook(tmp_path / "ok.xlsx", with_actuals()))
    assert inputs.markets[("US", "eng")].starting_headcount == 0
    assert [(r.pay_point, r.headcount, r.start_month) for r in inputs.roster] == [
        ("min", 2, None), ("mid", 1.5, month_index(2026, 11)), ("mid", 1, None)]
    assert [(q.req_id, q.status, q.start_month) for q in inputs.requisitions] == [
        ("R-10", "open", month_index(2027, 3)), ("R_2", "offer_accepted", month_index(2027, 12))]
    assert [r.row for r in inputs.roster] == [2, 3, 4]


def test_every_actuals_problem_named_by_cell_at_once(tmp_path: Path) -> None:
    sheets = with_actuals(
        roster=[["US", "eng", "top", 1, None],             # B2.. pay_point not a pay point
                ["US", "eng", "mid", -1, None],            # negative headcount
                ["US", "eng", "mid", 1, "2027-01"],        # not before horizon_start
                ["GB", "eng", "mid", 1, None]],            # no LabourMarket row
        reqs=[["R 1", "US", "eng", "mid", "open", "2027-03"],        # bad characters
              ["R2", "US", "eng", "mid", "open", "2026-12"],         # before the horizon
              ["R2", "US", "eng", "mid", "hired", "2028-01"],        # duplicate, status, after
              ["R4", "US", "nobody", "mid", "open", "2027-02"]])     # unknown role (once)
    text = problems(tmp_path, sheets)
    for fragment in [
        "Roster!C2: pay_point 'top' is not allowed; expected one of min, mid, max",
        "Roster!D3: headcount -1 is negative",
        "Roster!E4: start_month 2027-01 is not before horizon_start 2027-01",
        "Roster!A5: no LabourMarket row for GB / eng",
        "Requisitions!A2: req_id 'R 1' has characters other than letters, digits, _ and -",
        "Requisitions!F3: start_month 2026-12 is outside the planned months; expected "
        "2027-01 to 2027-12",
        "Requisitions!A4: duplicate req_id R2: already given on row 3",
        "Requisitions!E4: status 'hired' is not allowed; expected one of open, offer_accepted",
        "Requisitions!F4: start_month 2028-01 is outside the planned months",
        "Requisitions!C5: role_id nobody is not in Roles",
    ]:
        assert fragment in text, fragment
    assert "nobody" not in text.replace("role_id nobody is not in Roles", "")


def test_look_ahead_months_are_valid_requisition_starts(tmp_path: Path) -> None:
    sheets = with_actuals(reqs=[["R1", "US", "eng", "mid", "open", "2028-03"]])
    setting(sheets, "lookahead_months", 3)
    inputs = read_workbook(write_workbook(tmp_path / "ok.xlsx", sheets))
    assert inputs.requisitions[0].start_month == month_index(2028, 3)
    setting(sheets, "lookahead_months", 2)
    assert "Requisitions!F2: start_month 2028-03 is outside the planned months; expected " \
           "2027-01 to 2028-02" in problems(tmp_path, sheets)


def test_starting_headcount_blank_only_beside_a_roster(tmp_path: Path) -> None:
    sheets = with_actuals()
    put(sheets, "LabourMarket", 2, "starting_headcount", 3)   # US/eng has Roster rows
    put(sheets, "LabourMarket", 3, "starting_headcount", None)  # US/ops has none
    text = problems(tmp_path, sheets)
    assert ("LabourMarket!C2: starting_headcount 3 for US / eng, which has Roster rows; "
            "expected 0 or blank") in text
    assert ("LabourMarket!C3: starting_headcount is blank; expected a number >= 0 (FTE). It "
            "may be blank only for a country and role with Roster rows") in text
    put(sheets, "LabourMarket", 2, "starting_headcount", 0)
    put(sheets, "LabourMarket", 3, "starting_headcount", 0)
    assert read_workbook(write_workbook(tmp_path / "ok.xlsx", sheets)).roster


def test_check_reports_actuals_problems_with_exit_2(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sheets = with_actuals(reqs=[["R1", "US", "eng", "mid", "open", "2027-03"],
                                ["R1", "US", "eng", "mid", "open", "2027-04"]])
    code, err = run_check(write_workbook(tmp_path / "bad.xlsx", sheets), capsys)
    assert code == 2
    assert "Requisitions!A3: duplicate req_id R1: already given on row 2" in err


def test_check_summary_counts_the_actuals(tmp_path: Path) -> None:
    """The default rows: 2 + 1.5 + 1 = 4.5 FTE for US/eng; one open, one accepted."""
    inputs = read_workbook(write_workbook(tmp_path / "ok.xlsx", with_actuals()))
    text = summary(inputs)
    assert "Roster: 4.5 FTE on the books for 1 country/role pair" in text
    assert "Requisitions in flight: 1 open (the plan keeps or cancels them), 1 accepted" in text
