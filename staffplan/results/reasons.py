"""Why demand goes unmet, found by counterfactual solves (spec/model.md, "Why demand goes unmet").

For every horizon month of every pair with unmet demand `U > 1e-6` in the reported plan, the
model is solved again (same mode) with one family of constraints lifted alone:

| family         | lifted                                                                 |
|----------------|------------------------------------------------------------------------|
| `time_to_fill` | `time_to_fill = 0` and `ramp_months = 0` (clearing the roster ramp too) |
| `supply`       | no supply caps (hires allowed at every pay point)                      |
| `budget`       | no budget rows                                                         |
| `whole_hires`  | the linear relaxation (integer mode only)                              |

The reason of a month is the family whose lift alone lowers its `U` the most, by at least half
(ties to the family listed first); otherwise all families are lifted together: `combined` when
that lowers `U` by at least half, else `cost`.

Reuse, so the reasons cost little more than a few warm re-solves:

- `budget`, `whole_hires` and, when every pay point of every live pair already has supply,
  `supply` change the solver's model in memory: row bounds to infinity, integrality off. In LP
  mode that is the plan's own HiGHS instance, so the budget re-solve starts from the optimal
  basis (supply and whole_hires start from scratch, faster for them; budgets none of which
  binds are not re-solved at all, as the LP's optimum stays optimal); in integer mode it is
  the instance of the fixed-integer LP re-solved for shadow prices, with its bounds and
  integrality restored.
- `time_to_fill` adds hire variables before month `time_to_fill` and changes every productive
  coefficient, so it is rebuilt from lifted inputs with `build_model` (and so is `supply` when
  it opens pay points that had no supply, hence no variables). `combined` reuses the
  `time_to_fill` model in memory when it can.
- With a second core, `Background` solves the counterfactuals that need no plan beside the
  plan's own solve (time to fill and combined; in integer mode supply and budget too, each MIP
  from its own rounded LP relaxation), and `whole_hires` is the relaxation the plan's warm
  start solved. Medium benchmark, integer mode: the reasons then take 0.1 s after the MIP
  instead of 24 s, and the MIP keeps 95% of the time limit.

The plan is a feasible point of every counterfactual (lifting only relaxes), so a MIP
counterfactual starts with it as its incumbent (or, beside the plan's solve, with its own
rounded relaxation); an LP starts from the plan's basis for `budget` and `combined`, else from
scratch (a primal start made HiGHS's simplex slower, not faster).
`U` is read from the reported plan (the `Headcount` table), never from a re-solve.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import signal
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import pulp

from staffplan.core.months import month_label, month_year
from staffplan.core.tolerances import NOISE, SHOWN, WHOLE
from staffplan.inputs.data import Inputs
from staffplan.inputs.schema import PAY_POINTS
from staffplan.model.build import StaffModel, build_model
from staffplan.model.solve import (
    MIP_PRESOLVE_RULE_OFF,
    WARM_START_SHARE,
    highs_lp,
    plan_objective,
    quiet_stdout,
    round_relaxation,
)
from staffplan.results.budgets import is_binding
from staffplan.results.tables import RISK_COLUMNS

log = logging.getLogger(__name__)

UNMET_TOL = SHOWN  # a month with U above this has a reason (model.md)
TIE_TOL = 1e-7  # drops closer than this are equal: the family listed first wins
FAMILIES = ("time_to_fill", "supply", "budget", "whole_hires")
# Supply per month that never binds, for a rebuilt model with the supply caps lifted: only its
# sign matters to the build (a pay point with supply gets hire variables); its rows are then
# lifted to +infinity before the solve.
UNCAPPED = 1e9
# Background counterfactuals end this share of the time limit before the plan's deadline.
END_MARGIN = 0.05
FAMILY_WORDS = {"time_to_fill": "lead time (time to fill and ramp-up)",
                "supply": "labour supply", "budget": "the budgets",
                "whole_hires": "whole-people hiring"}

Key = tuple[str, str, int]  # (country, role, t)


@dataclass
class Counterfactual:
    """One counterfactual solve: U per unmet month, and how the solve went."""

    family: str
    unmet: dict[Key, float]
    status: str  # "optimal", "time limit" (best plan found used), "failed" (plan's U kept)
    seconds: float
    rebuilt: bool


@dataclass
class Explanation:
    """Reasons per unmet month, with what the solves cost."""

    table: pd.DataFrame  # RISK_COLUMNS
    solves: list[Counterfactual] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)



# --------------------------------------------------------------------------- lifting inputs


def lift_inputs(inputs: Inputs, families: set[str]) -> Inputs:
    """The inputs with `time_to_fill`, `supply` and/or `budget` lifted (whole_hires is a mode).

    Demand (`inputs.requirement`) is unchanged: lifting never touches requirements.
    """
    changes: dict[str, object] = {}
    if "time_to_fill" in families or "supply" in families:
        markets = {}
        for pair, m in inputs.markets.items():
            if "time_to_fill" in families:
                m = dataclasses.replace(m, time_to_fill_months=0)
            if "supply" in families:
                m = dataclasses.replace(m, supply_at_min=UNCAPPED, supply_at_mid=UNCAPPED,
                                        supply_at_max=UNCAPPED)
            markets[pair] = m
        changes["markets"] = markets
    if "time_to_fill" in families:
        changes["roles"] = {r: dataclasses.replace(role, ramp_months=0)
                            for r, role in inputs.roles.items()}
        roster = getattr(inputs, "roster", None)
        if roster:  # staff on the books still ramping (Actuals) count as productive
            changes["roster"] = [dataclasses.replace(row, start_month=None)
                                 if getattr(row, "start_month", None) is not None else row
                                 for row in roster]
    if "budget" in families:
        changes["budgets"] = []
    return dataclasses.replace(inputs, **changes) if changes else inputs


def _ttf_can_bind(inputs: Inputs) -> bool:
    """Whether lifting time to fill changes anything: some lead time, ramp or ramping roster."""
    if any(m.time_to_fill_months > 0 for m in inputs.markets.values()):
        return True
    if any(inputs.roles[r].ramp_months > 0 for _, r in inputs.markets):
        return True
    return any(getattr(row, "start_month", None) is not None
               for row in getattr(inputs, "roster", None) or ())


def _supply_in_memory(model: StaffModel) -> bool:
    """Lifting supply only relaxes rows when every live pair already hires at every pay point."""
    return all(pp.supply[k] > 0 for pp in model.params.values() if pp.pay_points
               for k in PAY_POINTS)


# --------------------------------------------------------------------------- one HiGHS model


class _Solver:
    """A HiGHS instance of one StaffModel, changed in place between counterfactual solves."""

    def __init__(self, model: StaffModel, highs: highspy.Highs | None = None) -> None:
        self.model = model
        self.variables = model.prob.variables()
        self.rows = {name: i for i, name in enumerate(model.prob.constraints)}
        self.ints = np.array([i for i, v in enumerate(self.variables) if v.cat == pulp.LpInteger],
                             dtype=np.int32)
        t0 = time.perf_counter()
        if highs is not None and self._matches(highs):
            self.h = highs
            self._restore_columns()
            self.reused = True
        else:
            with quiet_stdout():
                self.h = highspy.Highs()
            self.h.passModel(highs_lp(model, self.variables))
            self.reused = False
        self.h.setOptionValue("output_flag", False)
        self.integer = model.integer and bool(len(self.ints))
        self.setup_seconds = time.perf_counter() - t0

    def _matches(self, h: highspy.Highs) -> bool:
        """The solver's instance has this model's columns in this order (PuLP's index)."""
        if h.getNumCol() != len(self.variables) or h.getNumRow() != len(self.rows):
            return False
        return all(getattr(v, "index", None) == i for i, v in enumerate(self.variables))

    def _restore_columns(self) -> None:
        """Bounds and integrality as built (the integer-mode dual re-solve fixed them)."""
        inf = highspy.kHighsInf
        n = len(self.variables)
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in self.variables],
                         dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in self.variables],
                         dtype=float)
        self.h.changeColsBounds(n, np.arange(n, dtype=np.int32), lower, upper)
        self.set_integer(self.model.integer)

    def set_integer(self, integer: bool) -> None:
        self.integer = integer and bool(len(self.ints))
        if not len(self.ints):
            return
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(len(self.ints), self.ints,
                                     np.array([kind] * len(self.ints)))

    def row_indices(self, cons) -> np.ndarray:
        return np.array([self.rows[c.name] for c in cons], dtype=np.int32)

    def set_rows_upper(self, rows: np.ndarray, upper: np.ndarray) -> None:
        if len(rows):
            lower = np.full(len(rows), -highspy.kHighsInf)
            self.h.changeRowsBounds(len(rows), rows, lower, upper)

    def lift_rows(self, cons) -> tuple[np.ndarray, np.ndarray]:
        """Upper bounds of these (<=) rows to +infinity; returns what restores them."""
        cons = list(cons)
        rows = self.row_indices(cons)
        saved = np.array([-c.constant for c in cons], dtype=float)
        self.set_rows_upper(rows, np.full(len(rows), highspy.kHighsInf))
        return rows, saved

    def solve(self, start: np.ndarray | None, time_limit: float | None, mip_gap: float,
              keys: list[Key]) -> tuple[dict[Key, float], str]:
        """Solve from the plan as starting point; U at `keys` (None where no plan came out)."""
        return self.read(keys, *self.run(start, time_limit, mip_gap))

    def run(self, start: np.ndarray | tuple[np.ndarray, np.ndarray] | None,
            time_limit: float | None, mip_gap: float,
            cancel: threading.Event | None = None) -> tuple[str, np.ndarray | None]:
        """How the solve ended ("optimal", "time limit", "failed") and its column values.
        `start` (used by a MIP): every column's value, or (indices, values) of some. A MIP
        stops at its next check once `cancel` is set."""
        h = self.h
        # An LP's time_limit is measured on the instance's run clock, which keeps counting
        # over every run() of a reused instance: its limit is what it has run plus ours. A
        # MIP's clock starts at its own run (HiGHS 1.16; medium benchmark: a MIP given the
        # run clock plus 3 s ran 7.8 s).
        ran = 0.0 if self.integer else h.getRunTime()
        h.setOptionValue("time_limit", ran + float(time_limit) if time_limit
                         else highspy.kHighsInf)
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        if self.integer:
            # As the plan's MIP: probing and enumeration cost more than they give.
            h.setOptionValue("presolve_rule_off", MIP_PRESOLVE_RULE_OFF)
            # The plan is feasible here (lifting only relaxes): a MIP starts with it in
            # hand. Not for an LP: HiGHS then spends longer than from its basis or from
            # scratch (medium benchmark, time_to_fill: 28 s against 10 s cold).
            if isinstance(start, tuple):  # HiGHS completes the other columns itself
                h.setSolution(len(start[0]), start[0], start[1])
            elif start is not None:
                sol = highspy.HighsSolution()
                sol.col_value = start.tolist()
                sol.value_valid = True
                h.setSolution(sol)
        if cancel is not None and self.integer:
            def on_check(event) -> None:
                if cancel.is_set():
                    event.interrupt()

            h.cbMipInterrupt.subscribe(on_check)
        try:
            h.run()
        finally:
            if cancel is not None and self.integer:
                h.cbMipInterrupt.clear()
        status = h.getModelStatus()
        info = h.getInfo()
        has = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        S = highspy.HighsModelStatus
        if status == S.kOptimal:
            word = "optimal"
        elif has and status in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt):
            word = "time limit"
        else:
            return "failed", None
        return word, np.asarray(h.getSolution().col_value, dtype=float)

    def read(self, keys: list[Key], word: str,
             x: np.ndarray | None) -> tuple[dict[Key, float], str]:
        if x is None:
            return {}, word
        U = self.model.U
        return {key: max(0.0, float(x[U[key].index])) for key in keys}, word


