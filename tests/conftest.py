"""Shared fixtures: plans solved once per test session.

- `hostile_result`: a tiny two-country plan whose free-text names (plan, site,
  role) hold HTML, `&`, quotes and formula-looking text, with unmet demand
  (time to fill and supply) so every report section has something to show.
- `example_lp_result`: the shipped example workbook, planned once for the whole
  session in LP mode (integer mode runs to its 60 s time limit, too slow to repeat
  here; the integer-mode formats are checked on `hostile_result`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from staffplan.core.months import month_index
from staffplan.core.resources import example_workbook
from staffplan.inputs.data import Band, Inputs, Market, Role, Settings, Site, StaffingRow
from staffplan.inputs.demand import requirement_for
from staffplan.jobs.plan import solve_inputs
from staffplan.results.tables import PlanResult

EXAMPLE_INPUT = example_workbook()

# Real clients some tests drive (testing.md). Without them a contributor sees those tests
# SKIPPED with the reason; `.ci/run` sets STAFFPLAN_REQUIRE_REAL_CLIENTS=1, which makes a
# missing client a failure, so CI can never pass by skipping them.
REAL_CLIENTS = {
    "browser": (("/usr/bin/chromium", "/usr/bin/chromedriver"),
                "Debian packages chromium and chromium-driver"),
    "libreoffice": (("soffice", "pdfinfo", "pdftoppm"),
                    "Debian packages libreoffice-calc-nogui and poppler-utils"),
}
REQUIRE_ENV = "STAFFPLAN_REQUIRE_REAL_CLIENTS"


def missing_clients(marker: str) -> list[str]:
    """The programs a `marker` test needs that this machine lacks."""
    programs, _ = REAL_CLIENTS[marker]
    return [p for p in programs if shutil.which(p) is None]


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in REAL_CLIENTS:
        if item.get_closest_marker(marker) is None:
            continue
        missing = missing_clients(marker)
        if not missing:
            continue
        reason = (f"needs {', '.join(missing)} (install {REAL_CLIENTS[marker][1]}; "
                  f".ci/run does)")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRE_ENV}=1 makes this a failure", pytrace=False)
        pytest.skip(reason)


HOSTILE_PLAN = '<script>alert(1)</script> Plan "A" & \'B\''
HOSTILE_SITE = '<img src=x onerror=alert(2)> Tokyo "1" & Co'
FORMULA_ROLE = "=HYPERLINK(\"http://x\",\"y\")"
MINUS_ROLE = "-Ops & <b>Night</b>"


def hostile_inputs(integer: bool = True) -> Inputs:
    """Two countries (US in USD, JP in JPY), two roles, one site each, a tight JP market.

    time_limit_s 120: the plan and the counterfactual solves of its reasons share it, and a
    busy test machine must not cut them short (the report would then say so)."""
    start = month_index(2027, 1)
    settings = Settings(plan_name=HOSTILE_PLAN, horizon_start=start, horizon_months=12,
                        currency="USD", unmet_penalty=40_000, lookahead_months=3,
                        integer_hires=integer, time_limit_s=120, mip_gap=0.0)
    roles = [Role("eng", FORMULA_ROLE, "engineering", 2, True, 1.5, 0.25),
             Role("ops", MINUS_ROLE, "operations", 1, False, 1.5, 0.0)]
    sites = [Site("US1", "Ashburn & <Loudoun>", "US", 40, start - 3, start, start + 3,
                  start + 6, 3),
             Site("JP1", HOSTILE_SITE, "JP", 30, start, start + 2, start + 5, start + 8, 0)]
    staffing = [StaffingRow("eng", "construction", 2, 0.05), StaffingRow("eng", "commissioning", 3),
                StaffingRow("eng", "operations", 1, 0.05),
                StaffingRow("ops", "commissioning", 1), StaffingRow("ops", "operations", 0, 0.1, 1)]
    bands = [Band("US", "eng", "USD", 110_000, 130_000, 160_000, 0.25, 0.03),
             Band("US", "ops", "USD", 55_000, 65_000, 80_000, 0.25, 0.03),
             Band("JP", "eng", "JPY", 9_000_000, 11_000_000, 14_000_000, 0.2, 0.02),
             Band("JP", "ops", "JPY", 4_500_000, 5_500_000, 7_000_000, 0.2, 0.02)]
    markets = [Market("US", "eng", 2, 2, 1, 0.5, 0.5, 0.12, 15_000),
               Market("US", "ops", 0, 1, 2, 1, 1, 0.15, 5_000),
               Market("JP", "eng", 0, 4, 1, 0, 0, 0.10, 2_000_000),
               Market("JP", "ops", 0, 3, 1, 1, 1, 0.12, 800_000)]
    inputs = Inputs(settings=settings, sites=sites, roles={r.role_id: r for r in roles},
                    staffing=staffing, bands={(b.country, b.role_id): b for b in bands},
                    markets={(m.country, m.role_id): m for m in markets},
                    fx={"JPY": 0.0068}, source=Path("hostile & <input>.xlsx"),
                    sha256="ab" * 32, warnings=["=SUM(A1) looks like a formula & <b>bold</b>"])
    inputs.requirement = requirement_for(inputs)
    return inputs


@pytest.fixture(scope="session")
def hostile_result() -> PlanResult:
    return solve_inputs(hostile_inputs(), lp=False)


@pytest.fixture(scope="session")
def hostile_lp_result() -> PlanResult:
    return solve_inputs(hostile_inputs(integer=False), lp=True)


@pytest.fixture(scope="session")
def example_inputs() -> Inputs:
    from staffplan.inputs.reader import read_workbook

    return read_workbook(EXAMPLE_INPUT)


@pytest.fixture(scope="session")
def example_lp_result(example_inputs: Inputs) -> PlanResult:
    return solve_inputs(example_inputs, lp=True)
