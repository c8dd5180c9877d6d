"""Why demand goes unmet: one hand-derived case per reason (model.md), month by month.

Defaults as in tests/cases.py: country US, role eng, wages 8,000 / 10,000 / 12,000 a month at
min / mid / max, supply 100 a month at mid only, no attrition, time to fill, ramp, hiring cost
or look-ahead; unmet penalty P = 1,000,000 per FTE-month; t = 0 is 2026-01.

Lifting `supply` removes every cap, so hires may then start at any pay point, min (8,000)
included. Each case has a unique optimum in the plan and in every counterfactual.
"""

from __future__ import annotations

import pytest

from cases import START, budget, extra, label, make_inputs, market, requisition
from staffplan.jobs.plan import solve_inputs
from staffplan.results.reasons import explain_unmet
from staffplan.results.tables import RISK_COLUMNS

MODES = pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])


def reasons(inputs, lp: bool) -> list[tuple[str, str]]:
    """(month, reason) of every Risks row, checking the sheet's columns and its unmet."""
    result = solve_inputs(inputs, lp=lp)
    assert result.status.value == "optimal"
    risks = result.risks
    assert list(risks.columns) == RISK_COLUMNS
    head = result.headcount
    unmet = head[head["unmet"] > 1e-6]
    assert list(risks["month"]) == list(unmet["month"])
    assert list(risks["unmet"]) == pytest.approx(list(unmet["unmet"]))
    assert risks["detail"].str.len().gt(20).all()
    return list(zip(risks["month"], risks["reason"]))


@MODES
def test_time_to_fill(lp):
    """time_to_fill 2, demand 1 FTE t=0..5. Plan: hire 1 at t=2 (requisition t=0); U = 1 at
    t=0, 1 (2 x P). Lifting time to fill: hire at t=0, U = 0 (drop 1 = all). Lifting supply
    (hires at min allowed) still cannot start anyone before t=2: drop 0. No budget; in
    integer mode the LP relaxation is the same plan (drop 0). Reason time_to_fill both months."""
    inputs = make_inputs(integer=not lp, markets=[market(ttf=2)], extras=[extra(0, 5, 1)])
    assert reasons(inputs, lp) == [(label(0), "time_to_fill"), (label(1), "time_to_fill")]


@MODES
def test_supply(lp):
    """Supply 1 a month at mid, demand 3 FTE t=0..5. Plan: one hire a month at t=0, 1, 2:
    U = 2, 1 at t=0, 1. Lifting supply: 3 hires at min at t=0, U = 0 (drops 2 and 1).
    Time to fill and ramp are 0 (that lift cannot bind: not solved); no budget; the LP
    relaxation is the same plan. Reason supply both months."""
    inputs = make_inputs(integer=not lp, markets=[market(s_mid=1)], extras=[extra(0, 5, 3)])
    assert reasons(inputs, lp) == [(label(0), "supply"), (label(1), "supply")]


@MODES
def test_budget(lp):
    """Horizon 2025-12 .. 2026-03 (t=0 is 2025-12), demand 1 FTE every month, Budget row 2
    for 2025, US: 5,000, which pays t=0 only.
    LP plan: 0.5 hired at t=0 (5,000), 0.5 more at t=1: U = 0.5 at t=0.
    Integer plan: a whole hire at t=0 costs 10,000 > 5,000: hire at t=1, U = 1 at t=0.
    Lifting the budget: hire at t=0, U = 0 (drop = all of U).
    Lifting supply (min at 8,000 allowed): LP 5,000 / 8,000 = 0.625 covered, U = 0.375
    (drop 0.125 < 0.25); integer: 8,000 > 5,000, U = 1 (drop 0).
    Integer, LP relaxation: U = 0.5 (drop 0.5, half, but less than the budget's 1).
    Reason budget."""
    inputs = make_inputs(start=START - 1, horizon=4, integer=not lp, extras=[extra(-1, 2, 1)],
                         budgets=[budget(5_000, year=2025, country="US", row=2)])
    result = solve_inputs(inputs, lp=lp)
    assert list(result.risks["reason"]) == ["budget"]
    assert list(result.risks["month"]) == ["2025-12"]
    assert result.risks["unmet"].iloc[0] == pytest.approx(0.5 if lp else 1.0)
    assert "Budget row 2 (2025, US)" in result.risks["detail"].iloc[0]


