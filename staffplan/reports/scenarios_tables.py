"""What `compare` reports, computed once for the Excel file and the HTML page.

A `Comparison` holds the baseline's and each scenario's plan (or why it failed); the
functions below turn it into the tables of spec/cli.md ("Machine-readable sheets"):
the `Scenarios` sheet with differences from the baseline, coverage at each site's
go-live, and the budget rows with what each plan spends in their scope.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from staffplan.reports import tables as rt
from staffplan.reports.xlsx import CONTRACT_SHEETS
from staffplan.results.budgets import BUDGET_COLUMNS as RESULT_BUDGET_COLUMNS
from staffplan.results.tables import PlanResult

BASELINE = "baseline"
SCENARIO_COLUMNS = ["scenario", "status", "mode", "objective", "total_cost", "unmet_fte_months",
                    "total_hires", "mip_gap", "d_total_cost", "d_unmet_fte_months",
                    "d_total_hires", "sheet_prefix", "changes", "reason"]
GO_LIVE_COLUMNS = ["scenario", "site_id", "site_name", "country", "go_live", "requirement",
                   "covered_share", "d_covered_share"]
BUDGET_COLUMNS = ["scenario", *RESULT_BUDGET_COLUMNS]
SHEET_NAME_MAX = 31  # Excel's limit
LONGEST_CONTRACT_SHEET = max(len(c.name) for c in CONTRACT_SHEETS)
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']")


@dataclass
class Run:
    """One solve of the comparison: the baseline or a scenario."""

    name: str
    changes: list[str] = field(default_factory=list)  # the scenario's rows in words
    result: PlanResult | None = None
    reason: str = ""  # why it has no plan
    prefix: str = ""  # of its sheets in the Excel file

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class Comparison:
    source: Path
    mode: str  # "lp" or "integer"
    mip_gap: float  # the gap asked of every integer solve (0 in LP mode)
    runs: list[Run]  # the baseline first

    @property
    def baseline(self) -> Run:
        return self.runs[0]

    @property
    def scenarios(self) -> list[Run]:
        return self.runs[1:]

    @property
    def failed(self) -> list[Run]:
        return [r for r in self.runs if not r.ok]


def sheet_prefixes(names: list[str]) -> list[str]:
    """A short, unique, Excel-safe prefix per run, leaving room for ' Headcount'."""
    room = SHEET_NAME_MAX - LONGEST_CONTRACT_SHEET - 1
    out = []
    for i, name in enumerate(names):
        if i == 0:
            out.append("Baseline")
            continue
        clean = " ".join(_NOT_IN_SHEET_NAMES.sub("-", name).split())
        out.append(f"S{i} {clean}"[:room].rstrip())
    return out


def scenario_table(comp: Comparison) -> pd.DataFrame:
    """The `Scenarios` sheet: one row for the baseline and one per scenario."""
    base = comp.baseline.result
    rows = []
    for run in comp.runs:
        r = run.result
        if r is None:
            rows.append((run.name, "failed", comp.mode, *([math.nan] * 8), run.prefix,
                         "; ".join(run.changes), run.reason))
            continue
        d = [math.nan] * 3
        if base is not None:
            d = [r.total_cost - base.total_cost, r.unmet_fte_months - base.unmet_fte_months,
                 r.total_hires - base.total_hires]
        rows.append((run.name, r.status.value, r.mode.value, r.objective, r.total_cost,
                     r.unmet_fte_months, r.total_hires, r.mip_gap, *d, run.prefix,
                     "; ".join(run.changes), ""))
    return pd.DataFrame(rows, columns=SCENARIO_COLUMNS)


def go_live_table(comp: Comparison) -> pd.DataFrame:
    """Share of each site's country requirement covered in its go-live month, per plan;
    the difference from the baseline for the same site (at each plan's own go-live)."""
    frames = []
    base = None
    for run in comp.runs:
        if run.result is None:
            continue
        cov = rt.go_live_coverage(run.result)
        cov.insert(0, "scenario", run.name)
        if run is comp.baseline:
            base = cov.set_index("site_id")["covered_share"]
        frames.append(cov)
    if not frames:
        return pd.DataFrame(columns=GO_LIVE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    if base is not None:
        out["d_covered_share"] = out["covered_share"] - out["site_id"].map(base)
    else:
        out["d_covered_share"] = math.nan
    return out[GO_LIVE_COLUMNS]


def budget_table(comp: Comparison) -> pd.DataFrame:
    """Every plan's Budgets sheet (results/budgets.py: spent as Costs adds it up, headroom,
    binding), one block per plan."""
    frames = []
    for run in comp.runs:
        if run.result is not None and len(run.result.budgets):
            frames.append(run.result.budgets.assign(scenario=run.name))
    if not frames:
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    return pd.concat(frames, ignore_index=True)[BUDGET_COLUMNS]


def within_tolerance(comp: Comparison, run: Run) -> bool:
    """A cost difference no larger than what the two integer solves may each be above
    their optimum: the gap, not the scenario, may explain it."""
    base, r = comp.baseline.result, run.result
    if base is None or r is None or comp.mode == "lp":
        return False
    gaps = [g if math.isfinite(g) else math.inf for g in (base.mip_gap, r.mip_gap)]
    slack = gaps[0] * abs(base.objective) + gaps[1] * abs(r.objective)
    return abs(r.objective - base.objective) <= slack
