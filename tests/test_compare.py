"""`staffplan compare` on a real local Dask cluster (two worker processes)."""

from __future__ import annotations

import contextlib
import io

import openpyxl
import pytest

from staffplan.cli import main
from staffplan.inputs.reader import inputs_from_raw, read_raw, read_workbook
from staffplan.inputs.scenarios import build_scenarios
from staffplan.jobs.plan import solve_inputs
from workbooks import minimal_sheets, write_workbook

HOSTILE = "+broke <b>budget</b> & co"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory):
    """Baseline, one good scenario and one whose budget no plan can meet, compared once."""
    tmp = tmp_path_factory.mktemp("compare")
    sheets = minimal_sheets()
    sheets["Budget"] = [["year", "country", "max_cost"], ["all", "*", 10_000_000]]
    sheets["Scenarios"] = [
        ["scenario", "sheet", "column", "match", "change", "value"],
        ["bigger", "Sites", "it_mw", "site_id=S1", "multiply", 1.5],
        [HOSTILE, "Budget", "max_cost", "", "set", 1],
        [HOSTILE, "LabourMarket", "starting_headcount", "role_id=eng", "set", 3],  # paid
    ]
    path = write_workbook(tmp / "what.xlsx", sheets)
    out = tmp / "out"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["compare", str(path), "--lp", "--out", str(out), "--workers", "2"])
    return path, out, code, err.getvalue()


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_a_failed_solve_is_named_and_the_others_finish(compared) -> None:
    path, out, code, err = compared
    assert code == 4
    assert f"{HOSTILE}: FAILED: No plan meets these budgets" in err
    assert "1 of 3 solves failed: " + HOSTILE in err
    assert "bigger: USD" in err
    wb = openpyxl.load_workbook(out / "what-scenarios.xlsx")
    rows = {r["scenario"]: r for r in _rows(wb["Scenarios"])}
    assert list(rows) == ["baseline", "bigger", HOSTILE]
    assert rows[HOSTILE]["status"] == "failed"
    assert "No plan meets these budgets" in rows[HOSTILE]["reason"]
    assert rows["bigger"]["status"] == "optimal"
    # A scenario name that looks like a formula stays text.
    cell = next(c for c in wb["Scenarios"]["A"] if c.value == HOSTILE)
    assert cell.data_type == "s"


def test_differences_are_the_scenarios_plans_against_the_baseline(compared) -> None:
    """Each row equals planning that workbook on its own (LP: a unique optimum cost), and
    d_* is the scenario's figure minus the baseline's."""
    path, out, _, _ = compared
    wb = openpyxl.load_workbook(out / "what-scenarios.xlsx")
    rows = {r["scenario"]: r for r in _rows(wb["Scenarios"])}
    book = read_raw(path)
    _, tables = inputs_from_raw(book)
    bigger = build_scenarios(book, tables, ["bigger"])[0].inputs
    want = solve_inputs(bigger, lp=True)
    base = solve_inputs(read_workbook(path), lp=True)
    got = rows["bigger"]
    assert got["mode"] == "lp"
    assert got["total_cost"] == pytest.approx(want.total_cost, rel=1e-9)
    assert got["total_hires"] == pytest.approx(want.total_hires, rel=1e-9)
    assert rows["baseline"]["total_cost"] == pytest.approx(base.total_cost, rel=1e-9)
    assert got["d_total_cost"] == pytest.approx(want.total_cost - base.total_cost, rel=1e-9)
    assert got["d_unmet_fte_months"] == pytest.approx(
        want.unmet_fte_months - base.unmet_fte_months, abs=1e-9)
    assert got["d_total_hires"] == pytest.approx(want.total_hires - base.total_hires,
                                                 abs=1e-9)
    assert got["d_total_cost"] > 0  # half as many MW again costs more

    names = wb.sheetnames
    assert names[:3] == ["Scenarios", "GoLive", "Budgets"]
    assert {"Baseline Summary", "Baseline Hires", "Baseline Headcount", "Baseline Costs",
            "S1 bigger Summary", "S1 bigger Hires", "S1 bigger Headcount"} <= set(names)
    assert all(len(n) <= 31 for n in names)
    summary = dict(wb["S1 bigger Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["total_cost"] == pytest.approx(want.total_cost, rel=1e-9)
    golive = [r for r in _rows(wb["GoLive"]) if r["scenario"] == "bigger"]
    assert [(r["site_id"], r["go_live"]) for r in golive] == [("S1", "2027-10")]


def test_the_page_says_how_it_compared_and_escapes_names(compared) -> None:
    _, out, _, _ = compared
    html = (out / "what-scenarios.html").read_text(encoding="utf-8")
    assert "linear relaxation" in html
    assert "Sites it_mw multiplied by 1.5 where site_id is S1" in html
    assert "&lt;b&gt;budget&lt;/b&gt; &amp; co" in html
    assert "<b>budget</b>" not in html
    assert 'name="viewport"' in html
    assert "data:image/png;base64," in html  # the difference chart