def test_whole_hires():
    """Integer mode, supply 0.5 a month at mid (W = 1: 0.5 < 1 person, so nobody at mid),
    demand 0.5 FTE t=0, 1, penalty 15,000. Plan: no hire (a whole hire would have to be at a
    pay point with supply), U = 0.5 both months: 15,000.
    LP relaxation: 0.5 hired at t=0, 2 x 0.5 x 10,000 = 10,000 < 15,000: U = 0 (drop 0.5,
    half). Lifting supply: a whole hire at min costs 2 x 8,000 = 16,000 > 15,000: U = 0.5
    (drop 0). Time to fill cannot bind; no budget. Reason whole_hires; the detail names the
    supply x window below one person. In LP mode nothing is unmet: no Risks rows."""
    inputs = make_inputs(horizon=2, penalty=15_000, markets=[market(s_mid=0.5)],
                         extras=[extra(0, 1, 0.5)])
    result = solve_inputs(inputs)
    assert list(zip(result.risks["month"], result.risks["reason"])) == [
        (label(0), "whole_hires"), (label(1), "whole_hires")]
    assert "0.5 a month at band mid x a 1-month window = 0.5 < 1 person" in \
        result.risks["detail"].iloc[0]
    lp = solve_inputs(inputs, lp=True)
    assert lp.unmet_fte_months == pytest.approx(0)
    assert lp.risks.empty and list(lp.risks.columns) == RISK_COLUMNS


@MODES
def test_combined_supply_and_time_to_fill_ties_to_time_to_fill(lp):
    """time_to_fill 1, supply 1 a month at mid, demand 3 FTE t=0..5.
    Plan: hires 1 at t=1, 2, 3: U = 3, 2, 1 at t=0, 1, 2.
    Lift time to fill: hires 1 at t=0, 1, 2: U = 2, 1, 0 (drops 1, 1, 1).
    Lift supply: 3 at min at t=1: U = 3, 0, 0 (drops 0, 2, 1).
    t=0: best drop 1 < 1.5 -> all lifted together: 3 at min at t=0, U = 0 -> combined.
    t=1: supply's 2 beats time to fill's 1 -> supply.
    t=2: both drop 1 (all of it): a tie goes to time_to_fill, listed first.
    (Integer mode: the LP relaxation is the same plan, drop 0.)"""
    inputs = make_inputs(integer=not lp, markets=[market(ttf=1, s_mid=1)],
                         extras=[extra(0, 5, 3)])
    assert reasons(inputs, lp) == [(label(0), "combined"), (label(1), "supply"),
                                   (label(2), "time_to_fill")]
    detail = solve_inputs(inputs, lp=lp).risks["detail"].iloc[0]
    lifted = ("lead time (time to fill and ramp-up) and labour supply" if lp else
              "lead time (time to fill and ramp-up), labour supply and whole-people hiring")
    assert f"{lifted} together" in detail


@MODES
def test_cost(lp):
    """Penalty 5,000 per FTE-month, below every wage (min 8,000): demand 1 FTE t=0..5 is
    left unmet (6 x 5,000 = 30,000). No lift helps: supply lifted still pays 8,000 > 5,000,
    and so does everything lifted together. Reason cost every month."""
    inputs = make_inputs(integer=not lp, penalty=5_000, extras=[extra(0, 5, 1)])
    assert reasons(inputs, lp) == [(label(t), "cost") for t in range(6)]


