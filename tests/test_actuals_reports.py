"""Actuals out: the InFlight and Hires contract sheets and the people's "requisitions in
flight" section, on the hand-derived case of tests/test_model_actuals.py (three open
requisitions R3, R10, R2 of which the plan keeps R10 and R2, plus one accepted offer)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cases import extra, label, make_inputs, market, requisition
from staffplan.jobs.plan import plan_summary
from staffplan.reports.html import render_report
from staffplan.reports.xlsx import write_plan_xlsx
from staffplan.results.tables import HIRES_COLUMNS, INFLIGHT_COLUMNS
from test_model_cases import solve


@pytest.fixture(scope="module")
def result():
    """Demand 3 FTE t=0..5, time to fill 2: the accepted offer A1 (t=0) and two of the three
    open requisitions at t=0 cover it (3 * 60,000 + 3 * 5,000 = 195,000); R3 is cancelled."""
    reqs = [requisition(q, "open", 0) for q in ("R3", "R10", "R2")]
    reqs.append(requisition("A1", "offer_accepted", 0))
    inputs = make_inputs(markets=[market(ttf=2, cost_per_hire=5_000)], extras=[extra(0, 5, 3)],
                         requisitions=reqs)
    r = solve(inputs)
    assert r.objective == pytest.approx(195_000, rel=1e-9)
    return r


def sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_contract_sheets(result, tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_plan_xlsx(result, path)
    wb = openpyxl.load_workbook(path)
    assert sheet_rows(wb["InFlight"]) == [
        INFLIGHT_COLUMNS,
        ["R3", "US", "eng", "mid", label(0), "open", "cancel"],
        ["R10", "US", "eng", "mid", label(0), "open", "keep"],
        ["R2", "US", "eng", "mid", label(0), "open", "keep"],
        ["A1", "US", "eng", "mid", label(0), "offer_accepted", "fixed"],
    ]
    hires = sheet_rows(wb["Hires"])
    assert hires[0] == HIRES_COLUMNS
    got = sorted((h[HIRES_COLUMNS.index("source")], h[HIRES_COLUMNS.index("hires")],
                  h[HIRES_COLUMNS.index("requisition_month")]) for h in hires[1:])
    assert got == [("accepted", 1, None), ("open", 2, None)]  # blank requisition_month
    summary = dict(sheet_rows(wb["Summary"])[1:])
    assert summary["total_hires"] == 3
    assert summary["releases"] == "when_demand_falls"


def test_people_see_what_to_cancel_and_counts_apart(result, tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_plan_xlsx(result, path)
    text = " ".join(str(v) for row in sheet_rows(openpyxl.load_workbook(path)[
        "Requisitions in flight"]) for v in row if v is not None)
    assert "Cancel R3: Eng in US at band mid, due to start 2026-01." in text
    assert "Keep R10, starting 2026-01." in text
    assert "Offer accepted: A1 starts 2026-01." in text
    html = render_report(result)
    assert "Requisitions in flight" in html
    assert ("Of 3 open requisitions, keep 2 and cancel 1. 1 accepted offer starts as agreed. "
            "Besides these, open requisitions for 0 new hires over the horizon.") in html
    assert "Cancel R3: Eng in US at band mid, due to start 2026-01." in html
    assert "Requisitions in flight: keep 2, cancel 1, accepted offers 1" in plan_summary(result, 1)


def test_no_requisitions_no_section(tmp_path: Path) -> None:
    r = solve(make_inputs(extras=[extra(0, 5, 1)]))
    assert r.inflight.empty
    path = tmp_path / "plan.xlsx"
    write_plan_xlsx(r, path)
    names = openpyxl.load_workbook(path).sheetnames
    assert "InFlight" not in names and "Requisitions in flight" not in names
    assert "Requisitions in flight" not in render_report(r)
    assert list(r.hires["source"]) == ["new"]
