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

from staffplan import __version__
from staffplan.core.atomic import atomic_path
from staffplan.core.months import month_label
from staffplan.core.resources import TEMPLATES_PACKAGE
from staffplan.reports import charts
from staffplan.reports import tables as rt
from staffplan.reports.in_flight import in_flight
from staffplan.reports.since_last import since_last
from staffplan.results.tables import Mode, PlanResult

log = logging.getLogger(__name__)

MAX_RISKS = 10
MAX_REQUISITIONS = 20
MAX_GO_LIVE_SITES = 12
MAX_PRESSURES = 6


def _worst_covered(coverage):
    """At most MAX_GO_LIVE_SITES sites, the least covered, shown in go-live order: a
    phone screen of 150 sites at 100% hides the few that matter."""
    if len(coverage) <= MAX_GO_LIVE_SITES:
        return coverage
    worst = coverage.sort_values("covered_share", kind="stable").head(MAX_GO_LIVE_SITES)
    return worst.sort_index()


def build_context(result: PlanResult, with_charts: bool = True) -> dict[str, Any]:
    """Everything the template shows, as text; charts as PNG data URIs."""
    s = result.inputs.settings
    cur = s.currency
    dec = rt.fte_decimals(result)
    fte = lambda v: rt.fmt_fte(v, dec)  # noqa: E731
    money = lambda v: rt.fmt_money(v, cur)  # noqa: E731
    labels = rt.horizon_labels(result)

    by_country = rt.hires_by_country(result)
    coverage = rt.go_live_coverage(result)
    headline = {
        "hires": fte(result.total_hires),
        "by": by_country["last_start"].max() if len(by_country) else None,
        "first_open": (rt.requisitions(result)["requisition_month"].min()
                       if (result.hires["source"] == "new").any() else None),
        "cost": money(result.total_cost),
        "cost_short": rt.money_short(result.total_cost, cur),
        "unmet": fte(result.unmet_fte_months),
        "has_unmet": rt.shows_nonzero(result.unmet_fte_months, dec),
        "countries": [{"country": r.country, "hires": fte(r.hires), "by": r.last_start}
                      for r in by_country.itertuples(index=False)],
        "coverage": [{"site": r.site_name, "country": r.country, "go_live": r.go_live,
                      "covered": rt.fmt_pct(r.covered_share),
                      "full": r.covered_share >= 0.995}
                     for r in _worst_covered(coverage).itertuples(index=False)],
        "coverage_more": max(0, len(coverage) - MAX_GO_LIVE_SITES),
        "coverage_rest_min": (rt.fmt_pct(coverage["covered_share"].nlargest(
            len(coverage) - MAX_GO_LIVE_SITES).min()) if len(coverage) > MAX_GO_LIVE_SITES
            else None),
    }

    nq = rt.next_quarter_requisitions(result)
    nq = nq[nq["hires"] >= 0.5 * 10 ** -dec]  # rows that would show as 0 are noise here
    next_quarter = {
        "months": f"{labels[0]} to {labels[min(2, len(labels) - 1)]}",
        "rows": [{"open": r.requisition_month, "start": r.start_month, "country": r.country,
                  "site": r.site_name, "role": r.role_name, "pay_point": r.pay_point,
                  "hires": fte(r.hires), "salary": money(r.annual_salary_reporting)}
                 for r in nq.head(MAX_REQUISITIONS).itertuples(index=False)],
        "more": max(0, len(nq) - MAX_REQUISITIONS),
    }

    risks = _risks(result, fte)
    ctx: dict[str, Any] = {
        "plan_name": s.plan_name,
        "currency": cur,
        "lp": result.mode == Mode.LP,
        "status_note": (None if result.status.value == "optimal"
                        else rt.status_text(result)),
        "horizon": {"start": labels[0], "end": labels[-1], "months": s.horizon_months},
        "headline": headline,
        "next_quarter": next_quarter,
        "hires_tables": _hires_tables(result, fte),
        "risks": risks,
        "budgets": _budgets(result, money, risks),
        "shadow_prices": result.shadow_prices,
        "pressure": [{"text": r.explanation}
                     for r in rt.top_supply_pressure(result, MAX_PRESSURES)
                     .itertuples(index=False)],
        "costs": _costs(result, money),
        "warnings": list(result.warnings),
        "meta": _meta(result),
        "since_last": since_last(result),  # None without plan --previous
        "in_flight": in_flight(result),  # None without a Requisitions sheet
        "charts": {"hires": None, "cost": None, "headcount": []},
    }
    if with_charts:
        ctx["charts"] = {"hires": charts.hires_chart(result), "cost": charts.cost_chart(result),
                         "headcount": charts.headcount_charts(result)}
    return ctx