def test_no_unmet_demand_runs_no_counterfactual():
    """Demand 1 FTE t=0..5 with ample supply: nothing unmet, so no solve and only a header."""
    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results.tables import build_results

    inputs = make_inputs(extras=[extra(0, 5, 1)], budgets=[budget(1e9)])
    model = build_model(inputs)
    outcome = solve_model(model)
    why = explain_unmet(model, build_results(model, outcome).headcount)
    assert why.solves == [] and why.table.empty and list(why.table.columns) == RISK_COLUMNS


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_in_memory_lifts_give_the_rebuilt_models_reasons(lp):
    """Reusing the solver's model (row bounds, integrality) must explain every month as the
    counterfactual models rebuilt from lifted inputs do. Case: supply 1 a month at every pay
    point (so supply is lifted in memory), time to fill 1, demand 4 FTE t=0..5, and a
    budget for 2026 of 150,000 that binds (in LP mode)."""
    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results.tables import build_results

    inputs = make_inputs(integer=not lp, markets=[market(ttf=1, s_min=1, s_mid=1, s_max=1)],
                         extras=[extra(0, 5, 4)], budgets=[budget(150_000, year=2026)])
    model = build_model(inputs)
    outcome = solve_model(model)
    head = build_results(model, outcome).headcount
    mem = explain_unmet(model, head)
    fresh = explain_unmet(model, head, reuse=False)
    assert not mem.table.empty
    assert mem.table.equals(fresh.table)
    assert {c.family for c in mem.solves if not c.rebuilt} >= {"supply", "budget"}
    assert all(c.rebuilt for c in fresh.solves)


def test_a_reused_instance_gets_its_time_on_top_of_what_it_has_run():
    """HiGHS measures time_limit on the instance's run clock, which keeps counting across
    run() calls: a re-solve on a reused instance must be given its run time so far plus its
    own share, or it stops at once when earlier solves used up the limit."""
    import numpy as np

    from staffplan.model.build import build_model
    from staffplan.results.reasons import _Solver

    model = build_model(make_inputs(integer=False, extras=[extra(0, 5, 1)]))
    solver = _Solver(model)
    start = np.zeros(len(solver.variables))
    for _ in range(2):
        ran = solver.h.getRunTime()
        solver.solve(start, 5.0, 0.0, [])
        assert solver.h.getOptionValue("time_limit")[1] == pytest.approx(ran + 5.0)
    assert solver.h.getRunTime() > 0


def test_a_reused_instance_gives_a_mip_its_own_share():
    """A MIP's clock starts at its own run() (HiGHS 1.16), unlike an LP's: giving it the run
    clock plus its share let a counterfactual MIP of the medium benchmark run 7.8 s on a 3 s
    share, and the reasons ran 15 s past the plan's time limit."""
    import numpy as np

    from staffplan.model.build import build_model
    from staffplan.results.reasons import _Solver

    model = build_model(make_inputs(integer=True, extras=[extra(0, 5, 1)]))
    solver = _Solver(model)
    assert solver.integer
    start = np.zeros(len(solver.variables))
    for _ in range(2):
        solver.solve(start, 5.0, 0.0, [])
        assert solver.h.getOptionValue("time_limit")[1] == pytest.approx(5.0)
    assert solver.h.getRunTime() > 0


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_shortcuts_give_the_rebuilt_models_reasons(lp):
    """What `staffplan plan` does to save time must not change a reason: the whole-hires
    counterfactual read from the warm start's LP relaxation, and the counterfactuals that need
    no plan solved on a second thread while the plan is (time to fill, then everything lifted
    together; in integer mode supply and budget too, each MIP from its own rounded LP
    relaxation). Same case as above; the reference rebuilds every model in turn."""
    import time

    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results.reasons import Background
    from staffplan.results.tables import build_results

    inputs = make_inputs(integer=not lp, markets=[market(ttf=1, s_min=1, s_mid=1, s_max=1)],
                         extras=[extra(0, 5, 4)], budgets=[budget(150_000, year=2026)])
    model = build_model(inputs)
    background = Background(inputs, model.integer, time.perf_counter() + 30, 30)
    assert background.families == (["time_to_fill", "combined"] if lp else
                                   ["time_to_fill", "supply", "budget", "combined"])
    outcome = solve_model(model)
    assert (outcome.relaxation is None) == lp  # only integer mode solves a relaxation
    head = build_results(model, outcome).headcount
    quick = explain_unmet(model, head, relaxation=outcome.relaxation, background=background)
    fresh = explain_unmet(model, head, reuse=False)
    assert not quick.table.empty
    assert quick.table.equals(fresh.table)
    assert set(background.done) == set(background.families)  # each solved once, not twice
    solves = {c.family: c for c in quick.solves}
    assert solves["time_to_fill"].status == "optimal"
    if lp:
        assert not solves["supply"].rebuilt and not solves["budget"].rebuilt  # in memory
    else:
        assert solves["whole_hires"].seconds == 0.0 and not solves["whole_hires"].rebuilt
        assert solves["supply"].rebuilt and solves["budget"].rebuilt


