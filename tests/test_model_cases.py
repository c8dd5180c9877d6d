"""Tiny cases whose optimum was derived by hand from spec/model.md.

Each test states its arithmetic so a reviewer can check it on paper. Unless a
test says otherwise (see tests/cases.py): country US, role eng, wages 8,000 /
10,000 / 12,000 a month at min / mid / max, supply 100 a month at mid only,
no attrition, time to fill, ramp, hiring cost, contractors or look-ahead;
severance 3 months; unmet penalty P = 1,000,000 per FTE-month; horizon 6
months from 2026-01 (t = 0 is 2026-01).
"""

from __future__ import annotations

import re

import pytest

from cases import (
    PENALTY,
    band,
    budget,
    extra,
    label,
    lane,
    make_inputs,
    market,
    role,
    site,
    staffing,
)
from staffplan.core.errors import BudgetInfeasible
from staffplan.core.months import month_index
from staffplan.jobs.plan import solve_inputs
from staffplan.results.tables import PlanResult

HALF_A_MONTH = 1 - 0.5 ** 12  # annual attrition whose monthly survival (1 - a) is exactly 0.5


def solve(inputs, lp: bool = False) -> PlanResult:
    result = solve_inputs(inputs, lp=lp)
    assert result.status.value == "optimal"
    assert result.mode.value == ("lp" if lp or not inputs.settings.integer_hires else "integer")
    return result


def series(result: PlanResult, column: str, country: str = "US") -> list[float]:
    """One Headcount column for a pair, month by month over the horizon."""
    h = result.headcount
    rows = h[(h["country"] == country) & (h["role_id"] == "eng")].sort_values("month")
    assert len(rows) == result.inputs.settings.horizon_months
    return [float(v) for v in rows[column]]


def hires(result: PlanResult, country: str = "US") -> dict[tuple[str, str], float]:
    """(start_month, pay_point) -> hires, from the Hires table."""
    h = result.hires[result.hires["country"] == country]
    out: dict[tuple[str, str], float] = {}
    for rec in h.itertuples(index=False):
        key = (rec.start_month, rec.pay_point)
        out[key] = out.get(key, 0.0) + float(rec.hires)
    return out


def approx(x):
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def test_time_to_fill_blocks_hires_before_it():
    """time_to_fill 2: S = 0 for t < 2. Demand 1 FTE t=0..5.
    t=0,1 unmet: 2 * P = 2,000,000. Hire 1 starting t=2 (requisition t=0),
    salary 4 months * 10,000 = 40,000. Objective 2,040,000."""
    inputs = make_inputs(markets=[market(ttf=2)], extras=[extra(0, 5, 1)])
    r = solve(inputs)
    assert r.objective == approx(2 * PENALTY + 40_000)
    assert r.total_cost == approx(40_000)
    assert series(r, "unmet") == approx([1, 1, 0, 0, 0, 0])
    assert hires(r) == {(label(2), "mid"): approx(1)}
    assert r.hires["requisition_month"].tolist() == [label(0)]


def test_ramp_counts_the_start_month():
    """ramp_months 2: a hire starting in t ramps in t and t+1. Demand 1 FTE t=1..5.
    Nobody can be productive at t=1 (P1 = H1 - S0 - S1 = 0): unmet 1 -> 1,000,000.
    Productive at t=2 needs S0 >= 1 (P2 = H2 - S1 - S2 = S0). Salary t=0..5:
    6 * 10,000 = 60,000. Objective 1,060,000."""
    inputs = make_inputs(roles=[role(ramp=2)], extras=[extra(1, 5, 1)])
    r = solve(inputs)
    assert r.objective == approx(PENALTY + 60_000)
    assert hires(r) == {(label(0), "mid"): approx(1)}
    assert series(r, "unmet") == approx([0, 1, 0, 0, 0, 0])
    assert series(r, "headcount") == approx([1] * 6)
    assert series(r, "productive") == approx([0, 0, 1, 1, 1, 1])


