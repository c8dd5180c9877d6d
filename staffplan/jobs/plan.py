"""The `plan` job: workbook -> validated inputs -> model -> solution -> tables -> reports."""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from pathlib import Path

import pulp

from staffplan.core.atomic import atomic_files, checkpoint
from staffplan.core.errors import BudgetInfeasible, OutputError, SolverFailed
from staffplan.core.months import month_year
from staffplan.core.tolerances import LIMIT_ATOL, LIMIT_RTOL, SHOWN, WHOLE
from staffplan.delivery.message import PLAN_SUFFIX, REPORT_SUFFIX
from staffplan.inputs.data import Budget, Inputs
from staffplan.model.build import build_model, cost_constant, cost_terms
from staffplan.model.solve import Deadline, SolveProgress, Status, plan_duals, solve_model
from staffplan.model.stable import Stabilised, prefer_previous
from staffplan.reports.html import render_report, write_report_html
from staffplan.reports.tables import budget_lines
from staffplan.reports.xlsx import write_plan_xlsx
from staffplan.results.changes import PreviousPlan
from staffplan.results.reasons import Background, explain_unmet
from staffplan.results.tables import PlanResult, build_results

log = logging.getLogger(__name__)


def _cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def solve_inputs(inputs: Inputs, lp: bool = False, solver: str = "highs",
                 previous: PreviousPlan | None = None, mip_gap: float | None = None,
                 threads: int | None = None, reasons: bool = True,
                 progress: SolveProgress | None = None) -> PlanResult:
    """Build, solve and tabulate; raises BudgetInfeasible (exit 3) or SolverFailed (exit 4).

    With a `previous` plan, an integer plan is then moved as near the previous plan's hires as
    the accepted gap allows (model/stable.py), so month two shows changes, not solver noise.
    `mip_gap` overrides the workbook's (compare asks for a tight one); `threads=1` for solves
    running side by side on Dask workers; `reasons=False` skips the counterfactual solves
    behind the Risks table (risk --replan needs only totals and headcount)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    # time_limit_s is the user's wall clock for the whole solve phase: every solve of this
    # plan shares this one deadline (model/solve.py, README "Time limit").
    deadline = Deadline.after(inputs.settings.time_limit_s)
    model = build_model(inputs, integer=False if lp else None)
    timings["build"] = time.perf_counter() - t0
    # On a machine with a core to spare (not a Dask worker's single thread), the reasons'
    # counterfactuals that need no plan start on it while the plan is solved.
    background = (Background(inputs, model.integer, deadline.at, deadline.seconds)
                  if reasons and threads != 1 and _cores() >= 2
                  and Background.wanted(inputs, model.integer) else None)
    try:
        stabilise = previous is not None and model.integer and solver == "highs"
        # An integer MIP leaves time for the reasons' solves after it; when they run beside
        # it, only for the fixed-integer LP (or, with --previous, the usual share, for the
        # stable plan's solve).
        if background is None:
            when = "after" if reasons else "none"
        else:
            when = "none" if stabilise else "beside"
        outcome = solve_model(model, solver=solver, duals=not stabilise, deadline=deadline,
                              mip_gap=mip_gap, threads=threads, progress=progress,
                              reasons=when)
        timings.update(outcome.timings)
        if outcome.outcome == Status.INFEASIBLE:
            if inputs.budgets:
                raise BudgetInfeasible(budget_report(inputs, solver))
            raise SolverFailed(f"the {solver} solver reports the model infeasible "
                               f"({outcome.message}); this should not happen without budgets")
        if outcome.outcome == Status.FAILED:
            limit = inputs.settings.time_limit_s
            raise SolverFailed(f"the {solver} solver stopped without a plan ({outcome.message}); "
                               f"time limit {limit:g} s")
        stable = None
        if stabilise and previous is not None:
            # What is left of the time limit (the MIP stopped early to leave it).
            stable = _stay_near(model, outcome, previous, solver, deadline)
            timings["stable"] = stable.seconds
        t1 = time.perf_counter()
        result = build_results(model, outcome)
        timings["results"] = time.perf_counter() - t1
        if reasons:
            t1 = time.perf_counter()
            why = explain_unmet(model, result.headcount, deadline=deadline.at,
                                relaxation=outcome.relaxation, background=background)
            result.risks = why.table
            result.warnings.extend(why.warnings)
            timings["reasons"] = time.perf_counter() - t1
    except BaseException as exc:
        if background is not None:  # no solve left running inside HiGHS at exit
            background.close(wait=not isinstance(exc, (KeyboardInterrupt, SystemExit)))
        raise
    if background is not None:
        background.close()
    result.timings = timings
    result.stable = stable
    return result


def _stay_near(model, outcome, previous: PreviousPlan, solver: str,
               deadline: Deadline) -> Stabilised:
    """The second solve of model/stable.py, then the duals for the plan it leaves."""
    detail = previous.hires_by_pay_point
    hires = {} if detail is None else {
        (c, r, k, m): float(v) for c, r, k, m, v in
        detail[["country", "role_id", "pay_point", "start_month", "hires"]].itertuples(
            index=False, name=None)}
    stable = prefer_previous(model, outcome, hires, set(previous.months), deadline.remaining())
    if stable.applied:
        z, gap = outcome.objective, outcome.mip_gap
        bound = z - gap * abs(z) if math.isfinite(gap) else math.nan
        outcome.objective = stable.objective_after
        if math.isfinite(bound):
            outcome.mip_gap = max(0.0, (outcome.objective - bound) / max(abs(outcome.objective),
                                                                          1e-12))
    t0 = time.perf_counter()
    outcome.duals = plan_duals(model, solver, deadline)
    outcome.timings["duals"] = time.perf_counter() - t0
    return stable


def budget_report(inputs: Inputs, solver: str) -> str:
    """Name the budget rows that make the plan infeasible, with the least cost each
    scope could reach on its own (linear relaxation, no other budget)."""
    free = dataclasses.replace(inputs, budgets=[])
    alone: list[str] = []
    lines: list[str] = []
    cur = inputs.settings.currency
    for b in inputs.budgets:
        least = _least_cost(free, b, solver)
        if least is not None and least > b.max_cost * (1 + LIMIT_RTOL) + LIMIT_ATOL:
            alone.append(b.label)
            lines.append(f"  - {b.label}: max_cost {b.max_cost:,.0f} {cur}, but the least this "
                         f"scope can cost on its own is {least:,.0f} {cur}")
    if not lines:
        lines = [f"  - {b.label}: max_cost {b.max_cost:,.0f} {cur}" for b in inputs.budgets]
        head = ("No plan meets all the budgets together (each can be met on its own); "
                "the budget rows involved:")
    else:
        head = "No plan meets these budgets (each is too small on its own):"
    tail = ["Raise max_cost on these rows or remove them, then re-run."]
    policy = inputs.settings.releases
    if policy != "anytime" and _feasible_with_releases(inputs, solver):
        tail = [f"The releases policy is involved: with releases = {policy} staff may not be "
                f"released {_POLICY_WORDS[policy]}, and only releasing them would meet these "
                f"budgets. Raise max_cost on these rows, or set releases to anytime in the "
                f"Settings sheet if letting people go and hiring again later is acceptable."]
    return "\n".join([head, *lines, *tail])


_POLICY_WORDS = {
    "when_demand_falls": "while the same role in the same country is needed again later",
    "never": "at all",
}


def _feasible_with_releases(inputs: Inputs, solver: str) -> bool:
    """Would the budgets be met if staff could be released at any time? (Linear
    relaxation: a cheap check that the releases policy, not the budget alone, blocks.)"""
    anytime = dataclasses.replace(
        inputs, settings=dataclasses.replace(inputs.settings, releases="anytime"))
    out = solve_model(build_model(anytime, integer=False), solver=solver, duals=False)
    return out.outcome in (Status.OPTIMAL, Status.FEASIBLE)


def _least_cost(inputs: Inputs, budget: Budget, solver: str) -> float | None:
    model = build_model(inputs, integer=False)
    s = inputs.settings
    months = range(s.horizon_months)
    if budget.year is not None:
        months = [t for t in months if month_year(s.horizon_start + t) == budget.year]
    model.prob.setObjective(pulp.LpAffineExpression(
        cost_terms(model, months, budget.country),
        constant=cost_constant(model, months, budget.country)))
    out = solve_model(model, solver=solver, duals=False)
    if out.outcome != Status.OPTIMAL or not math.isfinite(out.objective):
        return None
    return out.objective


def output_paths(out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Where `plan` writes: DIR/<input stem>-plan.xlsx and DIR/<input stem>-report.html."""
    return out_dir / f"{stem}{PLAN_SUFFIX}", out_dir / f"{stem}{REPORT_SUFFIX}"