@dataclass
class _Done:
    """A finished `Background` job."""

    status: str  # as Counterfactual.status
    unmet: dict[Key, float] | None  # U by (country, role, t); None when no plan came out
    seconds: float
    objective: float
    solver: _Solver | None = None  # LP mode, time to fill: kept for `combined` to reuse


class Background:
    """Counterfactual solves that do not need the plan, started on a second thread as soon
    as the plan's model is built, so they run while the plan itself is solved (HiGHS runs
    one core; the other is free). The plan's thread takes jobs from the same queue once it
    gets to the reasons.

    LP mode: `time_to_fill` (its model rebuilt) and `combined` (on the same instance, from
    its basis), each bounded by the time limit alone. Integer mode: `time_to_fill`, `supply`,
    `budget` and `combined`, each rebuilt from lifted inputs; a MIP starts from its own LP
    relaxation rounded as the plan's start is (the plan is not known yet), and all of them end
    before the plan's deadline. A plan with no unmet demand leaves the results unused.
    """

    def __init__(self, inputs: Inputs, integer: bool, deadline: float | None,
                 time_limit: float | None) -> None:
        self.inputs = inputs
        self.integer = integer
        self.time_limit = time_limit
        # Jobs end a little before the plan's deadline: the plan's thread still writes the
        # reasons' table (and, in integer mode, re-solves the fixed LP) after the MIP.
        self.end_at = (None if deadline is None or time_limit is None
                       else deadline - END_MARGIN * time_limit)
        # ... and are waited for until this long after it. HiGHS does not always stop a MIP at
        # its time limit (medium benchmark: once more than 6 minutes in a root-node rounding
        # heuristic that never checks the clock); such a solve is left behind (`abandoned`).
        self.give_up_at = (None if deadline is None or time_limit is None
                           else deadline + END_MARGIN * time_limit)
        self.abandoned = False
        self.families = _background_families(inputs, integer)
        self.jobs = list(self.families)
        self.done: dict[str, _Done] = {}
        self._lock = threading.Lock()
        self._busy = 1  # threads taking jobs
        self._stop = False
        self._cancel = threading.Event()
        self._error: BaseException | None = None
        self.plan: dict[str, float] | None = None
        # A daemon: a plan that fails meanwhile does not wait for these solves to end.
        self._thread = threading.Thread(target=self._second_thread, name="reasons",
                                        daemon=True)
        self._thread.start()

    @classmethod
    def wanted(cls, inputs: Inputs, integer: bool) -> bool:
        return bool(_background_families(inputs, integer))

    @staticmethod
    def left_behind() -> bool:
        """A solve of the second thread is still running (see `give_up_at`)."""
        return any(t.name == "reasons" and t.is_alive() for t in threading.enumerate())

    def stop(self) -> None:
        """Start no more jobs and interrupt a running MIP (the plan failed or needs no
        reasons). An LP job cannot be interrupted without a Python call on every simplex
        iteration: it runs to its end (in LP mode it ran beside the plan's own solve)."""
        with self._lock:
            self._stop = True
        self._cancel.set()

    def close(self, wait: bool = True) -> None:
        """`stop`, then wait for the second thread, so it is not still inside HiGHS when the
        process exits (not after Ctrl-C: the user is waiting for the prompt)."""
        self.stop()
        if wait:
            self._join()

    def _join(self) -> None:
        """Wait for the second thread, at most until `give_up_at`."""
        if self.abandoned:
            return
        left = None if self.give_up_at is None else max(0.0, self.give_up_at
                                                        - time.perf_counter())
        self._thread.join(left)
        if self._thread.is_alive():
            self.stop()
            self.abandoned = True
            log.warning("a counterfactual solve did not stop at its time limit; left behind")

    def finish(self, plan: dict[str, float] | None = None) -> None:
        """Take the jobs left on this thread too, then wait for the other; re-raise its error.
        A MIP started from now on starts from the `plan` (variable name -> value)."""
        with self._lock:
            self._busy += 1
            self.plan = plan
        self._work(here=True)
        self._join()
        if self._error is not None:
            raise self._error

    def _second_thread(self) -> None:
        # Ctrl-C and SIGTERM go to the plan's thread only: the kernel hands a process's
        # signal to any thread not blocking it, and one landing here would defeat the signals
        # the plan's thread holds while it moves the finished files into place.
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        self._work()

    def _take(self) -> tuple[str, int, int] | None:
        """The next family, the threads taking jobs and the jobs left (this one included)."""
        with self._lock:
            if self._stop or not self.jobs:
                return None
            n_left = len(self.jobs)
            return self.jobs.pop(0), min(self._busy, n_left), n_left

    def _work(self, here: bool = False) -> None:
        """Run jobs until none is left; on the second thread an error is kept for `finish`,
        on the plan's own thread (`here`) it is raised at once."""
        try:
            while (job := self._take()) is not None:
                self._run(*job)
        except BaseException as exc:
            self.stop()
            if here:
                raise
            self._error = exc

    def _limit(self, workers: int, n_left: int) -> float | None:
        """Integer mode: this job's share of the time left, and never more than an equal
        share of the whole limit among the plan's MIP and the counterfactual ones: one that
        cannot close its gap uses all it is given, and the plan's MIP often ends early
        (shipped example: a supply MIP given the 31 s left ran all of it, 44 s in all)."""
        if not self.integer or self.end_at is None or self.time_limit is None:
            return self.time_limit
        left = self.end_at - time.perf_counter()
        mips = 1 + len([f for f in self.families if f != "combined"])
        return max(1.0, min(left * workers / n_left, self.time_limit / mips))

    def _run(self, fam: str, workers: int, n_left: int) -> None:
        t0 = time.perf_counter()
        mip_gap = self.inputs.settings.mip_gap
        ttf = self.done.get("time_to_fill")
        if (fam == "combined" and ttf is not None and ttf.solver is not None
                and _supply_in_memory(ttf.solver.model)):
            solver = ttf.solver  # from the time-to-fill optimum: only row bounds change
        else:
            lifted = {"time_to_fill", "supply", "budget"} if fam == "combined" else {fam}
            lifted &= {"supply", "budget"} | ({"time_to_fill"} if _ttf_can_bind(self.inputs)
                                              else set())
            solver = _Solver(build_model(lift_inputs(self.inputs, lifted),
                                         integer=self.integer and fam != "combined"))
        if fam in ("supply", "combined"):
            solver.lift_rows(solver.model.supply.values())
        if fam == "combined":
            solver.lift_rows(solver.model.budget.values())
            solver.set_integer(False)
        limit = self._limit(workers, n_left)  # measured after the build
        start: np.ndarray | tuple[np.ndarray, np.ndarray] | None = None
        if solver.integer and self.plan is not None:  # known by now: feasible here
            start = _start(solver, self.plan)
        elif solver.integer:  # a whole-people start from this model's own LP relaxation
            t1 = time.perf_counter()
            solver.set_integer(False)  # on this instance: no second hand-over of the model
            word, x = solver.run(None, None if limit is None else limit * WARM_START_SHARE,
                                 mip_gap)
            solver.set_integer(True)
            solver.h.clearSolver()
            if word == "optimal":
                start = round_relaxation(solver.model, x)
            limit = None if limit is None else max(1.0, limit - (time.perf_counter() - t1))
        word, x = solver.run(start, limit, mip_gap, cancel=self._cancel)
        unmet = (None if x is None else
                 {key: max(0.0, float(x[var.index])) for key, var in solver.model.U.items()})
        objective = math.nan if x is None else solver.h.getInfo().objective_function_value
        keep = solver if fam == "time_to_fill" and not self.integer else None
        self.done[fam] = _Done(word, unmet, time.perf_counter() - t0, objective, keep)
        log.info("reasons: %s on %s, %.2f s (%s)", fam, threading.current_thread().name,
                 time.perf_counter() - t0, word)


