"""The time limit is the user's: one wall-clock Deadline per plan, shared by its solves.

Behaviour only (no timing): a fake clock stands still or jumps, and the tests read the
limit each solve was given. The real wall times are measured in benchmarks/.
"""

from __future__ import annotations

import pytest

from cases import extra, make_inputs, market
from staffplan.model import solve as solve_mod
from staffplan.model.build import build_model
from staffplan.model.solve import AFTER_MIP_SHARE, MIP_PRESOLVE_RULE_OFF, Deadline, solve_model


def option(model, name: str) -> float:
    """An option of the HiGHS object that ran the last solve (highspy returns a status too)."""
    return model.prob.solverModel.getOptionValue(name)[1]


class Clock:
    """time.perf_counter for the solve module: stands at `now` until moved."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(1000.0)
    monkeypatch.setattr(solve_mod.time, "perf_counter", c)
    return c


def test_deadline_counts_down_and_keeps_a_share_for_the_solves_after_the_mip(clock):
    d = Deadline.after(60)
    assert d.remaining() == 60
    clock.now += 10
    assert d.remaining() == 50
    # The MIP stops early by AFTER_MIP_SHARE of the whole limit: 50 - 0.15 * 60 = 41.
    assert AFTER_MIP_SHARE == 0.15
    assert d.mip_limit() == pytest.approx(41.0)
    clock.now += 100  # past the deadline: a solve still gets one second, not zero or less
    assert d.remaining() == 1.0 and d.mip_limit() == 1.0
    assert Deadline.after(None).remaining() is None


def test_the_mip_gets_what_the_deadline_leaves_with_presolve_probing_off(clock):
    """One unit of extra demand for 3 months, 2 months to fill: an integer model solved in
    well under a second; the clock stands still, so the MIP's limit is exactly the 30 s
    setting less the kept share, 30 - 0.15 * 30 = 25.5 s."""
    inputs = make_inputs(horizon=3, markets=[market(ttf=2)], extras=[extra(0, 2, 1)])
    model = build_model(inputs)
    assert model.integer
    out = solve_model(model, duals=False, deadline=Deadline.after(inputs.settings.time_limit_s))
    assert out.outcome.value == "optimal"
    assert option(model, "time_limit") == pytest.approx(25.5)
    assert option(model, "presolve_rule_off") == MIP_PRESOLVE_RULE_OFF == 98304


def test_a_late_start_still_leaves_each_solve_a_second(clock):
    """The deadline passed while the model was built: the MIP still runs, for one second."""
    inputs = make_inputs(horizon=3, markets=[market(ttf=2)], extras=[extra(0, 2, 1)])
    deadline = Deadline.after(inputs.settings.time_limit_s)
    clock.now += 45
    model = build_model(inputs)
    out = solve_model(model, duals=False, deadline=deadline)
    assert out.outcome.value == "optimal"
    assert option(model, "time_limit") == pytest.approx(1.0)


def test_lp_mode_gets_the_whole_remaining_time(clock):
    inputs = make_inputs(horizon=3, integer=False, markets=[market(ttf=2)],
                         extras=[extra(0, 2, 1)])
    deadline = Deadline.after(inputs.settings.time_limit_s)
    clock.now += 5
    model = build_model(inputs)
    assert not model.integer
    solve_model(model, duals=False, deadline=deadline)
    assert option(model, "time_limit") == pytest.approx(25.0)


def test_the_mip_leaves_the_reasons_time_in_proportion_to_the_relaxation(clock):
    """When the LP relaxation leaves demand unmet, the reasons' solves follow the MIP: it
    keeps REASONS_LP_TIMES (8) times the relaxation's solve time for them, at least
    AFTER_MIP_SHARE (15%) and at most REASONS_MAX_SHARE (35%) of the limit. 60 s limit:
    no unmet demand 9 s; a 0.5 s relaxation 8 x 0.5 = 4 < 9, so 9; 2 s: 16; 5 s: 40 > 21,
    so 21. 10 s into the run with a 2 s relaxation, the MIP gets 50 - 16 = 34 s."""
    d = Deadline.after(60)
    assert d.after_mip() == pytest.approx(9.0)
    assert d.after_mip(0.5) == pytest.approx(9.0)
    assert d.after_mip(2.0) == pytest.approx(16.0)
    assert d.after_mip(5.0) == pytest.approx(21.0)
    clock.now += 10
    assert d.mip_limit(d.after_mip(2.0)) == pytest.approx(34.0)


def test_the_mip_leaves_less_when_the_reasons_run_beside_it(clock):
    """Reasons on another core: the MIP keeps BESIDE_SHARE (5%) of the 30 s setting, 1.5 s,
    for the fixed-integer LP: the clock stands still, so its limit is 28.5 s (not 25.5)."""
    from staffplan.model.solve import BESIDE_SHARE

    inputs = make_inputs(horizon=3, markets=[market(ttf=2)], extras=[extra(0, 2, 1)])
    model = build_model(inputs)
    out = solve_model(model, duals=False, deadline=Deadline.after(inputs.settings.time_limit_s),
                      reasons="beside")
    assert out.outcome.value == "optimal" and out.relaxation is not None
    assert BESIDE_SHARE == 0.05
    assert option(model, "time_limit") == pytest.approx(28.5)


def test_a_counterfactual_mip_gets_at_most_an_equal_share_of_the_limit():
    """Integer mode, time to fill, supply and budget: four MIPs with the plan's own, so a
    counterfactual gets at most 60 / 4 = 15 s, however much time is left; with 8 s left and
    two jobs for two threads, 8 s; past the deadline, 1 s."""
    import time

    from cases import budget
    from staffplan.results import reasons as reasons_mod

    inputs = make_inputs(markets=[market(ttf=1)], extras=[extra(0, 5, 1)],
                         budgets=[budget(1e9)])
    bg = reasons_mod.Background.__new__(reasons_mod.Background)  # no thread: the rule alone
    bg.integer, bg.time_limit = True, 60.0
    bg.families = reasons_mod._background_families(inputs, True)
    assert bg.families == ["time_to_fill", "supply", "budget", "combined"]
    bg.end_at = time.perf_counter() + 100  # 100 / 4 jobs = 25 s, capped at 15
    assert bg._limit(1, 4) == pytest.approx(15.0)
    bg.end_at = time.perf_counter() + 8
    assert bg._limit(2, 2) == pytest.approx(8.0, abs=0.1)
    bg.end_at = time.perf_counter() - 5
    assert bg._limit(1, 1) == 1.0
