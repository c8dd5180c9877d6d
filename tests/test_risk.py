"""`staffplan risk`: the simulation's files, the seed, --plan, and bad arguments."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from staffplan.cli import main
from workbooks import minimal_sheets, write_workbook

HOSTILE_SITE = "<script>x</script> & Co"


@pytest.fixture()
def workbook(tmp_path: Path) -> Path:
    sheets = minimal_sheets()
    sheets["Sites"][1][1] = HOSTILE_SITE
    sheets["LabourMarket"][0].append("fill_delay_mean_months")
    sheets["LabourMarket"][1].append(1.0)
    sheets["LabourMarket"][2].append(0.5)
    return write_workbook(tmp_path / "in.xlsx", sheets)


def _sheet(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_risk_writes_the_contract_sheets_and_repeats_with_a_seed(
        workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = []
    for out in ("a", "b"):
        code = main(["risk", str(workbook), "--samples", "300", "--seed", "5",
                     "--out", str(tmp_path / out)])
        assert code == 0
        runs.append(tmp_path / out / "in-risk.xlsx")
    err = capsys.readouterr().err
    assert "simulated 300 times (seed 5)" in err
    site = _sheet(runs[0], "SiteRisk")
    assert site[0] == ("site_id", "country", "go_live", "p_staffed")
    assert [r[:3] for r in site[1:]] == [("S1", "US", "2027-10")]
    assert 0 <= site[1][3] <= 1
    pair = _sheet(runs[0], "PairRisk")
    assert pair[0] == ("country", "role_id", "unmet_p50", "unmet_p90")
    assert [r[:2] for r in pair[1:]] == [("US", "eng"), ("US", "ops")]
    assert all(r[2] <= r[3] for r in pair[1:])
    summary = dict(_sheet(runs[0], "Summary")[1:])
    assert summary["samples"] == 300 and summary["seed"] == 5
    for name in ("SiteRisk", "PairRisk", "GoLiveShortfall"):
        assert _sheet(runs[0], name) == _sheet(runs[1], name)  # the seed repeats the run
    html = (tmp_path / "a" / "in-risk.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in html
    assert "<script>" not in html
    assert 'name="viewport"' in html


def test_risk_of_a_written_plan(workbook: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(workbook), "--out", str(tmp_path / "plan")]) == 0
    plan = tmp_path / "plan" / "in-plan.xlsx"
    assert main(["risk", str(workbook), "--plan", str(plan), "--samples", "200", "--seed", "1",
                 "--out", str(tmp_path / "risk")]) == 0
    summary = dict(_sheet(tmp_path / "risk" / "in-risk.xlsx", "Summary")[1:])
    assert summary["plan"] == "in-plan.xlsx"
    # The same plan solved here gives the same simulation: same actions, same seed.
    assert main(["risk", str(workbook), "--samples", "200", "--seed", "1",
                 "--out", str(tmp_path / "solved")]) == 0
    assert (_sheet(tmp_path / "risk" / "in-risk.xlsx", "SiteRisk")
            == _sheet(tmp_path / "solved" / "in-risk.xlsx", "SiteRisk"))
    capsys.readouterr()


def test_risk_refuses_an_input_workbook_as_the_plan(workbook: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["risk", str(workbook), "--plan", str(workbook), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "this is an input workbook" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
