"""The HTML report for executives: one email-safe file, headline first.

`build_context` turns a `PlanResult` into plain, already formatted values
(strings from the same helpers as the Excel number formats, so figures
agree); `templates/report.html.j2` lays them out with autoescape on.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.core.months import month_label
from staffplan.core.resources import TEMPLATES_PACKAGE
from staffplan.core.tolerances import NOISE
from staffplan.reports import charts, story
from staffplan.reports import tables as rt
from staffplan.reports.in_flight import in_flight
from staffplan.reports.since_last import since_last
from staffplan.results.sites import COUNTRY_LEVEL
from staffplan.results.tables import Mode, PlanResult

log = logging.getLogger(__name__)

MAX_TOP_RISKS = 2  # on the first screen
MAX_RISKS = 3  # in the story; the Unmet demand sheet has them all
MAX_REQUISITIONS = 15
MAX_GO_LIVE_SITES = 6
MAX_MARKET_LIMITS = 4
MAX_HEADCOUNT_CHARTS = 6
MAX_RELEASES = 2
MAX_MOVES = 2
MAX_BUDGETS = 3
MAX_LANE_ENDS = 3  # countries named at each end of a move
MAX_COUNTRIES = 5  # in the decision, growth and cost lines; the rest are summed


def _worst_covered(coverage):
    """The sites not fully staffed at go-live, at most MAX_GO_LIVE_SITES of them (the least
    covered), in go-live order: a phone screen of 150 sites at 100% hides the few that
    matter, and fully staffed sites are summed up in one line."""
    short = coverage[coverage["covered_share"] < story.COVERED]
    worst = short.sort_values("covered_share", kind="stable").head(MAX_GO_LIVE_SITES)
    return worst.sort_index()


def build_context(result: PlanResult, with_charts: bool = True) -> dict[str, Any]:
    """Everything the template shows, as text; charts as PNG data URIs.

    The order is the reading order: the decision, what changed, readiness, risks,
    budgets, people released or moved, cost, growth; then Details."""
    s = result.inputs.settings
    cur = s.currency
    dec = rt.fte_decimals(result)
    fte = lambda v: rt.fmt_fte(v, dec)  # noqa: E731
    money = lambda v: rt.fmt_money(v, cur)  # noqa: E731
    labels = rt.horizon_labels(result)

    risks = _risks(result, fte)
    ctx: dict[str, Any] = {
        "plan_name": s.plan_name,
        "currency": cur,
        "lp": result.mode == Mode.LP,
        "status_note": _status_note(result),
        "horizon": {"start": labels[0], "end": labels[-1], "months": s.horizon_months},
        "decision": _decision(result, fte, money),
        "total": {"cost": money(result.total_cost),
                  "cost_short": rt.money_short(result.total_cost, cur),
                  "hires": fte(result.total_hires),
                  "unmet": fte(result.unmet_fte_months),
                  "has_unmet": rt.shows_nonzero(result.unmet_fte_months, dec)},
        "budget": _budget(result, money, risks),
        "top_risks": _top_risks(result, fte),
        "since_last": since_last(result),  # None without plan --previous
        "in_flight": in_flight(result),  # None without a Requisitions sheet
        "readiness": _readiness(result),
        "risks": risks,
        "people": _people(result, fte, money),
        "cost": {"years": [(y, money(v)) for y, v in story.cost_by_year(result)],
                 "countries": [(c, money(v)) for c, v in
                               story.cost_by_country(result)[:MAX_COUNTRIES]],
                 "other_countries": max(0, len(story.cost_by_country(result)) - MAX_COUNTRIES)},
        "growth": _growth(result, fte),
        "requisitions": _requisitions(result, fte),
        "market": [_market_sentence(m, cur) for m in story.market_limits(result,
                                                                          MAX_MARKET_LIMITS)],
        "market_known": result.shadow_prices,
        "warnings": list(result.warnings),
        "meta": _meta(result),
        "charts": {"hires": None, "cost": None, "headcount": [], "headcount_more": 0},
    }
    if with_charts:
        # The largest countries by requirement; every country is on the Excel Charts sheet.
        countries, n_countries = charts.headcount_countries(result, MAX_HEADCOUNT_CHARTS)
        ctx["charts"] = {"hires": charts.hires_chart(result), "cost": charts.cost_chart(result),
                         "headcount": charts.headcount_charts(result, countries),
                         "headcount_more": n_countries - len(countries)}
    return ctx


def _status_note(result: PlanResult) -> str | None:
    """Said at the top only when the plan is not the proven cheapest, in plain words."""
    if result.status.value == "optimal":
        return None
    gap = result.mip_gap
    if result.mode == Mode.INTEGER and math.isfinite(gap):
        return (f"The search stopped at its time limit: this plan may cost up to {gap:.2%} "
                "more than the best possible.")
    return "The search stopped at its time limit: how close this plan is to the best is unknown."


def _decision(result: PlanResult, fte, money) -> dict[str, Any]:
    d = story.decision(result)
    cur = result.inputs.settings.currency
    return {"first": d.first, "last": d.last, "span": story.month_span(d.first, d.last),
            "hires": fte(d.hires), "none": not rt.shows_nonzero(d.hires, rt.fte_decimals(result)),
            "cost": money(d.annual_cost), "cost_short": rt.money_short(d.annual_cost, cur),
            "countries": [{"country": c.country, "hires": fte(c.hires),
                           "cost": money(c.annual_cost)} for c in d.countries[:MAX_COUNTRIES]],
            "others": _others([(c.hires, c.annual_cost) for c in d.countries[MAX_COUNTRIES:]],
                              fte, money)}


def _others(rest: list[tuple[float, float]], fte, money) -> dict[str, str] | None:
    """The countries beyond the first few, summed into one row."""
    if not rest:
        return None
    return {"countries": str(len(rest)), "hires": fte(sum(h for h, _ in rest)),
            "cost": money(sum(c for _, c in rest))}


def _budget(result: PlanResult, money, risks: dict[str, Any]) -> dict[str, Any]:
    """The plan's budgets: the whole-plan limit for the first screen; the binding rows (or
    else the fullest) with what one more unit is worth and the shortfalls they cause, linked
    to their risk rows when those are shown."""
    anchors = {r["anchor"] for r in risks["rows"]}
    lines = story.budget_lines(result)
    overall = story.overall_budget(result)
    cur = result.inputs.settings.currency

    def line(b: story.BudgetLine) -> dict[str, Any]:
        return {"label": b.label, "row": b.row, "limit": money(b.max_cost),
                "spent": money(b.spent), "left": money(max(0.0, b.headroom)),
                "share": rt.fmt_pct(b.spent / b.max_cost) if b.max_cost > 0 else "",
                "binding": b.binding, "worth": b.worth,
                "shortfalls": [{"text": text, "anchor": a if (a := _risk_anchor(c, r, m)) in anchors
                                else None} for c, r, m, text in b.shortfalls],
                "limit_short": rt.money_short(b.max_cost, cur)}
    # The limits that hold the plan back, or else the fullest one; the rest in one line.
    ranked = sorted(lines, key=lambda b: (not b.binding, -(b.spent / b.max_cost
                                                           if b.max_cost > 0 else 1.0), b.row))
    keep = max(1, min(MAX_BUDGETS, sum(b.binding for b in lines)))
    shown, rest = ranked[:keep], ranked[keep:]
    shown.sort(key=lambda b: b.row)
    return {"overall": line(overall) if overall else None, "lines": [line(b) for b in shown],
            "count": len(lines), "binding": sum(b.binding for b in lines),
            "more": len(rest),
            "rest_max": (rt.fmt_pct(max(b.spent / b.max_cost for b in rest if b.max_cost > 0))
                         if any(b.max_cost > 0 for b in rest) else None)}


def _top_risks(result: PlanResult, fte) -> list[str]:
    """The one or two risks that matter most, as sentences: sites short at go-live first."""
    out = []
    for r in story.site_risks(result)[:MAX_TOP_RISKS]:
        why = r.reasons[0] if r.reasons else "demand is left unmet"
        out.append(f"{r.site} ({r.country}) goes live in {r.go_live} with "
                   f"{rt.fmt_pct(r.covered)} of its staff. {why}.")
    if not out:
        g = rt.risk_groups(result)
        g = story.shown(g, "unmet_fte_months", rt.fte_decimals(result))
        for r in g.head(1).itertuples(index=False):
            out.append(f"{r.country}, {r.role_name}: {fte(r.unmet_fte_months)} FTE-months of "
                       f"demand unmet, {story.month_span(r.first_month, r.last_month)}. "
                       f"Why: {r.detail}.")
    return out


def _readiness(result: PlanResult) -> dict[str, Any]:
    coverage = rt.go_live_coverage(result)
    shown = _worst_covered(coverage)
    rest = coverage.drop(shown.index)
    return {"sites": [{"site": r.site_name, "country": r.country, "go_live": r.go_live,
                       "covered": rt.fmt_pct(r.covered_share),
                       "full": r.covered_share >= story.COVERED}
                      for r in shown.itertuples(index=False)],
            "total": len(coverage),
            "short": int((coverage["covered_share"] < story.COVERED).sum()),
            "more": len(rest),
            "rest_min": rt.fmt_pct(rest["covered_share"].min()) if len(rest) else None}


def _risk_anchor(country: str, role_id: str, first_month: str) -> str:
    """The id of a risk span in the report, so a budget can link to the shortfalls it causes."""
    return "risk-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", x)
                              for x in (country, role_id, first_month))


def _risks(result: PlanResult, fte) -> dict[str, Any]:
    g = rt.risk_groups(result)
    g = story.shown(g, "unmet_fte_months", 1)  # a fraction of a person short still counts
    dec = rt.fte_decimals(result)
    rows = [{"country": r.country, "role": r.role_name, "why": r.why,
             "span": story.month_span(r.first_month, r.last_month),
             "unmet": (fte(r.unmet_fte_months) if rt.shows_nonzero(r.unmet_fte_months, dec)
                       else rt.fmt_fte(r.unmet_fte_months, 1)), "detail": r.detail,
             "anchor": _risk_anchor(r.country, r.role_id, r.first_month)}
            for r in g.head(MAX_RISKS).itertuples(index=False)]
    return {"rows": rows, "more": max(0, len(g) - MAX_RISKS)}


def _people(result: PlanResult, fte, money) -> dict[str, Any]:
    p = story.people_changes(result)
    dec = rt.fte_decimals(result)

    def people(v: float) -> str:
        """Separations stay continuous in integer mode: a fraction of a person released
        is shown with its decimal rather than hidden as 0."""
        return fte_(v) if rt.shows_nonzero(v, dec) else rt.fmt_fte(v, 1)
    fte_, fte = fte, people
    releases = [r for r in p.releases if rt.shows_nonzero(r.people, 1)]
    moves = [m for m in p.moves if rt.shows_nonzero(m.people, 1)]
    return {
        "released": fte(p.released), "any_released": bool(releases),
        "release_cost": money(p.release_cost),
        "releases": [{"country": r.country, "role": r.role, "people": fte(r.people),
                      "span": story.month_span(r.first, r.last), "why": r.why}
                     for r in releases[:MAX_RELEASES]],
        "releases_more": max(0, len(releases) - MAX_RELEASES),
        "moved": fte(p.moved), "any_moved": bool(moves), "move_cost": money(p.move_cost),
        "moves": [{"role": m.role, "people": fte(m.people),
                   "from": _ends(m.from_countries, fte), "to": _ends(m.to_countries, fte),
                   "span": story.month_span(m.first, m.last)} for m in moves[:MAX_MOVES]],
        "moves_more": max(0, len(moves) - MAX_MOVES),
        "policy": getattr(result.inputs.settings, "releases", None),
    }


def _ends(countries: list[tuple[str, float]], fte) -> str:
    """`US` alone, else the largest few with their numbers: `AU (3.8), JP (1.5) and 4 more`."""
    if len(countries) == 1:
        return countries[0][0]
    big = sorted(countries, key=lambda cv: (-cv[1], cv[0]))
    text = ", ".join(f"{c} ({fte(v)})" for c, v in big[:MAX_LANE_ENDS])
    more = len(big) - MAX_LANE_ENDS
    return text + (f" and {more} more countries" if more > 0 else "")


def _growth(result: PlanResult, fte) -> dict[str, Any]:
    rows = story.growth(result)
    tot = story.Growth("All", sum(g.start for g in rows), sum(g.end for g in rows),
                       sum(g.hires for g in rows))

    def row(g: story.Growth) -> dict[str, str]:
        net = fte(g.net)
        return {"country": g.country, "start": fte(g.start), "end": fte(g.end),
                "hires": fte(g.hires),
                "net": net if net.startswith("-") or net in ("0", "0.0") else "+" + net}
    replaced = min(tot.hires, max(0.0, tot.hires - tot.net))  # hires that fill departures
    rest = rows[MAX_COUNTRIES:]
    others = None
    if rest:
        others = row(story.Growth("", sum(g.start for g in rest), sum(g.end for g in rest),
                                  sum(g.hires for g in rest)))
        others["country"] = f"{len(rest)} more countries"
    return {"rows": [row(g) for g in rows[:MAX_COUNTRIES]], "others": others,
            "total": row(tot), "countries": len(rows),
            "replaced": (fte(replaced) if rt.shows_nonzero(replaced, rt.fte_decimals(result))
                         else None)}


def _requisitions(result: PlanResult, fte) -> dict[str, Any]:
    """New requisitions of the decision window, one row per month, country and role,
    with the pay range in the band's currency and the reporting currency beside it."""
    req = story.requisitions_now(result)
    dec = rt.fte_decimals(result)
    req = story.shown(req, "hires", dec)
    cur = result.inputs.settings.currency
    keys = ["requisition_month", "country", "role_id"]
    # One pass over plain lists (a pandas group per month, country and role took a second
    # on large); each site's hires summed by one groupby, as a group's own groupby did.
    where_sums: dict[tuple, list[tuple[str, float]]] = {}
    for (month, country, role_id, site), v in req.groupby(keys + ["site_name"], sort=False)[
            "hires"].sum().items():
        where_sums.setdefault((month, country, role_id), []).append((site, v))
    groups: dict[tuple, list[tuple]] = {}
    for rec in zip(*(req[x].tolist() for x in keys + ["currency", "annual_salary", "hires",
                                                       "start_month"])):
        groups.setdefault(rec[:3], []).append(rec[3:])
    rows = []
    for (month, country, role_id) in sorted(groups):
        g = groups[(month, country, role_id)]
        band_cur = g[0][0]
        lo, hi = min(x[1] for x in g), max(x[1] for x in g)
        rate = result.inputs.rate(band_cur)
        pay = _range(lo, hi, band_cur)
        if band_cur != cur:
            pay += f" ({_range(lo * rate, hi * rate, cur)})"
        sites = [(n, v) for n, v in where_sums[(month, country, role_id)]
                 if rt.shows_nonzero(v, dec) and n != COUNTRY_LEVEL]
        where = (", ".join(n for n, _ in sites) if len(sites) == 1 else
                 ", ".join(f"{n} ({fte(v)})" for n, v in _largest(sites, 3))
                 + (f" and {len(sites) - 3} more" if len(sites) > 3 else ""))
        rows.append({"open": month, "country": country, "role": rt.role_name(result, role_id),
                     "hires": fte(_sum([x[2] for x in g])), "sites": where,
                     "start": story.month_span(min(x[3] for x in g), max(x[3] for x in g)),
                     "pay": pay})
    rows.sort(key=lambda r: (r["open"], r["country"], r["role"]))
    d = story.decision(result)
    return {"span": story.month_span(d.first, d.last), "rows": rows[:MAX_REQUISITIONS],
            "more": max(0, len(rows) - MAX_REQUISITIONS)}