def test_a_failed_background_solve_is_raised_where_its_results_are_asked_for(monkeypatch):
    """An error on the second thread must not vanish: it surfaces in the plan's thread."""
    from staffplan.results import reasons as reasons_mod

    def broken(*args, **kwargs):
        raise RuntimeError("no model")

    monkeypatch.setattr(reasons_mod, "build_model", broken)
    background = reasons_mod.Background(make_inputs(markets=[market(ttf=1)]), True, None, None)
    with pytest.raises(RuntimeError, match="no model"):
        background.finish()


def test_an_lp_with_no_binding_budget_skips_the_budget_solve():
    """Supply case (1 a month at mid, demand 3 FTE t=0..5: U = 2, 1 at t=0, 1) with a budget
    of 1e9 that never binds. In an LP, dropping rows with room left keeps the plan optimal
    (their duals are 0), so lifting the budget lowers no U and is not solved: the reasons
    are those of solving it (supply both months), with no time spent on it."""
    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results.tables import build_results

    inputs = make_inputs(integer=False, markets=[market(s_mid=1)], extras=[extra(0, 5, 3)],
                         budgets=[budget(1e9)])
    model = build_model(inputs)
    head = build_results(model, solve_model(model)).headcount
    quick = explain_unmet(model, head)
    fresh = explain_unmet(model, head, reuse=False)
    assert list(quick.table["reason"]) == ["supply", "supply"]
    assert quick.table.equals(fresh.table)
    skipped = {c.family: c for c in quick.solves}["budget"]
    assert skipped.seconds == 0.0 and skipped.status == "optimal"
    assert {c.family: c for c in fresh.solves}["budget"].seconds > 0


def test_a_budget_holding_an_accepted_offer_still_binds():
    """LP, demand 2 FTE t=0..5, no releases, hiring cost 50,000; an accepted offer starts one
    person at mid (10,000 a month) at t=0: 50,000 (a constant of the budget row) + 6 x 10,000.
    Budget 170,000 leaves 60,000 for the second person: x (50,000 + 60,000) = 60,000, so
    x = 6/11 hired at t=0 and U = 5/11 every month. The budget binds (170,000 spent), so
    it is re-solved: lifted, U = 0 (drop all). Supply lifted alone (min, 8,000): x = 60/98,
    U = 0.388 (drop 0.067, not half). Reason budget every month; counting the row without
    its constant (120,000 spent) would have skipped that solve and said `combined`."""
    inputs = make_inputs(integer=False, releases="never",
                         markets=[market(cost_per_hire=50_000)], extras=[extra(0, 5, 2)],
                         budgets=[budget(170_000)],
                         requisitions=[requisition("R1", "offer_accepted", 0)])
    result = solve_inputs(inputs, lp=True)
    assert list(result.risks["unmet"]) == pytest.approx([5 / 11] * 6)
    assert list(result.risks["reason"]) == ["budget"] * 6


