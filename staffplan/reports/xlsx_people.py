"""The sheets of the Excel plan written for people: what to do, what it costs, what is at risk.

Every figure comes from `reports.tables`, the same tables the HTML report uses,
and is stored unrounded with a number format (whole FTE in integer mode, one
decimal in LP mode; money with its ISO code).

A sheet is a function `(Sheet, PlanResult) -> None` listed in `PEOPLE_SHEETS`, in
reading order. Rows and columns are 0-based (XlsxWriter's), and each sheet is
written top to bottom (`constant_memory`, see `reports.xlsx`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from staffplan import __version__
from staffplan.core.months import month_label
from staffplan.reports import story
from staffplan.reports import tables as rt
from staffplan.reports.in_flight import sheet_sections as sections_in_flight
from staffplan.reports.since_last import sheet_sections as sections_since_last
from staffplan.reports.xlsx_book import PeopleSheet, Sheet
from staffplan.reports.xlsx_charts import chart_data_sheet, charts_sheet
from staffplan.results.tables import PlanResult

BLUE = "#1F4E79"
TITLE = {"bold": True, "font_size": 16, "font_color": BLUE}
SECTION = {"bold": True, "font_size": 12, "font_color": BLUE}
BOLD = {"bold": True}
TOTAL = {"bold": True, "bg_color": "#DDEBF7"}
UNMET = {"bg_color": "#F8CBAD", "font_color": "#9C0006"}
WRAP = {"text_wrap": True, "valign": "top"}


def _fmts(result: PlanResult) -> tuple[str, str]:
    return rt.excel_fte_format(rt.fte_decimals(result)), \
        rt.excel_money_format(result.inputs.settings.currency)


# --------------------------------------------------------------------------- Overview


def overview(sh: Sheet, result: PlanResult) -> None:
    """The report's first screen (reports.story), then the key figures and every site at
    go-live: a lead forwarding the plan finds the same decision the executive reads."""
    s = result.inputs.settings
    fmt = sh.book.fmt
    fte, money = _fmts(result)
    cur = s.currency
    sh.put(0, 0, s.plan_name, fmt(**TITLE))
    labels = rt.horizon_labels(result)
    sh.put(1, 0, f"Hiring plan {labels[0]} to {labels[-1]} ({s.horizon_months} months), "
                 f"made by staffplan {__version__}")
    d = story.decision(result)
    span = story.month_span(d.first, d.last)
    r = section(sh, 3, "To approve now")
    if rt.shows_nonzero(d.hires, rt.fte_decimals(result)):
        sh.put(r, 0, f"Open {rt.fmt_fte(d.hires, rt.fte_decimals(result))} requisitions, "
                     f"{span}; they add {rt.money_short(d.annual_cost, cur)} a year in pay and "
                     "on-costs (the Requisitions sheet lists them).", fmt(**BOLD))
        r = table(sh, r + 1, f"Requisitions to open {span}, by country",
                  ["Country", "Requisitions", f"Annual cost ({cur})"],
                  [(c.country, c.hires, c.annual_cost) for c in d.countries],
                  [None, fte, money])
    else:
        sh.put(r, 0, f"No new requisitions to open {span}.", fmt(**BOLD))
        r += 1
    sh.put(r + 1, 0, _budget_sentence(result), width=False)  # runs on over the empty cells
    r = section(sh, r + 3, "Risks that matter most")
    top = [f"{x.site} ({x.country}) goes live in {x.go_live} with "
           f"{rt.fmt_pct(x.covered)} of its staff. {x.reasons[0] if x.reasons else ''}."
           for x in story.site_risks(result)[:2]]
    for line in top or ["None: every site is fully staffed when it goes live."]:
        sh.put(r, 0, line, width=False)
        r += 1
    rows: list[tuple[str, object, str | None]] = [
        ("Status", rt.status_text(result), None),
        (f"Total cost over the horizon ({cur})", result.total_cost, money),
        ("People to hire", result.total_hires, fte),
        ("Unmet demand (FTE-months)", result.unmet_fte_months, fte),
        ("Solver", f"{result.solver}, {result.solve_seconds:.1f} s", None),
    ]
    r = section(sh, r + 1, "Key figures")
    for label, value, num in rows:
        sh.put(r, 0, label, fmt(**BOLD))
        sh.put(r, 1, value, fmt(num))
        r += 1
    by_country = rt.hires_by_country(result)
    r = table(sh, r + 1, "Hires by country", ["Country", "Hires", "First start", "Last start"],
              by_country.itertuples(index=False, name=None), [None, fte, None, None])
    cov = rt.go_live_coverage(result)
    r = table(sh, r + 1, "Staff in place when each site goes live",
              ["Site", "Country", "Go-live", "Requirement (FTE)", "Covered"],
              cov[["site_name", "country", "go_live", "requirement", "covered_share"]]
              .itertuples(index=False, name=None), [None, None, None, fte, rt.PCT_FORMAT])
    r = section(sh, r + 1, "Warnings")
    for w in result.warnings or ["None."]:
        sh.put(r, 0, w, fmt(**WRAP))
        r += 1
    for col, width in enumerate((58, 20, 14, 18, 12)):
        sh.ws.set_column(col, col, width)
    sh.print_setup()


def _budget_sentence(result: PlanResult) -> str:
    """The first screen's cost line: the whole plan against its budget, in words."""
    cur = result.inputs.settings.currency
    text = (f"The whole plan costs {rt.money_short(result.total_cost, cur)} over "
            f"{result.inputs.settings.horizon_months} months.")
    lines = story.budget_lines(result)
    whole = story.overall_budget(result)
    if whole is not None:
        limit = rt.money_short(whole.max_cost, cur)
        return text + (f" That is the whole budget of {limit}: the budget limits the plan."
                       if whole.binding else
                       f" That is {rt.fmt_pct(whole.spent / whole.max_cost)} of the {limit} "
                       "budget.")
    binding = sum(b.binding for b in lines)
    if binding:
        return text + f" {binding} of the {len(lines)} budget limits are fully spent."
    return text + (f" It stays within all {len(lines)} budget limits." if lines
                   else " No budget limit was set.")


