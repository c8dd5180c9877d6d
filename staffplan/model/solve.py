"""Solving the model: HiGHS through PuLP by default, PuLP's bundled CBC as fallback.

The HiGHS hand-over passes the whole matrix in one `passModel` call instead
of PuLP's column-by-column and row-by-row `addCol`/`addRow` (performance.md).
Statuses are enums; only `optimal` and `feasible` (time limit with a plan in
hand) produce a plan. In integer mode the duals come from the LP with the
integer variables fixed at their optimum, re-solved.

The time limit is the user's (`time_limit_s`): in integer mode every solve of one
plan (the LP relaxation behind the rounded warm start, the MIP, the fixed-integer
LP for shadow prices, the counterfactual solves of results/reasons.py) shares one
wall-clock `Deadline`. The MIP stops early so the solves after it fit: by
`AFTER_MIP_SHARE` of the limit, or, when the LP relaxation leaves demand unmet (so the
reasons' solves will follow), by about `REASONS_LP_TIMES` times the relaxation's own solve
time, at most `REASONS_MAX_SHARE` of the limit; the solves after it divide what is left
(docs/development.md, "Time limit").
"""

from __future__ import annotations

import contextlib
import enum
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp

from staffplan.core.errors import SolverFailed
from staffplan.core.tolerances import NOISE, SHOWN, WHOLE
from staffplan.model.build import StaffModel

log = logging.getLogger(__name__)


# Share of an integer run's time limit the MIP leaves for the solves after it (the
# fixed-integer LP for shadow prices, the counterfactual solves of the reasons).
AFTER_MIP_SHARE = 0.15
# When the LP relaxation leaves demand unmet, the counterfactual solves of the reasons follow
# the MIP: a whole-hires LP (the relaxation itself, kept), up to three MIPs that each need a
# root LP before they can improve on the plan, and one more LP. The MIP leaves them this many
# times the relaxation's solve time (medium benchmark: about 2.4 s each), within the shares.
REASONS_LP_TIMES = 8
REASONS_MAX_SHARE = 0.35
# When the reasons' solves run beside the MIP on another core (results/reasons.py,
# Background), the MIP only leaves time for the fixed-integer LP behind the shadow prices.
BESIDE_SHARE = 0.05
# The warm start's LP relaxation may use at most this share of the time left: without it
# the MIP has no plan in hand (its root LP is the same LP), so it gets room on a busy machine.
WARM_START_SHARE = 0.5
# HiGHS MIP presolve rules switched off: probing (bit 15) and enumeration (bit 16). On the
# medium benchmark they spent 10-20 s before branch and bound started and the gap reached at
# the time limit was no better (issue 14, benchmarks/README.md).
MIP_PRESOLVE_RULE_OFF = (1 << 15) | (1 << 16)
MIN_SOLVE_SECONDS = 1.0  # a solve is never given less, even after the deadline


@dataclass(frozen=True)
class Deadline:
    """The wall-clock end of one plan's solve phase, shared by all its solves.

    `at` is a `time.perf_counter()` value (None: no limit); `seconds` the whole limit it
    was made from. Made once per plan (jobs/plan.py) and passed to every solve, each of
    which asks for `remaining()` when it starts.
    """

    at: float | None
    seconds: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        if seconds is None:
            return cls(None)
        return cls(time.perf_counter() + float(seconds), float(seconds))

    def remaining(self, keep: float = 0.0) -> float | None:
        """Seconds left, less `keep` for later solves; never below MIN_SOLVE_SECONDS."""
        if self.at is None:
            return None
        return max(MIN_SOLVE_SECONDS, self.at - time.perf_counter() - keep)

    def mip_limit(self, keep: float | None = None) -> float | None:
        """The MIP's limit: what is left, less what is kept for the solves after it
        (default `AFTER_MIP_SHARE` of the limit; see `after_mip`)."""
        return self.remaining(keep=self.after_mip() if keep is None else keep)

    def after_mip(self, lp_seconds: float | None = None, share: float = AFTER_MIP_SHARE
                  ) -> float:
        """Seconds the MIP leaves for the solves after it: `share` of the limit. With
        `lp_seconds` (the LP relaxation's solve time, given when that relaxation leaves demand
        unmet, so the reasons' counterfactual solves will follow), `REASONS_LP_TIMES` of it,
        at most `REASONS_MAX_SHARE` of the limit."""
        limit = self.seconds or 0.0
        keep = share * limit
        if lp_seconds is not None:
            keep = min(REASONS_MAX_SHARE * limit, max(keep, REASONS_LP_TIMES * lp_seconds))
        return keep