def test_ramping_cohort_is_counted_after_its_attrition():
    """Monthly survival 0.5, ramp 2, starting headcount 4, demand 1 FTE t=0..2, horizon 3.
    Starting staff: 2, 1, 0.5 at t=0,1,2 (H[-1]=4 and attrition applies in t=0).
    t=2 is short by 0.5; only the t=0 cohort can help (productive from t=2, 0.25*S0
    left): S0 = 2. Check t=1: P1 = H1 - 0.5*S0 = (1 + 1) - 1 = 1 >= 1, which
    holds only because the ramping cohort is subtracted after its attrition.
    Salaries: H = 4, 2, 1 -> 70,000. Objective 70,000 (same in LP)."""
    for lp in (False, True):
        inputs = make_inputs(horizon=3, roles=[role(ramp=2)],
                             markets=[market(start=4, attrition=HALF_A_MONTH)],
                             extras=[extra(0, 2, 1)])
        r = solve(inputs, lp=lp)
        assert r.objective == approx(70_000)
        assert hires(r) == {(label(0), "mid"): approx(2)}
        assert series(r, "headcount") == approx([4, 2, 1])
        assert series(r, "productive") == approx([2, 1, 1])
        assert series(r, "unmet") == approx([0, 0, 0])


def test_attrition_lp_replaces_fractions_integer_hires_whole_people():
    """Monthly survival 0.5, starting headcount 2, demand 1 FTE t=0..2, horizon 3.
    H0 = 0.5 * 2 = 1.
    LP: H1 = 0.5 + S1 = 1 -> S1 = 0.5; H2 = 0.5 + S2 = 1 -> S2 = 0.5.
        Salaries 3 * 10,000 = 30,000 (the least any plan can pay: H >= 1 each month).
    Integer: S1 >= 0.5 -> S1 = 1, H1 = 1.5; H2 = 0.75 + S2 >= 1 -> S2 = 1, H2 = 1.75.
        10,000 + 15,000 + 17,500 = 42,500. (S1 = 2 instead: 10,000 + 25,000 + 12,500
        = 47,500; releasing x at t=1 adds 30,000x - 15,000x.)"""
    inputs = make_inputs(horizon=3, markets=[market(start=2, attrition=HALF_A_MONTH)],
                         extras=[extra(0, 2, 1)])
    lp = solve(inputs, lp=True)
    assert lp.objective == approx(30_000)
    assert hires(lp) == {(label(1), "mid"): approx(0.5), (label(2), "mid"): approx(0.5)}
    assert series(lp, "headcount") == approx([1, 1, 1])

    mip = solve(inputs)
    assert mip.objective == approx(42_500)
    assert hires(mip) == {(label(1), "mid"): approx(1), (label(2), "mid"): approx(1)}
    assert series(mip, "headcount") == approx([1, 1.5, 1.75])
    assert series(mip, "separations") == approx([0, 0, 0])


@pytest.mark.parametrize("pay_point, wage", [("min", 8_000), ("mid", 10_000), ("max", 12_000)])
def test_each_pay_point_alone_supplies_at_its_wage(pay_point, wage):
    """Supply 1 a month only at `pay_point`; demand 1 FTE t=0..5.
    Hire 1 at t=0 at that point: 6 * wage (48,000 / 60,000 / 72,000)."""
    supply = {"s_min": 0.0, "s_mid": 0.0, "s_max": 0.0, f"s_{pay_point}": 1.0}
    inputs = make_inputs(markets=[market(**supply)], extras=[extra(0, 5, 1)])
    r = solve(inputs)
    assert r.objective == approx(6 * wage)
    assert hires(r) == {(label(0), pay_point): approx(1)}
    assert r.hires["annual_salary"].tolist() == [12 * wage]


def test_supply_stacks_min_then_mid_then_max():
    """Supply 1 a month at each pay point (additional hires). Demand 3 FTE t=0..5:
    all three needed at t=0, one per point: 6 * (8,000 + 10,000 + 12,000) = 180,000.
    Demand 1 at t=0 and 2 from t=1: min at t=0 and min again at t=1 (max never):
    6 * 8,000 + 5 * 8,000 = 88,000."""
    supply = market(s_min=1, s_mid=1, s_max=1)
    r = solve(make_inputs(markets=[supply], extras=[extra(0, 5, 3)]))
    assert r.objective == approx(180_000)
    assert hires(r) == {(label(0), "min"): approx(1), (label(0), "mid"): approx(1),
                        (label(0), "max"): approx(1)}

    r = solve(make_inputs(markets=[supply], extras=[extra(0, 5, 1), extra(1, 5, 1)]))
    assert r.objective == approx(88_000)
    assert hires(r) == {(label(0), "min"): approx(1), (label(1), "min"): approx(1)}


