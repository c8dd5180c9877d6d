"""Small input workbooks for tests, built from plain rows so a test can break one thing.

`minimal_sheets()` is a valid plan small enough to work out by hand:

- horizon 2027-01 .. 2027-12 (12 months), look-ahead 0, fte_per_24x7_post 5;
- one site `S1` in `US`, 10 MW: deal 2027-01, construction 2027-03,
  commissioning 2027-07, go-live 2027-10, no MW ramp;
- role `eng`: deal 1 per site; construction 2 per site + 0.1 per MW
  -> 1, 1, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0
- role `ops`: commissioning 1 per site; operations 1 post 24x7 (x5) + 0.2 per MW
  -> 0, 0, 0, 0, 0, 0, 1, 1, 1, 7, 7, 7

`MINIMAL_REQUIREMENT` holds those two series. Rows are lists: row 0 is the
header, so data row i of a sheet is worksheet row i + 1 (row 2 is the first
record). Settings is a key/value sheet with a `key`, `value` header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

Rows = list[list[Any]]

MINIMAL_REQUIREMENT: dict[tuple[str, str], list[float]] = {
    ("US", "eng"): [1, 1, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0],
    ("US", "ops"): [0, 0, 0, 0, 0, 0, 1, 1, 1, 7, 7, 7],
}


def minimal_sheets() -> dict[str, Rows]:
    """A fresh copy of the minimal valid input (mutate it freely)."""
    return {
        "Settings": [
            ["key", "value"],
            ["plan_name", "Minimal plan"],
            ["horizon_start", "2027-01"],
            ["horizon_months", 12],
            ["currency", "USD"],
            ["unmet_penalty", 50000],
            ["fte_per_24x7_post", 5],
            ["lookahead_months", 0],
        ],
        "Sites": [
            ["site_id", "site_name", "country", "it_mw", "deal_start", "construction_start",
             "commissioning_start", "go_live", "mw_ramp_months"],
            ["S1", "Site one", "US", 10, "2027-01", "2027-03", "2027-07", "2027-10", 0],
        ],
        "Roles": [
            ["role_id", "role_name", "family", "ramp_months", "contractor_allowed",
             "contractor_premium", "max_contractor_share"],
            ["eng", "Engineer", "engineering", 1, "yes", 1.5, 0.5],
            ["ops", "Operator", "operations", 0, "no", 1.5, 0],
        ],
        "Staffing": [
            ["role_id", "phase", "per_site", "per_mw", "posts_24x7"],
            ["eng", "deal", 1, 0, 0],
            ["eng", "construction", 2, 0.1, 0],
            ["ops", "commissioning", 1, 0, 0],
            ["ops", "operations", 0, 0.2, 1],
        ],
        "SalaryBands": [
            ["country", "role_id", "currency", "band_min", "band_mid", "band_max", "on_cost_pct",
             "annual_increase_pct"],
            ["US", "eng", "USD", 120000, 140000, 160000, 0.25, 0.03],
            ["US", "ops", "USD", 60000, 70000, 80000, 0.25, 0.03],
        ],
        "LabourMarket": [
            ["country", "role_id", "starting_headcount", "time_to_fill_months", "supply_at_min",
             "supply_at_mid", "supply_at_max", "annual_attrition_pct", "cost_per_hire"],
            ["US", "eng", 0, 1, 2, 1, 1, 0.1, 10000],
            ["US", "ops", 0, 1, 3, 2, 1, 0.15, 5000],
        ],
    }


def write_workbook(path: Path | str, sheets: dict[str, Rows]) -> Path:
    """Write `sheets` (sheet name -> rows) to an .xlsx at `path` with openpyxl."""
    path = Path(path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path
