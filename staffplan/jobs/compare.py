"""The `compare` job: the baseline and every scenario solved on Dask, side by side.

Scenarios come from the workbook's `Scenarios` sheet (inputs/scenarios.py), each validated
as `check` would. Every plan is solved in the same mode: LP with `--lp` (or when the
workbook plans fractional hires), else whole people at a tight gap (`COMPARE_GAP` or the
workbook's, whichever is smaller), so differences are the scenario's rather than the
solver's; the report says which. Both files are written together, atomically, and only
after both are rendered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from staffplan.core.errors import StaffplanError
from staffplan.inputs.data import Inputs
from staffplan.inputs.reader import inputs_from_raw, read_raw
from staffplan.inputs.scenarios import build_scenarios
from staffplan.jobs.cluster import Failed, Progress, run_tasks
from staffplan.jobs.outputs import write_pair
from staffplan.jobs.plan import solve_inputs
from staffplan.reports import tables as rt
from staffplan.reports.scenarios_html import render_scenarios
from staffplan.reports.scenarios_tables import BASELINE, Comparison, Run, sheet_prefixes
from staffplan.reports.scenarios_xlsx import write_scenarios_xlsx
from staffplan.results.tables import Mode, PlanResult

log = logging.getLogger(__name__)

COMPARE_GAP = 0.001  # 0.1%: tighter than most workbooks ask of a single plan


def solve_scenario(inputs: Inputs, lp: bool, mip_gap: float | None) -> PlanResult:
    """One Dask task: build and solve in the worker, single-threaded; plain tables back."""
    return solve_inputs(inputs, lp=lp, mip_gap=mip_gap, threads=1)


def compare_gap(inputs: Inputs) -> float:
    return min(inputs.settings.mip_gap, COMPARE_GAP)


def run_compare(path: Path, names: Sequence[str] | None = None, lp: bool = False,
                workers: int | None = None, scheduler: str | None = None,
                progress: Progress | None = None) -> Comparison:
    """Validate the baseline and the scenarios (InputError, exit 2, before any solve), then
    solve them all; a failed solve is kept with its reason."""
    book = read_raw(path)
    baseline, tables = inputs_from_raw(book)
    scenarios = build_scenarios(book, tables, names)
    if not scenarios:
        raise StaffplanError(f"{path}: the workbook has no Scenarios sheet rows to compare; "
                             f"add one change a row (scenario, sheet, column, match, change, "
                             f"value) or run staffplan init for an example")
    lp = lp or not baseline.settings.integer_hires
    runs = [Run(BASELINE)] + [Run(sc.name, sc.words()) for sc in scenarios]
    for run, prefix in zip(runs, sheet_prefixes([r.name for r in runs])):
        run.prefix = prefix
    all_inputs = [baseline] + [sc.inputs for sc in scenarios]
    tasks = {run.name: (inputs, lp, None if lp else compare_gap(inputs))
             for run, inputs in zip(runs, all_inputs)}
    log.info("comparing %d scenarios with the baseline (%s)", len(scenarios),
             "LP" if lp else f"integer, gap {compare_gap(baseline):.2%}")
    results = run_tasks(solve_scenario, tasks, workers=workers, scheduler=scheduler,
                        progress=progress)
    for run in runs:
        got = results[run.name]
        if isinstance(got, Failed):
            run.reason = got.reason
        else:
            run.result = got
    return Comparison(source=Path(path), mode=Mode.LP.value if lp else Mode.INTEGER.value,
                      mip_gap=0.0 if lp else compare_gap(baseline), runs=runs)


def write_comparison(comp: Comparison, out_dir: Path) -> tuple[Path, Path]:
    """`<stem>-scenarios.xlsx` and `<stem>-scenarios.html`, both or neither."""
    page = render_scenarios(comp)  # everything rendered before any file is touched
    return write_pair(out_dir, comp.source.stem, "scenarios",
                      lambda path: write_scenarios_xlsx(comp, path), page, "the comparison")


def compare_summary(comp: Comparison) -> str:
    """A few lines for the terminal: each scenario's cost, hires and unmet against the
    baseline."""
    base = comp.baseline.result
    cur = (base or next(r.result for r in comp.runs if r.result is not None)
           ).inputs.settings.currency if any(r.ok for r in comp.runs) else ""
    dec = 1 if comp.mode == Mode.LP.value else 0
    how = ("linear relaxation" if comp.mode == Mode.LP.value
           else f"whole people, gap at most {comp.mip_gap:.2%}")
    lines = [f"Compared {len(comp.scenarios)} scenarios with the baseline ({how}):"]
    for run in comp.runs:
        r = run.result
        if r is None:
            lines.append(f"  {run.name}: FAILED: {run.reason}")
            continue
        text = (f"  {run.name}: {rt.fmt_money(r.total_cost, cur)}, "
                f"{rt.fmt_fte(r.total_hires, dec)} hires, "
                f"{rt.fmt_fte(r.unmet_fte_months, dec)} FTE-months unmet")
        if run is not comp.baseline and base is not None:
            d = r.total_cost - base.total_cost
            text += f" (cost {'+' if d >= 0 else '-'}{rt.fmt_money(abs(d), cur)})"
        lines.append(text)
    return "\n".join(lines)
