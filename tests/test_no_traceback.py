"""No traceback, ever (issue 9): numbers the model cannot hold, special files and Ctrl-C are
clear messages with their exit codes, and none of them reaches the CLI's last-resort guard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import staffplan.cli
from staffplan.cli import main
from test_bad_input import put, run_check, setting
from workbooks import minimal_sheets, write_workbook

Sheets = dict[str, list[list]]


@pytest.fixture(autouse=True)
def guard_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case here is a known one: reaching the bug guard fails the test."""
    def fail(exc: Exception, verbose: bool = False) -> int:
        pytest.fail(f"reached the unexpected-error guard: {exc!r}")
    monkeypatch.setattr(staffplan.cli, "report_unexpected", fail)


def bands(sheets: Sheets, row: int, value: float) -> None:
    for column in ("band_min", "band_mid", "band_max"):
        put(sheets, "SalaryBands", row, column, value)


# (id, how to break the minimal workbook, the message)
NUMBER_CASES = [
    ("it_mw_1e308", lambda s: put(s, "Sites", 2, "it_mw", 1e308),
     "Sites!D2: it_mw 1e+308 is too large for the model; expected at most 1e+15 MW"),
    ("fte_above_a_million", lambda s: s.update(ExtraDemand=[
        ["country", "role_id", "start", "end", "fte"], ["US", "eng", "2027-01", "2027-02", 2e6]]),
     "ExtraDemand!E2: fte 2000000 is too large for the model; expected at most 1e+06 FTE"),
    # 2,000 FTE/MW x 1,000 MW = 2e6 FTE: each number passes, the requirement does not.
    ("requirement_product", lambda s: (put(s, "Sites", 2, "it_mw", 1000),
                                       put(s, "Staffing", 3, "per_mw", 2000)),
     "Sites!D2: it_mw 1000 x per_mw 2000 (Staffing row 3) is 2e+06 FTE, more than the model "
     "can plan (at most 1,000,000 FTE)"),
    # 1e308 would be refused alone; 1e15 MW x 1e15 FTE/MW overflowed the requirement before.
    ("requirement_overflow", lambda s: (put(s, "Sites", 2, "it_mw", 1e15),
                                        put(s, "Staffing", 3, "per_mw", 1e15)),
     "Sites!D2: it_mw 1e+15 x per_mw 1e+15 (Staffing row 3) is 1e+30 FTE"),
    ("posts_product", lambda s: (setting(s, "fte_per_24x7_post", 1e6),
                                 put(s, "Staffing", 5, "posts_24x7", 2)),
     "Staffing!E5: posts_24x7 2 x fte_per_24x7_post 1e+06 is 2e+06 FTE"),
    # A band of 1e-300 crashed HiGHS (segmentation fault) in integer mode.
    ("tiny_band", lambda s: bands(s, 2, 1e-300),
     "SalaryBands!D2: band_min 1e-300 is too small for the model to tell from 0; expected 0 "
     "or at least 1e-09"),
    ("tiny_fx_rate", lambda s: (put(s, "SalaryBands", 2, "currency", "EUR"),
                                s.update(FX=[["currency", "rate_to_reporting"], ["EUR", 1e-300]])),
     "FX!B2: rate_to_reporting 1e-300 is too small for the model"),
    ("tiny_percent", lambda s: put(s, "LabourMarket", 2, "annual_attrition_pct", 1e-12),
     "LabourMarket!H2: annual_attrition_pct 1e-12 is too small for the model"),
    # Every number at or below 1e15, but the monthly cost of a contractor in the last year:
    # 1e15 / 12 x (1 + 1) x (1 + 1)^29 x 1e3 premium ~ 8.9e25; the solver stopped ("Solve error").
    ("cost_product", lambda s: (bands(s, 2, 1e15), put(s, "SalaryBands", 2, "on_cost_pct", 1),
                                put(s, "SalaryBands", 2, "annual_increase_pct", 1),
                                setting(s, "horizon_months", 240),
                                setting(s, "lookahead_months", 120),
                                put(s, "Roles", 2, "contractor_premium", 1e3)),
     "SalaryBands!F2: band_max 1e+15 grows to 8.95e+25 USD a month for one person"),
]


@pytest.mark.parametrize("breaker,message", [(c[1], c[2]) for c in NUMBER_CASES],
                         ids=[c[0] for c in NUMBER_CASES])
