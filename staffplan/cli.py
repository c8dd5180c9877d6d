"""The `staffplan` command: parses arguments, calls one stage, prints for people.

Exit codes follow spec/cli.md: 0 ok, 2 bad input, 3 budgets infeasible,
4 solver failure, 5 mail not accepted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from staffplan import __version__
from staffplan.core.errors import StaffplanError


def _addresses(text: str) -> list[str]:
    return [a.strip() for a in text.split(",") if a.strip()]


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

    q = sub.add_parser("send", help="email a written plan and its report")
    q.add_argument("plan", type=Path, metavar="PLAN.xlsx")
    q.add_argument("--to", type=_addresses, metavar="ADDR[,ADDR]")
    q.add_argument("--cc", type=_addresses, default=[], metavar="ADDR[,ADDR]")
    q.add_argument("--subject")
    q.add_argument("--eml", type=Path, metavar="PATH", help="write a .eml file instead of sending")
    q.add_argument("--config", type=Path, metavar="FILE", help="mail settings file")
    return p


def main(argv: list[str] | None = None) -> int:
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
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "init":
        from staffplan.inputs.example import init_command

        return init_command(args.path)
    if args.command == "check":
        from staffplan.inputs.check import check_command

        return check_command(args.input)
    if args.command == "plan":
        from staffplan.jobs.plan import plan_command

        return plan_command(args)
    if args.command == "send":
        from staffplan.delivery.mail import send_command

        return send_command(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
