"""A plan and its report are one (issue 9): a real `staffplan plan` killed while it writes leaves
the old pair untouched and no temporary file; a blocked report path changes nothing.

The runs pause at named points through the STAFFPLAN_TEST_PAUSE_AT hook of core.atomic (the
process logs "paused at NAME" on stderr and sleeps), so each signal lands exactly where the test
says. One more run is signalled the moment a temporary file appears, with no hook at all.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from staffplan.cli import main
from staffplan.core.atomic import TEST_PAUSE_ENV
from workbooks import minimal_sheets, write_workbook

OLD_PLAN = b"old plan bytes"
OLD_REPORT = b"<p>old report</p>"
NAMES = ["mini-plan.xlsx", "mini-report.html"]


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path]:
    """(input workbook, output folder holding an old plan/report pair)."""
    src = write_workbook(tmp_path / "mini.xlsx", minimal_sheets())
    out = tmp_path / "out"
    out.mkdir()
    (out / NAMES[0]).write_bytes(OLD_PLAN)
    (out / NAMES[1]).write_bytes(OLD_REPORT)
    return src, out


def _start(src: Path, out: Path, pause_at: str | None) -> tuple[subprocess.Popen, queue.Queue]:
    env = dict(os.environ)
    env.pop(TEST_PAUSE_ENV, None)
    if pause_at:
        env[TEST_PAUSE_ENV] = pause_at
    proc = subprocess.Popen(
        [sys.executable, "-m", "staffplan.cli", "plan", str(src), "--out", str(out), "--lp"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _wait_for(lines: queue.Queue, text: str, timeout: float = 120) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            raise AssertionError(f"the run ended before {text!r}: {''.join(seen)}")
        seen.append(line)
        if text in line:
            return seen


def _rest(proc: subprocess.Popen, lines: queue.Queue) -> str:
    proc.wait(timeout=60)
    rest = []
    while (line := lines.get(timeout=10)) is not None:
        rest.append(line)
    return "".join(rest)


def _assert_old_pair_only(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == NAMES  # no .tmp, nothing else
    assert (out / NAMES[0]).read_bytes() == OLD_PLAN
    assert (out / NAMES[1]).read_bytes() == OLD_REPORT


@pytest.mark.parametrize("point", ["files-open", "plan-written", "files-written"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_while_writing_leaves_the_old_pair_and_no_temporary_file(folder, point, sig):
    """files-open: both temporary files exist, nothing written; plan-written: the new plan is in
    its temporary file, the report not yet; files-written: both written, not yet moved."""
    src, out = folder
    proc, lines = _start(src, out, point)
    try:
        _wait_for(lines, f"paused at {point}")
        assert any(p.name.endswith(".tmp") for p in out.iterdir())  # the point is mid-write
        proc.send_signal(sig)
        err = _rest(proc, lines)
    finally:
        proc.kill()
    assert "Traceback" not in err
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert "stopped (SIGTERM)" in err and "old ones are untouched" in err
    else:
        assert proc.returncode == 130
        assert err.strip().endswith("interrupted")
    _assert_old_pair_only(out)


def test_sigterm_as_soon_as_a_temporary_file_appears(folder):
    """No hook: poll the folder and signal the moment a .tmp shows. The run is then writing
    (old pair intact) or, if it won the race, finished (new pair complete); never a mix."""
    src, out = folder
    proc, lines = _start(src, out, None)
    try:
        while proc.poll() is None and not any(p.suffix == ".tmp" for p in out.iterdir()):
            time.sleep(0.001)
        proc.send_signal(signal.SIGTERM)
        _rest(proc, lines)
    finally:
        proc.kill()
    assert sorted(p.name for p in out.iterdir()) == NAMES
    plan, report = ((out / n).read_bytes() for n in NAMES)
    # A signal that lands after the moves (the run then stops with the new pair in place)
    # is as good as a finished run: what matters is the pair, never one old and one new.
    if proc.returncode == 0 or plan != OLD_PLAN:
        assert plan[:2] == b"PK" and b"<html" in report.lower()
    else:
        assert (plan, report) == (OLD_PLAN, OLD_REPORT)


def test_a_folder_where_the_report_goes_changes_nothing(folder, capsys):
    src, out = folder
    (out / NAMES[1]).unlink()
    (out / NAMES[1]).mkdir()
    assert main(["plan", str(src), "--out", str(out), "--lp"]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out / NAMES[1]}: it is a folder" in err
    assert "nothing was changed" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == NAMES
    assert (out / NAMES[0]).read_bytes() == OLD_PLAN
    assert (out / NAMES[1]).is_dir() and not any((out / NAMES[1]).iterdir())
