"""`<stem>-risk.xlsx`: SiteRisk, PairRisk and the go-live shortfalls (spec/cli.md), with
--replan one row per re-planned sample, and a Summary with `samples` and `seed`. Written
with XlsxWriter like the plan (`reports.xlsx.Book`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from staffplan import __version__
from staffplan.reports import tables as rt
from staffplan.reports.xlsx import WORKBOOK_OPTIONS, Book
from staffplan.results.simulate import (
    PAIR_RISK_COLUMNS,
    REPLAN_COLUMNS,
    SHORTFALL_COLUMNS,
    SITE_RISK_COLUMNS,
    RiskResult,
)


def write_risk_xlsx(risk: RiskResult, path: Path) -> None:
    """The whole risk workbook at `path` (a temporary file the job moves into place)."""
    money = rt.excel_money_format(risk.inputs.settings.currency)
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    book = Book(wb)
    book.sheet("SiteRisk").frame(risk.site_risk[SITE_RISK_COLUMNS], {"p_staffed": "0.0%"})
    book.sheet("PairRisk").frame(risk.pair_risk[PAIR_RISK_COLUMNS],
                                 {"unmet_p50": "#,##0.0", "unmet_p90": "#,##0.0"})
    shortfall = (risk.shortfall[SHORTFALL_COLUMNS] if len(risk.shortfall)
                 else pd.DataFrame(columns=SHORTFALL_COLUMNS))
    book.sheet("GoLiveShortfall").frame(shortfall, {"requirement": "#,##0.0",
                                                    "shortfall_p50": "#,##0.0",
                                                    "shortfall_p90": "#,##0.0"})
    if risk.replans is not None:
        book.sheet("Replans").frame(risk.replans[REPLAN_COLUMNS],
                                    {"total_cost": money, "total_hires": "#,##0.0",
                                     "unmet_fte_months": "#,##0.0"})
    book.sheet("Summary").frame(pd.DataFrame(risk.summary_rows(), columns=["key", "value"],
                                             dtype=object))
    wb.set_properties({"title": f"Staffing risk: {risk.inputs.settings.plan_name}",
                       "author": f"staffplan {__version__}"})
    wb.close()
