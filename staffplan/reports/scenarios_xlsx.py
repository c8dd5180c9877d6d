"""`<stem>-scenarios.xlsx`: the scenarios side by side, then every plan's contract sheets.

Sheets: `Scenarios` (spec/cli.md: totals and their differences from the baseline),
`GoLive` (coverage at each site's go-live per plan), `Budgets` (each Budget row per plan,
when the workbook has budgets), then for the baseline and each scenario its own contract
sheets (`reports.xlsx.CONTRACT_SHEETS`: Summary, Hires, Headcount, Costs, Pressure), named
with the plan's prefix (`Baseline Hires`, `S1 JP go-live slips Hires`), so any scenario can
be audited. Written with XlsxWriter like the plan (`reports.xlsx.Book`).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from staffplan import __version__
from staffplan.reports import tables as rt
from staffplan.reports.scenarios_tables import (
    BUDGET_COLUMNS,
    GO_LIVE_COLUMNS,
    SCENARIO_COLUMNS,
    Comparison,
    budget_table,
    go_live_table,
    scenario_table,
)
from staffplan.reports.xlsx import CONTRACT_SHEETS, WORKBOOK_OPTIONS, Book


def write_scenarios_xlsx(comp: Comparison, path: Path) -> None:
    """The whole comparison workbook at `path` (a temporary file the job moves into place)."""
    currency = next((r.result.inputs.settings.currency for r in comp.runs
                     if r.result is not None), "")
    money = rt.excel_money_format(currency) if currency else "#,##0"
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    book = Book(wb)
    formats = {c: money for c in ("objective", "total_cost", "d_total_cost")}
    formats.update({c: "#,##0.0" for c in ("unmet_fte_months", "total_hires",
                                           "d_unmet_fte_months", "d_total_hires")})
    formats["mip_gap"] = "0.00%"
    book.sheet("Scenarios").frame(scenario_table(comp)[SCENARIO_COLUMNS], formats)
    book.sheet("GoLive").frame(go_live_table(comp)[GO_LIVE_COLUMNS],
                               {"requirement": "#,##0.0", "covered_share": rt.PCT_FORMAT,
                                "d_covered_share": "+0%;-0%;0%"})
    budgets = budget_table(comp)
    if len(budgets):
        book.sheet("Budgets").frame(budgets[BUDGET_COLUMNS],
                                    {"max_cost": money, "spent": money, "headroom": money,
                                     "marginal_value": "#,##0.00"})
    for run in comp.runs:
        if run.result is None:
            continue
        for spec in CONTRACT_SHEETS:
            df = spec.frame(run.result)
            if df is not None:
                book.sheet(f"{run.prefix} {spec.name}").frame(df, spec.formats)
    wb.set_properties({"title": f"Scenarios compared: {comp.source.name}",
                       "author": f"staffplan {__version__}"})
    wb.close()
