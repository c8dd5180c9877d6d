"""Stable plans: among plans as cheap as the one found, take the one nearest the previous plan.

An integer plan is accepted once its cost is within `mip_gap` of the best bound; many plans
qualify, and which one the solver stops at depends on its search path, which any small input
change (or another random seed) alters. Month two would then show requisitions moving for no
reason (benchmarks/STABILITY.md). With `plan --previous`, a second, small solve
chooses pair by pair between the first plan's new hires and the previous plan's (same pay
points and start months, over the months both plans cover, less what is now in flight: the
previous plan's hires became these requisitions), everything continuous re-optimised,
minimising how far the hires starting each month are from the previous plan's,

    minimise  sum_{c,r,t} |sum_k N[c,r,k,t] - prev[c,r,t]|
    subject to  the model's constraints, and  objective <= max(z, bound / (1 - mip_gap))

(z: the first plan's objective, bound: its best bound). So the plan never costs more than the
gap the user accepted, and after a time limit never more than z. A pair whose previous hires no
longer fit (a market, a site date or the roster changed) keeps the first plan's. One binary per
pair keeps the second solve small; moves, kept open requisitions and a switching pair's hires in
months the previous plan does not cover are chosen again in whole people, everything continuous
is re-optimised, and among plans equally near, the cheapest is taken. The first plan is the
start, so the result is never further from the previous plan. Integer mode only: an LP optimum
has no gap to spend.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

from staffplan.core.months import month_label
from staffplan.core.tolerances import LIMIT_ATOL, LIMIT_RTOL, NOISE, SHOWN, WHOLE
from staffplan.model.build import StaffModel
from staffplan.model.solve import SolveOutcome, highs_lp, quiet_stdout  # banner: see solve

log = logging.getLogger(__name__)



@dataclass
class Stabilised:
    """What the second solve did, for the log and the report's notes."""

    applied: bool
    distance_before: float  # hires away from the previous plan, first solve
    distance_after: float  # after the second solve (= before when not applied)
    objective_before: float
    objective_after: float
    seconds: float
    message: str = ""


def starts_now(model: StaffModel, T: int) -> dict[tuple[str, str, int], float]:
    """Hires starting in each horizon month of each pair in the plan now in the variables,
    pay points and sources together: N = S + O + F (model.md, Timing)."""
    out: dict[tuple[str, str, int], float] = {}
    for (c, r, _k, t), var in [*model.S.items(), *model.O.items()]:
        if t < T:
            out[(c, r, t)] = out.get((c, r, t), 0.0) + (var.varValue or 0.0)
    for (c, r), pp in model.params.items():
        for (_k, t), count in pp.fixed.items():
            if t < T:
                out[(c, r, t)] = out.get((c, r, t), 0.0) + count
    return out