def test_supply_window_pools_hires():
    """Supply 1 a month at mid; demand 3 FTE t=2..5.
    W = 3: the window t=0..2 allows 3 hires in total, all of them at t=2:
        3 * 4 months * 10,000 = 120,000.
    W = 1: at most 1 a month, so one each at t=0, 1, 2: (6 + 5 + 4) * 10,000 = 150,000."""
    r = solve(make_inputs(window=3, markets=[market(s_mid=1)], extras=[extra(2, 5, 3)]))
    assert r.objective == approx(120_000)
    assert hires(r) == {(label(2), "mid"): approx(3)}

    r = solve(make_inputs(window=1, markets=[market(s_mid=1)], extras=[extra(2, 5, 3)]))
    assert r.objective == approx(150_000)
    assert hires(r) == {(label(t), "mid"): approx(1) for t in (0, 1, 2)}


def test_supply_window_is_shortened_at_the_start():
    """W = 3, supply 1 at mid; demand 3 FTE t=1..5.
    Caps: t=0: S0 <= min(3,1)*1 = 1; t=1: S0+S1 <= 2; t=2: S0+S1+S2 <= 3.
    At t=1 at most 2 staff: unmet 1 -> 1,000,000. Cheapest: S1 = 2, S2 = 1
    (a hire at t=0 would only add salary): (2 * 5 + 1 * 4) * 10,000 = 140,000.
    Objective 1,140,000. (Unshortened, a cap of 3 at t=1 would give 150,000.)"""
    r = solve(make_inputs(window=3, markets=[market(s_mid=1)], extras=[extra(1, 5, 3)]))
    assert r.objective == approx(PENALTY + 140_000)
    assert hires(r) == {(label(1), "mid"): approx(2), (label(2), "mid"): approx(1)}
    assert series(r, "unmet") == approx([0, 1, 0, 0, 0, 0])


@pytest.mark.parametrize("window, lp, objective, unmet, plan", [
    # LP, W=1: S0 = S1 = 0.5 -> unmet 0.5 at t=0; salary 0.5*10,000 + 3*10,000 = 35,000.
    (1, True, 0.5 * PENALTY + 35_000, [0.5, 0, 0, 0], {0: 0.5, 1: 0.5}),
    # LP, W=2: caps 0.5 (t=0, shortened), then 1 per two months: the same plan.
    (2, True, 0.5 * PENALTY + 35_000, [0.5, 0, 0, 0], {0: 0.5, 1: 0.5}),
    # Integer, W=1: W*supply = 0.5 < 1 yields nobody: unmet 4 FTE-months.
    (1, False, 4 * PENALTY, [1, 1, 1, 1], {}),
    # Integer, W=2: t=0 cap 0.5 -> 0; S0+S1 <= 1 -> S1 = 1; unmet t=0; 3 * 10,000.
    (2, False, PENALTY + 30_000, [1, 0, 0, 0], {1: 1}),
])
def test_half_a_hire_a_month(window, lp, objective, unmet, plan):
    """Supply 0.5 a month at mid; demand 1 FTE t=0..3, horizon 4."""
    inputs = make_inputs(horizon=4, window=window, markets=[market(s_mid=0.5)],
                         extras=[extra(0, 3, 1)])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(objective)
    assert series(r, "unmet") == approx(unmet)
    assert hires(r) == {(label(t), "mid"): approx(v) for t, v in plan.items()}


