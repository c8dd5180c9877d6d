"""Native Excel charts, drawn from ranges in the `Chart data` sheet so a reader can see
(and re-use) the numbers behind each picture.

The Charts sheet comes before Chart data in the workbook, so both are laid out
from one list of blocks (`_blocks`, computed once per workbook): each block knows
its rows on Chart data before that sheet is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from staffplan.reports import tables as rt
from staffplan.reports.xlsx_book import Sheet
from staffplan.results.tables import PlanResult

CHART_DATA = "Chart data"
CHART_W, CHART_H, ROWS_PER_CHART = 907, 265, 15  # 24 x 7 cm at 96 dpi
SECTION = {"bold": True, "font_size": 12, "font_color": "#1F4E79"}


@dataclass(frozen=True)
class Block:
    """One titled table on Chart data and the chart drawn from it."""

    title: str  # of the table
    index_name: str
    frame: pd.DataFrame
    fmt: str  # number format of the values
    chart: str  # "bar" (stacked columns) or "line"
    chart_title: str
    y_title: str
    y_fmt: str
    row: int  # 0-based row of the table title on Chart data

    @property
    def header(self) -> int:
        return self.row + 1

    @property
    def last(self) -> int:
        return self.header + len(self.frame)


def _blocks(sh: Sheet, result: PlanResult) -> list[Block]:
    """Hires per quarter by role, cost per year by country, then headcount against
    requirement for each country; one blank row between tables."""
    if "chart_blocks" in sh.book.memo:
        return sh.book.memo["chart_blocks"]
    cur = result.inputs.settings.currency
    fte = rt.excel_fte_format(rt.fte_decimals(result))
    money = rt.excel_money_format(cur)
    blocks: list[Block] = []
    row = 0

    def add(*args: object) -> None:
        nonlocal row
        b = Block(*args, row=row)  # type: ignore[arg-type]
        blocks.append(b)
        row = b.last + 2

    hires = rt.hires_by_quarter(result)
    pivot = hires.pivot_table(index="quarter", columns="role_name", values="hires",
                              aggfunc="sum", fill_value=0.0).reindex(rt.quarters(result),
                                                                     fill_value=0.0)
    add("Hires per quarter (start quarter), by role", "Quarter", pivot, fte, "bar",
        "Hires per quarter, by role", "Hires", fte)

    cost = result.costs.pivot_table(index="year", columns="country", values="total",
                                    aggfunc="sum", fill_value=0.0)
    cost.index = [str(y) for y in cost.index]
    peak = float(cost.sum(axis=1).max()) if len(cost) else 0.0
    axis = '#,##0,,"m"' if peak >= 5e6 else '#,##0,"k"' if peak >= 5e3 else "#,##0"
    add(f"Cost per year ({cur}), by country", "Year", cost, money, "bar",
        f"Cost per year ({cur}), by country", cur, axis)

    monthly = rt.monthly_by_country(result)
    for country, g in monthly.groupby("country", sort=True):
        frame = g.set_index("month")[["requirement", "headcount", "staffed"]]
        frame.columns = ["Requirement", "Headcount", "Staffed (productive + contractors)"]
        add(f"{country}: headcount against requirement (FTE)", "Month", frame, fte, "line",
            f"{country}: headcount against requirement", "FTE", fte)
    sh.book.memo["chart_blocks"] = blocks
    return blocks


def charts_sheet(sh: Sheet, result: PlanResult) -> None:
    """One chart per block, two to a printed page."""
    sh.put(0, 0, "Charts (their numbers are on the sheet Chart data)",
           sh.book.fmt(**SECTION), width=False)
    # A table without series (no hires at all) has nothing to draw.
    blocks = [b for b in _blocks(sh, result) if len(b.frame.columns)]
    breaks = []
    for i, b in enumerate(blocks):
        sh.ws.insert_chart(2 + i * ROWS_PER_CHART, 0, _chart(sh, b))
        if i % 2 == 1 and i + 1 < len(blocks):  # two charts a printed page, never cut
            breaks.append(2 + (i + 1) * ROWS_PER_CHART)
    sh.ws.set_h_pagebreaks(breaks)
    sh.print_setup()
    sh.ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def chart_data_sheet(sh: Sheet, result: PlanResult) -> None:
    """The tables the charts draw: index as first column, one column per series."""
    section = sh.book.fmt(**SECTION)
    for b in _blocks(sh, result):
        sh.put(b.row, 0, b.title, section, width=False)
        sh.header(b.header, [b.index_name, *[str(c) for c in b.frame.columns]])
        fmts = [None] + [sh.book.fmt(b.fmt)] * len(b.frame.columns)
        sh.rows(b.header + 1, (([str(idx), *values], fmts) for idx, values in
                               zip(b.frame.index, b.frame.itertuples(index=False, name=None))))
    sh.fit_widths(cap=24)
    sh.print_setup()


def _chart(sh: Sheet, b: Block):
    ncols = len(b.frame.columns)
    if b.chart == "bar":
        chart = sh.book.wb.add_chart({"type": "column", "subtype": "stacked"})
    else:
        chart = sh.book.wb.add_chart({"type": "line"})
    for c in range(1, ncols + 1):
        series = {"name": [CHART_DATA, b.header, c],
                  "categories": [CHART_DATA, b.header + 1, 0, b.last, 0],
                  "values": [CHART_DATA, b.header + 1, c, b.last, c]}
        if b.chart == "bar":
            series["overlap"] = 100
        chart.add_series(series)
    chart.set_title({"name": b.chart_title})
    chart.set_y_axis({"name": b.y_title, "num_format": b.y_fmt})
    if b.chart == "line":
        chart.set_x_axis({"interval_unit": 3})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": CHART_W, "height": CHART_H})
    return chart
