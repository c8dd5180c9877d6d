"""The `risk` job: how likely the plan is to staff each site in time (spec/cli.md).

Without `--replan` the plan (from `--plan`, else solved from the input here) is replayed
`samples` times by the vectorised simulation of results/simulate.py. With `--replan` each
sample draws its own attrition rates and fill delays and the model is solved again for it,
one Dask task per sample (jobs/cluster.py); the site and pair figures then come from the
re-made plans, and the Replans sheet gives the spread of cost and hires.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from staffplan.core.errors import InputError, Problem, StaffplanError
from staffplan.core.months import month_label
from staffplan.inputs.data import Inputs
from staffplan.inputs.reader import read_workbook
from staffplan.jobs.cluster import Failed, Progress, run_tasks
from staffplan.jobs.outputs import write_pair
from staffplan.jobs.plan import solve_inputs
from staffplan.reports.risk_html import render_risk
from staffplan.reports.risk_xlsx import write_risk_xlsx
from staffplan.results.changes import PreviousPlanError, read_previous_plan
from staffplan.results.simulate import (
    HEADCOUNT_ACTIONS,
    REPLAN_COLUMNS,
    RiskResult,
    drawn_inputs,
    pair_plans,
    pair_risk,
    shortfall_table,
    simulate,
    site_risk,
)

log = logging.getLogger(__name__)

DEFAULT_SAMPLES = 1000
MAX_SAMPLES = 1_000_000


def new_seed() -> int:
    """A fresh seed, reported in the Summary so the run can be repeated with --seed."""
    return int(np.random.SeedSequence().entropy % (2 ** 31))


def replan_solve(inputs: Inputs) -> dict:
    """One Dask task: re-plan one sample in the worker, single-threaded; returns the totals
    and the per-month productive staff, contractors and unmet of every pair (plain tables)."""
    r = solve_inputs(inputs, threads=1, reasons=False)
    return {"status": r.status.value, "total_cost": r.total_cost,
            "total_hires": r.total_hires, "unmet_fte_months": r.unmet_fte_months,
            "headcount": r.headcount[["country", "role_id", "month", "productive",
                                      "contractors", "unmet"]].copy()}


def run_risk(path: Path, plan: Path | None = None, samples: int = DEFAULT_SAMPLES,
             seed: int | None = None, replan: bool = False, workers: int | None = None,
             scheduler: str | None = None,
             progress: Progress | None = None) -> RiskResult:
    """Simulate (or re-plan) `samples` times; bad input raises before any solve."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise StaffplanError(f"--samples {samples}: expected 1 to {MAX_SAMPLES:,}")
    seed = new_seed() if seed is None else seed
    inputs = read_workbook(path)
    if replan:
        return _replan(inputs, samples, seed, workers, scheduler, progress)
    if plan is not None:
        hires, headcount = read_plan_actions(plan, inputs)
        source = plan.name
        totals: dict[str, float] = {}
    else:
        result = solve_inputs(inputs)
        hires, headcount = result.hires, result.headcount
        source = "solved from the input"
        totals = {"total_cost": result.total_cost, "total_hires": result.total_hires,
                  "unmet_fte_months": result.unmet_fte_months}
    sim = simulate(inputs, pair_plans(inputs, hires, headcount), samples, seed,
                   progress=progress)
    return RiskResult(inputs=inputs, plan_source=source, samples=samples, seed=seed,
                      replan=False, site_risk=site_risk(inputs, sim.staffed, samples),
                      pair_risk=pair_risk(sim.unmet),
                      shortfall=shortfall_table(inputs, sim.staffed), plan_totals=totals)


