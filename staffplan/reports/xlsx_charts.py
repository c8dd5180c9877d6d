"""Native Excel charts, drawn from ranges in the `Chart data` sheet so a reader can see
(and re-use) the numbers behind each picture."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from staffplan.reports import tables as rt
from staffplan.reports.xlsx import fit_widths, print_setup, put, style_header
from staffplan.results.tables import PlanResult

CHART_W, CHART_H, ROWS_PER_CHART = 24.0, 7.0, 15
SECTION_FONT = Font(bold=True, size=12, color="1F4E79")


def add_charts(charts: Worksheet, data: Worksheet, result: PlanResult) -> None:
    """Hires per quarter by role, cost per year by country, then headcount against
    requirement for each country."""
    cur = result.inputs.settings.currency
    fte = rt.excel_fte_format(rt.fte_decimals(result))
    put(charts, 1, 1, "Charts (their numbers are on the sheet Chart data)").font = SECTION_FONT
    placed = []
    row = 1

    hires = rt.hires_by_quarter(result)
    pivot = hires.pivot_table(index="quarter", columns="role_name", values="hires",
                              aggfunc="sum", fill_value=0.0).reindex(rt.quarters(result),
                                                                     fill_value=0.0)
    row, ref = _block(data, row, "Hires per quarter (start quarter), by role", "Quarter",
                      pivot, fte)
    placed.append(_bar(ref, "Hires per quarter, by role", "Hires", fte))

    cost = result.costs.pivot_table(index="year", columns="country", values="total",
                                    aggfunc="sum", fill_value=0.0)
    cost.index = [str(y) for y in cost.index]
    row, ref = _block(data, row + 1, f"Cost per year ({cur}), by country", "Year", cost,
                      rt.excel_money_format(cur))
    peak = float(cost.sum(axis=1).max()) if len(cost) else 0.0
    axis = '#,##0,,"m"' if peak >= 5e6 else '#,##0,"k"' if peak >= 5e3 else "#,##0"
    placed.append(_bar(ref, f"Cost per year ({cur}), by country", cur, axis))

    monthly = rt.monthly_by_country(result)
    for country, g in monthly.groupby("country", sort=True):
        frame = g.set_index("month")[["requirement", "headcount", "staffed"]]
        frame.columns = ["Requirement", "Headcount", "Staffed (productive + contractors)"]
        row, ref = _block(data, row + 1, f"{country}: headcount against requirement (FTE)",
                          "Month", frame, fte)
        placed.append(_line(ref, f"{country}: headcount against requirement", fte))

    for i, chart in enumerate(placed):
        chart.width, chart.height = CHART_W, CHART_H
        charts.add_chart(chart, f"A{3 + i * ROWS_PER_CHART}")
        if i % 2 == 1 and i + 1 < len(placed):  # two charts a printed page, never cut
            charts.row_breaks.append(Break(id=2 + (i + 1) * ROWS_PER_CHART))
    print_setup(charts)
    charts.page_margins.top = charts.page_margins.bottom = 0.5
    fit_widths(data, cap=24)
    print_setup(data)


def _block(ws: Worksheet, row: int, title: str, index_name: str, frame, fmt: str):
    """Write a titled table (index as first column); return next row and its ranges."""
    put(ws, row, 1, title).font = SECTION_FONT
    header = row + 1
    cols = [index_name, *[str(c) for c in frame.columns]]
    for i, name in enumerate(cols, start=1):
        put(ws, header, i, name)
    style_header(ws, header, len(cols))
    r = header
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        r += 1
        safe_append_at(ws, r, [str(idx), *values], fmt)
    ref = (ws, header, r, len(cols))
    return r + 1, ref


def safe_append_at(ws: Worksheet, row: int, values, fmt: str) -> None:
    for i, v in enumerate(values, start=1):
        put(ws, row, i, v, fmt if i > 1 else None)


def _refs(ref):
    ws, header, last, ncols = ref
    data = Reference(ws, min_col=2, max_col=ncols, min_row=header, max_row=last)
    cats = Reference(ws, min_col=1, max_col=1, min_row=header + 1, max_row=last)
    return data, cats


def _axes(chart, y_title: str, y_fmt: str) -> None:
    chart.y_axis.title = y_title
    chart.y_axis.numFmt = y_fmt
    # openpyxl >= 3.1 marks axes deleted unless told otherwise; Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _bar(ref, title: str, y_title: str, y_fmt: str) -> BarChart:
    data, cats = _refs(ref)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = title
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    _axes(chart, y_title, y_fmt)
    return chart


def _line(ref, title: str, fmt: str) -> LineChart:
    data, cats = _refs(ref)
    chart = LineChart()
    chart.title = title
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    _axes(chart, "FTE", fmt)
    chart.x_axis.tickLblSkip = 3
    for s in chart.series:
        s.smooth = False
    return chart
