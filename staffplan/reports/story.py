"""The story an executive reads in one minute, as plain tables of facts.

The HTML report's first screens, the Excel plan's Overview sheet and (through the
HTML) the email's text part all tell this story, so each fact is computed once,
here: what to approve now, cost against budget, the risks that matter most, who is
released or moved, and how headcount grows. Values stay unrounded; the reports
format them with `reports.tables`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffplan.core.tolerances import SHOWN
from staffplan.reports import tables as rt
from staffplan.results.tables import PlanResult

COVERED = 0.995  # a site at or above this share of its staff at go-live is "fully staffed"


def shown(table: pd.DataFrame, column: str, decimals: int) -> pd.DataFrame:
    """Rows whose figure displays as non-zero (the rest are solver noise to a reader);
    keeps the columns when no row is left."""
    keep = [rt.shows_nonzero(v, decimals) for v in table[column]]
    return table.loc[pd.Series(keep, index=table.index, dtype=bool)]


# --------------------------------------------------------------------------- the decision


@dataclass
class CountryAsk:
    country: str
    hires: float
    annual_cost: float  # reporting currency, pay plus on-costs at the band's pay point


@dataclass
class Decision:
    first: str  # first month of the window, YYYY-MM
    last: str
    hires: float
    annual_cost: float
    countries: list[CountryAsk]


def decision_window(result: PlanResult) -> list[str]:
    """The months whose requisitions are to be approved now: the first quarter of the plan
    (three months, or fewer in a shorter plan)."""
    return rt.horizon_labels(result)[:3]


def requisitions_now(result: PlanResult) -> pd.DataFrame:
    """New requisitions that open in the decision window, with their annual cost
    (pay at the pay point plus on-costs, in the reporting currency)."""
    months = set(decision_window(result))
    req = rt.requisitions(result)
    if "source" in req.columns:  # kept or accepted requisitions are not new asks
        req = req[req["source"].isin(["new"])]
    req = req[req["requisition_month"].isin(months)].copy()
    bands = result.inputs.bands
    req["annual_cost"] = [a * (1 + bands[(c, r)].on_cost_pct)
                          for a, c, r in zip(req["annual_salary_reporting"], req["country"],
                                             req["role_id"])]
    req["annual_cost"] = req["annual_cost"] * req["hires"]
    return req.reset_index(drop=True)


def decision(result: PlanResult) -> Decision:
    window = decision_window(result)
    req = requisitions_now(result)
    dec = rt.fte_decimals(result)
    req = shown(req, "hires", dec)
    g = req.groupby("country", as_index=False).agg(hires=("hires", "sum"),
                                                   annual_cost=("annual_cost", "sum"))
    g = g.sort_values(["hires", "country"], ascending=[False, True])
    return Decision(window[0], window[-1], float(req["hires"].sum()),
                    float(req["annual_cost"].sum()),
                    [CountryAsk(r.country, float(r.hires), float(r.annual_cost))
                     for r in g.itertuples(index=False)])


# --------------------------------------------------------------------------- budgets


@dataclass
class BudgetLine:
    label: str  # e.g. "Budget row 3 (2028, JP)"
    row: int
    max_cost: float
    spent: float
    binding: bool  # the Budgets sheet's rule (workbook.md)
    worth: str = ""  # binding rows: what one more unit of budget is worth, in words
    shortfalls: list[tuple[str, str, str, str]] = field(default_factory=list)
    # binding rows: (country, role_id, first_month, text) of the spans it leaves unmet

    @property
    def headroom(self) -> float:
        return self.max_cost - self.spent


def budget_lines(result: PlanResult) -> list[BudgetLine]:
    """Each Budget row as the Budgets sheet gives it (spent over the row's scope, binding)."""
    view = rt.budget_view(result)
    return [BudgetLine(r.label, int(r.row), float(r.max_cost), float(r.spent), bool(r.binding),
                       r.worth, list(r.shortfalls)) for r in view.itertuples(index=False)]


def overall_budget(result: PlanResult) -> BudgetLine | None:
    """The row that caps the whole plan (all years, all countries), if there is one."""
    whole_rows = {b.row for b in result.inputs.budgets if b.year is None and b.country is None}
    whole = [b for b in budget_lines(result) if b.row in whole_rows]
    return min(whole, key=lambda b: b.max_cost) if whole else None


# --------------------------------------------------------------------------- go-live risks


@dataclass
class SiteRisk:
    site: str
    country: str
    go_live: str
    covered: float  # share of the country's requirement staffed in the go-live month
    short_fte: float  # FTE missing in that month
    reasons: list[str] = field(default_factory=list)  # "<role>: <why in words>", biggest first


@rt.once_per_result("risks", "headcount", copy=lambda risks: [
    dataclasses.replace(r, reasons=list(r.reasons)) for r in risks])
def site_risks(result: PlanResult) -> list[SiteRisk]:
    """Sites that go live in the horizon without their full staff, least covered first,
    each with the roles short in that month and why, in words."""
    cov = rt.go_live_coverage(result)
    short = cov[cov["covered_share"] < COVERED].sort_values(["covered_share", "go_live"],
                                                           kind="stable")
    risks = result.risks
    at = risks.groupby(["country", "month"], sort=False).indices  # rows of each month, once
    out = []
    for r in short.itertuples(index=False):
        month = risks.iloc[at.get((r.country, r.go_live), [])]
        month = month.sort_values("unmet", ascending=False)
        reasons = [f"{rt.role_name(result, x.role_id)} short by "
                   f"{rt.fmt_fte(x.unmet, 1)} FTE because {_why(x.reason)}"
                   for x in month.itertuples(index=False)]
        out.append(SiteRisk(r.site_name, r.country, r.go_live, float(r.covered_share),
                            float(month["unmet"].sum()), reasons))
    return out


# Why a site is short, in a few words for the first screen; the Risks section and the
# Unmet demand sheet give the full detail (pay points, months, budget rows).
SHORT_WHY = {
    "time_to_fill": "new hires cannot be recruited and trained in time",
    "supply": "the labour market cannot supply enough hires",
    "budget": "a budget limit is fully spent",
    "whole_hires": "hires come in whole people",
    "combined": "several limits hold it back together",
    "cost": "staffing it would cost more than leaving it unmet",
}


def _why(reason: str) -> str:
    return SHORT_WHY.get(reason, rt.REASON_WORDS.get(reason, reason))


# --------------------------------------------------------------------------- releases and moves


@dataclass
class Release:
    country: str
    role: str
    people: float
    first: str
    last: str
    why: str


@dataclass
class Move:
    role: str
    people: float
    from_countries: list[tuple[str, float]]
    to_countries: list[tuple[str, float]]
    first: str
    last: str


@dataclass
class PeopleChanges:
    released: float
    release_cost: float  # severance, reporting currency
    releases: list[Release]
    moved: float
    move_cost: float
    moves: list[Move]


def people_changes(result: PlanResult) -> PeopleChanges:
    """Who the plan releases or relocates, where, when, why, and what it costs."""
    h = result.headcount
    pairs = h.groupby(["country", "role_id"], sort=False).indices  # rows of each pair, once
    month, need = h["month"].tolist(), h["requirement"].tolist()
    releases = []
    for (c, r), g in h[h["separations"] > SHOWN].groupby(["country", "role_id"], sort=True):
        first, last = g["month"].min(), g["month"].max()
        rows = pairs[(c, r)]
        before = max(need[i] for i in rows if month[i] <= first)
        after = min(need[i] for i in rows if month[i] >= last)
        name = rt.role_name(result, r)
        if after < before - SHOWN:
            why = f"the need falls from {rt.fmt_fte(before, 1)} to {rt.fmt_fte(after, 1)} FTE"
        else:
            why = "cheaper than keeping them until they are needed again"
        releases.append(Release(c, name, float(g["separations"].sum()), first, last, why))
    releases.sort(key=lambda x: (-x.people, x.country, x.role))
    moves = []
    for r, g in h[(h["moves_in"] > SHOWN) | (h["moves_out"] > SHOWN)].groupby("role_id", sort=True):
        out_ = g.groupby("country")["moves_out"].sum()
        in_ = g.groupby("country")["moves_in"].sum()
        moved = g[g["moves_out"] > SHOWN]["month"]
        moves.append(Move(rt.role_name(result, r), float(out_.sum()),
                          [(c, float(v)) for c, v in out_.items() if v > SHOWN],
                          [(c, float(v)) for c, v in in_.items() if v > SHOWN],
                          moved.min(), moved.max()))
    moves.sort(key=lambda x: (-x.people, x.role))
    return PeopleChanges(float(h["separations"].sum()), float(result.costs["separations"].sum()),
                         releases, float(h["moves_out"].sum()),
                         float(result.costs["moves"].sum()), moves)


# --------------------------------------------------------------------------- growth


@dataclass
class Growth:
    country: str
    start: float  # staff before the first planned month
    end: float  # staff in the last planned month
    hires: float

    @property
    def net(self) -> float:
        return self.end - self.start


def starting_headcount(result: PlanResult, country: str, role_id: str) -> float:
    """Staff on the books before the first month: the Roster's rows for the pair when it
    has any (they replace starting_headcount), else the LabourMarket's starting_headcount."""
    rows = [r.headcount for r in result.inputs.roster
            if r.country == country and r.role_id == role_id]
    if rows:
        return float(sum(rows))
    market = result.inputs.markets.get((country, role_id))
    return float(market.starting_headcount or 0.0) if market else 0.0


def growth(result: PlanResult) -> list[Growth]:
    """Per country: staff now and at the end of the plan, next to the people hired."""
    h = result.headcount
    last = rt.horizon_labels(result)[-1]
    end = h[h["month"] == last].groupby("country")["headcount"].sum()
    hires = result.hires.groupby("country")["hires"].sum()
    start: dict[str, float] = {}
    for c, r in {(c, r) for c, r in zip(h["country"], h["role_id"])}:
        start[c] = start.get(c, 0.0) + starting_headcount(result, c, r)
    countries = sorted(set(end.index) | set(hires.index))
    rows = [Growth(c, start.get(c, 0.0), float(end.get(c, 0.0)), float(hires.get(c, 0.0)))
            for c in countries]
    return sorted(rows, key=lambda g: (-g.end, g.country))


# --------------------------------------------------------------------------- cost


def cost_by_year(result: PlanResult) -> list[tuple[str, float]]:
    c = result.costs.groupby("year")["total"].sum()
    return [(str(y), float(v)) for y, v in c.items()]


def cost_by_country(result: PlanResult) -> list[tuple[str, float]]:
    c = result.costs.groupby("country")["total"].sum().sort_values(ascending=False)
    return [(str(k), float(v)) for k, v in c.items()]


def month_span(first: str, last: str) -> str:
    """`2027-04` or `2027-04 to 2027-09`."""
    return first if first == last else f"{first} to {last}"


# --------------------------------------------------------------------------- hiring-market limits


@dataclass
class MarketLimit:
    country: str
    role: str
    pay_point: str
    annual_pay: float  # band currency
    pay_currency: str
    saving: float  # reporting currency, never more than what the extra hires could replace


def market_limits(result: PlanResult, n: int) -> list[MarketLimit]:
    """Where a bigger hiring market would save most, in money a lead can check.

    The solver's value of one more hire a month assumes the extra hire is useful in
    every month; a role that needs three people cannot use sixty. So each saving is
    capped by what extra hires could replace over the plan: the unmet demand (at the
    unmet penalty), the contractors (at their premium rate) and the pay of the hires
    made at dearer pay points (from their start to the plan's end)."""
    p = result.pressure
    if p.empty:
        return []
    p = p[p["kind"] == "supply"]
    inputs = result.inputs
    s = inputs.settings
    labels = rt.horizon_labels(result)
    first = {m: len(labels) - i for i, m in reversed(list(enumerate(labels)))}  # months left
    order = {"min": 0, "mid": 1, "max": 2}
    # Each pair's rows found once (filtering the whole table per pressure row took seconds
    # on large), summed as pandas sums a filtered column.
    h = result.headcount
    pairs = h.groupby(["country", "role_id"], sort=False).indices
    unmet, contractors = (h[x].to_numpy(dtype=float) for x in ("unmet", "contractors"))
    hired: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for c, r, k, start, people in zip(*(result.hires[x].tolist() for x in ("country", "role_id",
                                        "pay_point", "start_month", "hires"))):
        hired.setdefault((c, r), []).append((k, start, people))
    out = []
    for rec in p.itertuples(index=False):
        c, r, k = rec.country, rec.role_id, rec.pay_point
        band = inputs.bands[(c, r)]
        role = inputs.roles.get(r)
        rate = inputs.rate(band.currency) * (1 + band.on_cost_pct) / 12  # band -> monthly cost
        rows = pairs.get((c, r), [])
        cap = float(np.nansum(unmet[rows])) * s.unmet_penalty
        premium = role.contractor_premium if role else 1.0
        cap += float(np.nansum(contractors[rows])) * premium * band.band_mid * rate
        for pay_point, start, people in hired.get((c, r), []):
            if order[pay_point] > order[k]:
                cap += people * (band.at(pay_point) - band.at(k)) * rate * first[start]
        saving = min(float(rec.value), cap)
        if saving >= 1000:
            out.append(MarketLimit(c, rt.role_name(result, r), k, band.at(k), band.currency,
                                   saving))
    out.sort(key=lambda m: (-m.saving, m.country, m.role))
    return out[:n]


def about(value: float, currency: str) -> str:
    """A rounded amount for a sentence: `USD 40k`, `USD 1.2 million`."""
    if abs(value) >= 1e6:
        return f"{currency} {value / 1e6:,.1f} million"
    if abs(value) >= 1e3:
        return f"{currency} {value / 1e3:,.0f}k"
    return f"{currency} {value:,.0f}"
