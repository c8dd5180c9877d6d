"""Many solves on Dask, measured: `compare` and `risk --replan` at 1 and 2 workers.

    python benchmarks/scale.py [--scenarios 8] [--samples 64] [--workers 1 2]

- compare: the medium generated workbook with `--scenarios` scenarios (each one change: a
  site's go-live slipped, a country's supply halved, attrition up, ...), LP mode so every
  solve is an exact optimum and takes the same work at any worker count;
- risk --replan: the small generated workbook planned as a linear relaxation
  (integer_hires = no), `--samples` re-plans.

Each is run on a LocalCluster of 1 and of 2 worker processes (one thread each) that this
script starts, so it can read every worker's peak RSS afterwards; a single `plan` of the
same workbook in this process gives the time of one solve for comparison. The figures go
into benchmarks/RESULTS.md between the `scale` markers (run.py keeps that section).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "scale"
RESULTS_MD = HERE / "RESULTS.md"
BEGIN, END = "<!-- scale: begin -->", "<!-- scale: end -->"

sys.path.insert(0, str(HERE))
import generate  # noqa: E402

from staffplan.inputs.data import Inputs  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scenario_rows(inputs: Inputs, n: int) -> list[list]:
    """`n` one-change scenarios of kinds a planner asks about, cycling through them."""
    countries = sorted({c for c, _ in inputs.markets})
    sites = sorted(inputs.sites, key=lambda s: s.go_live)
    kinds = []
    for i in range(n):
        k = i % 4
        if k == 0:
            site = sites[(i // 4) % len(sites)]
            kinds.append([f"{site.site_id} slips 6 months", "Sites", "go_live",
                          f"site_id={site.site_id}", "shift_months", 6])
        elif k == 1:
            c = countries[(i // 4) % len(countries)]
            kinds.append([f"{c} supply halved", "LabourMarket", "supply_at_min",
                          f"country={c}", "multiply", 0.5])
        elif k == 2:
            kinds.append([f"attrition +{i // 4 + 2} points", "LabourMarket",
                          "annual_attrition_pct", "", "add", (i // 4 + 2) / 100])
        else:
            kinds.append([f"penalty x{i // 4 + 2}", "Settings", "value", "key=unmet_penalty",
                          "multiply", i // 4 + 2])
    return kinds


def make_workbooks() -> tuple[Path, Path]:
    """medium with scenarios (compare) and small as an LP (replan)."""
    import openpyxl

    OUT.mkdir(parents=True, exist_ok=True)
    medium = OUT / "medium-scenarios.xlsx"
    small = OUT / "small-lp.xlsx"
    m = generate.generate("medium", 1)
    generate.write_workbook(m, medium)
    wb = openpyxl.load_workbook(medium)
    ws = wb.create_sheet("Scenarios")
    ws.append(["scenario", "sheet", "column", "match", "change", "value"])
    for row in scenario_rows(m, ARGS.scenarios):
        ws.append(row)
    wb.save(medium)
    s = generate.generate("small", 1)
    s = dataclasses.replace(s, settings=dataclasses.replace(s.settings, integer_hires=False))
    generate.write_workbook(s, small)
    return medium, small


def timed_plan(path: Path) -> float:
    """Seconds of one `staffplan plan --lp` solve in this process (read excluded)."""
    from staffplan.inputs.reader import read_workbook
    from staffplan.jobs.plan import solve_inputs

    inputs = read_workbook(path)
    t0 = time.perf_counter()
    solve_inputs(inputs, lp=True, threads=1)
    return time.perf_counter() - t0


def on_cluster(workers: int, fn) -> tuple[float, list[float]]:
    """Run `fn(address)` on a fresh LocalCluster; (seconds, each worker's peak RSS MB)."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
            t0 = time.perf_counter()
            fn(cluster.scheduler_address)
            seconds = time.perf_counter() - t0
            peaks = client.run(_peak_mb)
        return seconds, sorted(peaks.values())
    finally:
        cluster.close()


def main() -> int:
    from staffplan.jobs.compare import run_compare
    from staffplan.jobs.risk import run_risk

    medium, small = make_workbooks()
    single = {"medium": timed_plan(medium), "small": timed_plan(small)}
    load0 = os.getloadavg()[0]
    rows = []
    for workers in ARGS.workers:
        secs, peaks = on_cluster(workers, lambda a: run_compare(medium, lp=True, scheduler=a))
        rows.append(("compare, medium, LP", ARGS.scenarios + 1, workers, secs, peaks,
                     single["medium"]))
        secs, peaks = on_cluster(workers, lambda a: run_risk(
            small, samples=ARGS.samples, seed=1, replan=True, scheduler=a))
        rows.append(("risk --replan, small, LP", ARGS.samples, workers, secs, peaks,
                     single["small"]))
    load1 = os.getloadavg()[0]
    write_results(rows, single, (load0, load1))
    return 0


def write_results(rows, single, load) -> None:
    code = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=HERE).stdout.strip()
    lines = [BEGIN, "", "## Many solves on Dask (`benchmarks/scale.py`)", "",
             f"{dt.date.today()}, code {code}, on the shared 2-core machine (load average "
             f"{load[0]:.1f} at the start, {load[1]:.1f} at the end: other work was running, so "
             f"the speed-ups are lower bounds). A LocalCluster of worker processes, one thread "
             f"each; every solve builds its model in its worker and solves single-threaded. "
             f"`one plan` is one solve of the same workbook in one process (reasons included).",
             "",
             "| run | solves | workers | wall s | s per solve | one plan s | speed-up | "
             "peak RSS per worker MB |",
             "|---|---|---|---|---|---|---|---|"]
    base = {name: secs for name, _, workers, secs, _, _ in rows if workers == 1}
    for name, solves, workers, secs, peaks, one in rows:
        speed = base[name] / secs if name in base else float("nan")
        lines.append(f"| {name} | {solves} | {workers} | {secs:.1f} | "
                     f"{secs * workers / solves:.2f} | {one:.2f} | {speed:.2f}x | "
                     f"{', '.join(f'{p:.0f}' for p in peaks)} |")
    lines += ["", "`s per solve` is wall seconds x workers / solves: the worker time one solve "
              "took, to set against `one plan`.", "", END]
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head.rstrip() + "\n\n" + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    RESULTS_MD.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ARGS = parser.parse_args()
    sys.exit(main())
