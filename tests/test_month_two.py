"""The shipped month-two example: plan month one, then month two against it (README,
"Month by month"), and the Changes sheet is the two plans' own sheets side by side."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from staffplan.cli import main
from staffplan.core.months import month_index
from staffplan.core.resources import example_workbook
from staffplan.inputs.reader import read_workbook
from staffplan.inputs.template import write_input_workbook
from staffplan.results.changes import CHANGES_COLUMNS

MONTH_ONE = example_workbook()
MONTH_TWO = example_workbook("apac_expansion_2027-02.xlsx")
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "month_two.py"


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, dtype={"month": str, "start_month": str})


def test_month_two_is_one_month_on_with_actuals_and_a_slipped_site():
    one, two = read_workbook(MONTH_ONE), read_workbook(MONTH_TWO)
    assert two.settings.horizon_start == one.settings.horizon_start + 1
    assert two.settings.horizon_months == one.settings.horizon_months
    slipped = {s.site_id: (s.go_live, t.go_live) for s, t in zip(one.sites, two.sites)
               if s.go_live != t.go_live}
    assert slipped == {"JP_INZ1": (month_index(2028, 4), month_index(2028, 7))}
    wb = openpyxl.load_workbook(MONTH_TWO, read_only=True)
    statuses = [r[4] for r in wb["Requisitions"].iter_rows(min_row=2, values_only=True)]
    roster = list(wb["Roster"].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert "open" in statuses and "offer_accepted" in statuses
    notes = [r[5] for r in roster]
    assert sum("left in January" in (n or "") for n in notes) == 2  # the attrition


def test_the_script_rebuilds_month_two_from_month_ones_plan(tmp_path):
    """The script's rules on a small stand-in for month one's plan: January's new
    requisitions become open requisitions, kept ones stay (the first open one now accepted),
    cancelled ones go; a January start joins the roster, still ramping."""
    spec = importlib.util.spec_from_file_location("month_two", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["month_two"] = mod
    spec.loader.exec_module(mod)
    hires = pd.DataFrame([
        ("US", "dc_operator", "min", "2027-01", "2027-03", 2.0, "new"),
        ("AU", "dc_operator", "mid", "2026-11", "2027-01", 1.0, "new"),
        ("US", "dc_operator", "min", "", "2027-02", 2.0, "accepted"),
    ], columns=["country", "role_id", "pay_point", "requisition_month", "start_month", "hires",
                "source"])
    inflight = pd.DataFrame([
        ("US-OPS-0412", "2027-02", "offer_accepted", "fixed"),
        ("US-OPS-0415", "2027-02", "offer_accepted", "fixed"),
        ("US-EE-0107", "2027-03", "open", "keep"),
        ("US-EE-0111", "2027-03", "open", "keep"),
        ("US-DS-0021", "2027-02", "open", "cancel"),
        ("AU-OPS-0031", "2027-03", "open", "keep"),
    ], columns=["req_id", "start_month", "status", "decision"])
    content = mod.month_two_content(hires, inflight)
    reqs = {r["req_id"]: r["status"] for r in content["Requisitions"]}
    assert "US-DS-0021" not in reqs
    assert reqs["US-OPS-0412"] == "offer_accepted"
    # earliest open by start month, then req_id: AU-OPS-0031 (2027-03) before US-EE-0107
    assert reqs["AU-OPS-0031"] == "offer_accepted" and reqs["US-EE-0107"] == "open"
    new = [r for r in content["Requisitions"] if r["notes"].startswith("opened in January")]
    assert [(r["country"], r["status"], r["start_month"].month) for r in new] == \
        [("US", "open", 3), ("US", "open", 3)]
    ramping = [r for r in content["Roster"] if r["start_month"] is not None
               and r["start_month"].year == 2027]
    assert [(r["country"], r["headcount"]) for r in ramping] == [("AU", 1.0)]
    path = tmp_path / "m2.xlsx"
    write_input_workbook(path, content, ())
    read_workbook(path)  # the result is a valid workbook


def test_plan_month_one_then_month_two_against_it(tmp_path, capsys):
    """The README's two commands (in LP mode, to keep the test short): the Changes sheet has
    one row per pair and each of the 47 months both plans cover, and each figure is the two
    plans' own Hires (summed over pay points and sources, by start month) and Headcount."""
    out = tmp_path / "reports"
    assert main(["plan", str(MONTH_ONE), "--out", str(out), "--lp"]) == 0
    plan1 = out / "apac_expansion-plan.xlsx"
    assert main(["plan", str(MONTH_TWO), "--out", str(out), "--lp",
                 "--previous", str(plan1)]) == 0
    plan2 = out / "apac_expansion_2027-02-plan.xlsx"
    assert "Since apac_expansion-plan.xlsx" in capsys.readouterr().err

    changes = _sheet(plan2, "Changes")
    assert list(changes.columns) == CHANGES_COLUMNS
    head1, head2 = _sheet(plan1, "Headcount"), _sheet(plan2, "Headcount")
    months = sorted(set(head1["month"]) & set(head2["month"]))
    assert len(months) == 47 and months[0] == "2027-02"
    pairs = set(zip(head1["country"], head1["role_id"])) | set(zip(head2["country"],
                                                                   head2["role_id"]))
    assert len(changes) == len(pairs) * len(months)
    assert set(changes["month"]) == set(months)
    for side, plan, head in (("before", plan1, head1), ("after", plan2, head2)):
        hires = _sheet(plan, "Hires").groupby(["country", "role_id", "start_month"])["hires"].sum()
        got = changes.set_index(["country", "role_id", "month"])
        want_hires = [hires.get(k, 0.0) for k in got.index]
        assert got[f"hires_{side}"].to_numpy() == pytest.approx(want_hires, abs=1e-9)
        h = head.set_index(["country", "role_id", "month"]).reindex(got.index).fillna(0.0)
        assert got[f"headcount_{side}"].to_numpy() == pytest.approx(h["headcount"].to_numpy())
        assert got[f"unmet_{side}"].to_numpy() == pytest.approx(h["unmet"].to_numpy())
    assert (changes["hires_before"] != changes["hires_after"]).any()  # something moved
    summary = _sheet(plan2, "Summary").set_index("key")["value"]
    assert summary["previous_plan"] == "apac_expansion-plan.xlsx"