def write_plan(result: PlanResult, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write the plan workbook and its report as one pair; return their paths.

    Both are written to temporary files first and moved into place together (core.atomic), so
    a failure or a signal before the moves leaves the old pair as it was, and a plan never sits
    beside a report of another run.
    """
    xlsx, html = output_paths(out_dir, stem)
    t0 = time.perf_counter()
    report = render_report(result)  # before any file is touched
    result.timings["html"] = time.perf_counter() - t0
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_files([xlsx, html]) as (tmp_xlsx, tmp_html):
            t0 = time.perf_counter()
            write_plan_xlsx(result, tmp_xlsx)
            result.timings["excel"] = time.perf_counter() - t0
            checkpoint("plan-written")
            write_report_html(result, tmp_html, report)
    except OSError as exc:
        raise OutputError(f"cannot write the plan into {out_dir}: {exc.strerror or exc}; "
                          f"nothing was changed.") from None
    log.info("wrote %s and %s", xlsx, html)
    return xlsx, html


def plan_summary(result: PlanResult, seconds: float) -> str:
    """A few lines a recruiting lead can read at a glance."""
    s = result.inputs.settings
    cur = s.currency
    status = result.status.value
    if result.mode.value == "integer" and result.mip_gap == result.mip_gap:
        status += f", gap {result.mip_gap:.2%}"
    lines = [f"{s.plan_name}: {result.mode.value} plan, {status}, solved in "
             f"{result.solve_seconds:.1f} s ({seconds:.1f} s in all)"]
    hires = result.hires.groupby("country")["hires"].sum()
    hires_txt = ", ".join(f"{c} {_num(v)}" for c, v in hires.items()) or "none"
    lines.append(f"Hires: {_num(result.total_hires)} ({hires_txt})")
    lines.append(f"Total cost: {cur} {result.total_cost:,.0f} over {s.horizon_months} months")
    if not result.inflight.empty:
        d = list(result.inflight["decision"])
        partly = sum(not isinstance(v, str) for v in d)  # LP: kept fraction
        lines.append(f"Requisitions in flight: keep {d.count('keep')}, cancel "
                     f"{d.count('cancel')}, accepted offers {d.count('fixed')}"
                     + (f", partly kept {partly}" if partly else ""))
    if result.unmet_fte_months > SHOWN:
        unmet = result.headcount.groupby(["country", "role_id"])["unmet"].sum()
        unmet = unmet[unmet > SHOWN].sort_values(ascending=False)
        where = ", ".join(f"{c}/{r} {v:,.1f}" for (c, r), v in unmet.head(5).items())
        more = f" and {len(unmet) - 5} more" if len(unmet) > 5 else ""
        lines.append(f"Unmet demand: {result.unmet_fte_months:,.1f} FTE-months ({where}{more})")
    else:
        lines.append("Unmet demand: none")
    lines += budget_lines(result)  # one line per binding budget
    if result.comparison is not None:
        p = result.comparison.previous
        lines.append(f"Since {p.name}: cost {cur} {p.total_cost:,.0f} -> {result.total_cost:,.0f}, "
                     f"hires {_num(p.total_hires)} -> {_num(result.total_hires)}, unmet "
                     f"{p.unmet_fte_months:,.1f} -> {result.unmet_fte_months:,.1f} FTE-months")
    return "\n".join(lines)


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < WHOLE else f"{v:,.1f}"