def test_fractional_requirement_lp_vs_integer():
    """Demand 2.5 FTE t=0..5.
    LP: 2.5 hires at t=0, 2.5 * 6 * 10,000 = 150,000.
    Integer, severance 10 months: 3 hires, releasing 0.5 costs 50,000 > 30,000 saved:
        3 * 6 * 10,000 = 180,000.
    Integer, severance 3 months: 3 hires, release 0.5 at once (X is continuous):
        150,000 + 0.5 * 3 * 10,000 = 165,000."""
    lp = solve(make_inputs(extras=[extra(0, 5, 2.5)]), lp=True)
    assert lp.objective == approx(150_000)
    assert hires(lp) == {(label(0), "mid"): approx(2.5)}

    keep = solve(make_inputs(severance=10, extras=[extra(0, 5, 2.5)]))
    assert keep.objective == approx(180_000)
    assert hires(keep) == {(label(0), "mid"): approx(3)}
    assert series(keep, "separations") == approx([0] * 6)

    release = solve(make_inputs(severance=3, extras=[extra(0, 5, 2.5)]))
    assert release.objective == approx(165_000)
    assert hires(release) == {(label(0), "mid"): approx(3)}
    assert series(release, "separations") == approx([0.5, 0, 0, 0, 0, 0])
    assert series(release, "headcount") == approx([2.5] * 6)


def test_contractors_up_to_the_share_cap():
    """Contractors allowed, share 0.5, premium 1.5 (15,000 a month); time to fill 2 and
    horizon 2, so no hire is possible. Demand 2 FTE t=0..1.
    K <= 0.5 * 2 = 1 each month, the rest unmet: 2 * (15,000 + 1,000,000) = 2,030,000."""
    inputs = make_inputs(horizon=2, roles=[role(contractors=True, share=0.5, premium=1.5)],
                         markets=[market(ttf=2)], extras=[extra(0, 1, 2)])
    r = solve(inputs)
    assert r.objective == approx(2 * (15_000 + PENALTY))
    assert series(r, "contractors") == approx([1, 1])
    assert series(r, "unmet") == approx([1, 1])
    assert r.total_cost == approx(30_000)
    assert r.costs["contractors"].sum() == approx(30_000)


def test_contractors_cover_a_short_peak():
    """Contractors as above; demand 2 FTE at t=0 only, horizon 6.
    A contractor for the month: 15,000, capped at 0.5 * 2 = 1.
    The other FTE is hired: salary t=0 and release at t=1 = 10,000 + 3 * 10,000 = 40,000
    (keeping to t=5 would pay 60,000). Objective 55,000."""
    inputs = make_inputs(roles=[role(contractors=True, share=0.5, premium=1.5)],
                         extras=[extra(0, 0, 2)])
    r = solve(inputs)
    assert r.objective == approx(55_000)
    assert series(r, "contractors") == approx([1, 0, 0, 0, 0, 0])
    assert hires(r) == {(label(0), "mid"): approx(1)}
    assert series(r, "separations") == approx([0, 1, 0, 0, 0, 0])


def test_release_staff_when_construction_ends():
    """Site in construction t=0..1 (commissioning from t=2, live from t=4), construction
    needs 2 per site; no other phase needs this role. Horizon 8.
    Hire 2 at t=0; from t=2 the requirement is 0: releasing one person costs
    3 * 10,000 = 30,000, keeping one to t=7 costs 6 * 10,000 = 60,000 -> release 2 at t=2.
    Salaries 2 * 2 * 10,000 = 40,000 + severance 60,000 = 100,000."""
    inputs = make_inputs(horizon=8, sites=[site(0, 0, 2, 4)],
                         staffing_rows=[staffing("construction", per_site=2)])
    r = solve(inputs)
    assert series(r, "requirement") == approx([2, 2, 0, 0, 0, 0, 0, 0])
    assert r.objective == approx(100_000)
    assert hires(r) == {(label(0), "mid"): approx(2)}
    assert series(r, "separations") == approx([0, 0, 2, 0, 0, 0, 0, 0])
    assert series(r, "headcount") == approx([2, 2, 0, 0, 0, 0, 0, 0])
    assert r.costs["separations"].sum() == approx(60_000)