def test_numbers_too_large_or_small_name_the_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], breaker, message: str) -> None:
    sheets = minimal_sheets()
    breaker(sheets)
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    code, err = run_check(path, capsys)
    assert code == 2
    assert message in err
    out = tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_largest_accepted_numbers_still_plan(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Just inside the limits the solver still returns a plan (exit 0) in integer mode."""
    sheets = minimal_sheets()
    bands(sheets, 2, 1e14)
    setting(sheets, "unmet_penalty", 1e15)
    put(sheets, "LabourMarket", 2, "cost_per_hire", 1e15)
    put(sheets, "LabourMarket", 3, "supply_at_min", 1e15)
    put(sheets, "LabourMarket", 3, "starting_headcount", 1e6)
    put(sheets, "SalaryBands", 3, "currency", "EUR")
    sheets["FX"] = [["currency", "rate_to_reporting"], ["EUR", 1e-9]]
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    assert main(["plan", str(path), "--out", str(tmp_path / "out")]) == 0, \
        capsys.readouterr().err


# ---------------------------------------------------------------- what is given as the input

def _special(kind: str, tmp_path: Path) -> Path:
    if kind == "device":
        return Path("/dev/zero")
    if kind == "fifo":
        path = tmp_path / "pipe.xlsx"
        os.mkfifo(path)
        return path
    path = tmp_path / "folder.xlsx"
    path.mkdir()
    return path


SPECIAL = {"device": "is a device, a pipe or another special file, not a workbook",
           "fifo": "is a device, a pipe or another special file, not a workbook",
           "folder": "is a folder, not a workbook"}


@pytest.mark.parametrize("command", ["check", "plan"])
@pytest.mark.parametrize("kind", list(SPECIAL))
def test_special_files_are_refused_without_reading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str) -> None:
    """Reading /dev/zero never ends and opening a FIFO waits for a writer: both must be
    refused from the file's type alone."""
    path = _special(kind, tmp_path)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "plan" else [])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{path}: 1 problem in the input workbook" in err
    assert SPECIAL[kind] in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["check", "plan"])
def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """Tests run as root here, where chmod 000 still reads; the OS refusal is simulated."""
    path = write_workbook(tmp_path / "in.xlsx", minimal_sheets())

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", refuse)
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "plan" else [])
    assert main(args) == 2
    assert f"{path}: 1 problem in the input workbook:\n  - cannot be read: Permission denied" \
        in capsys.readouterr().err


def test_device_as_a_real_command() -> None:
    cmd = [sys.executable, "-m", "staffplan.cli", "check", "/dev/zero"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "/dev/zero: 1 problem" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- Ctrl-C and the guard

def test_keyboard_interrupt_is_one_line_and_130(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(path: Path) -> int:
        raise KeyboardInterrupt
    monkeypatch.setattr(staffplan.cli, "_check", interrupted)
    assert main(["check", str(tmp_path / "x.xlsx")]) == 130
    assert capsys.readouterr().err == "staffplan: interrupted\n"


@pytest.mark.parametrize("verbose", [False, True])
def test_guard_turns_a_bug_into_a_short_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        verbose: bool) -> None:
    monkeypatch.undo()  # this test is about the guard itself
    def broken(path: Path) -> int:
        raise ZeroDivisionError("float division by zero")
    monkeypatch.setattr(staffplan.cli, "_check", broken)
    args = (["-v"] if verbose else []) + ["check", str(tmp_path / "x.xlsx")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert ("staffplan: unexpected error (ZeroDivisionError: float division by zero). This is "
            "a bug in staffplan, not in your input. Please report it to") in err
    assert ("Traceback" in err) == verbose
    assert ("add -v" in err) != verbose


@pytest.mark.parametrize("kind", list(SPECIAL))
def test_special_file_as_the_previous_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           kind: str) -> None:
    """`plan --previous /dev/zero` read forever before; a FIFO waited for a writer."""
    src = write_workbook(tmp_path / "in.xlsx", minimal_sheets())
    path = _special(kind, tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(src), "--out", str(out), "--lp", "--previous", str(path)]) == 2
    err = capsys.readouterr().err
    assert SPECIAL[kind].replace("a workbook", "a plan workbook") in err
    assert not out.exists()
