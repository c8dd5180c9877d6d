"""The `releases` policy (model.md, Releases), on cases whose optimum was derived by hand.

Defaults of tests/cases.py: country US, role eng, wages 8,000 / 10,000 / 12,000 a month at
min / mid / max, supply 100 a month at mid only, no attrition, time to fill, ramp, hiring
cost or look-ahead; severance 3 months of the leaver's wage; starting staff are paid at mid;
horizon 6 months from 2026-01.
"""

from __future__ import annotations

import pytest

from cases import band, budget, extra, label, make_inputs, market, site, staffing
from staffplan.core.errors import BudgetInfeasible
from staffplan.jobs.plan import solve_inputs
from staffplan.model.build import releases_allowed
from test_model_cases import approx, hires, series, solve

MODES = pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])


def test_release_months_follow_the_later_requirement():
    """when_demand_falls allows a release in t only if no later month needs more:
    req 1, 3, 2, 2, 1, 1 -> t=0 no (3 later); t=1 yes (the peak never recurs); t=2 yes
    (a later 2 equals it); t=3..5 yes (the last month always). Equal within 1e-9
    relative counts as equal; 1e-6 more does not."""
    req = [1, 3, 2, 2, 1, 1]
    assert releases_allowed(req, "when_demand_falls") == [False, True, True, True, True, True]
    assert releases_allowed(req, "anytime") == [True] * 6
    assert releases_allowed(req, "never") == [False] * 6
    assert releases_allowed([5.0, 5.0 * (1 + 1e-12)], "when_demand_falls") == [True, True]
    assert releases_allowed([5.0, 5.0 * (1 + 1e-6)], "when_demand_falls") == [False, True]
    assert releases_allowed([0.0, 0.0], "when_demand_falls") == [True, True]


def churn_case(releases: str, lp: bool):
    """Starting staff 2 at mid (10,000 a month); requirement 1 FTE t=0..2, 2 FTE t=3..5;
    supply only at min, band_min 72,000 -> 6,000 a month, well below mid."""
    return make_inputs(integer=not lp, releases=releases,
                       bands=[band(lo=72_000)],
                       markets=[market(start=2, s_min=100, s_mid=0)],
                       extras=[extra(0, 5, 1), extra(3, 5, 1)])


@MODES
def test_churn_anytime_releases_and_rehires_at_min(lp):
    """anytime: the surplus person released at t=0 (severance 3 * 10,000 = 30,000) and a
    new hire at min from t=3 (3 * 6,000 = 18,000) costs 48,000 < 60,000 for keeping them
    (later releases pay salary too; a rehire at t=2 adds 6,000). Replacing the needed
    person too costs 30,000 + 6 * 6,000 = 66,000 > 60,000 kept.
    Objective 60,000 + 48,000 = 108,000."""
    r = solve(churn_case("anytime", lp), lp=lp)
    assert r.objective == approx(108_000)
    assert series(r, "separations") == approx([1, 0, 0, 0, 0, 0])
    assert hires(r) == {(label(3), "min"): approx(1)}
    assert series(r, "headcount") == approx([1, 1, 1, 2, 2, 2])


@MODES
def test_churn_when_demand_falls_keeps_the_staff(lp):
    """when_demand_falls (the default): the requirement rises again at t=3, so nobody may be
    released in t=0..2, and from t=3 on both are needed. Both stay: 2 * 6 * 10,000 =
    120,000; no hire, no separation."""
    r = solve(churn_case("when_demand_falls", lp), lp=lp)
    assert r.inputs.settings.releases == "when_demand_falls"
    assert r.objective == approx(120_000)
    assert series(r, "separations") == approx([0] * 6)
    assert r.hires.empty
    assert series(r, "headcount") == approx([2] * 6)
    assert dict(r.summary_rows())["releases"] == "when_demand_falls"