def _background_families(inputs: Inputs, integer: bool) -> list[str]:
    """The counterfactuals `Background` solves: those needing a rebuilt model (LP mode) or
    the plan's own solution as their only link to it (integer mode)."""
    fams = ["time_to_fill"] if _ttf_can_bind(inputs) else []
    if integer:
        fams += ["supply"] + (["budget"] if inputs.budgets else [])
    return fams + ["combined"] if fams else []


# --------------------------------------------------------------------------- the analysis


def explain_unmet(model: StaffModel, headcount: pd.DataFrame, *,
                  deadline: float | None = None, time_limit_s: float | None = None,
                  reuse: bool = True, relaxation: np.ndarray | None = None,
                  background: Background | None = None) -> Explanation:
    """One reason per unmet horizon month, from counterfactual solves of `model` (solved).

    `headcount` is the reported plan's Headcount table: its `unmet` column is the `U` that is
    explained. In integer mode the solves share the plan's time limit: each gets an equal share
    of the time left before `deadline` (a `time.perf_counter()` value; default: now plus
    `time_limit_s`, itself defaulting to the setting), at least one second. In LP mode each
    solve is bounded by the setting alone.

    `relaxation` (integer mode): the LP relaxation's optimal values from the warm start, which
    is the `whole_hires` counterfactual itself. `background`: the counterfactuals started
    while the plan was solved (`Background`); this thread helps with what is left of them.

    `reuse=False` rebuilds every counterfactual from lifted inputs and solves it from scratch
    (the plan still its starting point): the reference the in-memory changes are measured and
    tested against.
    """
    t_start = time.perf_counter()
    s = model.inputs.settings
    unmet = _plan_unmet(model, headcount)
    if not unmet:
        if background is not None:
            background.close()
        return Explanation(pd.DataFrame(columns=RISK_COLUMNS))
    limit = s.time_limit_s if time_limit_s is None else time_limit_s
    if deadline is None:
        deadline = t_start + limit
    keys = sorted(unmet, key=lambda k: (k[0], k[1], k[2]))
    plan = {v.name: (v.varValue or 0.0) for v in model.prob.variables()}

    families = [f for f in FAMILIES
                if (f != "budget" or model.budget)
                and (f != "whole_hires" or model.integer)
                and (f != "time_to_fill" or _ttf_can_bind(model.inputs))]
    away = set(background.families) if background is not None else set()
    planned = [len([f for f in families if f not in away]) + ("combined" not in away)]

    def budget_for() -> float | None:
        """This solve's time limit: in integer mode its share of what is left."""
        n_left = max(planned[0], 1)
        planned[0] -= 1
        if not model.integer:
            return limit
        return max(1.0, (deadline - time.perf_counter()) / n_left)

    results: dict[str, Counterfactual] = {}
    if "whole_hires" in families and relaxation is not None and reuse:
        results["whole_hires"] = Counterfactual(
            "whole_hires", {key: max(0.0, float(relaxation[model.U[key].index]))
                            for key in keys}, "optimal", 0.0, False)
        planned[0] -= 1
    if ("budget" in families and not model.integer and reuse
            and not any(budget_binding(model, b) for b in model.inputs.budgets
                        if b.row in model.budget)):
        # An LP stays optimal when rows with room left are dropped (their duals are 0), so
        # lifting budgets none of which binds changes no U: nothing to solve.
        results["budget"] = Counterfactual("budget", {key: unmet[key] for key in keys},
                                           "optimal", 0.0, False)
        planned[0] -= 1
    mem_families = [f for f in ("whole_hires", "supply", "budget")
                    if f in families and f not in results and f not in away and reuse
                    and (f != "supply" or _supply_in_memory(model))]
    base: _Solver | None = None
    for fam in mem_families:
        if base is None:
            base = _Solver(model, getattr(model.prob, "solverModel", None))
            log.info("reasons: solver model %s in %.2f s",
                     "reused" if base.reused else "handed over", base.setup_seconds)
        t0 = time.perf_counter()
        restore = None
        if fam == "whole_hires":
            base.set_integer(False)
            # The basis left is the fixed-integer LP's, far from the relaxation's optimum:
            # from scratch is faster (shipped example: 0.6 s against 2.9 s).
            base.h.clearSolver()
        elif fam == "supply":
            restore = base.lift_rows(model.supply.values())
            # Without supply caps the optimum moves far (hires at other pay points): from
            # the plan's basis the simplex took longer than from scratch with presolve
            # (large benchmark: over 60 s against about 30 s; medium 1.1 s against 1.3 s).
            base.h.clearSolver()
        else:
            restore = base.lift_rows(model.budget.values())
        got, word = base.solve(_start(base, plan), budget_for(), s.mip_gap, keys)
        if fam == "whole_hires":
            base.set_integer(model.integer)
        if restore is not None:
            base.set_rows_upper(*restore)
        results[fam] = Counterfactual(fam, got, word, time.perf_counter() - t0, False)

    if background is not None:
        background.finish(plan)
        plan_cost = plan_objective(model.prob)  # lifting changes no cost
        done = dict(background.done)  # a solve left behind may still add to it
        for fam in background.families:
            if fam not in done and fam != "combined":  # left behind: it lowers nothing
                results[fam] = Counterfactual(fam, {}, "failed", 0.0, True)
        for fam, job in done.items():
            got = {} if job.unmet is None else {key: job.unmet[key] for key in keys}
            if (model.integer and job.status == "time limit" and fam != "combined"
                    and job.objective > plan_cost + NOISE * max(1.0, abs(plan_cost))):
                # Cut short before it found anything better than the plan, which is feasible
                # here (it was not known when this solve started): the plan is its best.
                got = {key: unmet[key] for key in keys}
            results[fam] = Counterfactual(fam, got, job.status, job.seconds, True)

    ttf_solver: _Solver | None = None
    for fam in [f for f in FAMILIES if f in families and f not in results]:
        t0 = time.perf_counter()
        if fam == "whole_hires":
            solver = _Solver(build_model(model.inputs, integer=False))
        else:
            solver = _Solver(build_model(lift_inputs(model.inputs, {fam}), integer=model.integer))
        if fam == "supply":
            solver.lift_rows(solver.model.supply.values())
        got, word = solver.solve(_start(solver, plan), budget_for(), s.mip_gap, keys)
        results[fam] = Counterfactual(fam, got, word, time.perf_counter() - t0, True)
        if fam == "time_to_fill":
            ttf_solver = solver

    reasons = {key: _single(key, unmet[key], results) for key in keys}
    pending = [key for key, fam in reasons.items() if fam is None]
    if pending and "combined" not in results:
        t0 = time.perf_counter()
        rebuilt = False
        if ttf_solver is not None and _supply_in_memory(model) and reuse:
            solver = ttf_solver  # lift the rest in memory on the time-to-fill model
        elif "time_to_fill" not in families and _supply_in_memory(model) and reuse:
            if base is None:
                base = _Solver(model, getattr(model.prob, "solverModel", None))
            solver = base  # nothing to rebuild: lift everything in memory
        else:
            lifted = {"time_to_fill", "supply"} if "time_to_fill" in families else {"supply"}
            solver = _Solver(build_model(lift_inputs(model.inputs, lifted),
                                         integer=model.integer))
            rebuilt = True
        solver.lift_rows(solver.model.supply.values())
        solver.lift_rows(solver.model.budget.values())
        solver.set_integer(False)
        planned[0] = 1
        got, word = solver.solve(_start(solver, plan), budget_for(), s.mip_gap, keys)
        results["combined"] = Counterfactual("combined", got, word, time.perf_counter() - t0,
                                             rebuilt)
    for key in pending:
        reasons[key] = "combined" if _drop(key, unmet[key], results["combined"]) \
            >= 0.5 * unmet[key] - TIE_TOL else "cost"

    order = [*FAMILIES, "combined"]
    solves = sorted((c for c in results.values() if c.family != "combined" or pending),
                    key=lambda c: order.index(c.family))
    out = Explanation(_table(model, unmet, reasons, keys, families), solves,
                      time.perf_counter() - t_start)
    short = [c.family for c in out.solves if c.status != "optimal"]
    if short:
        out.warnings.append(
            "The reasons for unmet demand are based on solves stopped at the time limit ("
            + ", ".join(short) + "); a longer time_limit_s gives firmer reasons.")
    log.info("reasons: %d unmet months, solves %s, %.2f s", len(keys),
             ", ".join(f"{c.family} {c.seconds:.2f} s ({c.status}"
                       f"{', rebuilt' if c.rebuilt else ''})" for c in out.solves), out.seconds)
    return out