def test_move_staff_between_countries():
    """US holds 1 engineer (starting headcount), no US demand. AU needs 1 FTE t=0..3 but
    can hire nobody in the horizon (time to fill 4). AU wages: mid 60,000 -> 5,000 a month.
    Lane US -> AU, at most 1 a month, 5,000 a move.
    Move the engineer at t=0: 5,000 + 4 * 5,000 AU salary = 25,000; the move belongs
    to AU. US pays nothing (H_US0 = 1 - 1 = 0)."""
    inputs = make_inputs(
        horizon=4,
        bands=[band("US"), band("AU", lo=48_000, mid=60_000, hi=72_000)],
        markets=[market("US", start=1), market("AU", ttf=4)],
        extras=[extra(0, 3, 1, country="AU")],
        lanes=[lane("US", "AU", max_per_month=1, cost=5_000)],
    )
    r = solve(inputs)
    assert r.objective == approx(25_000)
    assert series(r, "moves_out", "US") == approx([1, 0, 0, 0])
    assert series(r, "moves_in", "AU") == approx([1, 0, 0, 0])
    assert series(r, "headcount", "AU") == approx([1, 1, 1, 1])
    assert series(r, "headcount", "US") == approx([0, 0, 0, 0])
    costs = r.costs.set_index("country")
    assert costs.loc["AU", "moves"].sum() == approx(5_000)
    assert costs.loc["AU", "total"].sum() == approx(25_000)
    assert costs.loc["US", "total"].sum() == approx(0)


def test_fx_on_cost_and_annual_increase_across_month_12():
    """Horizon 14 months from 2026-07 (t=0 is 2026-07, t=12 is 2027-07), so the step after
    12 months and the calendar year differ. AU band in AUD, fx 0.5 USD per AUD: mid
    240,000 AUD, on-cost 25 %, increase 10 %, cost per hire 4,000 AUD. Demand 1 FTE in
    every month.
    w = 240,000/12 * 1.25 * 0.5 = 12,500 USD for t < 12, * 1.1 = 13,750 for t = 12, 13.
    Hire 1 at t=0: 4,000 * 0.5 = 2,000.
    2026 (Jul..Dec): 6 * 12,500 + 2,000 = 77,000;
    2027 (Jan..Aug): 6 * 12,500 + 2 * 13,750 = 102,500. Objective 179,500."""
    inputs = make_inputs(
        start=month_index(2026, 7), horizon=14, fx={"AUD": 0.5},
        bands=[band("AU", currency="AUD", lo=192_000, mid=240_000, hi=288_000, on_cost=0.25,
                    increase=0.10)],
        markets=[market("AU", cost_per_hire=4_000)],
        extras=[extra(0, 40, 1, country="AU")],
    )
    r = solve(inputs)
    assert r.objective == approx(179_500)
    assert r.total_cost == approx(179_500)
    assert hires(r, "AU") == {("2026-07", "mid"): approx(1)}
    assert r.hires["annual_salary"].tolist() == [240_000]
    assert r.hires["currency"].tolist() == ["AUD"]
    costs = r.costs.set_index("year")
    assert costs.loc[2026, "salaries"] == approx(75_000)
    assert costs.loc[2026, "hiring"] == approx(2_000)
    assert costs.loc[2026, "total"] == approx(77_000)
    assert costs.loc[2027, "salaries"] == approx(102_500)
    assert costs.loc[2027, "total"] == approx(102_500)


def test_hiring_cost_is_charged_in_the_start_month():
    """Time to fill 2, cost per hire 5,000; demand 1 FTE t=12..13 (2027-01 .. 02), horizon 14.
    Requisition 2026-11, start 2027-01: 2026 costs nothing; 2027: 5,000 + 2 * 10,000."""
    inputs = make_inputs(horizon=14, markets=[market(ttf=2, cost_per_hire=5_000)],
                         extras=[extra(12, 13, 1)])
    r = solve(inputs)
    assert r.objective == approx(25_000)
    assert r.hires[["requisition_month", "start_month"]].values.tolist() == \
        [[label(10), label(12)]]
    costs = r.costs.set_index("year")
    assert costs.loc[2026, "total"] == approx(0)
    assert costs.loc[2027, "hiring"] == approx(5_000)
    assert costs.loc[2027, "total"] == approx(25_000)