class Status(str, enum.Enum):
    """How a solve ended; the one status enum (a PlanResult is only ever OPTIMAL or FEASIBLE,
    the Summary's `status`)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # time limit hit with a plan in hand
    INFEASIBLE = "infeasible"
    FAILED = "failed"


@dataclass
class SolveOutcome:
    outcome: Status
    solver: str
    objective: float = math.nan
    mip_gap: float = 0.0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    message: str = ""
    duals: bool = False  # constraint.pi / variable.dj hold valid duals
    # Integer mode: the LP relaxation's optimal column values (the warm start solved it), in
    # `prob.variables()` order; the reasons' `whole_hires` counterfactual is this very LP.
    relaxation: np.ndarray | None = None


def highs_lp(model: StaffModel, variables: list[pulp.LpVariable] | None = None,
             integer: bool | None = None) -> highspy.HighsLp:
    """The model as one HiGHS matrix (CSC), column order = `prob.variables()`."""
    prob = model.prob
    if variables is None:
        variables = prob.variables()
    if integer is None:
        integer = model.integer
    inf = highspy.kHighsInf
    for i, v in enumerate(variables):
        v.index = i  # column position, also where PuLP reads the solution back
    n = len(variables)
    cost = np.zeros(n)
    for var, coef in prob.objective.items():
        cost[var.index] = coef
    col_lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
    col_upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)

    # Flat list comprehensions over the rows' expressions (dicts variable -> coefficient):
    # medium 0.20 -> 0.15 s against a loop extending lists row by row.
    cons = list(prob.constraints.values())
    exprs = [con.expr for con in cons]
    m = len(exprs)
    cols_a = np.array([v.index for e in exprs for v in e], dtype=np.int64)
    vals_a = np.array([a for e in exprs for a in e.values()], dtype=float)
    rows_a = np.repeat(np.arange(m, dtype=np.int64), [len(e) for e in exprs])
    rhs = np.array([-con.constant for con in cons], dtype=float)
    sense = np.array([con.sense for con in cons], dtype=np.int64)
    row_lower = np.where(sense == pulp.LpConstraintLE, -inf, rhs)
    row_upper = np.where(sense == pulp.LpConstraintGE, inf, rhs)
    order = np.lexsort((rows_a, cols_a))
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols_a, minlength=n), out=start[1:])

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = cost
    lp.offset_ = float(prob.objective.constant)  # accepted offers' hiring cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = rows_a[order].astype(np.int32)
    lp.a_matrix_.value_ = vals_a[order]
    if integer:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v.cat == pulp.LpInteger
            else highspy.HighsVarType.kContinuous
            for v in variables
        ]
    return lp


# Called about once a second while HiGHS solves (the CLI draws it when stderr is a
# terminal): seconds elapsed, the best plan's objective so far and its gap (integer mode;
# None in LP mode or before the first plan).
SolveProgress = Callable[[float, "float | None", "float | None"], None]
PROGRESS_EVERY_S = 1.0


def watch(h: highspy.Highs, progress: SolveProgress, integer: bool) -> None:
    """Report progress about once a second from a timer thread: elapsed time, and in integer
    mode the best plan so far and its gap, as HiGHS reports each better plan. A callback on
    every simplex iteration or MIP check would run Python each time, waiting for the
    interpreter while the reasons' second thread builds a model (medium benchmark, LP: solve
    2.5 -> 4.3 s)."""
    started = time.monotonic()
    best: list[float | None] = [None, None]  # objective, gap of the last better plan

    if integer:
        def on_better(event) -> None:
            out = event.data_out
            if math.isfinite(out.mip_primal_bound) and abs(out.mip_primal_bound) < 1e30:
                best[0] = float(out.mip_primal_bound)
                best[1] = float(out.mip_gap) if math.isfinite(out.mip_gap) else None

        h.cbMipImprovingSolution.subscribe(on_better)
    stop = threading.Event()

    def tick() -> None:
        progress(0.0, None, None)
        while not stop.wait(max(PROGRESS_EVERY_S, 0.01)):
            progress(time.monotonic() - started, best[0], best[1])

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    _TICKERS[id(h)] = (stop, ticker)
    ticker.start()


_TICKERS: dict[int, tuple[threading.Event, threading.Thread]] = {}


def unwatch(h: highspy.Highs) -> None:
    """Stop reporting (the reasons' counterfactual solves re-use this instance)."""
    h.cbMipImprovingSolution.clear()
    stop, ticker = _TICKERS.pop(id(h), (None, None))
    if stop is not None and ticker is not None:
        stop.set()
        ticker.join()


class BulkHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface with a one-call matrix hand-over."""

    def __init__(self, model: StaffModel, warm_start: bool = True,
                 deadline: Deadline | None = None,
                 progress: SolveProgress | None = None, reasons: str = "none",
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.progress = progress
        self.handover_seconds = 0.0
        self.warm_start = warm_start
        self.warm_start_seconds = 0.0
        self.deadline = deadline
        self.reasons = reasons  # "after" the MIP, "beside" it on another core, or "none"
        self.relaxation: np.ndarray | None = None

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        # HiGHS prints its banner to stdout when constructed, before any option
        # can silence it; stdout belongs to the CLI's caller.
        with quiet_stdout():
            super().createAndConfigureSolver(lp)

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        """PuLP's steps, with `lp.variables()` (a scan of every constraint) listed once and
        the solution read back in one pass (PuLP listed the variables three times a solve)."""
        self.createAndConfigureSolver(lp)
        self.buildSolverModel(lp)
        self.callSolver(lp)
        status, sol_status = self.read_back(lp)
        lp.assignStatus(status, sol_status)
        return status

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        t0 = time.perf_counter()
        self.variables = variables = lp.variables()
        self.constraints = list(lp.constraints.values())
        for i, con in enumerate(self.constraints):
            con.index = i
        lp.solverModel.passModel(highs_lp(self.model, variables, integer=self.mip))
        self.handover_seconds = time.perf_counter() - t0
        if self.progress is not None:
            watch(lp.solverModel, self.progress, self.mip)
        if not (self.mip and self.model.integer):
            return
        h: highspy.Highs = lp.solverModel
        h.setOptionValue("presolve_rule_off", MIP_PRESOLVE_RULE_OFF)
        lp_seconds = None
        if self.warm_start:
            t1 = time.perf_counter()
            limit = self.deadline.remaining() if self.deadline else self.timeLimit
            x = solve_relaxation(self.model, variables, limit, self.threads)
            lp_seconds = time.perf_counter() - t1
            if x is not None:
                self.relaxation = x
                idx, vals = round_relaxation(self.model, x)
                h.setSolution(len(idx), idx, vals)
            self.warm_start_seconds = time.perf_counter() - t1
        if self.deadline and self.deadline.at is not None:
            # PuLP set the limit before the warm start ran; the MIP gets what is left of it,
            # less what the solves after it need.
            horizon = self.model.inputs.settings.horizon_months
            unmet = (self.relaxation is not None and self.reasons == "after"
                     and any(self.relaxation[u.index] > SHOWN
                             for (_, _, t), u in self.model.U.items() if t < horizon))
            # Beside: the whole-hires counterfactual is this relaxation, unless it did not
            # solve; then it is one more solve after the MIP, as for the other shares.
            beside = self.reasons == "beside" and self.relaxation is not None
            share = BESIDE_SHARE if beside else AFTER_MIP_SHARE
            keep = self.deadline.after_mip(lp_seconds if unmet else None, share)
            h.setOptionValue("time_limit", float(self.deadline.mip_limit(keep)))


    def read_back(self, lp: pulp.LpProblem) -> tuple[int, int]:
        """PuLP's status pair; values, reduced costs, slacks and duals onto the variables and
        constraints, solver noise below NOISE zeroed and whole-number variables snapped."""
        h: highspy.Highs = lp.solverModel
        status = h.getModelStatus()
        S = highspy.HighsModelStatus
        has_plan = (h.getInfo().primal_solution_status
                    == highspy.SolutionStatus.kSolutionStatusFeasible)
        if status == S.kOptimal:
            pair = (pulp.LpStatusOptimal, pulp.LpSolutionOptimal)
        elif status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            pair = (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible)
        elif status == S.kUnbounded:
            pair = (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded)
        elif has_plan and status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt,
                                     S.kObjectiveBound, S.kObjectiveTarget):
            pair = (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
        else:
            pair = (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
        sol = h.getSolution()
        if not sol.value_valid:
            return pair
        x = np.asarray(sol.col_value, dtype=float)
        x[np.abs(x) < NOISE] = 0.0
        if self.mip and self.model.integer:  # a hire of 0.9999999999999861 is one hire
            r = np.round(x)
            ints = np.fromiter((v.cat == pulp.LpInteger for v in self.variables), bool,
                               count=len(self.variables))
            snap = ints & (np.abs(x - r) < WHOLE)
            x[snap] = r[snap]
        dj = sol.col_dual if sol.dual_valid else [None] * len(x)
        for var, value, d in zip(self.variables, x.tolist(), dj):
            var.varValue = value
            var.dj = d
        rows = sol.row_value
        duals = sol.row_dual if sol.dual_valid else [None] * len(rows)
        le = pulp.LpConstraintLE
        for con, value, pi in zip(self.constraints, rows, duals):
            slack = con.constant + value  # PuLP keeps the constant on the left-hand side
            con.slack = -slack if con.sense == le else slack
            con.pi = pi
        return pair


def rounded_start(model: StaffModel, variables: list[pulp.LpVariable],
                  time_limit: float | None,
                  threads: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """A whole-people starting plan so a time limit still leaves a good plan: solve
    the LP relaxation, round hires up as far as every supply window allows and
    moves down; HiGHS completes the continuous variables itself."""
    x = solve_relaxation(model, variables, time_limit, threads)
    return None if x is None else round_relaxation(model, x)


def solve_relaxation(model: StaffModel, variables: list[pulp.LpVariable],
                     time_limit: float | None, threads: int | None = None) -> np.ndarray | None:
    """The LP relaxation's optimal column values (None unless optimal), with at most
    `WARM_START_SHARE` of `time_limit`."""
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if threads:
        h.setOptionValue("threads", int(threads))
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit) * WARM_START_SHARE)
    h.passModel(highs_lp(model, variables, integer=False))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


def round_relaxation(model: StaffModel, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The integer variables of the rounded start (indices, values) from the relaxation."""
    W = model.inputs.settings.supply_window_months
    out: dict[int, float] = {}
    series: dict[tuple, list] = {}
    for (c, r, k, t) in model.S:
        series.setdefault((c, r, k), []).append(t)
    for (c, r, k), months in series.items():
        supply = model.params[(c, r)].supply[k]
        cap = {t: math.floor(min(W, t + 1) * supply + NOISE) for t in months}
        got: dict[int, float] = {}
        cum = 0.0  # LP hires so far; whole hires follow its ceiling, not each month's
        done = 0
        for t in months:
            i = model.S[(c, r, k, t)].index
            cum += x[i]
            want = math.ceil(cum - WHOLE) - done
            room = min(cap[u] - sum(got.get(tau, 0.0) for tau in range(u - W + 1, t))
                       for u in range(t, t + W) if u in cap)
            got[t] = float(max(0, min(want, room)))
            done += int(got[t])
            out[i] = got[t]
    for var in model.O.values():  # kept open requisitions: up, as hires, within the count
        out[var.index] = float(min(var.upBound, math.ceil(x[var.index] - WHOLE)))
    out.update(_rounded_moves(model, x, out))
    idx = np.fromiter(out.keys(), dtype=np.int32, count=len(out))
    vals = np.fromiter(out.values(), dtype=float, count=len(out))
    return idx, vals


def _rounded_moves(model: StaffModel, x, hires: dict[int, float]) -> dict[int, float]:
    """Moves rounded down, and never more than the source has on the books that month.

    Flooring a move into a country can leave a later move out of it (a chain of moves
    the LP plans when releases are restricted) with nobody to move, which made the whole
    start infeasible (medium benchmark). Staff are counted with no separations, the most
    the start can hold, so every move kept here leaves the flow feasible."""
    n = model.n_months
    by_month: dict[int, list] = {}
    for key, var in model.M.items():
        by_month.setdefault(key[4], []).append((key, var))
    stock: dict[tuple, float] = {}  # (c, r, k) -> headcount at the end of the previous month
    for (c, r), pp in model.params.items():
        for k in pp.pay_points:
            stock[(c, r, k)] = pp.start.get(k, 0.0)
    out: dict[int, float] = {}
    for t in range(n):
        now: dict[tuple, float] = {}
        for (c, r), pp in model.params.items():
            for k in pp.pay_points:
                key = (c, r, k, t)
                new = pp.fixed.get((k, t), 0.0)
                for var in (model.S.get(key), model.O.get(key)):
                    if var is not None:
                        new += hires.get(var.index, 0.0)
                now[(c, r, k)] = pp.survive * stock[(c, r, k)] + new
        for (c, d, r, k, _), var in sorted(by_month.get(t, ()), key=lambda kv: kv[1].name):
            want = math.floor(x[var.index] + WHOLE)
            move = float(max(0, min(want, math.floor(now[(c, r, k)] + WHOLE))))
            out[var.index] = move
            now[(c, r, k)] -= move
            now[(d, r, k)] = now.get((d, r, k), 0.0) + move
        stock = now
    return out


def _cbc_start(model: StaffModel, time_limit: float | None) -> bool:
    """The same rounded start for CBC, passed as the variables' current values."""
    variables = model.prob.variables()
    for v in variables:
        v.varValue = None
    start = rounded_start(model, variables, time_limit)
    if start is None:
        return False
    for i, value in zip(start[0].tolist(), start[1].tolist()):
        variables[i].varValue = value
    return True


# One redirection at a time: two threads each saving and restoring file descriptor 1 could
# leave it pointing at /dev/null (the reasons build a model on a second thread).
_STDOUT_LOCK = threading.RLock()


@contextlib.contextmanager
def quiet_stdout():
    """Native code's stdout (HiGHS's banner) to /dev/null: stdout belongs to the CLI."""
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def solve_model(model: StaffModel, solver: str = "highs", time_limit: float | None = None,
                mip_gap: float | None = None, duals: bool = True,
                deadline: Deadline | None = None, threads: int | None = None,
                progress: SolveProgress | None = None, reasons: str = "none") -> SolveOutcome:
    """Solve, report the status honestly, and leave duals on the constraints.

    `deadline` is the plan's shared wall-clock limit (default: `time_limit`, else the
    setting, from now). In integer mode the warm start, the MIP and the duals' re-solve all
    fit before it, with `AFTER_MIP_SHARE` of it left for the caller's solves after this one;
    in LP mode the one LP solve is limited by what is left. `threads=1` keeps HiGHS
    single-threaded (many solves side by side on Dask workers); `progress` is called about once
    a second from HiGHS's callbacks while it solves. `reasons`: whether the caller explains
    unmet demand "after" this solve (an integer MIP then leaves time for that when the LP
    relaxation has some), "beside" it on another core (the MIP leaves only `BESIDE_SHARE`),
    or not at all ("none").
    """
    s = model.inputs.settings
    if deadline is None:
        deadline = Deadline.after(s.time_limit_s if time_limit is None else time_limit)
    mip_gap = s.mip_gap if mip_gap is None else mip_gap
    t0 = time.perf_counter()
    if solver == "highs":
        api = BulkHiGHS(model, mip=model.integer, msg=False, timeLimit=deadline.remaining(),
                        gapRel=mip_gap, deadline=deadline, threads=threads,
                        progress=progress, reasons=reasons)
    elif solver == "cbc":
        warm = model.integer and _cbc_start(model, deadline.remaining())
        limit = deadline.mip_limit() if model.integer else deadline.remaining()
        api = pulp.PULP_CBC_CMD(mip=model.integer, msg=False, timeLimit=limit,
                                gapRel=mip_gap, warmStart=warm)
    else:
        raise SolverFailed(f"unknown solver {solver!r}: use highs or cbc")
    try:
        model.prob.solve(api)
    except pulp.PulpSolverError as exc:
        raise SolverFailed(f"the {solver} solver failed: {exc}") from exc
    finally:
        if progress is not None and solver == "highs" and hasattr(model.prob, "solverModel"):
            unwatch(model.prob.solverModel)
    seconds = time.perf_counter() - t0
    out = _read_status(model, api, solver)
    out.seconds = seconds
    handover = getattr(api, "handover_seconds", 0.0)
    warm = getattr(api, "warm_start_seconds", 0.0)
    out.timings = {"handover": handover, "solve": seconds - handover - warm}
    if warm:
        out.timings["warm_start"] = warm
    out.relaxation = getattr(api, "relaxation", None)
    if out.outcome in (Status.OPTIMAL, Status.FEASIBLE):
        if isinstance(api, BulkHiGHS):  # listed once for the solve, noise already zeroed
            variables = api.variables
        else:
            variables = model.prob.variables()  # PuLP scans every constraint for it
            _zero_noise(variables)
        out.objective = plan_objective(model.prob)
        if duals:
            t1 = time.perf_counter()
            out.duals = _duals(model, solver, variables, deadline, threads)
            out.timings["duals"] = time.perf_counter() - t1
    log.info("%s: %s, objective %.6g, %.2f s", solver, out.outcome.value, out.objective, seconds)
    return out


def _read_status(model: StaffModel, api: pulp.LpSolver, solver: str) -> SolveOutcome:
    prob = model.prob
    if solver == "highs":
        h: highspy.Highs = prob.solverModel
        status = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        S = highspy.HighsModelStatus
        if status == S.kOptimal:
            gap = max(0.0, info.mip_gap) if model.integer else 0.0
            if not math.isfinite(gap):
                gap = 0.0
            return SolveOutcome(Status.OPTIMAL, solver, mip_gap=gap)
        if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
            return SolveOutcome(Status.INFEASIBLE, solver, message=h.modelStatusToString(status))
        if status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt) and has_plan \
                and model.integer:
            return SolveOutcome(Status.FEASIBLE, solver, mip_gap=_gap(info))
        return SolveOutcome(Status.FAILED, solver, message=h.modelStatusToString(status))
    # CBC through PuLP's command-line interface
    status, sol = prob.status, prob.sol_status
    if status == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
        # Within the requested gap; PuLP does not read CBC's bound, so the gap achieved
        # is unknown in integer mode.
        return SolveOutcome(Status.OPTIMAL, solver, mip_gap=math.nan if model.integer else 0.0)
    if sol == pulp.LpSolutionIntegerFeasible:
        return SolveOutcome(Status.FEASIBLE, solver, mip_gap=math.nan)
    if status == pulp.LpStatusInfeasible:
        return SolveOutcome(Status.INFEASIBLE, solver, message="infeasible")
    return SolveOutcome(Status.FAILED, solver, message=pulp.LpStatus.get(status, str(status)))


