"""What both reports show, computed once: people-sized tables and the number formats.

The Excel plan and the HTML report are built from these functions, so every
figure in one matches the other: a figure is the same unrounded value, shown
with `fmt_fte` / `fmt_money` in HTML and the matching `excel_*_format` in Excel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

import pandas as pd

from staffplan.core.months import month_label
from staffplan.core.tolerances import SHOWN
from staffplan.results.sites import hires_by_site
from staffplan.results.tables import Mode, PlanResult, UnmetReason

T = TypeVar("T")

# --------------------------------------------------------------------------- formats


def fte_decimals(result: PlanResult) -> int:
    """Whole FTE in integer mode, one decimal in LP mode (the spec's display rule)."""
    return 0 if result.mode == Mode.INTEGER else 1


def excel_round(value: float, decimals: int) -> Decimal:
    """Round as Excel displays: halves away from zero (Python's format rounds them to even)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals),
                                                rounding=ROUND_HALF_UP)


def fmt_fte(value: float, decimals: int) -> str:
    """FTE as Excel shows it with `excel_fte_format(decimals)`."""
    text = f"{excel_round(value, decimals):,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def shows_nonzero(value: float, decimals: int) -> bool:
    """Whether a figure displays as something other than 0 at these decimals."""
    return excel_round(value, decimals) != 0


def fmt_money(value: float, currency: str) -> str:
    """Money as Excel shows it with `excel_money_format(currency)`: `USD 1,234,567`."""
    text = f"{excel_round(value, 0):,.0f}"
    if text.startswith("-") and float(text[1:].replace(",", "")) == 0:
        text = text[1:]
    return f"{currency} {text}"


def fmt_pct(value: float) -> str:
    """A share as Excel shows it with `PCT_FORMAT`."""
    return f"{excel_round(value * 100, 0):.0f}%"


def excel_fte_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def excel_money_format(currency: str) -> str:
    # The currency is a validated 3-letter ISO code; quoted so Excel shows it literally.
    return f'"{currency} "#,##0'


PCT_FORMAT = "0%"


def money_short(value: float, currency: str) -> str:
    """Headline money, e.g. `USD 49.6 million`; tables carry the exact figure."""
    a = abs(value)
    if a >= 1e9:
        return f"{currency} {value / 1e9:,.1f} billion"
    if a >= 1e6:
        return f"{currency} {value / 1e6:,.1f} million"
    return fmt_money(value, currency)


# --------------------------------------------------------------------------- labels


@functools.lru_cache(maxsize=1024)  # a table's tens of thousands of rows share a few months
def quarter(label: str) -> str:
    """`2027-05` -> `2027-Q2`."""
    y, m = label.split("-")
    return f"{y}-Q{(int(m) - 1) // 3 + 1}"


def role_name(result: PlanResult, role_id: str) -> str:
    role = result.inputs.roles.get(role_id)
    return role.role_name if role else role_id


def horizon_labels(result: PlanResult) -> list[str]:
    s = result.inputs.settings
    return [month_label(s.horizon_start + t) for t in range(s.horizon_months)]


def status_text(result: PlanResult) -> str:
    """Status in words, e.g. `optimal, whole-number hires (gap 0.05%)`."""
    if result.mode == Mode.LP:
        kind = "linear relaxation (fractional hires)"
    else:
        gap = result.mip_gap
        kind = "whole-number hires, " + (f"gap {gap:.2%}" if gap == gap and gap != float("inf")
                                         else "gap unknown")
    status = result.status.value
    if status == "feasible":
        status = "feasible (stopped at the time limit)"
    return f"{status}, {kind}"


REASON_WORDS = {
    UnmetReason.TIME_TO_FILL.value: "time to fill and ramp-up",
    UnmetReason.SUPPLY.value: "labour supply",
    UnmetReason.BUDGET.value: "budget",
    UnmetReason.WHOLE_HIRES.value: "whole-people hiring",
    UnmetReason.COMBINED.value: "several limits together",
    UnmetReason.COST.value: "cost (cheaper to leave unmet)",
}

# --------------------------------------------------------------------------- tables


def once_per_result(*reads: str, copy: Callable[[T], T]
                    ) -> Callable[[Callable[[PlanResult], T]], Callable[[PlanResult], T]]:
    """Compute a report table once per result: the Excel plan and the HTML report ask for
    some several times (requisitions five times, each posting every hire to its sites). Only
    the latest result is kept (no growth over a long session); a new result, or a new table
    in one of the fields `reads` names (dataclasses.replace), computes it again. Callers
    get a `copy`, so they may change it."""
    def wrap(fn: Callable[[PlanResult], T]) -> Callable[[PlanResult], T]:
        kept: dict[str, tuple[PlanResult, tuple, T]] = {}

        @functools.wraps(fn)
        def cached(result: PlanResult) -> T:
            deps = tuple(getattr(result, name) for name in reads)
            hit = kept.get("last")  # one read: another thread may replace it meanwhile
            if hit is not None and hit[0] is result and all(
                    a is b for a, b in zip(hit[1], deps)):
                return copy(hit[2])
            value = fn(result)
            kept["last"] = (result, deps, value)
            return copy(value)
        return cached
    return wrap


@once_per_result("hires", copy=pd.DataFrame.copy)
def requisitions(result: PlanResult) -> pd.DataFrame:
    """The action list: one row per requisition batch to open (Hires with source `new`;
    requisitions already in flight are reports/in_flight.py's) and site (results/sites.py:
    which site a new hire is posted for), in the order to open them. Computed once per
    result."""
    return _requisitions(result)


def _requisitions(result: PlanResult) -> pd.DataFrame:
    inputs = result.inputs
    new = result.hires[result.hires["source"] == "new"]
    h = hires_by_site(inputs, new, whole=result.mode == Mode.INTEGER)
    h["role_name"] = [role_name(result, r) for r in h["role_id"]]
    h["annual_salary_reporting"] = [s * inputs.rate(c)
                                    for s, c in zip(h["annual_salary"], h["currency"])]
    order = {"min": 0, "mid": 1, "max": 2}
    h["_k"] = h["pay_point"].map(order)
    h = h.sort_values(["requisition_month", "start_month", "country", "role_id", "_k",
                       "site_id"], kind="stable")
    return h.drop(columns="_k").reset_index(drop=True)


def next_quarter_requisitions(result: PlanResult) -> pd.DataFrame:
    """Requisitions to open in the first three months of the horizon."""
    first = set(horizon_labels(result)[:3])
    req = requisitions(result)
    return req[req["requisition_month"].isin(first)].reset_index(drop=True)


def hires_by_country(result: PlanResult) -> pd.DataFrame:
    """country, hires, first_start, last_start; most hires first."""
    h = result.hires
    h = h[[shows_nonzero(x, fte_decimals(result)) for x in h["hires"]]]  # LP noise hires
    if h.empty:
        return pd.DataFrame(columns=["country", "hires", "first_start", "last_start"])
    g = h.groupby("country").agg(hires=("hires", "sum"), first_start=("start_month", "min"),
                                 last_start=("start_month", "max")).reset_index()
    return g.sort_values(["hires", "country"], ascending=[False, True]).reset_index(drop=True)


def hires_by_quarter(result: PlanResult) -> pd.DataFrame:
    """country, role_id, role_name, quarter, hires (start quarter), rows with hires only."""
    h = result.hires.assign(quarter=[quarter(m) for m in result.hires["start_month"]])
    g = h.groupby(["country", "role_id", "quarter"], as_index=False)["hires"].sum()
    g = g[g["hires"].abs() > SHOWN]
    g.insert(2, "role_name", [role_name(result, r) for r in g["role_id"]])
    return g.reset_index(drop=True)


def quarters(result: PlanResult) -> list[str]:
    return list(dict.fromkeys(quarter(m) for m in horizon_labels(result)))


def headcount_by_quarter(result: PlanResult) -> pd.DataFrame:
    """country x role x quarter: staff at the quarter's last horizon month, hires and
    unmet FTE-months summed over the quarter."""
    hc = result.headcount.assign(quarter=[quarter(m) for m in result.headcount["month"]])
    hc = hc.sort_values(["country", "role_id", "month"])
    keys = ["country", "role_id", "quarter"]
    last = hc.groupby(keys, as_index=False, sort=False).last()
    unmet = hc.groupby(keys, sort=False)["unmet"].sum().rename("unmet_fte_months")
    hires = hires_by_quarter(result).set_index(keys)["hires"]
    out = last[keys + ["month", "requirement", "headcount", "productive", "contractors"]]
    out = out.rename(columns={"month": "as_of"}).join(unmet, on=keys).join(hires, on=keys)
    out["hires"] = out["hires"].fillna(0.0)
    out.insert(2, "role_name", [role_name(result, r) for r in out["role_id"]])
    return out.reset_index(drop=True)


def monthly_by_country(result: PlanResult) -> pd.DataFrame:
    """country, month, requirement, headcount, staffed (productive + contractors), unmet."""
    hc = result.headcount.assign(staffed=result.headcount["productive"]
                                 + result.headcount["contractors"])
    cols = ["requirement", "headcount", "staffed", "unmet"]
    return hc.groupby(["country", "month"], as_index=False)[cols].sum()


def costs_by_year(result: PlanResult) -> pd.DataFrame:
    """The Costs table with a total row per year (country 'All')."""
    c = result.costs.sort_values(["year", "country"])
    kinds = [k for k in c.columns if k not in ("country", "year")]
    totals = c.groupby("year", as_index=False)[kinds].sum().assign(country="All")
    out = pd.concat([c, totals[c.columns]], ignore_index=True)
    out["_all"] = out["country"] == "All"
    return out.sort_values(["year", "_all", "country"]).drop(columns="_all").reset_index(drop=True)


def go_live_coverage(result: PlanResult) -> pd.DataFrame:
    """Share of the country's requirement covered in the month each site goes live
    (in the horizon); demand is planned per country, so sites share their country's share."""
    months = set(horizon_labels(result))
    m = monthly_by_country(result)
    at = {key: (need, unmet) for key, need, unmet in zip(
        zip(m["country"].tolist(), m["month"].tolist()), m["requirement"].tolist(),
        m["unmet"].tolist())}  # a dict, not a frame lookup per site
    rows = []
    for site in sorted(result.inputs.sites, key=lambda s: (s.go_live, s.site_id)):
        label = month_label(site.go_live)
        if label not in months or (site.country, label) not in at:
            continue
        req, unmet = at[(site.country, label)]
        share = 1.0 if req <= SHOWN else max(0.0, 1.0 - unmet / req)
        rows.append((site.site_id, site.site_name, site.country, label, req, share))
    return pd.DataFrame(rows, columns=["site_id", "site_name", "country", "go_live",
                                       "requirement", "covered_share"])


RISK_SPAN_COLUMNS = ["country", "role_id", "role_name", "reason", "why", "first_month",
                     "last_month", "months", "unmet_fte_months", "peak_unmet", "detail"]


def risk_groups(result: PlanResult) -> pd.DataFrame:
    """Unmet demand in spans: consecutive months of a pair with the same reason, the why in
    words; the detail is the span's last month's (supply names every pay point full by then).
    Largest spans first."""
    r = result.risks
    if r.empty:
        return pd.DataFrame(columns=RISK_SPAN_COLUMNS)
    r = r.sort_values(["country", "role_id", "month"]).reset_index(drop=True)
    month_no = [int(m[:4]) * 12 + int(m[5:7]) for m in r["month"]]
    # Plain lists: a cell lookup in the frame costs microseconds, thousands of rows on large.
    country, role, reason = (r[c].tolist() for c in ("country", "role_id", "reason"))
    span, spans = 0, []
    for i in range(len(r)):
        if i and not (country[i] == country[i - 1] and role[i] == role[i - 1]
                      and reason[i] == reason[i - 1] and month_no[i] == month_no[i - 1] + 1):
            span += 1
        spans.append(span)
    # A span is consecutive rows, months ascending: its text columns come from its first
    # and last rows (pandas' first/last/min/max over text ran row by row in Python); the
    # sums and peaks from pandas, as before.
    starts = [i for i in range(len(r)) if i == 0 or spans[i] != spans[i - 1]]
    ends = [i - 1 for i in starts[1:]] + [len(r) - 1]
    month, detail = r["month"].tolist(), r["detail"].tolist()
    unmet = r["unmet"].groupby(spans)
    g = pd.DataFrame({
        "_span": range(len(starts)),
        "country": [country[i] for i in starts], "role_id": [role[i] for i in starts],
        "reason": [reason[i] for i in starts],
        "first_month": [month[i] for i in starts], "last_month": [month[i] for i in ends],
        "months": [e - b + 1 for b, e in zip(starts, ends)],
        "unmet_fte_months": unmet.sum().to_numpy(), "peak_unmet": unmet.max().to_numpy(),
        "detail": [_last_given(detail, b, e) for b, e in zip(starts, ends)]})
    g["role_name"] = [role_name(result, x) for x in g["role_id"]]
    g["why"] = [REASON_WORDS.get(x, x) for x in g["reason"]]
    g = g.sort_values(["unmet_fte_months", "country", "role_id", "first_month"],
                      ascending=[False, True, True, True])
    return g[RISK_SPAN_COLUMNS].reset_index(drop=True)


def _last_given(values: list, first: int, last: int) -> object:
    """The last value of values[first..last] that is not missing (pandas' `last`)."""
    for i in range(last, first - 1, -1):
        if not pd.isna(values[i]):
            return values[i]
    return None


BUDGET_VIEW_COLUMNS = ["row", "label", "max_cost", "spent", "headroom", "used_share", "binding",
                       "marginal_value", "worth", "shortfalls"]


def budget_view(result: PlanResult) -> pd.DataFrame:
    """Each Budget row for people: spend against the cap, and for a binding row what one more
    unit of budget is worth and the unmet-demand spans whose reason is `budget` in its scope
    (the spans of the people's Unmet demand sheet and the report's risks): `shortfalls` is a
    list of (country, role_id, first_month, text), first month first."""
    b = result.budgets
    if b.empty:
        return pd.DataFrame(columns=BUDGET_VIEW_COLUMNS)
    cur = result.inputs.settings.currency
    spans = risk_groups(result)
    spans = spans[spans["reason"] == UnmetReason.BUDGET.value]
    by_row = {x.row: x for x in result.inputs.budgets}
    rows = []
    for rec in b.itertuples(index=False):
        budget = by_row[rec.row]
        binding = rec.binding == "yes"
        worth, short = "", []
        if binding:
            v = rec.marginal_value
            worth = ("What one more unit is worth is not known (shadow prices could not be "
                     "computed)" if v != v else
                     f"Each extra {cur} 1 of budget lowers the plan's cost, unmet-demand "
                     f"penalty included, by {cur} {v:,.2f}")
            mine = spans if budget.country is None else spans[spans["country"] == budget.country]
            short = [(s.country, s.role_id, s.first_month,
                      f"{s.country} {s.role_name} {_span_months(s)}")
                     for s in mine.sort_values(["first_month", "country", "role_id"])
                     .itertuples(index=False)]
        used = rec.spent / rec.max_cost if rec.max_cost > 0 else 1.0
        rows.append((rec.row, budget.label, rec.max_cost, rec.spent, rec.headroom, used,
                     binding, rec.marginal_value, worth, short))
    return pd.DataFrame(rows, columns=BUDGET_VIEW_COLUMNS)


def _span_months(span) -> str:
    months = span.first_month if span.months == 1 else f"{span.first_month} to {span.last_month}"
    return f"{months} ({span.unmet_fte_months:,.1f} FTE-months unmet)"


def budget_lines(result: PlanResult) -> list[str]:
    """One line per binding budget, for the `plan` command's summary."""
    cur = result.inputs.settings.currency
    lines = []
    for rec in budget_view(result).itertuples(index=False):
        if rec.binding:
            lines.append(f"{rec.label} binds: {fmt_money(rec.spent, cur)} spent of "
                         f"{fmt_money(rec.max_cost, cur)}. {rec.worth}.")
    return lines


def pressure_explained(result: PlanResult) -> pd.DataFrame:
    """The pressure table with an `explanation` in words; biggest values first per kind."""
    p = result.pressure.copy()
    cur = result.inputs.settings.currency
    months = result.inputs.settings.model_months
    texts = []
    for rec in p.itertuples(index=False):
        name = role_name(result, rec.role_id)
        if rec.kind == "supply":
            texts.append(f"One more {name} hire a month in {rec.country} at band {rec.pay_point} "
                         f"would save {fmt_money(rec.value, cur)} over the {months} modelled "
                         f"months.")
        else:
            texts.append(f"One more FTE of {name} required in {rec.country} in {rec.month} "
                         f"would cost {fmt_money(rec.value, cur)}.")
    p["explanation"] = texts
    return p


def top_supply_pressure(result: PlanResult, n: int = 8) -> pd.DataFrame:
    p = pressure_explained(result)
    p = p[p["kind"] == "supply"].sort_values("value", ascending=False)
    return p.head(n).reset_index(drop=True)
