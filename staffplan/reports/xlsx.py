"""The Excel plan: sheets for people first, then the machine-readable contract sheets.

Written with XlsxWriter in `constant_memory` mode: each row goes to disk as soon
as the next one starts, so every sheet is written top to bottom (openpyxl, which
the reader still uses, kept every cell as an object and spent most of the
plan's writing time in `save`).

Adding a sheet:

- a contract sheet (spec/workbook.md: header in row 1, one row per key,
  unrounded values) is one `ContractSheet` in `CONTRACT_SHEETS`: its name, a
  function from the result to a DataFrame (or None to leave the sheet out) and
  optional number formats by column;
- a people sheet is one `PeopleSheet(name, function, when)` in
  `staffplan.reports.xlsx_people.PEOPLE_SHEETS`; the function gets a `Sheet`
  (`reports.xlsx_book`; 0-based rows and columns, as XlsxWriter counts) and the result, `when` says
  whether the result has the sheet.

Every text value is written as a text cell (`write_string`, or for the rows of a
big table the same inline-string XML written directly, `reports.xlsx_book`), so
text starting with `=`, `+`, `-`, `@`, a tab or a carriage return stays text
(`core.xlsx_text`); nothing in this module writes a formula.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.reports.tables import pressure_explained
from staffplan.reports.xlsx_book import WORKBOOK_OPTIONS, Book
from staffplan.reports.xlsx_people import PEOPLE_SHEETS
from staffplan.results.budgets import BUDGET_COLUMNS
from staffplan.results.changes import CHANGES_COLUMNS
from staffplan.results.tables import (
    COSTS_COLUMNS,
    HEADCOUNT_COLUMNS,
    HIRES_COLUMNS,
    INFLIGHT_COLUMNS,
    PRESSURE_COLUMNS,
    RISK_COLUMNS,
    PlanResult,
)

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ContractSheet:
    """One machine-readable sheet: its table comes from the result (None: not written)."""

    name: str
    frame: Callable[[PlanResult], pd.DataFrame | None]
    formats: Mapping[str, str] = field(default_factory=dict)


def _summary(result: PlanResult) -> pd.DataFrame:
    return pd.DataFrame(result.summary_rows(), columns=["key", "value"], dtype=object)


def _pressure(result: PlanResult) -> pd.DataFrame:
    return pressure_explained(result)[PRESSURE_COLUMNS + ["explanation"]]


CONTRACT_SHEETS: list[ContractSheet] = [
    ContractSheet("Summary", _summary),
    ContractSheet("Hires", lambda r: r.hires[HIRES_COLUMNS]),
    ContractSheet("Headcount", lambda r: r.headcount[HEADCOUNT_COLUMNS]),
    ContractSheet("Costs", lambda r: r.costs[COSTS_COLUMNS]),
    ContractSheet("Risks", lambda r: r.risks[RISK_COLUMNS]),  # only its header when none
    ContractSheet("Budgets", lambda r: r.budgets[BUDGET_COLUMNS] if r.inputs.budgets else None),
    ContractSheet("Pressure", _pressure),
    # when the input has Requisitions rows
    ContractSheet("InFlight", lambda r: None if r.inflight.empty
                  else r.inflight[INFLIGHT_COLUMNS]),
    # with `plan --previous`
    ContractSheet("Changes", lambda r: None if r.comparison is None
                  else r.comparison.changes[CHANGES_COLUMNS]),
]


# --------------------------------------------------------------------------- the workbook


def write_plan_xlsx(result: PlanResult, path: Path) -> None:
    """Write the whole plan workbook; atomic, so a failure leaves any old file untouched."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        book = Book(wb)
        for people in PEOPLE_SHEETS:
            if people.when(result):
                people.write(book.sheet(people.name), result)
        for spec in CONTRACT_SHEETS:
            df = spec.frame(result)
            if df is not None:
                book.sheet(spec.name).frame(df, spec.formats)
        wb.set_properties({"title": f"Staffing plan: {result.inputs.settings.plan_name}",
                           "author": f"staffplan {__version__}", "subject": "Hiring plan"})
        # On an error above the workbook is never closed: nothing is written, and its
        # row files (temporary files) go with it.
        wb.close()
    log.info("wrote %s", path)
