"""The sheets of the Excel plan written for people: what to do, what it costs, what is at risk.

Every figure comes from `report_tables`, the same tables the HTML report shows,
and is stored unrounded with a number format (whole FTE in integer mode, one
decimal in LP mode; money with its ISO code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from staffplan import __version__
from staffplan.core.months import month_label
from staffplan.reports import tables as rt
from staffplan.reports.since_last import sheet_sections as sections_since_last
from staffplan.reports.xlsx import (
    finish_sheet,
    fit_widths,
    print_setup,
    put,
    safe_append,
    style_header,
    write_table,
)
from staffplan.reports.xlsx_charts import add_charts
from staffplan.results.tables import PlanResult

TITLE_FONT = Font(bold=True, size=16, color="1F4E79")
SECTION_FONT = Font(bold=True, size=12, color="1F4E79")
BOLD = Font(bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
UNMET_FILL = PatternFill("solid", fgColor="F8CBAD")
UNMET_FONT = Font(color="9C0006")
WRAP = Alignment(wrap_text=True, vertical="top")


def add_people_sheets(wb: Workbook, result: PlanResult) -> None:
    """Overview, Charts, Requisitions, Headcount by quarter, Cost by year, Risks,
    Assumptions and the chart data, in reading order."""
    overview(wb.create_sheet("Overview"), result)
    if result.comparison is not None:  # plan --previous
        since_last_plan(wb.create_sheet("Since last plan"), result)
    charts = wb.create_sheet("Charts")
    requisitions(wb.create_sheet("Requisitions"), result)
    headcount(wb.create_sheet("Headcount by quarter"), result)
    costs(wb.create_sheet("Cost by year"), result)
    risks(wb.create_sheet("Risks"), result)
    assumptions(wb.create_sheet("Assumptions"), result)
    add_charts(charts, wb.create_sheet("Chart data"), result)


def _fmts(result: PlanResult) -> tuple[str, str]:
    return rt.excel_fte_format(rt.fte_decimals(result)), \
        rt.excel_money_format(result.inputs.settings.currency)


# --------------------------------------------------------------------------- Overview


def overview(ws: Worksheet, result: PlanResult) -> None:
    s = result.inputs.settings
    fte, money = _fmts(result)
    put(ws, 1, 1, s.plan_name).font = TITLE_FONT
    labels = rt.horizon_labels(result)
    put(ws, 2, 1, f"Hiring plan {labels[0]} to {labels[-1]} ({s.horizon_months} months), "
                  f"made by staffplan {__version__}")
    rows: list[tuple[str, object, str | None]] = [
        ("Status", rt.status_text(result), None),
        (f"Total cost over the horizon ({s.currency})", result.total_cost, money),
        ("People to hire", result.total_hires, fte),
        ("Unmet demand (FTE-months)", result.unmet_fte_months, fte),
        ("Solver", f"{result.solver}, {result.solve_seconds:.1f} s", None),
    ]
    r = _section(ws, 4, "Key figures")
    for label, value, fmt in rows:
        put(ws, r, 1, label).font = BOLD
        put(ws, r, 2, value, fmt)
        r += 1
    by_country = rt.hires_by_country(result)
    r = _table(ws, r + 1, "Hires by country", ["Country", "Hires", "First start", "Last start"],
               by_country.itertuples(index=False, name=None), [None, fte, None, None])
    cov = rt.go_live_coverage(result)
    r = _table(ws, r + 1, "Demand covered when each site goes live",
               ["Site", "Country", "Go-live", "Requirement (FTE)", "Covered"],
               cov[["site_name", "country", "go_live", "requirement", "covered_share"]]
               .itertuples(index=False, name=None), [None, None, None, fte, rt.PCT_FORMAT])
    top = rt.top_supply_pressure(result, 5)
    r = _table(ws, r + 1, "Top labour-market pressures", ["Pressure", f"Saving ({s.currency})"],
               top[["explanation", "value"]].itertuples(index=False, name=None), [None, money],
               wrap_first=True)
    r = _section(ws, r + 1, "Warnings")
    for w in result.warnings or ["None."]:
        put(ws, r, 1, w).alignment = WRAP
        r += 1
    for col, width in zip("ABCDE", (58, 20, 14, 18, 12)):
        ws.column_dimensions[col].width = width
    print_setup(ws)


def _section(ws: Worksheet, row: int, title: str) -> int:
    put(ws, row, 1, title).font = SECTION_FONT
    return row + 1


def _table(ws: Worksheet, row: int, title: str, columns: Sequence[str],
           rows: Iterable[Sequence[object]], formats: Sequence[str | None],
           wrap_first: bool = False) -> int:
    """A titled table inside a sheet; returns the next free row."""
    row = _section(ws, row, title)
    for i, name in enumerate(columns, start=1):
        put(ws, row, i, name)
    style_header(ws, row, len(columns))
    row += 1
    empty = True
    for values in rows:
        empty = False
        for i, (v, fmt) in enumerate(zip(values, formats), start=1):
            cell = put(ws, row, i, v, fmt)
            if wrap_first:
                cell.alignment = WRAP
                if i == 1:  # viewers do not all grow wrapped rows: ~45 characters a line
                    ws.row_dimensions[row].height = 15 * (len(str(v)) // 45 + 1)
        row += 1
    if empty:
        put(ws, row, 1, "None.")
        row += 1
    return row


def since_last_plan(ws: Worksheet, result: PlanResult) -> None:
    """What changed since the previous plan (reports/since_last.py), as text tables."""
    put(ws, 1, 1, "Since the last plan").font = TITLE_FONT
    r = 3
    for title, columns, rows in sections_since_last(result):
        r = _table(ws, r, title, columns, rows, [None] * len(columns)) + 1
    fit_widths(ws, skip_rows=2, cap=60)
    print_setup(ws)


# --------------------------------------------------------------------------- action and tables


def requisitions(ws: Worksheet, result: PlanResult) -> None:
    fte, money = _fmts(result)
    cur = result.inputs.settings.currency
    req = rt.requisitions(result)
    cols = ["Open requisition", "Start month", "Country", "Role", "Role id", "Pay point",
            "Hires", "Annual salary", "Currency", f"Annual salary ({cur})"]
    safe_append(ws, cols)
    style_header(ws, 1, len(cols))
    for rec in req.itertuples(index=False):
        r = safe_append(ws, [rec.requisition_month, rec.start_month, rec.country, rec.role_name,
                             rec.role_id, rec.pay_point, rec.hires, rec.annual_salary,
                             rec.currency, rec.annual_salary_reporting])
        ws.cell(r, 7).number_format = fte
        ws.cell(r, 8).number_format = rt.excel_money_format(rec.currency)
        ws.cell(r, 10).number_format = money
    finish_sheet(ws, 1, len(cols), ws.max_row)


def headcount(ws: Worksheet, result: PlanResult) -> None:
    fte, _ = _fmts(result)
    hq = rt.headcount_by_quarter(result)
    cols = ["Country", "Role", "Quarter", "As of", "Requirement", "Headcount", "Productive",
            "Contractors", "Hires", "Unmet FTE-months"]
    keys = ["country", "role_name", "quarter", "as_of", "requirement", "headcount",
            "productive", "contractors", "hires", "unmet_fte_months"]
    last = write_table(ws, cols, hq[keys].itertuples(index=False, name=None),
                       {c: fte for c in cols[4:]})
    # Highlight what a reader would see as unmet: at least half the shown precision.
    threshold = 0.5 if rt.fte_decimals(result) == 0 else 0.05
    if last > 1:
        ws.conditional_formatting.add(
            f"A2:J{last}", FormulaRule(formula=[f"$J2>={threshold}"], fill=UNMET_FILL,
                                       font=UNMET_FONT))
    put(ws, last + 2, 1, "Staff figures are at the end of each quarter (the last horizon "
                         "month, column As of); hires and unmet FTE-months add up over the "
                         "quarter. Rows with unmet demand are highlighted.")


def costs(ws: Worksheet, result: PlanResult) -> None:
    _, money = _fmts(result)
    c = rt.costs_by_year(result)
    cols = ["Country", "Year", "Salaries", "Contractors", "Hiring", "Moves", "Separations",
            "Total"]
    last = write_table(ws, cols, c.itertuples(index=False, name=None),
                       {k: money for k in cols[2:]})
    for r in range(2, last + 1):
        if ws.cell(r, 1).value == "All":
            for col in range(1, len(cols) + 1):
                ws.cell(r, col).font = BOLD
                ws.cell(r, col).fill = TOTAL_FILL
    put(ws, last + 2, 1, f"Money in {result.inputs.settings.currency}, horizon months only; "
                         "rows 'All' add up the countries of each year.")


def risks(ws: Worksheet, result: PlanResult) -> None:
    fte, _ = _fmts(result)
    g = rt.risk_groups(result)
    cols = ["Country", "Role", "Why unmet", "From", "To", "Months", "Unmet FTE-months",
            "Peak unmet (FTE)", "Detail"]
    keys = ["country", "role_name", "why", "first_month", "last_month", "months",
            "unmet_fte_months", "peak_unmet", "detail"]
    write_table(ws, cols, g[keys].itertuples(index=False, name=None),
                {"Unmet FTE-months": fte, "Peak unmet (FTE)": fte})


# --------------------------------------------------------------------------- Assumptions


def assumptions(ws: Worksheet, result: PlanResult) -> None:
    inputs = result.inputs
    s = inputs.settings
    put(ws, 1, 1, "Assumptions: the key inputs of this plan").font = TITLE_FONT
    r = _table(ws, 3, "Input and settings", ["Setting", "Value"], [
        ("input file", inputs.source.name if inputs.source else ""),
        ("input SHA-256", inputs.sha256),
        ("plan_name", s.plan_name),
        ("horizon_start", month_label(s.horizon_start)),
        ("horizon_months", s.horizon_months),
        ("currency", s.currency),
        ("unmet_penalty", s.unmet_penalty),
        ("fte_per_24x7_post", s.fte_per_24x7_post),
        ("severance_months", s.severance_months),
        ("supply_window_months", s.supply_window_months),
        ("lookahead_months", s.lookahead_months),
        ("integer_hires", "yes" if s.integer_hires else "no"),
        ("plan mode", result.mode.value),
        ("time_limit_s", s.time_limit_s),
        ("mip_gap", s.mip_gap),
    ], [None, "General"])
    r = _table(ws, r + 1, "Sites", ["Site id", "Site", "Country", "IT MW", "Deal start",
                                    "Construction start", "Commissioning start", "Go-live",
                                    "MW ramp months"],
               [(x.site_id, x.site_name, x.country, x.it_mw, month_label(x.deal_start),
                 month_label(x.construction_start), month_label(x.commissioning_start),
                 month_label(x.go_live), x.mw_ramp_months) for x in inputs.sites],
               [None, None, None, "General", None, None, None, None, "General"])
    r = _table(ws, r + 1, "Roles", ["Role id", "Role", "Family", "Ramp months",
                                    "Contractors allowed", "Contractor premium",
                                    "Max contractor share"],
               [(x.role_id, x.role_name, x.family, x.ramp_months,
                 "yes" if x.contractor_allowed else "no", x.contractor_premium,
                 x.max_contractor_share) for x in inputs.roles.values()],
               [None, None, None, "0", None, "0.00", rt.PCT_FORMAT])
    market_rows = []
    for (c, role), m in sorted(inputs.markets.items()):
        b = inputs.bands.get((c, role))
        market_rows.append((c, role, b.currency if b else "", b.band_min if b else None,
                            b.band_mid if b else None, b.band_max if b else None,
                            m.starting_headcount, m.time_to_fill_months, m.supply_at_min,
                            m.supply_at_mid, m.supply_at_max, m.annual_attrition_pct))
    r = _table(ws, r + 1, "Labour markets and pay bands (annual base pay, band currency)",
               ["Country", "Role id", "Currency", "Band min", "Band mid", "Band max",
                "Starting headcount", "Time to fill (months)", "Supply at min (a month)",
                "Supply at mid", "Supply at max", "Attrition a year"], market_rows,
               [None, None, None, "#,##0", "#,##0", "#,##0", "General", "0", "General", "General",
                "General", "0%"])
    r = _table(ws, r + 1, f"Exchange rates ({s.currency} per unit)", ["Currency", "Rate"],
               sorted(inputs.fx.items()), [None, "General"])
    if inputs.budgets:
        r = _table(ws, r + 1, f"Budgets ({s.currency})", ["Budget", "Max cost"],
                   [(b.label, b.max_cost) for b in inputs.budgets],
                   [None, rt.excel_money_format(s.currency)])
    fit_widths(ws, skip_rows=2, cap=40)
    ws.column_dimensions["A"].width = 24
    print_setup(ws)