def section(sh: Sheet, row: int, title: str) -> int:
    """A blue heading; returns the next row."""
    sh.put(row, 0, title, sh.book.fmt(**SECTION), width=False)
    return row + 1


def table(sh: Sheet, row: int, title: str, columns: Sequence[str],
          rows: Iterable[Sequence[object]], formats: Sequence[str | None],
          wrap_first: bool = False) -> int:
    """A titled table inside a sheet; returns the next free row."""
    row = section(sh, row, title)
    sh.header(row, columns)
    row += 1
    extra = WRAP if wrap_first else {}
    fmts = [sh.book.fmt(f, **extra) for f in formats]
    first = row
    if wrap_first:
        for values in rows:  # viewers do not all grow wrapped rows: ~45 characters a line
            sh.ws.set_row(row, 15 * (len(str(values[0])) // 45 + 1))
            sh.row(row, list(values), fmts)
            row += 1
    else:
        row = sh.rows(row, ((values, fmts) for values in rows)) + 1
    if row == first:
        sh.put(row, 0, "None.")
        row += 1
    return row


def since_last_plan(sh: Sheet, result: PlanResult) -> None:
    """What changed since the previous plan (reports/since_last.py), as text tables."""
    _text_sections(sh, "Since the last plan", sections_since_last(result), cap=60)


def requisitions_in_flight(sh: Sheet, result: PlanResult) -> None:
    """Requisitions already open: what to cancel, what is kept (reports/in_flight.py)."""
    _text_sections(sh, "Requisitions in flight", sections_in_flight(result), cap=70)


def _text_sections(sh: Sheet, title: str, sections, cap: int) -> None:
    """A titled sheet of (title, columns, rows) tables of text, one under the other."""
    sh.put(0, 0, title, sh.book.fmt(**TITLE), width=False)
    r = 2
    for heading, columns, rows in sections:
        r = table(sh, r, heading, columns, rows, [None] * len(columns)) + 1
    sh.fit_widths(cap=cap)
    sh.print_setup()


# --------------------------------------------------------------------------- action and tables


def requisitions(sh: Sheet, result: PlanResult) -> None:
    """Ready to paste into an applicant-tracking system: one row per month, site, role and
    pay point, in the order to open them; months as real Excel dates (the contract sheets
    keep YYYY-MM text), the pay range of the band in its own currency, filterable."""
    fte, money = _fmts(result)
    fmt = sh.book.fmt
    cur = result.inputs.settings.currency
    req = rt.requisitions(result)
    bands = result.inputs.bands
    cols = ["Open requisition", "Start month", "Country", "Site", "Role", "Role id",
            "Hires", "Pay point", "Annual salary", "Pay range from", "Pay range to",
            "Currency", f"Annual salary ({cur})"]
    sh.header(0, cols)
    month, hires, total = fmt(MONTH_FORMAT), fmt(fte), fmt(money)
    for col in (0, 1):
        sh.widths[col] = 16
    local = {c: fmt(rt.excel_money_format(c)) for c in set(req["currency"])}
    keys = ["requisition_month", "start_month", "country", "site_name", "role_name", "role_id",
            "hires", "pay_point", "annual_salary", "currency", "annual_salary_reporting"]

    def rows():
        for opened, start, c, site, role, rid, n, k, pay, pay_cur, pay_rep in zip(
                *(req[x].tolist() for x in keys)):
            band = bands[(c, rid)]
            f = local[pay_cur]
            # A requisition opened before the horizon has no month: no cell, as before.
            yield ([_month_serial(opened), _month_serial(start), c, site, role, rid, n, k, pay,
                    band.band_min, band.band_max, pay_cur, pay_rep],
                   [month if opened else None, month if start else None, None, None, None,
                    None, hires, None, f, f, f, None, total])
    sh.finish(0, len(cols), sh.rows(1, rows()))


MONTH_FORMAT = "yyyy-mm"


EXCEL_DAY_ZERO = dt.date(1899, 12, 30)  # serial 0 of Excel's dates from March 1900 on


@functools.lru_cache(maxsize=4096)
def _month_serial(label: str | None) -> float | None:
    """`2027-05` as the Excel date serial of the month's first day, for a real date cell
    with MONTH_FORMAT (the number XlsxWriter's write_datetime stores); None for no month."""
    if not label:
        return None
    y, m = label.split("-")
    return float((dt.date(int(y), int(m), 1) - EXCEL_DAY_ZERO).days)


def headcount(sh: Sheet, result: PlanResult) -> None:
    fte, _ = _fmts(result)
    hq = rt.headcount_by_quarter(result)
    cols = ["Country", "Role", "Quarter", "As of", "Requirement", "Headcount", "Productive",
            "Contractors", "Hires", "Unmet FTE-months"]
    keys = ["country", "role_name", "quarter", "as_of", "requirement", "headcount",
            "productive", "contractors", "hires", "unmet_fte_months"]
    last = sh.table(cols, hq[keys].itertuples(index=False, name=None),
                    {c: fte for c in cols[4:]})
    # Highlight what a reader would see as unmet: at least half the shown precision.
    threshold = 0.5 if rt.fte_decimals(result) == 0 else 0.05
    if last > 0:
        sh.ws.conditional_format(1, 0, last, len(cols) - 1, {
            "type": "formula", "criteria": f"=$J2>={threshold}",
            "format": sh.book.wb.add_format(UNMET)})
    sh.put(last + 2, 0, "Staff figures are at the end of each quarter (the last horizon "
                        "month, column As of); hires and unmet FTE-months add up over the "
                        "quarter. Rows with unmet demand are highlighted.", width=False)


def costs(sh: Sheet, result: PlanResult) -> None:
    _, money = _fmts(result)
    fmt = sh.book.fmt
    c = rt.costs_by_year(result)
    cols = ["Country", "Year", "Salaries", "Contractors", "Hiring", "Moves", "Separations",
            "Total"]
    sh.header(0, cols)
    plain = [None, None] + [fmt(money)] * (len(cols) - 2)
    total = [fmt(**TOTAL)] * 2 + [fmt(money, **TOTAL)] * (len(cols) - 2)
    last = sh.rows(1, ((values, total if values[0] == "All" else plain)
                       for values in c.itertuples(index=False, name=None)))
    sh.finish(0, len(cols), last)
    sh.put(last + 2, 0, f"Money in {result.inputs.settings.currency}, horizon months only; "
                        "rows 'All' add up the countries of each year.", width=False)


def risks(sh: Sheet, result: PlanResult) -> None:
    """Unmet demand in spans of months with one reason, in words; the contract sheet `Risks`
    has every month."""
    fte, _ = _fmts(result)
    g = rt.risk_groups(result)
    cols = ["Country", "Role", "Why unmet", "From", "To", "Months", "Unmet FTE-months",
            "Peak unmet (FTE)", "Detail"]
    keys = ["country", "role_name", "why", "first_month", "last_month", "months",
            "unmet_fte_months", "peak_unmet", "detail"]
    sh.table(cols, g[keys].itertuples(index=False, name=None),
             {"Unmet FTE-months": fte, "Peak unmet (FTE)": fte})


def budgets(sh: Sheet, result: PlanResult) -> None:
    """Spend against each Budget row; for binding rows what one more unit is worth and the
    shortfalls it causes (spans of the Unmet demand sheet). The contract sheet is `Budgets`."""
    _, money = _fmts(result)
    v = rt.budget_view(result)
    cols = ["Budget", "Max cost", "Spent", "Headroom", "Used", "Binding",
            "One more unit of budget", "Shortfalls it causes (see Unmet demand)"]
    rows = [(b.label, b.max_cost, b.spent, b.headroom, b.used_share,
             "yes" if b.binding else "no", b.worth, "; ".join(x[3] for x in b.shortfalls))
            for b in v.itertuples(index=False)]
    last = sh.table(cols, rows, {"Max cost": money, "Spent": money, "Headroom": money,
                                 "Used": rt.PCT_FORMAT})
    sh.put(last + 2, 0, f"Money in {result.inputs.settings.currency}, horizon months only, as "
                        "the Cost by year sheet adds it up. A budget binds when it is fully "
                        "spent (less than one unit left).", width=False)


# --------------------------------------------------------------------------- Assumptions


def assumptions(sh: Sheet, result: PlanResult) -> None:
    inputs = result.inputs
    s = inputs.settings
    sh.put(0, 0, "Assumptions: the key inputs of this plan", sh.book.fmt(**TITLE), width=False)
    r = table(sh, 2, "Input and settings", ["Setting", "Value"], [
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
    r = table(sh, r + 1, "Sites", ["Site id", "Site", "Country", "IT MW", "Deal start",
                                   "Construction start", "Commissioning start", "Go-live",
                                   "MW ramp months"],
              [(x.site_id, x.site_name, x.country, x.it_mw, month_label(x.deal_start),
                month_label(x.construction_start), month_label(x.commissioning_start),
                month_label(x.go_live), x.mw_ramp_months) for x in inputs.sites],
              [None, None, None, "General", None, None, None, None, "General"])
    r = table(sh, r + 1, "Roles", ["Role id", "Role", "Family", "Ramp months",
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
    r = table(sh, r + 1, "Labour markets and pay bands (annual base pay, band currency)",
              ["Country", "Role id", "Currency", "Band min", "Band mid", "Band max",
               "Starting headcount", "Time to fill (months)", "Supply at min (a month)",
               "Supply at mid", "Supply at max", "Attrition a year"], market_rows,
              [None, None, None, "#,##0", "#,##0", "#,##0", "General", "0", "General", "General",
               "General", "0%"])
    r = table(sh, r + 1, f"Exchange rates ({s.currency} per unit)", ["Currency", "Rate"],
              sorted(inputs.fx.items()), [None, "General"])
    if inputs.budgets:
        r = table(sh, r + 1, f"Budgets ({s.currency})", ["Budget", "Max cost"],
                  [(b.label, b.max_cost) for b in inputs.budgets],
                  [None, rt.excel_money_format(s.currency)])
    sh.widths.pop(0, None)
    sh.fit_widths(cap=40)
    sh.ws.set_column(0, 0, 24)
    sh.print_setup()


PEOPLE_SHEETS: list[PeopleSheet] = [
    PeopleSheet("Overview", overview),
    PeopleSheet("Since last plan", since_last_plan, lambda r: r.comparison is not None),
    PeopleSheet("Charts", charts_sheet),
    PeopleSheet("Requisitions", requisitions),
    PeopleSheet("Requisitions in flight", requisitions_in_flight,
                lambda r: not r.inflight.empty),
    PeopleSheet("Headcount by quarter", headcount),
    PeopleSheet("Cost by year", costs),
    PeopleSheet("Unmet demand", risks),  # `Risks` is the contract sheet
    PeopleSheet("Budget use", budgets, lambda r: bool(r.inputs.budgets)),  # contract: Budgets
    PeopleSheet("Assumptions", assumptions),
    PeopleSheet("Chart data", chart_data_sheet),
]
