"""How much of a plan is solver noise: solve one workbook several times, changing only the
solver's random seed (or time limit), and diff the hires.

    python benchmarks/stability.py [INPUT.xlsx] --gaps 0.005,0.001 --seeds 0,1,2

For each gap, every run is compared with the first (seed 0): the (pair, start month) cells whose
hires differ, the hires moved (half the sum of absolute differences: a hire moved from one month
to another counts once), and the objective. A plan is stable when other seeds give the same
hires; what differs is noise a month-two Changes sheet would show as if something had changed.
Prints one JSON line per run; the reading of them is benchmarks/STABILITY.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import highspy

from staffplan.core.resources import example_workbook
from staffplan.inputs.reader import read_workbook
from staffplan.model.build import build_model
from staffplan.model.solve import BulkHiGHS, SolveOutcome, Status
from staffplan.model.stable import prefer_previous
from staffplan.results.changes import read_previous_plan


def solve_once(path: Path, gap: float, seed: int, time_limit: float, threads: int | None,
               previous: Path | None = None) -> dict:
    inputs = read_workbook(path)
    inputs = dataclasses.replace(inputs, settings=dataclasses.replace(
        inputs.settings, mip_gap=gap, time_limit_s=time_limit))
    model = build_model(inputs)
    opts = {"random_seed": seed}
    if threads:
        opts["threads"] = threads
    api = BulkHiGHS(model, mip=model.integer, msg=False, timeLimit=time_limit, gapRel=gap,
                    **opts)
    t0 = time.perf_counter()
    model.prob.solve(api)
    seconds = time.perf_counter() - t0
    h: highspy.Highs = model.prob.solverModel
    info = h.getInfo()
    extra = {}
    if previous is not None:
        prev = read_previous_plan(previous)
        first = SolveOutcome(Status.OPTIMAL, "highs", objective=info.objective_function_value,
                             mip_gap=info.mip_gap)
        hires_prev = {(c, r, k, m): v for c, r, k, m, v in
                      prev.hires_by_pay_point.itertuples(index=False)}
        st = prefer_previous(model, first, hires_prev, set(prev.months))
        extra = {"stable_applied": st.applied, "distance_first": st.distance_before,
                 "distance_stable": st.distance_after,
                 "d_objective_stable": st.objective_after - st.objective_before,
                 "stable_seconds": round(st.seconds, 2), "stable_message": st.message}
    hires: dict[str, float] = {}
    T = inputs.settings.horizon_months
    for (c, r, _k, t), var in model.S.items():
        v = round(var.varValue or 0.0, 6)
        if v and t < T:
            key = f"{c}/{r}/{t}"
            hires[key] = hires.get(key, 0.0) + v
    return {"gap": gap, "seed": seed, "time_limit": time_limit, "threads": threads,
            "status": h.modelStatusToString(h.getModelStatus()),
            "objective": info.objective_function_value, "bound": info.mip_dual_bound,
            "gap_achieved": info.mip_gap, "seconds": round(seconds, 2), "hires": hires, **extra}


def diff(a: dict[str, float], b: dict[str, float]) -> tuple[int, float]:
    keys = set(a) | set(b)
    cells = [abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys]
    return sum(1 for d in cells if d > 1e-6), sum(cells) / 2


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("input", nargs="?", type=Path, default=example_workbook())
    p.add_argument("--gaps", default="0.005,0.001")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--time-limit", type=float, default=120)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--previous", type=Path, default=None,
                   help="a plan to stay near (model/stable.py) after each solve")
    args = p.parse_args()
    for gap in [float(g) for g in args.gaps.split(",")]:
        runs = [solve_once(args.input, gap, int(s), args.time_limit, args.threads, args.previous)
                for s in args.seeds.split(",")]
        base = runs[0]
        for run in runs:
            cells, moved = diff(base["hires"], run["hires"])
            total = sum(run["hires"].values())
            row = {k: v for k, v in run.items() if k != "hires"}
            row.update(total_hires=total, cells_differ=cells, hires_moved=moved,
                       d_objective=run["objective"] - base["objective"])
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
