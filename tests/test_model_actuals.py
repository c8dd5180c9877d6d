"""Re-planning from actuals (model.md, Actuals): Roster and Requisitions, on cases whose
optimum was derived by hand.

Defaults of tests/cases.py: country US, role eng, wages 8,000 / 10,000 / 12,000 a month at
min / mid / max, supply 100 a month at mid only, no attrition, time to fill, ramp, hiring
cost or look-ahead; severance 3 months of the leaver's wage; unmet penalty 1,000,000 per
FTE-month; horizon 6 months from 2026-01.
"""

from __future__ import annotations

import pytest

from cases import PENALTY, budget, extra, label, make_inputs, market, requisition, role, roster
from test_model_cases import HALF_A_MONTH, approx, hires, series, solve

MODES = pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])


def by_source(result) -> dict[tuple[str, str, str], float]:
    """(start_month, pay_point, source) -> hires, from the Hires table."""
    out: dict[tuple[str, str, str], float] = {}
    for rec in result.hires.itertuples(index=False):
        key = (rec.start_month, rec.pay_point, rec.source)
        out[key] = out.get(key, 0.0) + float(rec.hires)
    return out


def decisions(result) -> dict[str, object]:
    return dict(zip(result.inflight["req_id"], result.inflight["decision"]))


@MODES
def test_roster_at_several_pay_points(lp):
    """Roster: 1 person at min (8,000 a month) and 2 at max (12,000); no starting_headcount.
    Demand 2 FTE t=0..5, so one person is surplus and may be released (the requirement
    never rises). Releasing a max person at t=0 costs 3 * 12,000 = 36,000 and saves
    6 * 12,000 = 72,000 (net 36,000); releasing the min person nets only 48,000 - 24,000.
    Plan: release 1 at max in t=0; salaries 6 * (8,000 + 12,000) = 120,000 + 36,000 =
    156,000. (Starting everyone at mid would give 120,000 + 30,000 instead.)"""
    inputs = make_inputs(integer=not lp, extras=[extra(0, 5, 2)],
                         roster_rows=[roster("min", 1), roster("max", 1), roster("max", 1)])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(156_000)
    assert series(r, "separations") == approx([1, 0, 0, 0, 0, 0])
    assert series(r, "headcount") == approx([2] * 6)
    assert r.hires.empty
    assert r.costs["separations"].sum() == approx(36_000)


@MODES
def test_roster_cohort_still_ramping(lp):
    """Monthly survival 0.5, ramp 2, demand 1 FTE t=0..2, horizon 3. Roster: 4 people at
    mid who started one month before the horizon (tau = -1): still ramping in t = 0 only
    (0 <= t <= tau + ramp - 1 = 0), R[0] = 4 * 0.5^1 = 2.
    H from the roster: 2, 1, 0.5. t=0: P0 = 2 - 2 = 0, and no hire can help (ramp):
    unmet 1. t=1: P1 = 1. t=2: the roster leaves 0.5; only a t=0 cohort helps (0.25 * S0
    productive at t=2): S0 = 2 (salaries of that cohort 2 + 1 + 0.5 FTE-months, far
    below 0.5 * 1,000,000 unmet). At t=1 that cohort ramps: P1 = (1 + 1) - 0.5 * 2 = 1.
    Salaries H = 4, 2, 1 -> 70,000. Objective 1,000,000 + 70,000."""
    inputs = make_inputs(horizon=3, integer=not lp, roles=[role(ramp=2)],
                         markets=[market(attrition=HALF_A_MONTH)],
                         extras=[extra(0, 2, 1)], roster_rows=[roster("mid", 4, started=-1)])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(PENALTY + 70_000)
    assert hires(r) == {(label(0), "mid"): approx(2)}
    assert series(r, "headcount") == approx([4, 2, 1])
    assert series(r, "productive") == approx([0, 1, 1])
    assert series(r, "unmet") == approx([1, 0, 0])


@MODES
def test_accepted_offer_starts_before_any_new_requisition_could(lp):
    """Time to fill 3 (new hires start at t >= 3), ramp 1 (the start month), cost per hire
    5,000. Demand 1 FTE t=0..5. An accepted offer at max (no supply there) starts at t=1:
    fixed, paid 12,000 a month from t=1, charged 5,000 then, and ramping in t=1 like any
    hire. t=0 and t=1 are unmet (2,000,000). Replacing the person by a mid hire at t=3
    would save 3 * 2,000 but cost 36,000 severance + 5,000.
    Objective 2,000,000 + 5 * 12,000 + 5,000 = 2,065,000."""
    inputs = make_inputs(integer=not lp, roles=[role(ramp=1)],
                         markets=[market(ttf=3, cost_per_hire=5_000)],
                         extras=[extra(0, 5, 1)],
                         requisitions=[requisition("OFF-1", "offer_accepted", 1, "max")])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(2 * PENALTY + 65_000)
    assert series(r, "unmet") == approx([1, 1, 0, 0, 0, 0])
    assert series(r, "productive") == approx([0, 0, 1, 1, 1, 1])
    assert series(r, "headcount") == approx([0, 1, 1, 1, 1, 1])
    assert by_source(r) == {(label(1), "max", "accepted"): approx(1)}
    assert r.hires["requisition_month"].tolist() == [None]
    assert r.total_hires == approx(1)
    assert r.costs["hiring"].sum() == approx(5_000)
    assert decisions(r) == {"OFF-1": "fixed"}


