"""Errors that reach users: each maps to an exit code of spec/cli.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One defect in the input workbook, located as precisely as we can."""

    sheet: str
    message: str
    cell: str | None = None  # e.g. "F4"
    row: int | None = None

    def __str__(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        if self.row is not None:
            return f"{self.sheet} row {self.row}: {self.message}"
        if self.sheet:
            return f"{self.sheet}: {self.message}"
        return self.message


class StaffplanError(Exception):
    exit_code = 1


class InputError(StaffplanError):
    """Bad input workbook: every problem found, reported at once (exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem], source: str = "", total: int | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        self.total = len(self.problems) if total is None else total
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        n = self.total
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} in the input workbook:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class BudgetInfeasible(StaffplanError):
    """No plan meets the hard budgets (exit 3)."""

    exit_code = 3


class SolverFailed(StaffplanError):
    """The solver failed or stopped with no plan in hand (exit 4)."""

    exit_code = 4


class MailError(StaffplanError):
    """The mail server did not accept the message (exit 5)."""

    exit_code = 5


class OutputError(StaffplanError):
    """An output file could not be written or moved into place (exit 1); the message says
    whether the old files are untouched."""


class Terminated(BaseException):
    """SIGTERM arrived while outputs were being written (temporary files already removed).

    A BaseException, like KeyboardInterrupt, so no `except Exception` on the way swallows it;
    the CLI turns it into one line and exit 143 (128 + SIGTERM)."""

    exit_code = 143

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
