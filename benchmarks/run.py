"""Stage-by-stage timings of the staffplan pipeline on generated workbooks.

    python benchmarks/run.py small medium [--modes lp integer] [--repeat 3] [--seed 1]
                             [--time-limit S] [--profile]
    python benchmarks/run.py medium --compare-commands [--repeat 5]

Each size and mode runs `--repeat` times, each time in a fresh subprocess so its
peak RSS (`ru_maxrss`) is its own. Each run goes through `solve_inputs` as
`staffplan plan` does and times: read and validate, build, solver hand-over,
solve (plus integer warm start and dual re-solve when they happen), results,
reasons, Excel, HTML; then, after the peak RSS is taken, the same PuLP matrix as
a bare LP solved by `highspy` with the options staffplan uses.
`--compare-commands` times `staffplan plan --lp` and a bare read + solve as whole
processes, alternated.
Medians go to benchmarks/results.json (kept per size and mode, so sizes can be
run separately) and the whole table is rewritten into benchmarks/RESULTS.md.
`--profile` also writes cProfile listings to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
STORE = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
STAGES = ("read", "build", "handover", "warm_start", "solve", "duals", "results", "excel",
          "html")


def _scale_section() -> str:
    """benchmarks/scale.py's section of RESULTS.md, kept when this script rewrites the file."""
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    begin, end = "<!-- scale: begin -->", "<!-- scale: end -->"
    if begin not in text or end not in text:
        return ""
    return "\n" + begin + text.split(begin, 1)[1].split(end, 1)[0] + end + "\n"


# --------------------------------------------------------------------------- worker

def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(size: str, mode: str, workbook: Path, seed: int, time_limit: float | None,
           profile: Path | None, build_only: bool = False) -> dict:
    """One run of the pipeline, stage by stage; returns the record the parent keeps.
    The load average and CPU seconds say how much other work shared the machine."""
    rec: dict = {"size": size, "mode": mode, "stages": {}, "peak_mb_after": {}, "notes": [],
                 "load_start": os.getloadavg()[0]}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    inputs, model = _pipeline(rec, size, mode, workbook, seed, time_limit, build_only)
    if prof:
        prof.disable()
        _dump_profile(prof, profile)
    rec["peak_mb"] = _peak_mb()
    rec["cpu_seconds"] = _cpu_seconds()
    rec["load_end"] = os.getloadavg()[0]
    if model is None:  # the plan's own model is gone with its result: the same one again
        from staffplan.model.build import build_model

        model = build_model(inputs, integer=(mode == "integer"))
    _size(rec, model)
    _bare(rec, model, time_limit, solve=not build_only)
    return rec


def _cpu_seconds() -> float:
    import resource

    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _pipeline(rec: dict, size: str, mode: str, workbook: Path, seed: int,
              time_limit: float | None, build_only: bool):
    """The stages of `staffplan plan`, through the same functions: read, `solve_inputs`
    (build, solve with the plan's shared deadline, results and whatever else the job does
    with the plan, e.g. the reasons for unmet demand), then the Excel plan and the HTML
    report. Returns the inputs, and the model when only built."""
    import dataclasses

    from staffplan.inputs.reader import read_workbook
    from staffplan.jobs.plan import solve_inputs
    from staffplan.model.build import build_model
    from staffplan.reports.html import render_report, write_report_html
    from staffplan.reports.xlsx import write_plan_xlsx

    st = rec["stages"]

    cpu = rec.setdefault("stage_cpu", {})

    def timed(name, fn):
        t0, c0 = time.perf_counter(), _cpu_seconds()
        value = fn()
        st[name] = time.perf_counter() - t0
        cpu[name] = _cpu_seconds() - c0  # on a shared machine CPU time says more than wall
        rec["peak_mb_after"][name] = _peak_mb()
        return value

    inputs = timed("read", lambda: read_workbook(workbook))
    if time_limit:
        inputs = dataclasses.replace(inputs, settings=dataclasses.replace(
            inputs.settings, time_limit_s=float(time_limit)))
    rec["time_limit"] = inputs.settings.time_limit_s
    if build_only:
        model = timed("build", lambda: build_model(inputs, integer=(mode == "integer")))
        timed("handover", lambda: _pass(model))
        rec["status"], rec["mip_gap"], rec["objective"] = "built only", 0.0, None
        rec["end_to_end"] = sum(st.values())
        return inputs, model
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = solve_inputs(inputs, lp=(mode == "lp"))
    phase = time.perf_counter() - t0
    cpu["solve_phase"] = _cpu_seconds() - c0
    st.update(result.timings)
    st["solve_model_other"] = max(0.0, phase - sum(result.timings.values()))
    rec["solve_phase"] = phase
    rec["peak_mb_after"]["solve"] = _peak_mb()
    rec["status"] = result.status.value
    rec["objective"] = result.objective
    rec["mip_gap"] = result.mip_gap
    rec["total_cost"] = result.total_cost
    rec["unmet_fte_months"] = result.unmet_fte_months
    OUT.mkdir(exist_ok=True)
    stem = OUT / f"{size}-{mode}"
    timed("excel", lambda: write_plan_xlsx(result, Path(f"{stem}-plan.xlsx")))
    timed("html", lambda: write_report_html(result, Path(f"{stem}-report.html"),
                                            render_report(result)))
    rec["end_to_end"] = sum(st.values())
    return inputs, None