@pytest.mark.parametrize("beside", [True, False], ids=["beside", "in-turn"])
def test_combined_opens_pay_points_the_plan_had_no_supply_at(beside):
    """LP, time to fill 1, no supply at any pay point, demand 1 FTE t=0..5: the plan hires
    nobody, U = 1 every month. Lifting time to fill alone: still no hire. Lifting supply
    alone: hires (at min, 8,000) from t=1, U = 0 from t=1 (drop 1), not at t=0. At t=0 only
    both together cover it: `combined`, which must rebuild the model (the time-to-fill model
    has no hire variables to lift caps on), on the second thread as in turn."""
    import time

    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results.reasons import Background
    from staffplan.results.tables import build_results

    inputs = make_inputs(integer=False, markets=[market(ttf=1, s_mid=0)],
                         extras=[extra(0, 5, 1)])
    model = build_model(inputs)
    background = Background(inputs, False, time.perf_counter() + 30, 30) if beside else None
    head = build_results(model, solve_model(model)).headcount
    if background is not None:  # let the second thread do both of its jobs itself
        background._thread.join(timeout=30)
        assert set(background.done) == {"time_to_fill", "combined"}
    why = explain_unmet(model, head, background=background)
    assert list(why.table["reason"]) == ["combined"] + ["supply"] * 5


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_the_second_thread_is_done_when_the_plan_is(lp, monkeypatch):
    """Time to fill 1, demand 1 FTE from t=2: a hire at t=1 meets it all, so no reason is
    needed; the counterfactuals started beside the plan's solve are stopped and waited for,
    so no HiGHS solve is left running while the reports are written or the process exits.
    Each job is made to take 0.3 s longer, so a thread not waited for would still be busy."""
    import threading
    import time

    from staffplan.results import reasons as reasons_mod

    run = reasons_mod.Background._run

    def slow(self, *args):
        time.sleep(0.3)
        return run(self, *args)

    monkeypatch.setattr(reasons_mod.Background, "_run", slow)
    inputs = make_inputs(integer=not lp, markets=[market(ttf=1)], extras=[extra(2, 5, 1)])
    before = set(threading.enumerate())
    result = solve_inputs(inputs, lp=lp)
    assert result.risks.empty
    assert not [t for t in set(threading.enumerate()) - before
                if t.name == "reasons" and t.is_alive()]


def test_integer_counterfactuals_beside_the_plan_start_from_their_rounded_relaxation(
        monkeypatch):
    """Before the plan is known, each MIP counterfactual on the second thread starts from its
    own LP relaxation rounded to whole people (while the plan's MIP runs on the first).
    Case as in the shortcuts test: three MIP jobs (time to fill, supply, budget), each
    rounding one solved relaxation, then the combined LP."""
    import time

    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results import reasons as reasons_mod

    inputs = make_inputs(markets=[market(ttf=1, s_min=1, s_mid=1, s_max=1)],
                         extras=[extra(0, 5, 4)], budgets=[budget(150_000, year=2026)])
    solve_model(build_model(inputs))  # as in a plan: HiGHS has already run on this thread
    rounded = []
    real = reasons_mod.round_relaxation
    monkeypatch.setattr(reasons_mod, "round_relaxation",
                        lambda model, x: rounded.append(x) or real(model, x))
    background = reasons_mod.Background(inputs, True, time.perf_counter() + 30, 30)
    background._thread.join(timeout=60)
    assert set(background.done) == {"time_to_fill", "supply", "budget", "combined"}
    assert len(rounded) == 3 and all(x is not None for x in rounded)


def test_a_counterfactual_that_does_not_stop_is_left_behind(monkeypatch):
    """HiGHS once spent minutes in a root-node heuristic that never checks the clock. A job
    of the second thread that runs past the plan's deadline (+5% of the limit) is left
    behind: the plan's thread stops waiting, and that family lowers nothing (its reason
    falls to another family). Here the supply job takes 30 s more; the limit is 2 s."""
    import time

    from staffplan.model.build import build_model
    from staffplan.model.solve import solve_model
    from staffplan.results import reasons as reasons_mod
    from staffplan.results.tables import build_results

    run = reasons_mod.Background._run

    def stuck(self, fam, *args):
        if fam == "supply":
            time.sleep(30)
        return run(self, fam, *args)

    monkeypatch.setattr(reasons_mod.Background, "_run", stuck)
    inputs = make_inputs(markets=[market(ttf=2)], extras=[extra(0, 5, 1)])
    model = build_model(inputs)
    background = reasons_mod.Background(inputs, True, time.perf_counter() + 2, 2)
    outcome = solve_model(model)
    head = build_results(model, outcome).headcount
    while "supply" in background.jobs:  # the second thread has taken it
        time.sleep(0.01)
    why = explain_unmet(model, head, relaxation=outcome.relaxation, background=background,
                        deadline=time.perf_counter() + 2)
    # Returned while the stuck job still runs: the plan's thread did not wait for it.
    assert background.abandoned and reasons_mod.Background.left_behind()
    assert {c.family: c.status for c in why.solves}["supply"] == "failed"
    assert list(why.table["reason"]) == ["time_to_fill", "time_to_fill"]