def test_extra_demand_rows_add_up_and_are_clipped_to_the_model():
    """ExtraDemand: 1 FTE from 2 months before the horizon to t=1; 2 FTE t=2..7 (past the
    horizon, no look-ahead); 1 FTE t=4..5. Requirement 1, 1, 2, 2, 3, 3.
    Hire 1 at t=0, 2, 4: (6 + 4 + 2) * 10,000 = 120,000."""
    inputs = make_inputs(extras=[extra(-2, 1, 1), extra(2, 7, 2), extra(4, 5, 1)])
    r = solve(inputs)
    assert series(r, "requirement") == approx([1, 1, 2, 2, 3, 3])
    assert r.objective == approx(120_000)
    assert hires(r) == {(label(t), "mid"): approx(1) for t in (0, 2, 4)}


def test_binding_budget_leaves_demand_unmet():
    """Demand 1 FTE t=0..5 (60,000 unconstrained); Budget all years, all countries 40,000.
    Each covered FTE-month costs 10,000 and a release only adds cost: at most 4 covered,
    2 unmet. Objective 2,000,000 + 40,000 in both modes; integer: hire 1 at t=2."""
    for lp in (True, False):
        inputs = make_inputs(extras=[extra(0, 5, 1)], budgets=[budget(40_000)])
        r = solve(inputs, lp=lp)
        assert r.objective == approx(2 * PENALTY + 40_000)
        assert r.total_cost == approx(40_000)
        assert r.unmet_fte_months == approx(2)
    assert hires(r) == {(label(2), "mid"): approx(1)}
    assert series(r, "unmet") == approx([1, 1, 0, 0, 0, 0])


def test_budget_of_one_year_binds_only_that_year():
    """Horizon 14; demand 1 FTE t=10..13 (2026-11 .. 2027-02); Budget 2026, US: 10,000.
    2026 can pay one FTE-month: hire at t=11, unmet at t=10. 2027 is free:
    salaries t=12, 13. Objective 1,000,000 + 3 * 10,000 = 1,030,000."""
    inputs = make_inputs(horizon=14, extras=[extra(10, 13, 1)],
                         budgets=[budget(10_000, year=2026, country="US")])
    r = solve(inputs)
    assert r.objective == approx(PENALTY + 30_000)
    assert hires(r) == {(label(11), "mid"): approx(1)}
    costs = r.costs.set_index("year")
    assert costs.loc[2026, "total"] == approx(10_000)
    assert costs.loc[2027, "total"] == approx(20_000)


def test_budget_no_plan_can_meet_raises():
    """Starting headcount 2: releasing both at t=0 costs 2 * 3 * 10,000 = 60,000, the least
    any plan can spend in the horizon (keeping costs 20,000 a month). Budget 50,000."""
    inputs = make_inputs(markets=[market(start=2)], budgets=[budget(50_000, row=7)])
    with pytest.raises(BudgetInfeasible, match=r"row 7\b"):
        solve_inputs(inputs)


def test_budgets_met_alone_but_not_together_are_all_named():
    """US starts with 2 engineers; lane US -> AU (2 a month, no move cost); no demand.
    Budget row 2: US <= 1,000 (alone: move both to AU at t=0, US pays 0).
    Budget row 3: AU <= 1,000 (alone: nobody moves, AU pays 0).
    Together someone pays at least 2 * 3 * 10,000 = 60,000 of severance. No row is
    infeasible on its own, so the message names all of them."""
    inputs = make_inputs(bands=[band("US"), band("AU")],
                         markets=[market("US", start=2), market("AU", s_mid=0)],
                         lanes=[lane("US", "AU", max_per_month=2, cost=0)],
                         budgets=[budget(1_000, country="US", row=2),
                                  budget(1_000, country="AU", row=3)])
    with pytest.raises(BudgetInfeasible) as info:
        solve_inputs(inputs)
    assert re.search(r"\brow 2\b", str(info.value))
    assert re.search(r"\brow 3\b", str(info.value))


def test_24x7_posts_lp_vs_integer():
    """A site live since before the horizon, operations needs 1 round-the-clock post;
    fte_per_24x7_post 4.5 -> requirement 4.5 FTE, horizon 2.
    LP: 4.5 * 2 * 10,000 = 90,000.
    Integer: 5 hires; releasing 0.5 costs 15,000 > 10,000 of salary it saves: 100,000."""
    kw = dict(horizon=2, fte_per_post=4.5, sites=[site(-10, -8, -4, -2)],
              staffing_rows=[staffing("operations", posts=1)])
    lp = solve(make_inputs(**kw), lp=True)
    assert series(lp, "requirement") == approx([4.5, 4.5])
    assert lp.objective == approx(90_000)
    mip = solve(make_inputs(**kw))
    assert mip.objective == approx(100_000)
    assert hires(mip) == {(label(0), "mid"): approx(5)}