def _plan_unmet(model: StaffModel, headcount: pd.DataFrame) -> dict[Key, float]:
    """U above the tolerance in the reported plan, by (country, role, t)."""
    start = model.inputs.settings.horizon_start
    out: dict[Key, float] = {}
    rows = headcount[headcount["unmet"] > UNMET_TOL]
    for c, r, m, u in zip(rows["country"], rows["role_id"], rows["month"], rows["unmet"]):
        y, mo = str(m).split("-")
        out[(c, r, int(y) * 12 + int(mo) - 1 - start)] = float(u)
    return out


def _start(solver: _Solver, plan: dict[str, float]) -> np.ndarray:
    """The plan as a point of this model: variables the plan lacks (new hires) are 0."""
    return np.array([plan.get(v.name, 0.0) for v in solver.variables], dtype=float)


def _drop(key: Key, u: float, cf: Counterfactual) -> float:
    """How much the counterfactual lowers U; a failed solve lowers nothing."""
    if key not in cf.unmet:
        return 0.0
    return u - cf.unmet[key]


def _single(key: Key, u: float, results: dict[str, Counterfactual]) -> str | None:
    best, best_drop = None, -math.inf
    for fam in FAMILIES:
        if fam in results:
            drop = _drop(key, u, results[fam])
            if drop > best_drop + TIE_TOL:
                best, best_drop = fam, drop
    if best is not None and best_drop >= 0.5 * u - TIE_TOL:
        return best
    return None