def test_churn_rule_counts_look_ahead_months():
    """The same case over a horizon of 3 months (t=0..2) with look-ahead 3: the rise at t=3
    is in the look-ahead, so when_demand_falls still keeps both (2 * 6 * 10,000 =
    120,000 objective, 60,000 in the horizon) while anytime releases one at t=0
    (objective 108,000 as in the 6-month case; horizon cost 30,000 + 3 * 10,000)."""
    def case(releases):
        return make_inputs(horizon=3, lookahead=3, releases=releases, bands=[band(lo=72_000)],
                           markets=[market(start=2, s_min=100, s_mid=0)],
                           extras=[extra(0, 5, 1), extra(3, 5, 1)])
    kept = solve(case("when_demand_falls"))
    assert kept.objective == approx(120_000)
    assert kept.total_cost == approx(60_000)
    assert series(kept, "separations") == approx([0, 0, 0])
    churn = solve(case("anytime"))
    assert churn.objective == approx(108_000)
    assert churn.total_cost == approx(60_000)
    assert series(churn, "separations") == approx([1, 0, 0])


@MODES
@pytest.mark.parametrize("releases, objective, separations", [
    # Released once the site's construction ends: 2 * 2 * 10,000 + 2 * 30,000 = 100,000.
    ("when_demand_falls", 100_000, [0, 0, 2, 0, 0, 0, 0, 0]),
    ("anytime", 100_000, [0, 0, 2, 0, 0, 0, 0, 0]),
    # Never released: both paid all 8 months, 2 * 8 * 10,000 = 160,000.
    ("never", 160_000, [0] * 8),
])
def test_falling_demand_by_policy(lp, releases, objective, separations):
    """Construction needs 2 engineers at t=0..1, nothing after (horizon 8): hire 2 at t=0.
    Keeping one from t=2 to t=7 costs 60,000, releasing them 30,000."""
    inputs = make_inputs(horizon=8, integer=not lp, releases=releases,
                         sites=[site(0, 0, 2, 4)],
                         staffing_rows=[staffing("construction", per_site=2)])
    r = solve(inputs, lp=lp)
    assert r.objective == approx(objective)
    assert hires(r) == {(label(0), "mid"): approx(2)}
    assert series(r, "separations") == approx(separations)


def rising_with_budget(releases: str, max_cost: float):
    """Starting staff 2, requirement 0 at t=0..3 and 2 at t=4..5. Keeping both: 120,000;
    releasing both at t=0 (60,000) and hiring 2 at t=4 (2 * 2 * 10,000): 100,000."""
    return make_inputs(releases=releases, markets=[market(start=2)],
                       extras=[extra(4, 5, 2)], budgets=[budget(max_cost, row=5)])


@pytest.mark.parametrize("releases", ["when_demand_falls", "never"])
def test_budget_met_only_by_releasing_says_the_policy_is_involved(releases):
    """Budget 110,000: anytime meets it (100,000), but keeping both costs 120,000 and
    the policy forbids releasing them in t=0..3: infeasible, and the message says so."""
    with pytest.raises(BudgetInfeasible) as info:
        solve_inputs(rising_with_budget(releases, 110_000))
    text = str(info.value)
    assert "row 5" in text
    assert f"releases policy is involved: with releases = {releases}" in text
    r = solve(rising_with_budget("anytime", 110_000))
    assert r.objective == approx(100_000)
    assert series(r, "separations") == approx([2, 0, 0, 0, 0, 0])


def test_budget_no_release_could_meet_does_not_blame_the_policy():
    """The least any plan can spend, even releasing freely, is 60,000 (release both at t=0
    and leave the later demand unmet: the unmet penalty is outside budgets). Budget
    50,000 is below that, so the policy is not involved."""
    with pytest.raises(BudgetInfeasible) as info:
        solve_inputs(rising_with_budget("when_demand_falls", 50_000))
    assert "row 5" in str(info.value)
    assert "releases" not in str(info.value)
