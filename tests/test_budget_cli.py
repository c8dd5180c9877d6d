"""`staffplan plan` on a workbook whose budgets no plan can meet: exit 3, rows named, no file.

Budgets exclude the unmet penalty, so leaving demand unmet is free for them;
what forces cost is staff already employed: each of them costs a salary every
month kept or `severance_months` (3) of it when released. Workbook: the
minimal test workbook (tests/workbooks.py, horizon 2027-01 .. 2027-12, no
look-ahead) with attrition 0 and 2 engineers on staff in the US. A US engineer
at mid costs 140,000 / 12 * 1.25 = 14,583.33 a month, so the least any plan can
spend on them in the horizon is releasing both at once: 2 * 3 * 14,583.33 = 87,500.
"""

from __future__ import annotations

import re
from pathlib import Path

from staffplan.cli import main
from workbooks import minimal_sheets, write_workbook

LM_HEADER = ["country", "role_id", "starting_headcount", "time_to_fill_months", "supply_at_min",
             "supply_at_mid", "supply_at_max", "annual_attrition_pct", "cost_per_hire"]


def _sheets_with_staff() -> dict:
    sheets = minimal_sheets()
    sheets["LabourMarket"] = [
        LM_HEADER,
        ["US", "eng", 2, 1, 2, 1, 1, 0, 10000],
        ["US", "ops", 0, 1, 3, 2, 1, 0, 5000],
    ]
    return sheets


def _run(tmp_path: Path, sheets: dict, capsys) -> tuple[int, str, Path, bytes]:
    src = write_workbook(tmp_path / "budget.xlsx", sheets)
    before = src.read_bytes()
    out = tmp_path / "out"
    code = main(["plan", str(src), "--out", str(out)])
    err = capsys.readouterr().err
    assert src.read_bytes() == before
    return code, err, out, before


def _written(out: Path) -> list[Path]:
    return sorted(out.rglob("*")) if out.exists() else []


def test_budget_too_small_on_its_own_exits_3_and_names_only_that_row(tmp_path, capsys):
    """Budget row 2: all years, all countries, 50,000 < 87,500 -> infeasible on its own.
    Budget row 3: 2027, US, 10,000,000 -> feasible on its own (keeping both all year
    costs 2 * 12 * 14,583.33 = 350,000). Only row 2 may be named."""
    sheets = _sheets_with_staff()
    sheets["Budget"] = [["year", "country", "max_cost"], ["all", "*", 50000],
                        [2027, "US", 10_000_000]]
    code, err, out, _ = _run(tmp_path, sheets, capsys)
    assert code == 3, err
    assert re.search(r"\brow 2\b", err), err
    assert not re.search(r"\brow 3\b", err), err
    assert "Traceback" not in err
    assert _written(out) == []


def test_budgets_infeasible_only_together_name_every_row(tmp_path, capsys):
    """The US engineers may move to AU (lane US -> AU, up to 2 a month, no move cost).
    Row 2: US at most 1,000 -> alone: move both at 2027-01, US pays 0.
    Row 3: AU at most 1,000 -> alone: nobody moves, AU pays 0.
    Together the two engineers cost someone a salary or severance: at least
    2 * 3 * 12,500 (AU mid 120,000 / 12 * 1.25) = 75,000 > 2,000. Neither row is
    infeasible on its own, so both are named."""
    sheets = _sheets_with_staff()
    sheets["SalaryBands"].append(["AU", "eng", "USD", 100000, 120000, 140000, 0.25, 0.03])
    sheets["LabourMarket"].append(["AU", "eng", 0, 1, 0, 0, 0, 0, 0])
    sheets["Mobility"] = [["from_country", "to_country", "role_id", "max_per_month",
                           "cost_per_move"], ["US", "AU", "eng", 2, 0]]
    sheets["Budget"] = [["year", "country", "max_cost"], ["all", "US", 1000], ["all", "AU", 1000]]
    code, err, out, _ = _run(tmp_path, sheets, capsys)
    assert code == 3, err
    assert re.search(r"\brow 2\b", err), err
    assert re.search(r"\brow 3\b", err), err
    assert "Traceback" not in err
    assert _written(out) == []


def test_same_workbook_with_a_sufficient_budget_writes_the_plan(tmp_path, capsys):
    """Control: raising row 2 to 10,000,000 makes the plan feasible (exit 0, files written),
    so the failures above are the budgets' doing."""
    sheets = _sheets_with_staff()
    sheets["Budget"] = [["year", "country", "max_cost"], ["all", "*", 10_000_000],
                        [2027, "US", 10_000_000]]
    code, err, out, _ = _run(tmp_path, sheets, capsys)
    assert code == 0, err
    assert (out / "budget-plan.xlsx").is_file()
    assert (out / "budget-report.html").is_file()