def _replan(inputs: Inputs, samples: int, seed: int, workers: int | None,
            scheduler: str | None, progress: Progress | None) -> RiskResult:
    rng = np.random.default_rng(seed)
    tasks = {f"sample {i + 1}": (drawn_inputs(inputs, rng),) for i in range(samples)}
    log.info("re-planning %d samples", samples)
    results = run_tasks(replan_solve, tasks, workers=workers, scheduler=scheduler,
                        progress=progress)
    T = inputs.settings.horizon_months
    months = [month_label(inputs.settings.horizon_start + t) for t in range(T)]
    rows, ok = [], []
    for i, got in enumerate(results.values(), start=1):
        if isinstance(got, Failed):
            rows.append((i, "failed", np.nan, np.nan, np.nan, got.reason))
        else:
            rows.append((i, got["status"], got["total_cost"], got["total_hires"],
                         got["unmet_fte_months"], ""))
            ok.append(got["headcount"])
    staffed: dict[tuple[str, str], np.ndarray] = {}
    unmet: dict[tuple[str, str], np.ndarray] = {}
    n = len(ok)
    for key in sorted(inputs.markets):
        staffed[key] = np.zeros((n, T))
        unmet[key] = np.zeros((n, T))
    at = {m: t for t, m in enumerate(months)}
    for i, head in enumerate(ok):
        for (c, r), g in head.groupby(["country", "role_id"], sort=False):
            idx = g["month"].map(at).to_numpy()
            staffed[(c, r)][i, idx] = (g["productive"] + g["contractors"]).to_numpy(float)
            unmet[(c, r)][i, idx] = g["unmet"].to_numpy(float)
    return RiskResult(inputs=inputs, plan_source="re-planned for every sample",
                      samples=samples, seed=seed, replan=True,
                      site_risk=site_risk(inputs, staffed, n),
                      pair_risk=pair_risk(unmet) if n else pd.DataFrame(
                          columns=["country", "role_id", "unmet_p50", "unmet_p90"]),
                      shortfall=shortfall_table(inputs, staffed) if n else pd.DataFrame(),
                      replans=pd.DataFrame(rows, columns=REPLAN_COLUMNS))


def read_plan_actions(plan: Path, inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Hires and Headcount tables of a plan written by `staffplan plan` for this input;
    a file that is not one, or a plan for other pairs, is bad input (exit 2)."""
    try:
        prev = read_previous_plan(plan)
    except PreviousPlanError as exc:
        raise InputError(exc.problems, source=str(plan)) from None
    try:
        head = pd.read_excel(plan, sheet_name="Headcount", engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - read_previous_plan has opened it already
        raise InputError([Problem("Headcount", f"cannot be read ({type(exc).__name__})")],
                         source=str(plan)) from None
    head.columns = [str(c).strip().lower() for c in head.columns]
    problems = [Problem("Headcount", f"missing column {c} in row 1")
                for c in HEADCOUNT_ACTIONS if c not in head.columns]
    known = set(inputs.markets)
    for c, r in sorted(prev.pairs - known):
        problems.append(Problem("Headcount", f"{c} / {r} is in the plan but has no "
                                             f"LabourMarket row in {inputs.source}; was the "
                                             f"plan made from this workbook?"))
    s = inputs.settings
    horizon = {month_label(s.horizon_start + t) for t in range(s.horizon_months)}
    if prev.months and not set(prev.months) & horizon:
        problems.append(Problem("Headcount", f"the plan covers {prev.months[0]} to "
                                             f"{prev.months[-1]}, outside the input's horizon"))
    if problems:
        raise InputError(problems, source=str(plan))
    head = head[["country", "role_id", "month", *HEADCOUNT_ACTIONS]].copy()
    head["month"] = head["month"].astype(str).str.strip()
    for col in HEADCOUNT_ACTIONS:
        head[col] = pd.to_numeric(head[col], errors="coerce").fillna(0.0)
    return prev.hires, head


def write_risk(risk: RiskResult, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """`<stem>-risk.xlsx` and `<stem>-risk.html`, both or neither."""
    page = render_risk(risk)
    return write_pair(out_dir, stem, "risk", lambda path: write_risk_xlsx(risk, path), page,
                      "the risk report")


def risk_summary(risk: RiskResult) -> str:
    """A few lines for the terminal."""
    how = ("re-planned" if risk.replan else "simulated")
    lines = [f"{risk.inputs.settings.plan_name}: {how} {risk.samples:,} times "
             f"(seed {risk.seed})"]
    for r in risk.site_risk.itertuples(index=False):
        lines.append(f"  {r.site_id} ({r.country}, live {r.go_live}): staffed with "
                     f"probability {r.p_staffed:.0%}")
    if not len(risk.site_risk):
        lines.append("  no site goes live in the horizon")
    if len(risk.failed):
        lines.append(f"  {len(risk.failed)} re-plans failed: "
                     + "; ".join(f"sample {r.sample}: {r.reason}"
                                 for r in risk.failed.head(5).itertuples(index=False)))
    return "\n".join(lines)
