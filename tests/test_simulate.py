"""The risk simulation against exact binomial and Poisson arithmetic.

Each case is small enough that the probability of being staffed at go-live, and the
quantiles of unmet FTE-months and shortfall, follow from a few lines of arithmetic written
in the test. The simulated probability must be within 4 standard errors of the exact one
(sqrt(p (1 - p) / samples)); a simulated quantile must equal the exact quantile, which the
test checks is not within 4 standard errors of a tie.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from cases import START, label, make_inputs, market, role, site, staffing
from staffplan.inputs.data import RosterRow
from staffplan.results.simulate import (
    pair_plans,
    pair_risk,
    quantiles,
    shortfall_table,
    simulate,
    site_risk,
    whole,
)

SAMPLES = 20_000


def _hires(*rows: tuple[int, float]) -> pd.DataFrame:
    return pd.DataFrame([("US", "eng", label(t), h) for t, h in rows],
                        columns=["country", "role_id", "start_month", "hires"])


NO_ACTIONS = pd.DataFrame(columns=["country", "role_id", "month", "contractors", "separations",
                                   "moves_in", "moves_out"])


def _run(inputs, hires=None, headcount=NO_ACTIONS, seed=7, samples=SAMPLES):
    plans = pair_plans(inputs, hires if hires is not None else _hires(), headcount)
    return simulate(inputs, plans, samples, seed)


def _close(simulated: float, exact: float, n: int = SAMPLES) -> None:
    se = math.sqrt(exact * (1 - exact) / n)
    assert abs(simulated - exact) <= 4 * se + 1e-12, (simulated, exact, se)


def _exact_quantile(pmf: dict[int, float], q: float, n: int = SAMPLES) -> int:
    """Smallest x with P(X <= x) >= q; refuses a case within 4 standard errors of a tie."""
    cdf = 0.0
    for x in sorted(pmf):
        cdf += pmf[x]
        if cdf >= q:
            assert abs(cdf - q) > 4 * math.sqrt(q * (1 - q) / n), "too close to call"
            return x
    raise AssertionError("pmf does not reach q")


def test_attrition_is_binomial_per_person_per_month() -> None:
    """10 people at the start, monthly survival 0.9 (annual attrition 1 - 0.9^12), no hires.
    The site goes live in month 2 needing 8 FTE, so 95% is 7.6: staffed iff at least 8 of the
    10 are still there after three months of attrition (months 0, 1 and 2), each surviving
    with probability 0.9^3 = 0.729 independently:
    p = sum_{k=8..10} C(10, k) 0.729^k 0.271^(10-k)."""
    annual = 1 - 0.9 ** 12
    inputs = make_inputs(
        horizon=6, markets=[market(start=10, attrition=annual)],
        sites=[site(0, 0, 0, 2)], staffing_rows=[staffing("operations", per_site=8)])
    sim = _run(inputs)
    q = 0.9 ** 3
    exact = sum(math.comb(10, k) * q ** k * (1 - q) ** (10 - k) for k in range(8, 11))
    risk = site_risk(inputs, sim.staffed, SAMPLES)
    assert list(risk["site_id"]) == ["S1"]
    assert list(risk["go_live"]) == [label(2)]
    _close(float(risk["p_staffed"].iloc[0]), exact)
    # The headcount in month 2 is Binomial(10, 0.729): mean 7.29.
    assert sim.staffed[("US", "eng")][:, 2].mean() == pytest.approx(10 * q, abs=4 * math.sqrt(
        10 * q * (1 - q) / SAMPLES))


def test_start_delays_are_poisson_and_shape_unmet_and_shortfall() -> None:
    """3 hires planned to start in month 1, no attrition or ramp, each starting D months late
    with D ~ Poisson(1.2) independently (F = its CDF). The site goes live in month 3 needing 3
    FTE (and 3 FTE to month 5, the horizon's end; nothing before).

    - staffed at go-live iff all three started by month 3, i.e. each D <= 2: p = F(2)^3;
    - shortfall at go-live = hires with D > 2 ~ Binomial(3, 1 - F(2));
    - unmet FTE-months: a hire starting in month 1 + D misses the months t in 3..5 with
      t < 1 + D, i.e. min(max(D - 2, 0), 3) of them; the total is the sum of three such
      independent counts (pmf by convolution)."""
    lam = 1.2
    inputs = make_inputs(
        horizon=6, markets=[dataclasses.replace(market(), fill_delay_mean_months=lam)],
        sites=[site(0, 0, 0, 3)], staffing_rows=[staffing("operations", per_site=3)])
    sim = _run(inputs, _hires((1, 3)))

    def pois(k: int) -> float:
        return math.exp(-lam) * lam ** k / math.factorial(k)

    F2 = sum(pois(k) for k in range(3))
    _close(float(site_risk(inputs, sim.staffed, SAMPLES)["p_staffed"].iloc[0]), F2 ** 3)

    short = {k: math.comb(3, k) * (1 - F2) ** k * F2 ** (3 - k) for k in range(4)}
    row = shortfall_table(inputs, sim.staffed).iloc[0]
    assert (row["site_id"], row["role_id"], row["requirement"]) == ("S1", "eng", 3)
    assert row["shortfall_p50"] == _exact_quantile(short, 0.5)
    assert row["shortfall_p90"] == _exact_quantile(short, 0.9)

    one = {0: F2, 1: pois(3), 2: pois(4), 3: 1 - F2 - pois(3) - pois(4)}
    total = {0: 1.0}
    for _ in range(3):
        nxt: dict[int, float] = {}
        for a, pa in total.items():
            for b, pb in one.items():
                nxt[a + b] = nxt.get(a + b, 0.0) + pa * pb
        total = nxt
    pr = pair_risk(sim.unmet).iloc[0]
    assert pr["unmet_p50"] == _exact_quantile(total, 0.5)
    assert pr["unmet_p90"] == _exact_quantile(total, 0.9)
    assert pr["unmet_p90"] > 0  # the case has a tail to find


def test_new_hires_ramp_and_then_face_attrition() -> None:
    """2 hires start in month 0 with a 2-month ramp (not productive in months 0 and 1) and
    monthly survival 0.9 from the month after their start. S1 goes live in month 1 needing 1
    FTE: nobody is productive yet, p = 0. S2 goes live in month 2, the requirement is then 2
    (95%: 1.9): staffed iff both survived months 1 and 2, p = (0.9^2)^2 = 0.6561."""
    inputs = make_inputs(
        horizon=4, roles=[role(ramp=2)], markets=[market(attrition=1 - 0.9 ** 12)],
        sites=[site(0, 0, 0, 1, site_id="S1"), site(0, 0, 0, 2, site_id="S2")],
        staffing_rows=[staffing("operations", per_site=1)])
    sim = _run(inputs, _hires((0, 2)))
    risk = site_risk(inputs, sim.staffed, SAMPLES).set_index("site_id")["p_staffed"]
    assert risk["S1"] == 0.0
    _close(float(risk["S2"]), 0.81 ** 2)


def test_planned_separations_moves_and_contractors_happen_where_people_exist() -> None:
    """US has 3 people, JP none; no attrition. Month 0: one separation in US and two moves
    US -> JP; JP also uses 0.5 contractor FTE. Everything is certain, so every sample ends
    month 0 with US 0 and JP 2 + 0.5 staffed; a second separation planned in month 1 finds
    nobody in US and changes nothing."""
    markets = [market("US", start=3), market("JP")]
    inputs = make_inputs(horizon=2, markets=markets,
                         bands=[dataclasses.replace(b, country=c) for c in ("US", "JP")
                                for b in [make_inputs().bands[("US", "eng")]]])
    head = pd.DataFrame([
        ("US", "eng", label(0), 0.0, 1.0, 0.0, 2.0),
        ("JP", "eng", label(0), 0.5, 0.0, 2.0, 0.0),
        ("US", "eng", label(1), 0.0, 1.0, 0.0, 0.0),
    ], columns=["country", "role_id", "month", "contractors", "separations", "moves_in",
                "moves_out"])
    sim = _run(inputs, headcount=head, samples=50)
    assert (sim.staffed[("US", "eng")] == 0).all()
    assert (sim.staffed[("JP", "eng")] == np.array([2.5, 2.0])).all()


def test_the_seed_makes_the_run_repeatable() -> None:
    inputs = make_inputs(
        horizon=6, markets=[dataclasses.replace(market(start=5, attrition=0.3),
                                                fill_delay_mean_months=1.0)],
        sites=[site(0, 0, 0, 3)], staffing_rows=[staffing("operations", per_site=6)])
    hires = _hires((1, 2), (2, 1))
    a, b, c = (_run(inputs, hires, seed=s, samples=500) for s in (11, 11, 12))
    key = ("US", "eng")
    assert np.array_equal(a.staffed[key], b.staffed[key])
    assert not np.array_equal(a.staffed[key], c.staffed[key])


def test_fractional_plans_become_whole_people_on_running_totals() -> None:
    assert whole(np.array([0.5, 0.5, 0.4, 0.2, 1.4])).tolist() == [1, 0, 0, 1, 1]
    assert whole(np.array([2.0, 0.0, 1.0])).tolist() == [2, 0, 1]
    assert quantiles(np.array([0.0, 0.0, 1.0, 5.0])) == [0.0, 5.0]


def test_roster_people_start_on_the_books_and_finish_their_ramp() -> None:
    """Roster (model.md, Actuals): 3 people past their ramp-up and 2 who started the month
    before horizon_start with a 2-month ramp, so they still learn in month 0 (through
    tau + ramp - 1 = 0) and count from month 1. No attrition, no hires: every sample has
    3 productive in month 0 and 5 from month 1."""

    inputs = make_inputs(horizon=3, roles=[role(ramp=2)], markets=[market(start=0)])
    inputs.roster = [RosterRow("US", "eng", "mid", 3), RosterRow("US", "eng", "mid", 2,
                                                                 start_month=START - 1)]
    sim = _run(inputs, samples=20)
    assert (sim.staffed[("US", "eng")] == np.array([3, 5, 5])).all()
