"""The same commands on a Dask cluster staffplan did not start: a `dask scheduler` and a
`dask worker` (two worker processes) run as separate processes on free loopback ports, used
through --scheduler and STAFFPLAN_DASK_SCHEDULER, and terminated by their own pids."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from distributed import Client

from staffplan.cli import main
from staffplan.jobs import cluster
from workbooks import minimal_sheets, write_workbook


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DASK_DISTRIBUTED__LOGGING__DISTRIBUTED": "error"}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, **quiet)]
    try:
        procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], env=env, **quiet))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(args)
    return code, err.getvalue()


def _transitions(address: str) -> int:
    """How many task state changes the scheduler has seen: it grows only when tasks run."""
    with Client(address, timeout=30) as client:
        return client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)


def test_risk_replan_on_a_separately_started_cluster(scheduler: str, tmp_path: Path) -> None:
    """Four re-plans go to the external cluster; the seed fixes the drawn markets, so two
    runs agree sample by sample."""
    path = write_workbook(tmp_path / "in.xlsx", minimal_sheets())
    before = _transitions(scheduler)
    for out in ("a", "b"):
        code, err = _run(["risk", str(path), "--replan", "--samples", "4", "--seed", "3",
                          "--scheduler", scheduler, "--out", str(tmp_path / out)])
        assert code == 0, err
    assert "re-planned 4 times (seed 3)" in err
    assert _transitions(scheduler) > before

    def sheet(out: str, name: str) -> list[tuple]:
        wb = openpyxl.load_workbook(tmp_path / out / "in-risk.xlsx")
        return [tuple(r) for r in wb[name].iter_rows(values_only=True)]

    replans = sheet("a", "Replans")
    assert replans[0] == ("sample", "status", "total_cost", "total_hires", "unmet_fte_months",
                          "reason")
    assert [r[0] for r in replans[1:]] == [1, 2, 3, 4]
    assert all(r[1] == "optimal" for r in replans[1:])
    assert sheet("a", "Replans") == sheet("b", "Replans")
    assert sheet("a", "SiteRisk")[1][:3] == ("S1", "US", "2027-10")
    summary = dict(sheet("a", "Summary")[1:])
    assert summary["method"] == "replan" and summary["samples"] == 4


def test_compare_through_the_environment_variable(scheduler: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = minimal_sheets()
    sheets["Scenarios"] = [["scenario", "sheet", "column", "match", "change", "value"],
                           ["bigger", "Sites", "it_mw", "", "multiply", 2]]
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    monkeypatch.setenv(cluster.SCHEDULER_ENV, scheduler)
    before = _transitions(scheduler)
    code, err = _run(["compare", str(path), "--lp", "--out", str(tmp_path / "o")])
    assert code == 0, err
    assert _transitions(scheduler) > before  # the baseline and the scenario ran there
    assert (tmp_path / "o" / "in-scenarios.xlsx").exists()


def test_an_unreachable_scheduler_is_a_message(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = minimal_sheets()
    sheets["Scenarios"] = [["scenario", "sheet", "column", "match", "change", "value"],
                           ["bigger", "Sites", "it_mw", "", "multiply", 2]]
    path = write_workbook(tmp_path / "in.xlsx", sheets)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    address = f"tcp://127.0.0.1:{_free_port()}"
    code, err = _run(["compare", str(path), "--lp", "--scheduler", address,
                      "--out", str(tmp_path / "o")])
    assert code == 4
    assert f"cannot reach the Dask scheduler at {address}" in err
    assert not (tmp_path / "o").exists()
