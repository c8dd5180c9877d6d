"""The input workbook's schema as data.

One declaration per sheet drives reading, defaults, validation, the template's
`Instructions` sheet and the README's table of sheets, so the contract in
`spec/workbook.md` is written down exactly once in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from staffplan.core.tolerances import NOISE

# Column kinds understood by the reader.
#   text      free text
#   id        letters, digits and `_` only (PuLP rewrites other characters in names)
#   country   ISO 3166-1 alpha-2 code, two capital letters
#   currency  ISO 4217 code, three capital letters
#   number    finite number >= 0
#   int       whole number >= 0
#   date      Excel date, `YYYY-MM` or `YYYY-MM-DD` text; means the month it falls in
#   pct       fraction 0..1: Excel percent cell, `25%` text or 0.25
#   yesno     yes / no (also true/false, y/n, 1/0)
#   choice    one of `choices`
#   year_all  a calendar year, or `all`
#   country_star  a country code, or `*` for all countries
#   req_id    letters, digits, `_` and `-` (a requisition id from an ATS)
KINDS = {
    "text", "id", "country", "currency", "number", "int", "date", "pct",
    "yesno", "choice", "year_all", "country_star", "req_id",
}

PHASES = ("deal", "construction", "commissioning", "operations")
FAMILIES = ("engineering", "operations", "deal_sourcing", "other")
PAY_POINTS = ("min", "mid", "max")
RELEASES = ("when_demand_falls", "anytime", "never")
REQ_STATUSES = ("open", "offer_accepted")
# The default of an optional column whose blank means something only in context
# (starting_headcount: blank is allowed only for a pair with Roster rows).
BLANK = ""

# What the model can hold. Beyond these the solver fails or crashes (HiGHS treats 1e20 as
# infinite; a band of 1e-300 crashed it in integer mode), so the reader refuses them, naming
# the cell. Columns with their own `maximum` use that instead of LARGEST / MOST_FTE.
LARGEST = 1e15  # any number: a trillion in the largest currencies is still far below it
SMALLEST = NOISE  # any non-zero number: smaller ones are 0 to the solver
MOST_FTE = 1e6  # people in one column or requirement (unit FTE) for one pair and month


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] = ()
    # Upper bound for numbers (inclusive), e.g. horizon_months <= 240.
    maximum: float | None = None
    minimum: float | None = None

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    # "table": header row then one record per row; "settings": key/value rows.
    layout: str = "table"
    # For an optional sheet: what the plan would silently lose if a misspelt sheet name were
    # ignored ("... if it were ignored, <this>"); a generic sentence when empty.
    if_ignored: str = ""


SETTINGS = Sheet(
    "Settings",
    "Plan-wide settings, one `key` / `value` pair a row.",
    (
        Column("plan_name", "text", "Shown on every report."),
        Column("horizon_start", "date", "First planned month.", unit="month"),
        Column("horizon_months", "int", "Number of months planned.", unit="months",
               minimum=1, maximum=240),
        Column("currency", "currency", "Reporting currency (ISO 4217, e.g. USD)."),
        Column("unmet_penalty", "number",
               "Cost of one FTE-month of demand left unmet.", unit="reporting currency"),
        Column("fte_per_24x7_post", "number", "FTE needed to staff one round-the-clock seat.",
               unit="FTE", required=False, default=5.0),
        Column("severance_months", "number", "Months of cost paid when releasing one person.",
               unit="months", required=False, default=3.0),
        Column("supply_window_months", "int",
               "Months over which the labour-market supply caps are pooled.",
               unit="months", required=False, default=1, minimum=1, maximum=120),
        Column("lookahead_months", "int",
               "Months solved past the horizon so staff are not run down at its end; "
               "never reported.",
               unit="months", required=False, default=12, maximum=120),
        Column("integer_hires", "yesno", "Plan whole-number hires and moves.",
               required=False, default=True),
        Column("time_limit_s", "number", "Solver time limit.", unit="seconds",
               required=False, default=60.0, minimum=1),
        Column("mip_gap", "number", "Relative optimality gap accepted in integer mode.",
               required=False, default=0.001, maximum=1),
        Column("releases", "choice",
               "When staff may be released: when_demand_falls (only once the role's "
               "requirement in the country never rises again), anytime, or never.",
               required=False, default="when_demand_falls", choices=RELEASES),
    ),
    layout="settings",
)

SITES = Sheet(
    "Sites",
    "One row per data-center site and its buildout dates.",
    (
        Column("site_id", "id", "Unique id: letters, digits and _ only."),
        Column("site_name", "text", "Name shown in reports."),
        Column("country", "country", "Country the site lies in (ISO 3166-1 alpha-2)."),
        Column("it_mw", "number", "IT capacity.", unit="MW"),
        Column("deal_start", "date", "Deal sourcing starts.", unit="month"),
        Column("construction_start", "date", "Construction starts (on or after deal_start).",
               unit="month"),
        Column("commissioning_start", "date",
               "Commissioning starts (on or after construction_start).", unit="month"),
        Column("go_live", "date", "Operations start (on or after commissioning_start).",
               unit="month"),
        Column("mw_ramp_months", "number", "Months from go-live to full MW in operations.",
               unit="months", required=False, default=0.0),
    ),
)

ROLES = Sheet(
    "Roles",
    "One row per role.",
    (
        Column("role_id", "id", "Unique id: letters, digits and _ only."),
        Column("role_name", "text", "Name shown in reports."),
        Column("family", "choice", "Role family.", choices=FAMILIES),
        Column("ramp_months", "int", "Whole months a new hire learns before counting.",
               unit="months", maximum=120),
        Column("contractor_allowed", "yesno", "Can contractors cover this role?"),
        Column("contractor_premium", "number", "Multiplier on the mid monthly cost, e.g. 1.5.",
               unit="x"),
        Column("max_contractor_share", "pct",
               "Largest share of the requirement contractors may cover.",
               unit="fraction"),
    ),
)

STAFFING = Sheet(
    "Staffing",
    "Staffing ratios: rows for the same role and phase add up.",
    (
        Column("role_id", "id", "Role (from Roles)."),
        Column("phase", "choice", "Site phase the ratio applies in.", choices=PHASES),
        Column("per_site", "number", "FTE per site in this phase.", unit="FTE",
               required=False, default=0.0),
        Column("per_mw", "number", "FTE per MW of IT capacity.", unit="FTE/MW",
               required=False, default=0.0),
        Column("posts_24x7", "number", "Round-the-clock seats per site.", unit="seats",
               required=False, default=0.0),
    ),
)

SALARY_BANDS = Sheet(
    "SalaryBands",
    "Annual base pay band per country and role.",
    (
        Column("country", "country", "Country code."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("currency", "currency", "Currency of the band (ISO 4217)."),
        Column("band_min", "number", "Annual base pay at the bottom of the band.",
               unit="band currency / year"),
        Column("band_mid", "number", "Annual base pay at the middle of the band.",
               unit="band currency / year"),
        Column("band_max", "number", "Annual base pay at the top of the band.",
               unit="band currency / year"),
        Column("on_cost_pct", "pct", "Employer on-costs (tax, benefits) on top of pay.",
               unit="fraction"),
        Column("annual_increase_pct", "pct", "Pay increase every 12 months.", unit="fraction"),
    ),
)

LABOUR_MARKET = Sheet(
    "LabourMarket",
    "One row per country and role that can hold staff: what the market yields.",
    (
        Column("country", "country", "Country code."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("starting_headcount", "number",
               "Staff employed at the horizon start, paid at band mid. 0 or blank for a "
               "country and role with Roster rows (the Roster then gives the staff); "
               "blank is allowed only there.",
               unit="FTE", required=False, default=BLANK),
        Column("time_to_fill_months", "int", "Months from opening a requisition to the start.",
               unit="months", maximum=120),
        Column("supply_at_min", "number", "Hires a month obtainable at band min.",
               unit="hires/month"),
        Column("supply_at_mid", "number", "Additional hires a month by paying band mid.",
               unit="hires/month"),
        Column("supply_at_max", "number", "Additional hires a month by paying band max.",
               unit="hires/month"),
        Column("annual_attrition_pct", "pct", "Share of staff leaving each year.",
               unit="fraction"),
        Column("cost_per_hire", "number", "Recruiting cost of one hire.", unit="band currency"),
        Column("fill_delay_mean_months", "number",
               "How late a hire starts on average against plan; used only by staffplan risk.",
               unit="months", required=False, default=0.0, maximum=120),
    ),
)

FX = Sheet(
    "FX",
    "Exchange rates; optional when every band is in the reporting currency.",
    (
        Column("currency", "currency", "Currency code."),
        Column("rate_to_reporting", "number", "Reporting-currency units per one unit.",
               unit="rate"),
    ),
    required=False,
    if_ignored="every band would have to be in the reporting currency",
)

MOBILITY = Sheet(
    "Mobility",
    "Optional: lanes along which staff of a role may move between countries.",
    (
        Column("from_country", "country", "Country staff leave."),
        Column("to_country", "country", "Country staff join."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("max_per_month", "number", "Most moves a month on this lane.",
               unit="people/month"),
        Column("cost_per_move", "number", "Cost of one move.", unit="reporting currency"),
    ),
    required=False,
    if_ignored="no staff would move between countries",
)

BUDGET = Sheet(
    "Budget",
    "Optional hard cost caps per calendar year (or `all`) and country (or `*`).",
    (
        Column("year", "year_all", "Calendar year, or all for the whole horizon."),
        Column("country", "country_star", "Country code, or * for all countries."),
        Column("max_cost", "number", "Most the plan may cost there (unmet penalty excluded).",
               unit="reporting currency"),
    ),
    required=False,
    if_ignored="no budget would limit the plan",
)

EXTRA_DEMAND = Sheet(
    "ExtraDemand",
    "Optional country-level FTE for a role over a month range (e.g. a regional deal lead).",
    (
        Column("country", "country", "Country code."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("start", "date", "First month (inclusive).", unit="month"),
        Column("end", "date", "Last month (inclusive).", unit="month"),
        Column("fte", "number", "FTE needed each month.", unit="FTE"),
    ),
    required=False,
    if_ignored="this extra demand would not be planned for",
)

ROSTER = Sheet(
    "Roster",
    "Optional, for re-planning: staff on the books at the horizon start, by country, role "
    "and pay point (replaces starting_headcount for that country and role).",
    (
        Column("country", "country", "Country code."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("pay_point", "choice", "Pay point they are paid at.", choices=PAY_POINTS),
        Column("headcount", "number", "People on this row (may be fractional).", unit="FTE"),
        Column("start_month", "date",
               "Blank for people past their ramp-up; else the month they started, before "
               "horizon_start, for people still ramping.", unit="month", required=False),
    ),
    required=False,
    if_ignored="the plan would start from starting_headcount instead of the staff on the books",
)

REQUISITIONS = Sheet(
    "Requisitions",
    "Optional, for re-planning: requisitions in flight, one row each. Open ones the plan "
    "keeps or cancels; accepted offers are fixed hires.",
    (
        Column("req_id", "req_id", "Unique requisition id: letters, digits, _ and - only."),
        Column("country", "country", "Country code."),
        Column("role_id", "id", "Role (from Roles)."),
        Column("pay_point", "choice", "Pay point of the hire.", choices=PAY_POINTS),
        Column("status", "choice", "open (being recruited) or offer_accepted (a fixed hire).",
               choices=REQ_STATUSES),
        Column("start_month", "date",
               "Month the hire is expected to start: from horizon_start to the last planned "
               "month (look-ahead included).", unit="month"),
    ),
    required=False,
    if_ignored="requisitions already in flight would be planned as if they did not exist",
)

CHANGES = ("set", "multiply", "add", "shift_months")

SCENARIOS = Sheet(
    "Scenarios",
    "Optional what-if changes for `staffplan compare`, one change a row; a scenario is the "
    "workbook with all its rows applied in order.",
    (
        Column("scenario", "text", "Name of the scenario the change belongs to."),
        Column("sheet", "text", "Sheet to change (e.g. Sites, LabourMarket, Settings)."),
        Column("column", "text", "Column to change (for Settings: value)."),
        Column("match", "text", "Rows to change: blank for every row, or column=value "
                                "conditions joined by ; (e.g. country=JP; role_id=dc_operator); "
                                "Settings rows by key=...", required=False, default=""),
        Column("change", "choice", "set, multiply, add, or shift_months for dates.",
               choices=CHANGES),
        Column("value", "text", "The new value, the factor, the amount added or the months "
                                "shifted.", required=False, default=""),
    ),
    required=False,
    if_ignored="staffplan compare would find no scenarios",
)

SHEETS: tuple[Sheet, ...] = (
    SETTINGS, SITES, ROLES, STAFFING, SALARY_BANDS, LABOUR_MARKET, FX, MOBILITY, BUDGET,
    EXTRA_DEMAND, ROSTER, REQUISITIONS, SCENARIOS,
)


def markdown_table() -> str:
    """The README's table of input sheets, generated so it cannot drift from the reader."""
    lines = ["| sheet | required | columns |", "|---|---|---|"]
    for s in SHEETS:
        cols = ", ".join(
            f"`{c.name}`" + ("" if c.required else f" (default {display_default(c.default)})")
            for c in s.columns
        )
        lines.append(f"| **{s.name}** | {'yes' if s.required else 'no'} | {s.description} {cols} |")
    return "\n".join(lines)


def display_default(value: Any) -> Any:
    """A default as a person reads it: booleans as yes / no (the drop-downs' words)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value == BLANK:
        return "blank"
    return value


if __name__ == "__main__":  # python -m staffplan.inputs.schema > table for the README
    print(markdown_table())