# --------------------------------------------------------------------------- words


def _table(model: StaffModel, unmet: dict[Key, float], reasons: dict[Key, str],
           keys: list[Key], families: list[str]) -> pd.DataFrame:
    words = _Words(model, families)
    rows = [(c, r, month_label(model.inputs.settings.horizon_start + t), unmet[(c, r, t)],
             reasons[(c, r, t)], words.detail(reasons[(c, r, t)], c, r, t))
            for c, r, t in keys]
    return pd.DataFrame(rows, columns=RISK_COLUMNS)


def _months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < NOISE else f"{v:,.2f}".rstrip("0").rstrip(".")


class _Words:
    """The reason of one month in plain words, naming rows, pay points and months."""

    def __init__(self, model: StaffModel, families: list[str]) -> None:
        self.model = model
        self.families = families or list(FAMILIES)
        self.s = model.inputs.settings
        self.binding = [b for b in model.inputs.budgets if b.row in model.budget
                        and budget_binding(model, b)]

    def detail(self, reason: str, c: str, r: str, t: int) -> str:
        return getattr(self, reason)(c, r, t)

    def time_to_fill(self, c: str, r: str, t: int) -> str:
        pp = self.model.params[(c, r)]
        parts = []
        if pp.ttf:
            parts.append(f"requisitions take {_months(pp.ttf)} to fill")
        if pp.ramp:
            parts.append(f"new hires ramp up for {_months(pp.ramp)}")
        if not parts:
            return ("staff on the books are still ramping up; without that lead time at least "
                    "half of this shortfall would be covered")
        lead = pp.ttf + pp.ramp
        if t < lead:
            when = (f"no new hire can be productive before "
                    f"{month_label(self.s.horizon_start + lead)}")
        else:
            when = (f"a hire productive in this month had to be requested by "
                    f"{month_label(self.s.horizon_start + t - lead)}")
        return (" and ".join(parts) + f" ({when}); without that lead time at least half of "
                "this shortfall would be covered")

    def supply(self, c: str, r: str, t: int) -> str:
        pp = self.model.params[(c, r)]
        W = self.s.supply_window_months
        full = _full_pay_points(self.model, c, r, t)
        per = "a month" if W == 1 else f"per {W}-month window"
        if full:
            caps = ", ".join(f"band {k} ({_num(pp.supply[k] * W)} {per})" for k in full)
            return f"the labour market's supply binds at {caps}: the plan hires all it yields"
        none = [k for k in PAY_POINTS if pp.supply[k] <= 0]
        if len(none) == len(PAY_POINTS):
            return "the labour market yields no hires for this role here at any pay point"
        return ("the labour market's supply caps limit hiring (no hires at band "
                + ", ".join(none) + ")") if none else "the labour market's supply caps limit hiring"

    def budget(self, c: str, r: str, t: int) -> str:
        year = month_year(self.s.horizon_start + t)
        rows = [b for b in self.model.inputs.budgets if b.country in (None, c)]
        rows = rows or list(self.model.inputs.budgets)
        full = [b for b in rows if b in self.binding]
        if full:
            full.sort(key=lambda b: (b.year not in (None, year), b.row))
            names = ", ".join(b.label for b in full)
            return f"{names} {'is' if len(full) == 1 else 'are'} fully spent"
        # In integer mode a budget can block a whole hire while some of it is left.
        names = ", ".join(b.label for b in sorted(rows, key=lambda b: b.row))
        return f"{names} leave{'s' if len(rows) == 1 else ''} too little for another hire"

    def whole_hires(self, c: str, r: str, t: int) -> str:
        pp = self.model.params[(c, r)]
        W = self.s.supply_window_months
        small = [k for k in PAY_POINTS if 0 < pp.supply[k] * W < 1]
        text = "hires are whole people: a fraction of a person would cover this month"
        if small:
            win = "a 1-month window" if W == 1 else f"a {W}-month window"
            text += "; the market yields " + ", ".join(
                f"{_num(pp.supply[k])} a month at band {k} x {win} = "
                f"{_num(pp.supply[k] * W)} < 1 person" for k in small)
        return text

    def combined(self, c: str, r: str, t: int) -> str:
        names = [FAMILY_WORDS[f] for f in self.families]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return (f"no single limit explains it, but {joined} together do: lifting them all "
                "would cover at least half of it")

    def cost(self, c: str, r: str, t: int) -> str:
        pen = self.s.unmet_penalty
        return (f"meeting it would cost more than the unmet penalty "
                f"({_num(pen)} {self.s.currency} per FTE-month)")


def _full_pay_points(model: StaffModel, c: str, r: str, t: int) -> list[str]:
    """Pay points of the pair with a supply window at or before month t that the plan fills
    (no room for another hire; in integer mode, not one more whole person)."""
    pp = model.params[(c, r)]
    out = []
    for k in pp.pay_points:
        if pp.supply[k] <= 0:
            continue
        for tau in range(pp.ttf, t + 1):
            con = model.supply.get((c, r, k, tau))
            if con is None:
                continue
            used = sum((v.varValue or 0.0) * a for v, a in con.items())
            room = -con.constant - used
            if room < (1 - WHOLE if model.integer else SHOWN * max(1.0, -con.constant)):
                out.append(k)
                break
    return out


def budget_binding(model: StaffModel, b) -> bool:
    """The Budgets sheet's rule, on the plan's cost in the row's scope: the row's variable
    terms plus what its right-hand side leaves out (accepted offers' hiring cost)."""
    con = model.budget[b.row]
    fixed = b.max_cost + con.constant  # the row is terms <= max_cost - fixed
    return is_binding(b.max_cost, fixed + sum((v.varValue or 0.0) * a for v, a in con.items()))