def _hires_tables(result: PlanResult, fte) -> list[dict[str, Any]]:
    """One table a year: country and role rows, that year's quarters as columns."""
    h = rt.hires_by_quarter(result)
    tables = []
    for year in sorted({q[:4] for q in rt.quarters(result)}):
        qs = [q for q in rt.quarters(result) if q.startswith(year)]
        part = h[h["quarter"].isin(qs)]
        rows = []
        # By role id: two roles may share a display name, and their hires must not merge.
        for (country, _), g in part.groupby(["country", "role_id"], sort=True):
            role = g["role_name"].iloc[0]
            per = g.groupby("quarter")["hires"].sum().to_dict()
            cells = [fte(per[q]) if q in per else "" for q in qs]
            if any(c and float(c.replace(",", "")) != 0 for c in cells):  # shown as 0: noise
                rows.append({"country": country, "role": role, "cells": cells})
        tables.append({"year": year, "quarters": [q[5:] for q in qs], "rows": rows})
    return tables


def _risk_anchor(country: str, role_id: str, first_month: str) -> str:
    """The id of a risk span in the report, so a budget can link to the shortfalls it causes."""
    return "risk-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", x)
                              for x in (country, role_id, first_month))


def _risks(result: PlanResult, fte) -> dict[str, Any]:
    g = rt.risk_groups(result)
    rows = [{"country": r.country, "role": r.role_name, "why": r.why, "from": r.first_month,
             "to": r.last_month, "unmet": fte(r.unmet_fte_months), "detail": r.detail,
             "anchor": _risk_anchor(r.country, r.role_id, r.first_month)}
            for r in g.head(MAX_RISKS).itertuples(index=False)]
    return {"rows": rows, "more": max(0, len(g) - MAX_RISKS)}


def _budgets(result: PlanResult, money, risks: dict[str, Any]) -> list[dict[str, Any]]:
    """Per Budget row: spend against the cap; for a binding row what one more unit is worth and
    the shortfalls it causes, linked to their rows in the risks section when shown there."""
    shown = {r["anchor"] for r in risks["rows"]}
    out = []
    for b in rt.budget_view(result).itertuples(index=False):
        short = [{"text": text, "anchor": a if (a := _risk_anchor(c, r, m)) in shown else None}
                 for c, r, m, text in b.shortfalls]
        out.append({"label": b.label, "max_cost": money(b.max_cost), "spent": money(b.spent),
                    "headroom": money(b.headroom), "used": rt.fmt_pct(b.used_share),
                    "binding": bool(b.binding), "worth": b.worth, "shortfalls": short})
    return out


def _costs(result: PlanResult, money) -> list[dict[str, Any]]:
    """Per year: each country's total, then all countries (the Cost by year sheet)."""
    c = rt.costs_by_year(result)
    years = []
    for year, g in c.groupby("year", sort=True):
        rows = [{"country": "All countries" if r.country == "All" else r.country,
                 "total": money(r.total), "all": r.country == "All"}
                for r in g.itertuples(index=False)]
        years.append({"year": str(year), "rows": rows})
    return years


def _meta(result: PlanResult) -> list[tuple[str, str]]:
    inputs = result.inputs
    s = inputs.settings
    return [
        ("Input file", inputs.source.name if inputs.source else "(not from a file)"),
        ("Input SHA-256", inputs.sha256 or "(none)"),
        ("Horizon", f"{month_label(s.horizon_start)}, {s.horizon_months} months "
                    f"(+{s.lookahead_months} look-ahead months solved, not reported)"),
        ("Unmet demand penalty", rt.fmt_money(s.unmet_penalty, s.currency) + " per FTE-month"),
        ("Mode", "whole-number hires" if result.mode == Mode.INTEGER
         else "linear relaxation (fractional hires)"),
        ("Solver", result.solver),
        ("Status", rt.status_text(result)),
        ("Optimality gap", "0 (LP)" if result.mode == Mode.LP else
         (f"{result.mip_gap:.2%}" if math.isfinite(result.mip_gap) else "unknown")),
        ("Solve time", f"{result.solve_seconds:.1f} s"),
        ("staffplan version", __version__),
    ]


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
