"""Time the two report writers on a solved plan, and check that a change keeps their output.

    python benchmarks/reports.py solve medium            # solve once (LP), keep the result
    python benchmarks/reports.py time medium [--repeat 3]
    python benchmarks/reports.py save medium DIR         # outputs of this code, as reference
    python benchmarks/reports.py diff medium DIR         # this code's outputs against them

`solve` reads benchmarks/out/SIZE-seed1.xlsx (made with generate.py when missing), plans it
as `staffplan plan --lp` does and pickles the PlanResult to benchmarks/out/SIZE-result.pkl,
so the writers can be timed again and again without solving (large takes minutes).
`time` loads a fresh copy of the result for every run (the requisitions table is computed
once per result and shared by both writers) and gives wall and CPU seconds of
`write_plan_xlsx`, of `render_report`, and of both in a row as `staffplan plan` runs them.
`save` and `diff` compare every part of the workbook (but its creation time) and the whole
HTML, charts included, byte for byte: run `save` with the code before a change (for example
with PYTHONPATH pointing at a checkout of it) and `diff` after it.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _load(size: str):
    with open(OUT / f"{size}-result.pkl", "rb") as f:
        return pickle.load(f)


def solve(size: str) -> None:
    from staffplan.inputs.reader import read_workbook
    from staffplan.jobs.plan import solve_inputs

    workbook = OUT / f"{size}-seed1.xlsx"
    if not workbook.exists():
        OUT.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), size, str(workbook)],
                       check=True)
    t0 = time.perf_counter()
    result = solve_inputs(read_workbook(workbook), lp=True)
    print(f"{size}: solved in {time.perf_counter() - t0:.1f} s")
    result.stable = None  # holds the solver's model; the writers do not use it
    with open(OUT / f"{size}-result.pkl", "wb") as f:
        pickle.dump(result, f)


def _write(result, which: str, d: Path) -> None:
    from staffplan.reports.html import render_report
    from staffplan.reports.xlsx import write_plan_xlsx

    if which in ("excel", "both"):
        write_plan_xlsx(result, d / "plan.xlsx")
    if which in ("html", "both"):
        (d / "report.html").write_text(render_report(result), encoding="utf-8")


def time_writers(size: str, repeat: int) -> None:
    import staffplan.reports.html  # noqa: F401  imports (matplotlib, jinja2) out of the timing
    import staffplan.reports.xlsx  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write(_load(size), "both", d)  # warm: fonts, templates
        for which in ("excel", "html", "both"):
            wall, cpu = [], []
            for _ in range(repeat):
                result = _load(size)
                t0, c0 = time.perf_counter(), _cpu()
                _write(result, which, d)
                wall.append(time.perf_counter() - t0)
                cpu.append(_cpu() - c0)
            print(f"{size} {which:5s}: wall {statistics.median(wall):.2f} s, "
                  f"CPU {statistics.median(cpu):.2f} s (median of {repeat}; "
                  f"load {os.getloadavg()[0]:.1f})")


def save(size: str, d: Path, tag: str) -> None:
    d.mkdir(parents=True, exist_ok=True)
    result = _load(size)
    from staffplan.reports.html import render_report
    from staffplan.reports.xlsx import write_plan_xlsx

    write_plan_xlsx(result, d / f"{size}-{tag}.xlsx")
    (d / f"{size}-{tag}.html").write_text(render_report(result), encoding="utf-8")


def diff(size: str, d: Path) -> int:
    save(size, d, "new")
    problems = []
    if (d / f"{size}-old.html").read_bytes() != (d / f"{size}-new.html").read_bytes():
        problems.append("the HTML report")
    with zipfile.ZipFile(d / f"{size}-old.xlsx") as old, \
            zipfile.ZipFile(d / f"{size}-new.xlsx") as new:
        names = set(old.namelist()) | set(new.namelist())
        for name in sorted(names - {"docProps/core.xml"}):  # core.xml: creation time
            if name not in old.namelist() or name not in new.namelist() \
                    or old.read(name) != new.read(name):
                problems.append(f"workbook part {name}")
    print(f"{size}: " + ("identical" if not problems else "differs: " + ", ".join(problems)))
    return 1 if problems else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["solve", "time", "save", "diff"])
    p.add_argument("size")
    p.add_argument("dir", nargs="?", type=Path)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    if a.command == "solve":
        solve(a.size)
    elif a.command == "time":
        time_writers(a.size, a.repeat)
    elif a.dir is None:
        p.error(f"{a.command} needs a directory")
    elif a.command == "save":
        save(a.size, a.dir, "old")
    else:
        return diff(a.size, a.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
