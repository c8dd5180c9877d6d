"""The what-if and risk pages in a real browser: they fit a 375 px phone without sideways
scrolling and their charts load (marker `browser`, as tests/test_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.reports.risk_html import render_risk
from staffplan.reports.scenarios_html import render_scenarios
from staffplan.reports.scenarios_tables import Comparison, Run
from staffplan.results.simulate import (
    RiskResult,
    pair_plans,
    pair_risk,
    shortfall_table,
    simulate,
    site_risk,
)
from test_browser import _show, driver  # noqa: F401 - the session's Chromium

pytestmark = pytest.mark.browser

LONG = "Japan go-live slips six months and Australian supply halves at the same time"


@pytest.fixture(scope="module")
def pages(hostile_lp_result, hostile_result, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("whatif-html")
    comp = Comparison(source=Path("hostile.xlsx"), mode="lp", mip_gap=0.0, runs=[
        Run("baseline", result=hostile_lp_result, prefix="Baseline"),
        Run(LONG, changes=["Sites go_live moved 6 months later where country is JP"] * 3,
            result=hostile_result, prefix="S1"),
        Run("broken", changes=["Budget max_cost set to 1 in every row"],
            reason="No plan meets these budgets " * 5, prefix="S2")])
    inputs = hostile_result.inputs
    sim = simulate(inputs, pair_plans(inputs, hostile_result.hires, hostile_result.headcount),
                   200, 1)
    risk = RiskResult(inputs=inputs, plan_source="solved from the input", samples=200, seed=1,
                      replan=False, site_risk=site_risk(inputs, sim.staffed, 200),
                      pair_risk=pair_risk(sim.unmet),
                      shortfall=shortfall_table(inputs, sim.staffed))
    out = {"scenarios": folder / "s.html", "risk": folder / "r.html"}
    out["scenarios"].write_text(render_scenarios(comp), encoding="utf-8")
    out["risk"].write_text(render_risk(risk), encoding="utf-8")
    return out


@pytest.mark.parametrize("page", ["scenarios", "risk"])
def test_pages_fit_a_phone_and_charts_load(driver, pages, page) -> None:  # noqa: F811
    _show(driver, pages[page], 375)
    inner = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= inner == 375, f"horizontal overflow: {scroll} > {inner}"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth,"
        " i.getBoundingClientRect().right])")
    assert images, "no chart"
    for complete, natural, right in images:
        assert complete and natural > 0
        assert right <= 375
