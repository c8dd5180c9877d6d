"""Stable plans (model/stable.py): with a previous plan, the hires stay where that plan had
them when the accepted gap allows, and never cost more than the gap accepts."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from cases import extra, label, make_inputs, market, requisition
from staffplan.jobs.plan import solve_inputs
from staffplan.results.changes import PreviousPlan


def _previous(start_t: int) -> PreviousPlan:
    """A previous plan over the same four months that hired one engineer in month start_t."""
    months = [label(t) for t in range(4)]
    return PreviousPlan(
        name="old-plan.xlsx", plan_name="old", total_cost=0.0, unmet_fte_months=0.0,
        total_hires=1.0, currency="USD", mode="integer",
        hires=pd.DataFrame([("US", "eng", label(start_t), 1.0)],
                           columns=["country", "role_id", "start_month", "hires"]),
        hires_by_pay_point=pd.DataFrame([("US", "eng", "mid", label(start_t), 1.0)],
                                        columns=["country", "role_id", "pay_point",
                                                 "start_month", "hires"]),
        headcount=pd.DataFrame([("US", "eng", m, 0.0, 0.0, 0.0) for m in months],
                               columns=["country", "role_id", "month", "requirement",
                                        "headcount", "unmet"]))


def _case(gap: float):
    inputs = make_inputs(horizon=4, extras=[extra(2, 3, 1.0)])
    return dataclasses.replace(inputs, settings=dataclasses.replace(inputs.settings,
                                                                    mip_gap=gap))


@pytest.mark.parametrize("gap, start, cost", [(0.5, 1, 30_000.0), (0.2, 2, 20_000.0)])
def test_previous_start_month_kept_only_within_the_accepted_gap(gap, start, cost):
    """One engineer needed in months 2 and 3 (10,000 a month at mid, no hiring cost, no
    attrition, nothing after month 3). Cheapest: start in month 2, cost 2 x 10,000 = 20,000,
    which is also the bound. The previous plan started the hire in month 1: 3 x 10,000 =
    30,000. The second solve may cost up to bound / (1 - mip_gap):
    gap 0.5 -> 40,000: month 1 fits, so the hire stays in month 1 (distance 0), cost 30,000
    and gap (30,000 - 20,000) / 30,000 = 1/3 <= 0.5;
    gap 0.2 -> 25,000: month 1 does not fit, the hire starts in month 2, cost 20,000."""
    result = solve_inputs(_case(gap), previous=_previous(1))
    hires = result.hires.groupby("start_month")["hires"].sum().to_dict()
    assert hires == {label(start): 1.0}
    assert result.total_cost == pytest.approx(cost)
    assert result.mip_gap <= gap + 1e-9
    assert result.stable is not None and result.stable.distance_after == (0 if gap == 0.5 else 2)
    if gap == 0.5:
        assert result.mip_gap == pytest.approx(1 / 3, rel=1e-6)


def test_lp_mode_has_no_second_solve():
    """An LP optimum has no gap to spend: the plan is the LP's (hire in month 2, 20,000)."""
    result = solve_inputs(_case(0.5), lp=True, previous=_previous(1))
    assert result.stable is None
    assert result.total_cost == pytest.approx(20_000.0)


@pytest.mark.parametrize("gap, objective, distance", [(0.5, 60_000.0, 0), (0.1, 50_000.0, 2)])
def test_accepted_offer_counts_and_its_fixed_cost_is_in_the_cap(gap, objective, distance):
    """Two engineers needed in months 2 and 3 (10,000 a month each at mid, 5,000 a hire, no
    attrition). One accepted offer starts in month 2 (its 5,000 hiring cost is the objective's
    constant). Cheapest: one new hire in month 2: 2 x 2 x 10,000 + 2 x 5,000 = 50,000 = bound.
    The previous plan started one in month 1 and one in month 2; starting the new hire in
    month 1 costs 10,000 more: 60,000, distance 0 (month 1: 1 = 1; month 2: offer 1 = 1).
    gap 0.5: cap 50,000 / 0.5 = 100,000, so 60,000; gap 0.1: cap 55,556 < 60,000, so the new
    hire stays in month 2: distance |0 - 1| + |2 - 1| = 2. (Capping only the variable part,
    55,000, at 55,556 would wrongly take month 1.)"""
    inputs = make_inputs(horizon=4, extras=[extra(2, 3, 2.0)],
                         markets=[market(cost_per_hire=5_000)],
                         requisitions=[requisition("A1", "offer_accepted", 2)])
    inputs = dataclasses.replace(inputs, settings=dataclasses.replace(inputs.settings,
                                                                      mip_gap=gap))
    prev = _previous(1)
    extra_row = ("US", "eng", "mid", label(2), 1.0)
    prev.hires_by_pay_point.loc[len(prev.hires_by_pay_point)] = extra_row
    result = solve_inputs(inputs, previous=prev)
    assert result.objective == pytest.approx(objective)
    assert result.stable is not None and result.stable.distance_after == distance