def _gap(info) -> float:
    obj, bound = info.objective_function_value, info.mip_dual_bound
    if not (math.isfinite(obj) and math.isfinite(bound)):
        return math.nan
    return max(0.0, (obj - bound) / max(abs(obj), 1e-12))


def _zero_noise(variables: list[pulp.LpVariable], tol: float = NOISE) -> None:
    """Solver noise below `tol` becomes 0, and whole-number variables become whole
    (a hire of 0.9999999999999861 is one hire)."""
    for var in variables:
        v = var.varValue
        if v is None:
            continue
        if abs(v) < tol:
            var.varValue = 0.0
        elif var.cat == pulp.LpInteger and abs(v - round(v)) < WHOLE:
            var.varValue = float(round(v))


def plan_objective(prob: pulp.LpProblem) -> float:
    """The objective's value, its constant (accepted offers' hiring cost) included."""
    return float(prob.objective.constant
                 + sum(coef * (var.varValue or 0.0) for var, coef in prob.objective.items()))


def plan_duals(model: StaffModel, solver: str = "highs",
               deadline: Deadline | None = None) -> bool:
    """Duals for the plan now in the variables (after `solve_model(..., duals=False)` and a
    change to that plan, e.g. model/stable.py); True when they are valid."""
    if deadline is None:
        deadline = Deadline.after(model.inputs.settings.time_limit_s)
    return _duals(model, solver, model.prob.variables(), deadline)