def _largest(sites: list[tuple[str, float]], n: int) -> list[tuple[str, float]]:
    """The `n` sites with most hires, most first, in the order pandas' `sort_values`
    gives them: by value when all differ; equal values (whole hires in integer mode) are
    left to pandas, whose order among equals is its own."""
    values = [v for _, v in sites]
    if len(set(values)) == len(values):
        return sorted(sites, key=lambda x: -x[1])[:n]
    ranked = pd.Series(values, index=[name for name, _ in sites], dtype=float)
    return list(ranked.sort_values(ascending=False).head(n).items())


def _sum(values: list[float]) -> float:
    """A column's sum as pandas' `Series.sum` gives it (numpy's pairwise sum)."""
    return float(np.nansum(np.asarray(values, dtype=float)))


def _range(lo: float, hi: float, cur: str) -> str:
    if rt.excel_round(lo, 0) == rt.excel_round(hi, 0):
        return rt.fmt_money(lo, cur)
    return f"{rt.fmt_money(lo, cur)} to {rt.fmt_money(hi, cur)[len(cur) + 1:]}"


def _market_sentence(m: story.MarketLimit, cur: str) -> str:
    return (f"{m.country}, {m.role}: one more hire a month at band {m.pay_point} "
            f"({rt.fmt_money(m.annual_pay, m.pay_currency)} a year) would save about "
            f"{story.about(m.saving, cur)} over the plan.")