def prefer_previous(model: StaffModel, first: SolveOutcome,
                    previous: dict[tuple[str, str, str, str], float], months: set[str],
                    time_limit: float | None = None) -> Stabilised:
    """Re-solve for the plan nearest `previous` (hires by country, role, pay point and start
    month label; `months` are the labels it covers) at no more than the accepted cost, and leave
    it in the model's variables. The PuLP problem is not changed: the second model is the same
    HiGHS matrix with the choice columns, their rows and the cost cap added."""
    s = model.inputs.settings
    t0 = time.perf_counter()
    T = s.horizon_months
    labels = [month_label(s.horizon_start + t) for t in range(T)]
    common = [t for t in range(T) if labels[t] in months]
    t_of = {labels[t]: t for t in common}
    prev: dict[tuple[str, str, int], float] = {}
    for (c, r, _k, lab), v in previous.items():
        if lab in t_of:
            prev[(c, r, t_of[lab])] = prev.get((c, r, t_of[lab]), 0.0) + v
    pairs = sorted(model.params)

    def distance(now: dict[tuple[str, str, int], float]) -> float:
        return sum(abs(now.get((c, r, t), 0.0) - prev.get((c, r, t), 0.0))
                   for c, r in pairs for t in common)

    now = starts_now(model, T)
    before = distance(now)
    z = first.objective
    if before <= SHOWN:
        return Stabilised(False, before, before, z, z, time.perf_counter() - t0,
                          "already the previous plan's hires")
    cap = z
    bound = z - first.mip_gap * abs(z) if math.isfinite(first.mip_gap) else 0.0
    if math.isfinite(first.mip_gap) and s.mip_gap < 1 and bound > 0:
        cap = max(z, bound / (1 - s.mip_gap))
    cap += LIMIT_RTOL * abs(z) + LIMIT_ATOL  # the first plan itself is always within the cap

    prob = model.prob
    variables = prob.variables()
    lp = highs_lp(model, variables, integer=False)  # sets v.index = column
    n = len(variables)
    x0 = np.array([v.varValue or 0.0 for v in variables], dtype=float)
    cost = np.asarray(lp.col_cost_, dtype=float).copy()
    lower = np.asarray(lp.col_lower_, dtype=float).copy()
    upper = np.asarray(lp.col_upper_, dtype=float).copy()
    s_cols = {var.index for var in model.S.values()}
    other_ints = [v.index for v in variables if v.cat == pulp.LpInteger
                  and v.index not in s_cols]  # moves and kept requisitions: re-chosen, whole
    for j in s_cols:  # new hires keep the first plan's values ...
        lower[j] = upper[j] = round(x0[j])
    choices = []  # (pair, [(column, candidate)], distance gained by taking the previous hires)
    by_pair: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    common_set = set(common)
    free_ints: list[int] = []  # a switching pair's hires in months the previous plan lacks
    for (c, r, k, t), var in model.S.items():
        j = var.index
        if t < T and labels[t] in t_of:
            # What the previous plan hired here, less what is now in flight (its hires then
            # are the open requisitions and accepted offers now).
            pp = model.params[(c, r)]
            want = max(0.0, previous.get((c, r, k, labels[t]), 0.0)
                       - pp.fixed.get((k, t), 0.0) - pp.open.get((k, t), 0.0))
        else:
            want = round(x0[j])
        by_pair.setdefault((c, r), []).append((j, t, want))
    for (c, r), cols in sorted(by_pair.items()):
        delta: dict[int, float] = {}
        for j, t, want in cols:
            delta[t] = delta.get(t, 0.0) + want - x0[j]
        gain = sum(abs(now.get((c, r, t), 0.0) + d - prev.get((c, r, t), 0.0))
                   - abs(now.get((c, r, t), 0.0) - prev.get((c, r, t), 0.0))
                   for t, d in delta.items() if t in t_of.values())
        if gain < -NOISE:
            choices.append(((c, r), [(j, want) for j, t, want in cols if t in common_set],
                            gain))
            free_ints += [j for j, t, _want in cols if t not in common_set]
    if not choices:
        return Stabilised(False, before, before, z, z, time.perf_counter() - t0,
                          "no pair's previous hires are nearer")
    for _pair, cols, _gain in choices:  # ... except the new hires of the pairs that may switch
        for j, _want in cols:
            lower[j], upper[j] = 0.0, math.inf
    for j in free_ints:
        lower[j], upper[j] = 0.0, math.inf
    # Objective: the distance (whole hires, on the choice columns), then the cost, scaled so
    # that every plan under the cap differs by less than half a hire: cost never buys distance.
    scale = 2 * max(cap - bound, 1e-6 * abs(z), 1.0)
    lp.col_cost_ = cost / scale
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.1)  # < 0.5: the distance is proven least
    h.setOptionValue("time_limit", float(s.time_limit_s if time_limit is None else time_limit))
    h.passModel(lp)
    m = len(choices)
    gains = np.array([g for _, _, g in choices], dtype=float)
    h.addCols(m, gains, np.zeros(m), np.ones(m), 0, np.zeros(m, dtype=np.int32),
              np.zeros(0, dtype=np.int32), np.zeros(0))
    ints = np.array(other_ints + free_ints + list(range(n, n + m)), dtype=np.int32)
    h.changeColsIntegrality(len(ints), ints,
                            np.array([highspy.HighsVarType.kInteger] * len(ints)))
    for i, (_pair, cols, _gain) in enumerate(choices):
        for j, want in cols:  # S_j = first_j + y * (previous_j - first_j)
            h.addRow(x0[j], x0[j], 2, np.array([j, n + i], dtype=np.int32),
                     np.array([1.0, -(want - x0[j])]))
    nz = np.flatnonzero(cost)  # the objective's constant (accepted offers) is in z and cap
    h.addRow(-highspy.kHighsInf, cap - prob.objective.constant, len(nz), nz.astype(np.int32),
             cost[nz])
    full = np.concatenate([x0, np.zeros(m)])
    h.setSolution(len(full), np.arange(len(full), dtype=np.int32), full)
    h.run()
    info = h.getInfo()
    message = h.modelStatusToString(h.getModelStatus())
    ok = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    objective, after = z, before
    if ok:
        x = np.asarray(h.getSolution().col_value, dtype=float)
        for v in variables:
            val = float(x[v.index])
            if abs(val) < NOISE:
                val = 0.0
            elif v.cat == pulp.LpInteger and abs(val - round(val)) < WHOLE:
                val = float(round(val))
            v.varValue = val
        objective = float(prob.objective.constant + sum(
            coef * (var.varValue or 0.0) for var, coef in prob.objective.items()))
        after = distance(starts_now(model, T))
        switched = int(round(sum(x[n:])))
        message = f"{message}; {switched} of {m} pairs took the previous plan's hires"
        if objective > cap * (1 + LIMIT_RTOL) + LIMIT_ATOL or after > before + SHOWN:
            ok = False
            message = f"second plan not kept (objective {objective:,.0f}, cap {cap:,.0f})"
    if not ok:
        for v, val in zip(variables, x0):
            v.varValue = float(val)
        log.warning("stable plans: %s; the first plan stands", message)
        return Stabilised(False, before, before, z, z, time.perf_counter() - t0, message)
    log.info("stable plans (%s): %.1f -> %.1f hires away from the previous plan, objective "
             "%.6g -> %.6g (cap %.6g)", message, before, after, z, objective, cap)
    return Stabilised(True, before, after, z, objective, time.perf_counter() - t0, message)
