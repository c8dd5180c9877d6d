"""Budgets in view: the Budgets contract sheet, the people's view and the plan summary line.

Hand-derived case (defaults of tests/cases.py: wage 10,000 a month at mid, supply at mid only,
penalty P = 1,000,000): horizon 2025-12 .. 2026-03 (t=0 is 2025-12, t=1..3 are 2026), US and
AU each need 1 FTE of eng every month.

Budget rows:
- row 2, 2025, US, 5,000: pays half a person at t=0.
  LP: hire 0.5 at t=0 (5,000), 0.5 more at t=1; U = 0.5 at t=0. Spent 5,000: binding. One more
  unit of budget staffs 1/10,000 FTE more at t=0: +1 of salary, -100 of penalty: the objective
  falls by 99 per unit (marginal_value 99).
  Integer: a whole hire at t=0 costs 10,000 > 5,000: hire 1 at t=1; U = 1 at t=0. Spent 0,
  headroom 5,000: not binding, marginal_value 0.
- row 3, 2026, US, 1,000,000: spent 3 x 10,000 = 30,000 (both modes), headroom 970,000.
- row 4, all years, all countries, 10,000,000: spent = total cost. LP: US 35,000 + AU 40,000 =
  75,000; integer: US 30,000 + AU 40,000 = 70,000.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from cases import START, band, budget, extra, make_inputs, market
from staffplan.jobs.plan import plan_summary, solve_inputs
from staffplan.reports import tables as rt
from staffplan.reports.html import build_context
from staffplan.reports.xlsx import write_plan_xlsx
from staffplan.results.budgets import BUDGET_COLUMNS, scope_spent


def inputs(lp: bool, budgets=None):
    rows = budgets if budgets is not None else [
        budget(5_000, year=2025, country="US", row=2),
        budget(1_000_000, year=2026, country="US", row=3),
        budget(10_000_000, row=4),
    ]
    return make_inputs(start=START - 1, horizon=4, integer=not lp,
                       bands=[band("US"), band("AU")], markets=[market("US"), market("AU")],
                       extras=[extra(-1, 2, 1, country="US"), extra(-1, 2, 1, country="AU")],
                       budgets=rows)


@pytest.fixture(scope="module", params=[True, False], ids=["lp", "integer"])
def solved(request):
    return request.param, solve_inputs(inputs(request.param), lp=request.param)


def test_budgets_sheet_by_hand(solved):
    lp, r = solved
    b = r.budgets
    assert list(b.columns) == BUDGET_COLUMNS
    assert list(b["row"]) == [2, 3, 4]
    assert list(b["year"]) == [2025, 2026, "all"]
    assert list(b["country"]) == ["US", "US", "*"]
    spent = [5_000, 30_000, 75_000] if lp else [0, 30_000, 70_000]
    assert list(b["spent"]) == pytest.approx(spent, rel=1e-9, abs=1e-6)
    assert list(b["headroom"]) == pytest.approx(
        [m - s for m, s in zip([5_000, 1_000_000, 10_000_000], spent)], rel=1e-9, abs=1e-6)
    assert list(b["binding"]) == (["yes", "no", "no"] if lp else ["no", "no", "no"])
    assert list(b["marginal_value"]) == pytest.approx([99 if lp else 0, 0, 0], abs=1e-6)


def test_spent_is_the_costs_sheet_over_the_rows_scope(solved):
    """Each row's spent is the Costs table summed over its year and country, and the scopes
    differ (a row summing the wrong year or country would not match)."""
    _, r = solved
    costs = r.costs
    for b, rec in zip(r.inputs.budgets, r.budgets.itertuples(index=False)):
        assert rec.spent == pytest.approx(scope_spent(costs, b), rel=1e-12)
    us = costs[costs["country"] == "US"].set_index("year")["total"]
    assert r.budgets["spent"].iloc[0] == pytest.approx(us[2025], rel=1e-12)
    assert r.budgets["spent"].iloc[1] == pytest.approx(us[2026], rel=1e-12)
    assert r.budgets["spent"].iloc[2] == pytest.approx(costs["total"].sum(), rel=1e-12)
    assert us[2025] != pytest.approx(us[2026])


def test_binding_budget_is_named_with_its_shortfall_and_worth(solved):
    """LP: row 2 binds; its shortfall is the US eng month 2025-12 whose reason is budget; the
    summary prints one line for it. Integer: nothing binds, no line."""
    lp, r = solved
    lines = [x for x in plan_summary(r, 1.0).splitlines() if "binds" in x]
    view = rt.budget_view(r)
    if not lp:
        assert lines == [] and not view["binding"].any()
        return
    assert lines == ["Budget row 2 (2025, US) binds: USD 5,000 spent of USD 5,000. Each extra "
                     "USD 1 of budget lowers the plan's cost, unmet-demand penalty included, "
                     "by USD 99.00."]
    row2 = view.iloc[0]
    assert row2["binding"] and [s[:3] for s in row2["shortfalls"]] == [("US", "eng", "2025-12")]
    assert view.iloc[1]["shortfalls"] == [] and view.iloc[1]["worth"] == ""
    ctx = build_context(r, with_charts=False)
    (shown,) = [b for b in ctx["budget"]["lines"] if b["row"] == 2]
    assert shown["binding"] and shown["spent"] == "USD 5,000"
    anchors = {x["anchor"] for x in ctx["risks"]["rows"]}
    assert shown["shortfalls"][0]["anchor"] in anchors


def test_sheets_only_with_budget_rows(tmp_path, solved):
    lp, r = solved
    path = tmp_path / "plan.xlsx"
    write_plan_xlsx(r, path)
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    rows = list(wb["Budgets"].iter_rows(values_only=True))
    assert list(rows[0]) == BUDGET_COLUMNS and len(rows) == 4
    assert rows[1][:3] == (2, 2025, "US") and rows[3][:3] == (4, "all", "*")
    assert "Budget use" in wb.sheetnames

    bare = solve_inputs(inputs(lp, budgets=[]), lp=lp)
    assert bare.budgets.empty
    write_plan_xlsx(bare, path)
    names = openpyxl.load_workbook(path).sheetnames
    assert "Budgets" not in names and "Budget use" not in names
    assert build_context(bare, with_charts=False)["budget"]["lines"] == []


@pytest.mark.parametrize("lp, value", [(True, 99.0), (False, 1_000_000 / 15_000 - 1)],
                         ids=["lp", "integer"])
def test_marginal_value_of_a_binding_budget(lp, value):
    """US only, demand 1 FTE t=0..3 (t=0 is 2025-12), contractors allowed up to the whole
    requirement at 1.5 x the mid wage (15,000 a month), Budget row 2 for 2025, US: 5,000.
    LP: hire 0.5 at t=0 (10,000 a month beats 15,000): one more unit of budget staffs
    1/10,000 FTE more: -100 of penalty, +1 of salary: marginal_value 99.
    Integer: a whole hire at t=0 would cost 10,000 > 5,000, so 1/3 FTE of contractors;
    with hires fixed (the fixed-integer LP) one more unit buys 1/15,000 FTE of contractor:
    -66.67 of penalty, +1: marginal_value 1,000,000 / 15,000 - 1 = 65.67. Binding in both."""
    from cases import role

    case = make_inputs(start=START - 1, horizon=4, integer=not lp,
                       roles=[role(contractors=True, share=1.0, premium=1.5)],
                       extras=[extra(-1, 2, 1)],
                       budgets=[budget(5_000, year=2025, country="US", row=2)])
    r = solve_inputs(case, lp=lp)
    b = r.budgets.iloc[0]
    assert b["binding"] == "yes" and b["spent"] == pytest.approx(5_000)
    assert b["marginal_value"] == pytest.approx(value, rel=1e-6)
    head = r.headcount.iloc[0]
    assert head["contractors"] == pytest.approx(0 if lp else 1 / 3)
