"""The `staffplan` command: parses arguments, calls one stage, prints for people.

Exit codes follow spec/cli.md: 0 ok, 2 bad input, 3 budgets infeasible,
4 solver failure, 5 mail not accepted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from staffplan import __version__
from staffplan.core.errors import StaffplanError, Terminated

log = logging.getLogger(__name__)


def _addresses(text: str) -> list[str]:
    return [a.strip() for a in text.split(",") if a.strip()]


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {n}")
    return n


def _cluster_args(q: argparse.ArgumentParser) -> None:
    q.add_argument("--workers", type=_positive, metavar="N",
                   help="worker processes of the local Dask cluster (default: one per core)")
    q.add_argument("--scheduler", metavar="ADDR",
                   help="use the existing Dask cluster at tcp://HOST:PORT instead "
                        "(default: $STAFFPLAN_DASK_SCHEDULER, else a local cluster)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="staffplan",
        description="Turn planned data-center buildouts into the cheapest hiring plan.",
    )
    p.add_argument("--version", action="version", version=f"staffplan {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    q = sub.add_parser("init", help="write a filled-in example workbook")
    q.add_argument("path", type=Path, metavar="PATH.xlsx")

    q = sub.add_parser("check", help="read and validate an input workbook")
    q.add_argument("input", type=Path, metavar="INPUT.xlsx")

    q = sub.add_parser("plan", help="solve and write the plan and report")
    q.add_argument("input", type=Path, nargs="?", metavar="INPUT.xlsx",
                   help="input workbook (default: the shipped example)")
    q.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="output folder (default: reports/)")
    q.add_argument("--lp", action="store_true", help="solve the linear relaxation")
    q.add_argument("--solver", choices=["highs", "cbc"], default="highs")
    q.add_argument("--previous", type=Path, metavar="OLD-plan.xlsx",
                   help="an earlier plan to compare with: adds a Changes sheet and a "
                        "'since the last plan' section to the report")
    q.add_argument("--email-to", type=_addresses, metavar="ADDR[,ADDR]",
                   help="email the plan to these addresses when written")
    q.add_argument("--cc", type=_addresses, default=[], metavar="ADDR[,ADDR]")
    q.add_argument("--subject")
    q.add_argument("--eml", type=Path, metavar="PATH",
                   help="with --email-to: write the message to a .eml file instead of sending")
    q.add_argument("--config", type=Path, metavar="FILE", help="mail settings file")

    q = sub.add_parser("compare", help="plan the baseline and every scenario side by side")
    q.add_argument("input", type=Path, nargs="?", metavar="INPUT.xlsx",
                   help="input workbook with a Scenarios sheet (default: the shipped example)")
    q.add_argument("--scenarios", type=_addresses, metavar="A,B",
                   help="only these scenarios (default: all)")
    q.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="output folder (default: reports/)")
    q.add_argument("--lp", action="store_true", help="solve linear relaxations")
    _cluster_args(q)

    q = sub.add_parser("risk", help="how likely the plan staffs each site in time")
    q.add_argument("input", type=Path, nargs="?", metavar="INPUT.xlsx",
                   help="input workbook (default: the shipped example)")
    q.add_argument("--plan", type=Path, metavar="PLAN.xlsx",
                   help="a plan written by staffplan plan (default: solve INPUT now)")
    q.add_argument("--samples", type=_positive, default=1000, metavar="N",
                   help="simulated runs (default: 1000)")
    q.add_argument("--seed", type=int, metavar="S", help="makes the run repeatable")
    q.add_argument("--replan", action="store_true",
                   help="re-plan every sample with drawn attrition and hiring delays")
    q.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="output folder (default: reports/)")
    _cluster_args(q)

    q = sub.add_parser("send", help="email a written plan and its report")
    q.add_argument("plan", type=Path, metavar="PLAN.xlsx")
    q.add_argument("--to", type=_addresses, metavar="ADDR[,ADDR]")
    q.add_argument("--cc", type=_addresses, default=[], metavar="ADDR[,ADDR]")
    q.add_argument("--subject")
    q.add_argument("--eml", type=Path, metavar="PATH", help="write a .eml file instead of sending")
    q.add_argument("--config", type=Path, metavar="FILE", help="mail settings file")
    return p


def main(argv: list[str] | None = None) -> int:
    code = _main(argv)
    if argv is None and "staffplan.results.reasons" in sys.modules:
        from staffplan.results.reasons import Background  # loaded by now: no cost

        if Background.left_behind():
            # A solver stuck in native code cannot be stopped, and the interpreter's exit
            # could tear HiGHS down under it: leave at once, the files are written.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return code


def _main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args)
    except StaffplanError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("staffplan: interrupted", file=sys.stderr)
        return 130
    except Terminated as exc:
        print("staffplan: stopped (SIGTERM) before the new files were in place; the old ones are "
              "untouched", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the last guard: a bug in staffplan, never a user's mistake
        return report_unexpected(exc, verbose=args.verbose)


REPORT_TO = "the staffplan maintainers (the project's issue tracker)"


def report_unexpected(exc: Exception, verbose: bool = False) -> int:
    """One short message instead of a traceback (exit 1); the traceback only with -v.

    Known bad input never gets here (tests check that); this is for bugs.
    """
    log.debug("unexpected error", exc_info=exc)
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    details = "the traceback above" if verbose else "the details shown when you add -v"
    print(f"staffplan: unexpected error ({type(exc).__name__}: {str(exc)[:200]}). This is a "
          f"bug in staffplan, not in your input. Please report it to {REPORT_TO} with the "
          f"command you ran and {details}.", file=sys.stderr)
    return 1


# Each command imports its stage when it runs: `staffplan --version` and `check` stay quick
# without loading the solver, matplotlib and jinja2.
def _dispatch(args: argparse.Namespace) -> int:
    # Each command imports its stage here, not at the top: `check` and `--help` would
    # otherwise load matplotlib, jinja2, PuLP and HiGHS (1.5-3 s on this project's machines)
    # before reading a single cell. tests/test_startup.py keeps it so.
    if args.command == "init":
        return _init(args.path)
    if args.command == "check":
        return _check(args.input)
    if args.command == "plan":
        return _plan(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "risk":
        return _risk(args)
    if args.command == "send":
        return _send(args)
    raise AssertionError(args.command)


def _init(path: Path) -> int:
    from staffplan.inputs.example import write_example

    write_example(path)
    print(f"Wrote the example workbook {path}.\n"
          f"Next: staffplan check {path}   then   staffplan plan {path}", file=sys.stderr)
    return 0


def _check(path: Path) -> int:
    from staffplan.inputs.check import check_workbook, summary

    print(summary(*check_workbook(path)))  # the summary is for scripts too: stdout (cli.md)
    return 0


def _plan(args: argparse.Namespace) -> int:
    from staffplan.core.resources import example_workbook
    from staffplan.inputs.reader import read_workbook
    from staffplan.jobs.plan import plan_summary, solve_inputs, write_plan
    from staffplan.results.changes import attach_comparison, read_previous_plan

    path: Path = args.input or example_workbook()
    started = time.perf_counter()
    inputs = read_workbook(path)
    # The previous plan is read before solving: a file that is not a plan stops the run at
    # once (exit 2), before any output is written.
    previous = read_previous_plan(args.previous) if args.previous else None
    for w in inputs.warnings:
        print(f"warning: {w}", file=sys.stderr)
    line = _SolveLine.for_stderr(inputs.settings.currency)
    try:
        result = solve_inputs(inputs, lp=args.lp, solver=args.solver, previous=previous,
                              progress=line)
    finally:
        if line is not None:
            line.end()
    if previous is not None:
        for note in attach_comparison(result, previous).notes:
            print(f"note: {note}", file=sys.stderr)
    xlsx, html = write_plan(result, args.out, path.stem)
    print(plan_summary(result, time.perf_counter() - started), file=sys.stderr)
    print(f"Wrote {xlsx}\n      {html}")  # file names: stdout (cli.md)
    if args.email_to:
        from staffplan.delivery.smtp import deliver

        print(deliver(xlsx, args.email_to, cc=args.cc, subject=args.subject, eml=args.eml,
                      config=args.config), file=sys.stderr)
    return 0


def _send(args: argparse.Namespace) -> int:
    from staffplan.delivery.smtp import deliver

    print(deliver(args.plan, args.to or [], cc=args.cc, subject=args.subject, eml=args.eml,
                  config=args.config), file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from staffplan.core.resources import example_workbook
    from staffplan.jobs.compare import compare_summary, run_compare, write_comparison

    path = args.input or example_workbook()
    comp = run_compare(path, args.scenarios, lp=args.lp, workers=args.workers,
                       scheduler=args.scheduler, progress=_counter("solves"))
    xlsx, html = write_comparison(comp, args.out)
    print(compare_summary(comp), file=sys.stderr)
    print(f"Wrote {xlsx}\n      {html}")  # file names: stdout (cli.md)
    if comp.failed:
        print(f"{len(comp.failed)} of {len(comp.runs)} solves failed: "
              + ", ".join(r.name for r in comp.failed), file=sys.stderr)
        return 4
    return 0


def _risk(args: argparse.Namespace) -> int:
    from staffplan.core.resources import example_workbook
    from staffplan.jobs.risk import risk_summary, run_risk, write_risk

    path = args.input or example_workbook()
    risk = run_risk(path, plan=args.plan, samples=args.samples, seed=args.seed,
                    replan=args.replan, workers=args.workers, scheduler=args.scheduler,
                    progress=_counter("re-plans" if args.replan else "months simulated"))
    xlsx, html = write_risk(risk, args.out, Path(path).stem)
    print(risk_summary(risk), file=sys.stderr)
    print(f"Wrote {xlsx}\n      {html}")  # file names: stdout (cli.md)
    return 4 if len(risk.failed) else 0


class _SolveLine:
    """`solving: 12 s, best plan USD 113,586,578, gap 0.45%` redrawn in place on stderr,
    from the solver's callbacks, once a solve has run for a few seconds (spec/cli.md,
    Progress). Only when stderr is a terminal."""

    AFTER_S = 3.0

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.drawn = False

    @classmethod
    def for_stderr(cls, currency: str) -> _SolveLine | None:
        return cls(currency) if sys.stderr.isatty() else None

    def __call__(self, elapsed: float, best: float | None, gap: float | None) -> None:
        if elapsed < self.AFTER_S:
            return
        text = f"solving: {elapsed:.0f} s"
        if best is not None:
            text += f", best plan so far {self.currency} {best:,.0f}"
            if gap is not None:
                text += f", gap {gap:.2%}"
        print(f"\r{text}\033[K", end="", file=sys.stderr, flush=True)
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _counter(what: str):
    """A `done/total` line on stderr, redrawn in place; None when stderr is no terminal."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{what} done: {done}/{total} ({time.monotonic() - started:.0f} s)", end=end,
              file=sys.stderr, flush=True)
    return show


if __name__ == "__main__":
    sys.exit(main())