def _duals(model: StaffModel, solver: str, variables: list[pulp.LpVariable],
           deadline: Deadline, threads: int | None = None) -> bool:
    """Leave constraint.pi / variable.dj valid: in integer mode by fixing the
    integer variables at their optimum and re-solving the LP."""
    prob = model.prob
    if not model.integer:
        return True
    ints = [v for v in variables if v.cat == pulp.LpInteger]
    saved = [(v, v.lowBound, v.upBound) for v in ints]
    values = [v.varValue for v in variables]
    for v in ints:
        fixed = float(round(v.varValue or 0.0))
        v.lowBound = v.upBound = fixed
        v.cat = pulp.LpContinuous
    try:
        limit = deadline.remaining()
        if solver == "highs":
            api = BulkHiGHS(model, mip=False, msg=False, timeLimit=limit, threads=threads)
        else:
            api = pulp.PULP_CBC_CMD(mip=False, msg=False, timeLimit=limit)
        prob.solve(api)
        ok = prob.status == pulp.LpStatusOptimal
    except pulp.PulpSolverError:
        ok = False
    finally:
        for v, lo, up in saved:
            v.lowBound, v.upBound, v.cat = lo, up, pulp.LpInteger
        # The fixed LP may move continuous variables within ties; report the MIP's plan.
        for v, value in zip(variables, values):
            v.varValue = value
    if not ok:
        log.warning("could not re-solve the fixed LP for duals; pressure table left empty")
    return ok
