"""`<stem>-scenarios.html`: one phone-width page, each scenario's change and what it does.

`build_context` turns a `Comparison` into already formatted text (the same helpers as
the Excel formats); `templates/scenarios.html.j2` lays it out with autoescape on.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import jinja2
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from staffplan import __version__
from staffplan.core.resources import TEMPLATES_PACKAGE
from staffplan.reports import tables as rt
from staffplan.reports.charts import COLOURS, DPI, WIDTH_IN, to_data_uri
from staffplan.reports.scenarios_tables import (
    Comparison,
    Run,
    budget_table,
    go_live_table,
    within_tolerance,
)
from staffplan.results.tables import Mode

log = logging.getLogger(__name__)

TEMPLATE = "scenarios.html.j2"
MAX_SITES = 8  # site rows per scenario: the ones whose coverage moved most


def env() -> jinja2.Environment:
    """The report templates, autoescaped (user text reaches the page)."""
    return jinja2.Environment(loader=jinja2.PackageLoader(TEMPLATES_PACKAGE, ""),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def signed_money(value: float, currency: str) -> str:
    """`+USD 1,234,567` / `-USD 1,234,567` / `USD 0`."""
    text = rt.fmt_money(abs(value), currency)
    if text == rt.fmt_money(0, currency):
        return text
    return ("+" if value > 0 else "-") + text


def signed_fte(value: float, decimals: int) -> str:
    text = rt.fmt_fte(abs(value), decimals)
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if value > 0 else "-") + text


def mode_note(comp: Comparison) -> str:
    """Which solves the differences come from, in words (the spec asks the report to say)."""
    if comp.mode == Mode.LP.value:
        return ("Every plan is solved as a linear relaxation (fractional hires) to its exact "
                "optimum, so each difference is the scenario's, not the solver's.")
    return (f"Every plan is solved in whole people to within {comp.mip_gap:.2%} of the "
            f"cheapest possible; a cost difference smaller than the solves' gaps is marked, "
            f"because the solver rather than the scenario may explain it.")


def build_context(comp: Comparison, with_charts: bool = True) -> dict[str, Any]:
    base = comp.baseline.result
    any_result = base or next((r.result for r in comp.runs if r.result is not None), None)
    s = any_result.inputs.settings if any_result is not None else None
    cur = s.currency if s else ""
    dec = 1 if comp.mode == Mode.LP.value else 0
    go_live = go_live_table(comp)
    budgets = budget_table(comp)
    base_binding = set(budgets[(budgets["scenario"] == comp.baseline.name)
                               & (budgets["binding"] == "yes")]["row"])
    ctx: dict[str, Any] = {
        "plan_name": s.plan_name if s else comp.source.stem,
        "source": comp.source.name,
        "mode_note": mode_note(comp),
        "baseline": _run_summary(comp.baseline, cur, dec),
        "scenarios": [],
        "failed": [{"name": r.name, "reason": r.reason} for r in comp.failed],
        "chart": None,
        "version": __version__,
    }
    for run in comp.scenarios:
        item = _run_summary(run, cur, dec)
        item["changes"] = run.changes
        if run.result is not None and base is not None:
            r = run.result
            d_cost = r.total_cost - base.total_cost
            item["diff"] = {
                "cost": signed_money(d_cost, cur),
                "cost_pct": (f"{d_cost / base.total_cost:+.1%}" if base.total_cost else ""),
                "hires": signed_fte(r.total_hires - base.total_hires, dec),
                "unmet": signed_fte(r.unmet_fte_months - base.unmet_fte_months, dec),
                "up": d_cost > 0,
                "tolerance": within_tolerance(comp, run),
            }
            item["sites"] = _site_changes(go_live, run.name)
            binding = set(budgets[(budgets["scenario"] == run.name)
                                  & (budgets["binding"] == "yes")]["row"])
            item["budgets"] = _budget_changes(budgets, run.name, binding, base_binding, cur)
        else:
            item["diff"] = None
            item["sites"] = []
            item["budgets"] = []
        ctx["scenarios"].append(item)
    if with_charts and base is not None:
        ctx["chart"] = difference_chart(comp, cur)
    return ctx


def _run_summary(run: Run, cur: str, dec: int) -> dict[str, Any]:
    r = run.result
    if r is None:
        return {"name": run.name, "ok": False, "reason": run.reason}
    return {"name": run.name, "ok": True, "reason": "",
            "cost": rt.fmt_money(r.total_cost, cur),
            "cost_short": rt.money_short(r.total_cost, cur),
            "hires": rt.fmt_fte(r.total_hires, dec),
            "unmet": rt.fmt_fte(r.unmet_fte_months, dec),
            "status": rt.status_text(r)}


def _site_changes(go_live, name: str) -> list[dict[str, str]]:
    """Sites whose coverage at go-live moved by a shown percent, the largest moves first."""
    g = go_live[go_live["scenario"] == name]
    rows = []
    for r in g.itertuples(index=False):
        d = r.d_covered_share
        if d is None or (isinstance(d, float) and math.isnan(d)):
            continue
        if rt.fmt_pct(abs(d)) == "0%":
            continue
        rows.append((abs(d), {"site": r.site_name, "country": r.country, "go_live": r.go_live,
                              "covered": rt.fmt_pct(r.covered_share),
                              "was": rt.fmt_pct(r.covered_share - d), "worse": d < 0}))
    rows.sort(key=lambda x: -x[0])
    return [x[1] for x in rows[:MAX_SITES]]


def _budget_changes(budgets, name: str, binding: set, base_binding: set,
                    cur: str) -> list[str]:
    out = []
    g = budgets[budgets["scenario"] == name]
    for r in g.itertuples(index=False):
        label = f"Budget row {r.row} ({r.year}, {r.country})"
        if r.row in binding and r.row not in base_binding:
            out.append(f"{label} now binds: {rt.fmt_money(r.spent, cur)} of "
                       f"{rt.fmt_money(r.max_cost, cur)} spent")
        elif r.row in base_binding and r.row not in binding:
            out.append(f"{label} no longer binds: {rt.fmt_money(r.headroom, cur)} to spare")
        elif r.row in binding:
            out.append(f"{label} binds, as in the baseline")
    return out


def difference_chart(comp: Comparison, cur: str) -> dict[str, str] | None:
    """Cost difference from the baseline, one horizontal bar per scenario."""
    base = comp.baseline.result
    runs = [r for r in comp.scenarios if r.result is not None]
    if base is None or not runs:
        return None
    diffs = [r.result.total_cost - base.total_cost for r in runs]
    names = [r.name if len(r.name) <= 28 else r.name[:27] + "…" for r in runs]
    big = max(abs(d) for d in diffs) >= 5e6
    fig = Figure(figsize=(WIDTH_IN, 0.5 + 0.55 * len(runs)), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colours = [COLOURS[1] if d > 0 else COLOURS[2] for d in diffs]
    y = list(range(len(runs)))[::-1]
    ax.barh(y, diffs, color=colours, height=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=10)
    ax.axvline(0, color="#595959", lw=1)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v / 1e6:+,.0f}m" if big else f"{v:+,.0f}"))
    ax.set_title(f"Cost against the baseline ({cur})", loc="left")
    fig.tight_layout()
    parts = "; ".join(f"{r.name}: {signed_money(d, cur)}" for r, d in zip(runs, diffs))
    return {"src": to_data_uri(fig), "alt": f"Bar chart of each scenario's cost difference "
                                            f"from the baseline: {parts}."}


def render_scenarios(comp: Comparison) -> str:
    return env().get_template(TEMPLATE).render(**build_context(comp))