def test_operations_mw_ramp():
    """10 MW site live one month before the horizon, MW ramp 4 months, 0.4 FTE per MW.
    mw_op = 10 * min(1, (t + 2) / 4) = 5, 7.5, 10, 10 -> requirement 2, 3, 4, 4.
    Hire 2 at t=0, 1 at t=1, 1 at t=2: (2*4 + 3 + 2) * 10,000 = 130,000.
    A site going live at t=0 with ramp 2.5 months: 4 * min(1, (t+1)/2.5)
    = 1.6, 3.2, 4, 4; LP cost (1.6 + 3.2 + 4 + 4) * 10,000 = 128,000."""
    rows = [staffing("operations", per_mw=0.4)]
    r = solve(make_inputs(horizon=4, sites=[site(-12, -10, -4, -1, mw=10, ramp=4)],
                          staffing_rows=rows))
    assert series(r, "requirement") == approx([2, 3, 4, 4])
    assert r.objective == approx(130_000)
    assert hires(r) == {(label(0), "mid"): approx(2), (label(1), "mid"): approx(1),
                        (label(2), "mid"): approx(1)}

    r = solve(make_inputs(horizon=4, sites=[site(-6, -4, -2, 0, mw=10, ramp=2.5)],
                          staffing_rows=rows), lp=True)
    assert series(r, "requirement") == approx([1.6, 3.2, 4, 4])
    assert r.objective == approx(128_000)


def test_lookahead_hires_before_the_horizon_ends():
    """Ramp 2; horizon 4 (t=0..3); demand 1 FTE t=4..7, after the horizon.
    Look-ahead 0: the model sees no demand: no hires, objective 0.
    Look-ahead 4: to be productive at t=4 the hire starts at t=2 (a t=3 start would
    leave t=4 unmet). Objective = salary t=2..7 = 60,000; total_cost = horizon only,
    t=2..3 = 20,000."""
    blind = solve(make_inputs(horizon=4, lookahead=0, roles=[role(ramp=2)],
                              extras=[extra(4, 7, 1)]))
    assert blind.objective == approx(0)
    assert blind.hires.empty

    seen = solve(make_inputs(horizon=4, lookahead=4, roles=[role(ramp=2)],
                             extras=[extra(4, 7, 1)]))
    assert seen.objective == approx(60_000)
    assert seen.total_cost == approx(20_000)
    assert hires(seen) == {(label(2), "mid"): approx(1)}
    assert series(seen, "headcount") == approx([0, 0, 1, 1])
    assert seen.unmet_fte_months == approx(0)


def test_lookahead_months_are_solved_but_never_reported():
    """Ramp 2, horizon 4, look-ahead 4; demand 1 FTE t=4..7 and 1 more at t=7.
    As above, one hire at t=2 (60,000 over t=2..7). The second FTE is needed only at
    t=7: a hire at t=5 ramps t=5, 6 and costs 3 * 10,000 = 30,000 < 1,000,000 unmet.
    Objective 90,000; the t=5 hire starts after the horizon, so the Hires table,
    total_hires and total_cost (20,000) show only the t=2 hire."""
    r = solve(make_inputs(horizon=4, lookahead=4, roles=[role(ramp=2)],
                          extras=[extra(4, 7, 1), extra(7, 7, 1)]))
    assert r.objective == approx(90_000)
    assert r.total_cost == approx(20_000)
    assert hires(r) == {(label(2), "mid"): approx(1)}
    assert r.total_hires == approx(1)
    assert len(r.headcount) == 4