def _meta(result: PlanResult) -> list[tuple[str, str]]:
    inputs = result.inputs
    s = inputs.settings
    return [
        ("Input file", inputs.source.name if inputs.source else "(not from a file)"),
        ("Months planned", f"{s.horizon_months}, from {month_label(s.horizon_start)}"),
        ("Unmet demand counted at", rt.fmt_money(s.unmet_penalty, s.currency)
         + " per FTE-month"),
        ("Hires", "whole people" if result.mode == Mode.INTEGER
         else "fractional (a quick estimate; the normal run plans whole people)"),
        ("Cheapest plan", _proof(result)),
        ("staffplan version", __version__),
    ]


def _proof(result: PlanResult) -> str:
    if result.status.value == "optimal":
        return "yes" if result.mode == Mode.LP or result.mip_gap <= NOISE else (
            f"yes, to within {result.mip_gap:.2%}" if math.isfinite(result.mip_gap)
            else "yes, to within the accepted margin")
    return "not proven: the search stopped at its time limit"


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader(TEMPLATES_PACKAGE, ""), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)


def render_report(result: PlanResult) -> str:
    """The whole report as one HTML string."""
    return _env().get_template("report.html.j2").render(**build_context(result))


def write_report_html(result: PlanResult, path: Path, html: str | None = None) -> None:
    """Write the report atomically: the old file stays untouched if anything fails.

    `html` is the report already rendered, so a caller can render before writing
    anything else (a plan must never sit beside a stale report)."""
    path = Path(path)
    html = render_report(result) if html is None else html
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8", newline="\n")
    log.info("wrote %s (%d bytes)", path, len(html.encode("utf-8")))