def _size(rec: dict, model) -> None:
    variables = model.prob.variables()
    rec["variables"] = len(variables)
    rec["constraints"] = model.prob.numConstraints()
    rec["integer_variables"] = sum(1 for v in variables if v.cat == "Integer")


def _pass(model) -> None:
    """What the hand-over does, without a solve: the matrix into a Highs instance."""
    import highspy

    from staffplan.model.solve import highs_lp, quiet_stdout

    with quiet_stdout():
        h = highspy.Highs()
    h.passModel(highs_lp(model, model.prob.variables()))


def _bare(rec: dict, model, time_limit: float | None, solve: bool = True) -> None:
    """The LP (relaxation, in integer mode) of the very matrix staffplan hands over,
    solved by highspy alone with staffplan's options."""
    import highspy

    from staffplan.model.solve import highs_lp, quiet_stdout

    s = model.inputs.settings
    t0 = time.perf_counter()
    lp = highs_lp(model, integer=False)
    rec["matrix_seconds"] = time.perf_counter() - t0
    rec["nonzeros"] = int(lp.a_matrix_.start_[-1])
    if not solve:
        return
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit or s.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(s.mip_gap))
    t0 = time.perf_counter()
    h.passModel(lp)
    rec["bare_pass"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    rec["bare_solve"] = time.perf_counter() - t0
    rec["bare_status"] = h.modelStatusToString(h.getModelStatus())
    rec["bare_objective"] = h.getInfo().objective_function_value


def _dump_profile(prof, path: Path) -> None:
    import io
    import pstats

    buf = io.StringIO()
    prof.dump_stats(path.with_suffix(".pstats"))  # for `python -m pstats`
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    buf.write("=== by cumulative time ===\n")
    stats.sort_stats("cumulative").print_stats(60)
    buf.write("=== by own time ===\n")
    stats.sort_stats("tottime").print_stats(40)
    path.write_text(buf.getvalue())


# --------------------------------------------------------------------------- commands compared

def export_lp(workbook: Path, npz: Path) -> None:
    """The LP staffplan builds for WORKBOOK, as the NumPy arrays of a HiGHS matrix."""
    import numpy as np

    from staffplan.inputs.reader import read_workbook
    from staffplan.model.build import build_model
    from staffplan.model.solve import highs_lp

    model = build_model(read_workbook(workbook), integer=False)
    lp = highs_lp(model, integer=False)
    np.savez(npz, cost=lp.col_cost_, col_lower=lp.col_lower_, col_upper=lp.col_upper_,
             row_lower=lp.row_lower_, row_upper=lp.row_upper_, start=lp.a_matrix_.start_,
             index=lp.a_matrix_.index_, value=lp.a_matrix_.value_,
             offset=np.array([getattr(lp, "offset_", 0.0)]))


def bare_command(workbook: Path, npz: Path) -> int:
    """Read the workbook, load the matrix, solve the LP with staffplan's options; print the
    objective. The stand-in for an independent read + NumPy build + HiGHS solve."""
    import highspy
    import numpy as np

    from staffplan.inputs.reader import read_workbook

    settings = read_workbook(workbook).settings
    a = np.load(npz)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(a["cost"]), len(a["row_lower"])
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = a["cost"], a["col_lower"], a["col_upper"]
    lp.row_lower_, lp.row_upper_ = a["row_lower"], a["row_upper"]
    lp.offset_ = float(a["offset"][0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a["start"], a["index"]
    lp.a_matrix_.value_ = a["value"]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(settings.time_limit_s))
    h.passModel(lp)
    h.run()
    print(h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value)
    return 0


def compare_commands(size: str, workbook: Path, seed: int, repeat: int) -> dict:
    """`staffplan plan --lp` and the bare solve as whole processes, alternated (ABBA...), so
    both see the same share of whatever else the machine is doing; medians."""
    npz = OUT / f"{size}-seed{seed}-lp.npz"
    if not npz.exists():
        subprocess.run([sys.executable, __file__, "--export", str(workbook), str(npz)],
                       check=True)
    exe = Path(sys.executable).with_name("staffplan")
    commands = {"plan": [str(exe), "plan", "--lp", str(workbook), "--out",
                         str(OUT / f"compare-{size}")],
                "bare": [sys.executable, __file__, "--bare", str(workbook), str(npz)]}
    times: dict[str, list[float]] = {"plan": [], "bare": []}
    load_start = os.getloadavg()[0]
    for i in range(repeat):
        for name in (("plan", "bare") if i % 2 == 0 else ("bare", "plan")):
            t0 = time.perf_counter()
            done = subprocess.run(commands[name], capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
            times[name].append(wall)
            print(f"{size} {name} run {i + 1}: {wall:.2f} s", file=sys.stderr)
    return {"size": size, "repeat": repeat, "plan": statistics.median(times["plan"]),
            "bare": statistics.median(times["bare"]), "runs": times,
            "load_start": load_start, "load_end": os.getloadavg()[0]}


HEAVY = ("pandas", "pulp", "highspy", "openpyxl", "xlsxwriter", "matplotlib", "jinja2")


def startup(repeat: int) -> dict:
    """Start-up of each command as whole processes, alternated, medians: `--help`, `check` of
    the shipped example (read and validate, no solver) and the imports `plan` makes before it
    reads the workbook; with the heavy modules each one loads (`python -X importtime`)."""
    exe = Path(sys.executable).with_name("staffplan")
    example = HERE.parent / "inputs" / "apac_expansion.xlsx"
    commands = {
        "staffplan --help": [str(exe), "--help"],
        "staffplan check (example)": [str(exe), "check", str(example)],
        "plan's imports": [sys.executable, "-c", "import staffplan.cli, staffplan.jobs.plan"],
        "python alone": [sys.executable, "-c", "pass"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(repeat):
        for name in (list(commands) if i % 2 == 0 else list(reversed(commands))):
            t0 = time.perf_counter()
            done = subprocess.run(commands[name], capture_output=True, text=True)
            times[name].append(time.perf_counter() - t0)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    loads: dict[str, list[str]] = {}
    for name, cmd in commands.items():
        py = cmd if cmd[0] == sys.executable else [sys.executable, "-c",
                                                    "import sys; from staffplan.cli import "
                                                    "main; sys.exit(main(sys.argv[1:]))",
                                                    *cmd[1:]]
        done = subprocess.run([py[0], "-X", "importtime", *py[1:]], capture_output=True,
                              text=True)
        seen = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
        loads[name] = [m for m in HEAVY if m in seen]
    return {"runs": times, "median": {k: statistics.median(v) for k, v in times.items()},
            "heavy": loads, "repeat": repeat, "load_start": os.getloadavg()[0]}


# --------------------------------------------------------------------------- parent

def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": nproc, "cpu": cpu, "ram_gb": round(mem_kb / 1024 ** 2, 1),
        "python": platform.python_version(), "pulp": metadata.version("pulp"),
        "highspy": metadata.version("highspy"), "date": dt.date.today().isoformat(),
    }


def code_version() -> str:
    """The commit measured, and whether staffplan/ had uncommitted changes then
    (several people work in this tree at once)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=HERE.parent)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted staffplan/ changes" if git("status", "--porcelain",
                                                            "staffplan") else "")


def run_one(size: str, mode: str, workbook: Path, seed: int, time_limit: float | None,
            profile: bool, build_only: bool = False) -> dict:
    OUT.mkdir(exist_ok=True)
    rec_path = OUT / f"run-{size}-{mode}-{os.getpid()}.json"
    cmd = [sys.executable, __file__, "--worker", size, mode, str(workbook), str(rec_path),
           "--seed", str(seed)]
    if time_limit:
        cmd += ["--time-limit", str(time_limit)]
    if profile:
        cmd += ["--profile-to", str(OUT / f"profile-{size}-{mode}.txt")]
    if build_only:
        cmd += ["--build-only"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{size}/{mode} worker failed:\n{done.stderr[-3000:]}")
    rec = json.loads(rec_path.read_text())
    rec_path.unlink()
    return rec


def median_record(runs: list[dict]) -> dict:
    """Medians of every number across runs; other fields from the first run."""
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs)
    stages = {k for r in runs for k in r["stages"]}
    out["stages"] = {k: statistics.median(r["stages"].get(k, 0.0) for r in runs) for k in stages}
    cpus = {k for r in runs for k in r.get("stage_cpu", {})}
    out["stage_cpu"] = {k: statistics.median(r.get("stage_cpu", {}).get(k, 0.0) for r in runs)
                        for k in cpus}
    out["repeat"] = len(runs)
    return out


def _s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _load(r: dict) -> str:
    if "load_start" not in r:
        return "–"
    return f"{r['load_start']:.1f}, {r['load_end']:.1f}"


def render(store: dict) -> str:
    compare = {k.split("/", 1)[1]: v for k, v in store.items() if k.startswith("compare/")}
    rows = [store[k] for k in sorted(store, key=_order)
            if not k.startswith("compare/") and k != "startup"]
    lines = [
        "# Benchmark results",
        "",
        "Generated by `benchmarks/run.py`; do not edit by hand. Workbooks come from",
        "`benchmarks/generate.py` (seeded, default seed 1). Seconds are medians of the `n`",
        "runs, each in a fresh process; peak RSS is that process's `ru_maxrss` before the",
        "bare solve.",
        "",
        "Rerun (from the repository root, venv active):",
        "",
        "    python benchmarks/run.py small medium --modes lp integer --repeat 3",
        "    python benchmarks/run.py large --modes lp --repeat 1 --time-limit 900",
        "    python benchmarks/run.py xl --modes lp --repeat 1 --build-only",
        "    python benchmarks/run.py medium --compare-commands --repeat 3",
        "    python benchmarks/run.py --startup --repeat 5",
        "",
        "## Machine",
        "",
    ]
    machines = {json.dumps(r["machine"], sort_keys=True) for r in rows}
    for m in sorted(machines):
        m = json.loads(m)
        lines.append(f"- {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM; Python "
                     f"{m['python']}, PuLP {m['pulp']}, highspy {m['highspy']}; {m['date']}")
    lines += [
        "",
        "## Model size and peak memory",
        "",
        "| size | mode | n | variables (integer) | constraints | non-zeros | peak RSS MB "
        "| status | gap | time limit s | solve phase s | load avg (start, end) | CPU s | code |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        gap = f"{r['mip_gap']:.3%}" if r.get("mip_gap") == r.get("mip_gap") else "n/a"
        lines.append(
            f"| {r['size']} | {r['mode']} | {r['repeat']} | {r['variables']:,} "
            f"({r['integer_variables']:,}) | {r['constraints']:,} | {r.get('nonzeros', 0):,} | "
            f"{r['peak_mb']:,.0f} | {r['status']} | {gap} | {r['time_limit']:g} | "
            f"{_s(r.get('solve_phase'))} | {_load(r)} | "
            f"{_s(r.get('cpu_seconds'))} | {r.get('code', '–')} |")
    lines += [
        "",
        "## Seconds per stage",
        "",
        "Each run goes through `solve_inputs`, as `staffplan plan` does. `solve` is the",
        "HiGHS run and the solution read back; `warm start` is the integer mode's rounded LP",
        "start, `duals` its fixed-LP re-solve; `reasons` the counterfactual solves that",
        "explain unmet demand, as far as they run after the plan's own solve (on two cores",
        "most of them run beside it, on the second core: `results.reasons.Background`);",
        "`other` is the rest of the solve phase.",
        "`bare LP` is `Highs.run()` alone on the same matrix (LP relaxation in integer",
        "mode); `ratio` is staffplan end to end over it, `no reports` the same without the",
        "Excel and HTML stages, `neither` without the reports and the `reasons` column.",
        "",
        "| size | mode | read | build | hand-over | warm start | solve | duals | other | results |"
        " reasons | Excel | HTML | end to end | bare LP | ratio | no reports | neither |"
        " reports share |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        st = r["stages"]
        bare = r.get("bare_solve")
        ratio = r["end_to_end"] / bare if bare and r.get("end_to_end") else None
        core = sum(v for k, v in st.items() if k not in ("excel", "html"))
        core_ratio = f"{core / bare:.1f}x" if bare else "–"
        bare_ratio = f"{(core - st.get('reasons', 0.0)) / bare:.1f}x" if bare else "–"
        cells = [_s(st.get(k)) for k in ("read", "build", "handover", "warm_start", "solve",
                                         "duals", "solve_model_other", "results", "reasons",
                                         "excel", "html")]
        reports = st.get("excel", 0.0) + st.get("html", 0.0)
        share = f"{reports / r['end_to_end']:.0%}" if r.get("end_to_end") and reports else "–"
        lines.append(f"| {r['size']} | {r['mode']} | " + " | ".join(cells) +
                     f" | {_s(r.get('end_to_end'))} | {_s(r.get('bare_solve'))} | "
                     f"{'–' if ratio is None else f'{ratio:.1f}x'} | {core_ratio} | "
                     f"{bare_ratio} | {share} |")
    with_cpu = [r for r in rows if r.get("stage_cpu")]
    if with_cpu:
        lines += [
            "",
            "CPU seconds of the same runs (this process's user + system time), which other",
            "work on a shared machine inflates less than wall time; `reports share` is Excel +",
            "HTML over read + solve phase + Excel + HTML, in CPU time.",
            "",
            "| size | mode | read | solve phase | Excel | HTML | reports share (CPU) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in with_cpu:
            c = r["stage_cpu"]
            total = sum(c.get(k, 0.0) for k in ("read", "solve_phase", "excel", "html"))
            rep = c.get("excel", 0.0) + c.get("html", 0.0)
            share = f"{rep / total:.0%}" if total and rep else "–"
            lines.append(f"| {r['size']} | {r['mode']} | " + " | ".join(
                _s(c.get(k)) for k in ("read", "solve_phase", "excel", "html")) + f" | {share} |")
    compared = [compare[k] for k in sorted(compare, key=lambda k: _order(k + "/lp"))]
    if compared:
        lines += [
            "",
            "## `staffplan plan --lp` against the bare solve, as commands",
            "",
            "`python benchmarks/run.py SIZE --compare-commands`: wall seconds of whole",
            "processes, run alternately. `plan` is `staffplan plan --lp WORKBOOK` (start-up,",
            "read, build, solve, results, reasons, Excel, HTML). `bare` is a Python process that",
            "reads the same workbook with staffplan's reader, loads the LP's matrix from a",
            "NumPy file written beforehand (standing in for a NumPy build) and runs HiGHS on it.",
            "",
            "| size | n | plan s | bare s | ratio | load avg (start, end) | code |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in compared:
            lines.append(f"| {c['size']} | {c['repeat']} | {_s(c['plan'])} | {_s(c['bare'])} | "
                         f"{c['plan'] / c['bare']:.2f}x | {_load(c)} | {c['code']} |")
    start = store.get("startup")
    if start:
        lines += [
            "",
            "## Start-up of each command",
            "",
            "`python benchmarks/run.py --startup`: wall seconds of whole processes,",
            f"alternated, median of {start['repeat']} (load {start['load_start']:.1f} at the "
            f"start; code {start.get('code', '–')}).",
            "`heavy modules`: which of " + ", ".join(HEAVY) + " the command imports.",
            "",
            "| command | seconds | heavy modules |",
            "|---|---|---|",
        ]
        for name, sec in start["median"].items():
            heavy = ", ".join(start["heavy"].get(name, [])) or "none"
            lines.append(f"| {name} | {sec:.2f} | {heavy} |")
    notes = sorted({f"{r['size']}/{r['mode']}: {n}" for r in rows for n in r.get("notes", [])})
    checks = [r for r in rows if r["mode"] == "lp" and r.get("bare_objective") is not None]
    lines += ["", "## Checks and notes", ""]
    for r in checks:
        rel = abs(r["objective"] - r["bare_objective"]) / max(abs(r["bare_objective"]), 1)
        lines.append(f"- {r['size']}/lp: staffplan objective {r['objective']:,.2f}, bare "
                     f"{r['bare_objective']:,.2f} (relative difference {rel:.1e}).")
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _order(key: str) -> tuple:
    size, _, mode = key.partition("/")
    sizes = ["small", "medium", "large", "xl"]
    return (sizes.index(size) if size in sizes else 99, mode != "lp", mode)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        p = argparse.ArgumentParser()
        p.add_argument("size")
        p.add_argument("mode")
        p.add_argument("workbook", type=Path)
        p.add_argument("record", type=Path)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--time-limit", type=float)
        p.add_argument("--profile-to", type=Path)
        p.add_argument("--build-only", action="store_true")
        a = p.parse_args(argv[1:])
        rec = worker(a.size, a.mode, a.workbook, a.seed, a.time_limit, a.profile_to,
                     a.build_only)
        from staffplan.results.reasons import Background

        stuck = Background.left_behind()
        if stuck:  # it also ran beside the bare solve: say so
            rec["notes"].append("a counterfactual MIP ran past its time limit and was left "
                                "behind (HiGHS did not stop it); it ran beside the bare solve")
        a.record.write_text(json.dumps(rec))
        if stuck:  # as the CLI does: HiGHS must not be torn down under it
            os._exit(0)
        return 0

    if argv and argv[0] == "--export":
        export_lp(Path(argv[1]), Path(argv[2]))
        return 0
    if argv and argv[0] == "--bare":
        return bare_command(Path(argv[1]), Path(argv[2]))

    sys.path.insert(0, str(HERE))
    from generate import SIZES, generate, write_workbook

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", metavar="SIZE",
                   help="one or more of " + ", ".join(sorted(SIZES)))
    p.add_argument("--modes", nargs="+", choices=["lp", "integer"], default=["lp"])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time-limit", type=float,
                   help="override the workbook's time_limit_s (60) for every solve")
    p.add_argument("--profile", action="store_true",
                   help="one extra cProfile run of each, to benchmarks/out/profile-*.txt")
    p.add_argument("--build-only", action="store_true",
                   help="read, build and hand the matrix to HiGHS; no solve (for xl)")
    p.add_argument("--compare-commands", action="store_true",
                   help="time `staffplan plan --lp` end to end against the bare solve, as "
                        "whole processes, alternated (--repeat pairs)")
    p.add_argument("--startup", action="store_true",
                   help="time each command's start-up as whole processes (--repeat each)")
    a = p.parse_args(argv)
    unknown = [size for size in a.sizes if size not in SIZES]
    if unknown or not (a.sizes or a.startup):
        p.error(f"sizes: choose from {', '.join(sorted(SIZES))}"
                + (f" (not {', '.join(unknown)})" if unknown else ""))
    info = machine()
    version = code_version()
    store = json.loads(STORE.read_text()) if STORE.exists() else {}
    if a.startup:
        rec = startup(a.repeat)
        rec["machine"], rec["code"] = info, version
        store["startup"] = rec
        STORE.write_text(json.dumps(store, indent=1, sort_keys=True))
        RESULTS_MD.write_text(render(store))
    for size in a.sizes:
        workbook = OUT / f"{size}-seed{a.seed}.xlsx"
        if not workbook.exists():
            write_workbook(generate(size, a.seed), workbook)
        if a.compare_commands:
            rec = compare_commands(size, workbook, a.seed, a.repeat)
            rec["machine"], rec["code"], rec["seed"] = info, version, a.seed
            store[f"compare/{size}"] = rec
            STORE.write_text(json.dumps(store, indent=1, sort_keys=True))
            RESULTS_MD.write_text(render(store))
            continue
        for mode in a.modes:
            if a.profile:  # an extra run: the profiler's overhead stays out of the medians
                run_one(size, mode, workbook, a.seed, a.time_limit, True, a.build_only)
            runs = []
            for i in range(a.repeat):
                rec = run_one(size, mode, workbook, a.seed, a.time_limit, False, a.build_only)
                runs.append(rec)
                print(f"{size}/{mode} run {i + 1}: end to end {_s(rec.get('end_to_end'))} s, "
                      f"bare LP {_s(rec.get('bare_solve'))} s, peak {rec['peak_mb']:.0f} MB, "
                      f"{rec['status']}", file=sys.stderr)
            if not runs:
                continue
            med = median_record(runs)
            med["machine"] = info
            med["code"] = version
            if a.build_only:
                med["mode"] = f"{mode}, build only"
            med["seed"] = a.seed
            store[f"{size}/{mode}" + ("/build" if a.build_only else "")] = med
            STORE.write_text(json.dumps(store, indent=1, sort_keys=True))
            RESULTS_MD.write_text(render(store) + _scale_section())
    print(f"Wrote {RESULTS_MD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