def test_budget_covers_horizon_months_only():
    """Horizon 4, look-ahead 4, demand 1 FTE t=0..7; Budget all years, all countries 40,000.
    The horizon pays 4 * 10,000 = 40,000 <= 40,000; the look-ahead months are outside the
    budget. Hire 1 at t=0, nothing unmet: objective 8 * 10,000 = 80,000."""
    r = solve(make_inputs(horizon=4, lookahead=4, extras=[extra(0, 7, 1)],
                          budgets=[budget(40_000)]))
    assert r.objective == approx(80_000)
    assert r.total_cost == approx(40_000)
    assert hires(r) == {(label(0), "mid"): approx(1)}


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_pressure_prices_one_more_hire_a_month(lp):
    """One month: requirement 2 FTE, supply 1 hire a month at mid, no time to fill, no
    ramp, wage 10,000 a month, penalty 1,000,000.

    Plan (both modes): hire 1, leave 1 FTE unmet. Objective = 10,000 + 1,000,000.
    One more hire costs 10,000 and saves 1,000,000 of unmet: the supply pressure at mid
    is 990,000 -- in LP mode the dual of the supply row, in integer mode the fixed hire's
    reduced cost. One more FTE of requirement would go unmet: 1,000,000.
    (Kept free of degenerate vertices, where duals are one-sided and solvers may differ.)
    """
    inputs = make_inputs(horizon=1, integer=not lp, extras=[extra(0, 0, 2.0)],
                         markets=[market(s_mid=1.0)])
    result = solve_inputs(inputs, lp=lp)
    assert result.objective == pytest.approx(1_010_000, rel=1e-9)
    p = result.pressure
    supply = p[p["kind"] == "supply"]
    assert list(supply["pay_point"]) == ["mid"]
    assert supply["value"].iloc[0] == pytest.approx(990_000, rel=1e-6)
    req = p[p["kind"] == "requirement"]
    assert list(req["month"]) == [label(0)]
    assert req["value"].iloc[0] == pytest.approx(1_000_000, rel=1e-6)


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_requirement_pressure_counts_the_contractors_a_higher_requirement_allows(lp):
    """One month: requirement 3 FTE, supply 1 hire a month at mid (wage 10,000), contractors
    up to 50% of the requirement at premium 1.5 (15,000 an FTE-month), penalty 1,000,000.

    Plan (both modes): hire 1, contractors at their cap 0.5 x 3 = 1.5, unmet 0.5.
    Objective = 10,000 + 1.5 x 15,000 + 0.5 x 1,000,000 = 532,500.
    One more FTE of requirement raises the contractor cap by 0.5: 0.5 more contractors cost
    7,500, the other 0.5 FTE goes unmet for 500,000, so the requirement pressure is 507,500
    (dual of cover 1,000,000 plus 0.5 x the contractors' reduced cost 15,000 - 1,000,000).
    Without the contractor term it would read 1,000,000.
    (Unmet 0.5 > 0 keeps the vertex non-degenerate, so the duals are unique.)
    """
    inputs = make_inputs(horizon=1, integer=not lp, extras=[extra(0, 0, 3.0)],
                         roles=[role(contractors=True, premium=1.5, share=0.5)],
                         markets=[market(s_mid=1.0)])
    result = solve_inputs(inputs, lp=lp)
    assert result.objective == pytest.approx(532_500, rel=1e-9)
    assert series(result, "contractors") == approx([1.5])
    assert series(result, "unmet") == approx([0.5])
    req = result.pressure[result.pressure["kind"] == "requirement"]
    assert list(req["month"]) == [label(0)]
    assert req["value"].iloc[0] == pytest.approx(507_500, rel=1e-6)


def test_fraction_of_a_person_left_unmet_says_why():
    """Integer mode, 0.5 FTE needed in months 0 and 1, wage 10,000 a month, penalty 15,000.
    A whole hire costs 20,000 over the two months (releasing after one costs 3 months of
    severance, more still); leaving half a person unmet costs 2 x 0.5 x 15,000 = 15,000.
    The LP relaxation hires half a person for 10,000 < 15,000 and meets it all, so the
    reason is `whole_hires` (lifting supply, a whole hire at min still costs 16,000)."""
    inputs = make_inputs(horizon=2, penalty=15_000.0, extras=[extra(0, 1, 0.5)])
    result = solve_inputs(inputs)
    assert result.objective == pytest.approx(15_000, rel=1e-9)
    assert result.total_hires == 0
    risks = result.risks
    assert list(risks["reason"]) == ["whole_hires", "whole_hires"]
    assert risks["detail"].str.startswith("hires are whole people").all()