def three_open(fte: float, lp: bool):
    """Three open requisitions R3, R10, R2 at mid starting t=0; time to fill 2 and supply
    1 a month (neither binds them); cost per hire 5,000; demand `fte` FTE t=0..5."""
    return make_inputs(integer=not lp, markets=[market(ttf=2, s_mid=1, cost_per_hire=5_000)],
                       extras=[extra(0, 5, fte)],
                       requisitions=[requisition(q, "open", 0) for q in ("R3", "R10", "R2")])


@MODES
def test_three_open_requisitions_the_plan_keeps_two(lp):
    """Demand 2 FTE: keep two of the three (2 * (6 * 10,000 + 5,000) = 130,000); a third
    would only add cost, and a new hire cannot start before t=2. Kept are the first two
    by req_id in code-point order: R10, R2; R3 is cancelled. (Two kept at t=0 exceed
    the supply cap of 1 a month, which binds new hires only.)"""
    r = solve(three_open(2, lp), lp=lp)
    assert r.objective == approx(130_000)
    assert by_source(r) == {(label(0), "mid", "open"): approx(2)}
    assert r.hires["requisition_month"].tolist() == [None]
    assert r.total_hires == approx(2)
    assert decisions(r) == {"R3": "cancel", "R10": "keep", "R2": "keep"}
    assert list(r.inflight["status"]) == ["open"] * 3


def test_open_requisitions_lp_keeps_a_fraction_integer_releases_half():
    """Demand 1.5 FTE t=0..5.
    LP: keep 1.5: 1.5 * (60,000 + 5,000) = 97,500; R10 kept, R2 half kept (0.5), R3
        cancelled.
    Integer: keep 2 and release 0.5 at t=0 (releases allowed: the requirement never
        rises): 1.5 * 60,000 + 2 * 5,000 + 0.5 * 3 * 10,000 = 115,000 (keeping all 2
        costs 130,000; keeping 1 leaves 0.5 unmet until a new hire at t=2).
        R10 and R2 kept, R3 cancelled."""
    lp = solve(three_open(1.5, True), lp=True)
    assert lp.objective == approx(97_500)
    assert by_source(lp) == {(label(0), "mid", "open"): approx(1.5)}
    d = decisions(lp)
    assert (d["R10"], d["R3"]) == ("keep", "cancel")
    assert d["R2"] == approx(0.5)

    mip = solve(three_open(1.5, False))
    assert mip.objective == approx(115_000)
    assert by_source(mip) == {(label(0), "mid", "open"): approx(2)}
    assert series(mip, "separations") == approx([0.5, 0, 0, 0, 0, 0])
    assert decisions(mip) == {"R3": "cancel", "R10": "keep", "R2": "keep"}


def test_lookahead_start_is_planned_but_not_a_hires_row():
    """Horizon 2, look-ahead 2; demand 1 FTE t=2..3 (look-ahead only). An accepted offer
    starting at t=2 covers it: objective 2 * 10,000 = 20,000, nothing in the horizon.
    The offer gets an InFlight row but no Hires row, and total_hires counts the horizon."""
    r = solve(make_inputs(horizon=2, lookahead=2, extras=[extra(2, 3, 1)],
                          requisitions=[requisition("A1", "offer_accepted", 2)]))
    assert r.objective == approx(20_000)
    assert r.total_cost == approx(0)
    assert r.hires.empty
    assert r.total_hires == 0
    assert r.inflight.values.tolist() == [["A1", "US", "eng", "mid", label(2),
                                           "offer_accepted", "fixed"]]


@MODES
def test_accepted_offer_hiring_cost_counts_against_a_budget(lp):
    """An accepted offer at mid starting t=0 (cost per hire 5,000), demand 1 FTE t=0..5,
    Budget (all years, all countries) 62,000. Keeping the person costs 5,000 + 60,000 =
    65,000 > 62,000, and the 5,000 is fixed, so 3,000 must come from releasing: a share x
    released at t=0 saves 6 * 10,000 x and costs 3 * 10,000 x severance (net 30,000 x for
    6x FTE-months unmet; a later release saves less per unmet month), so x = 0.1.
    Objective 62,000 + 0.6 * 1,000,000 = 662,000; Costs hiring 5,000; the budget is
    spent exactly. (Leaving the fixed 5,000 out of the budget row would keep the person:
    65,000.)"""
    inputs = make_inputs(integer=not lp, markets=[market(cost_per_hire=5_000)],
                         extras=[extra(0, 5, 1)], budgets=[budget(62_000)],
                         requisitions=[requisition("A1", "offer_accepted", 0)])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(62_000 + 0.6 * PENALTY)
    assert series(r, "separations") == approx([0.1, 0, 0, 0, 0, 0])
    assert r.costs["hiring"].sum() == approx(5_000)
    assert r.total_cost == approx(62_000)
    assert r.budgets["spent"].tolist() == approx([62_000])
