"""`staffplan check` on a good workbook: a short summary on stdout (cli.md), nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from staffplan.cli import main
from workbooks import minimal_sheets, write_workbook


def test_check_prints_a_summary_for_a_person(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Sites"].append(["S2", "Two", "DE", 4, "2027-01", "2027-02", "2027-03", "2027-04", 0])
    sheets["LabourMarket"].append(["DE", "ops", 0, 1, 0.25, 0, 0, 0.1, 5000])
    sheets["SalaryBands"].append(["DE", "ops", "USD", 50000, 60000, 70000, 0.3, 0.02])
    sheets["LabourMarket"].append(["DE", "eng", 0, 1, 1, 0, 0, 0.1, 5000])
    sheets["SalaryBands"].append(["DE", "eng", "USD", 50000, 60000, 70000, 0.3, 0.02])
    path = write_workbook(tmp_path / "plan.xlsx", sheets)

    assert main(["check", str(path)]) == 0
    out = capsys.readouterr()
    assert out.err == ""  # the summary is a result for scripts: stdout (cli.md)
    err = out.out
    assert "Plan: Minimal plan" in err
    assert "Horizon: 2027-01 to 2027-12 (12 months, plus 0 months look-ahead)" in err
    assert "Sites: 2 (DE 1, US 1)" in err
    assert "Roles: 2 (eng, ops)" in err
    # US: ops 7 from 2027-10 (1 post * 5 + 0.2 * 10 MW).
    # DE (4 MW): deal 1 eng in 2027-01, construction 2 + 0.4 eng in 2027-02,
    # commissioning 1 ops in 2027-03, operations 5 + 0.8 ops from 2027-04.
    assert "US: 7.0 FTE in 2027-10" in err
    assert "DE: 5.8 FTE in 2027-04" in err
    assert "Warnings (1):" in err
    assert "supply_at_min 0.25 x supply_window_months 1" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_check_as_a_real_command(tmp_path: Path) -> None:
    """The installed entry point: exit codes and stderr as a scheduler would see them."""
    good = write_workbook(tmp_path / "good.xlsx", minimal_sheets())
    sheets = minimal_sheets()
    sheets["Sites"][1][3] = -10
    bad = write_workbook(tmp_path / "bad.xlsx", sheets)
    cmd = [sys.executable, "-m", "staffplan.cli", "check"]
    ok = subprocess.run(cmd + [str(good)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "No problems found." in ok.stdout
    failed = subprocess.run(cmd + [str(bad)], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 2
    assert "Sites!D2: it_mw -10 is negative" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert failed.stdout == ""
