"""`<stem>-risk.html`: one phone-width page saying how likely each site is staffed at go-live.

`build_context` turns a `RiskResult` into formatted text; `templates/risk.html.j2` lays it
out with autoescape on.
"""

from __future__ import annotations

import logging
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from staffplan import __version__
from staffplan.reports import tables as rt
from staffplan.reports.charts import DPI, WIDTH_IN, to_data_uri
from staffplan.reports.scenarios_html import env
from staffplan.results.simulate import STAFFED_SHARE, RiskResult, quantiles

log = logging.getLogger(__name__)

TEMPLATE = "risk.html.j2"
MAX_SITES = 15  # on the page: the least likely sites, in go-live order
MAX_PAIRS = 10


def method_note(risk: RiskResult) -> str:
    share = f"{STAFFED_SHARE:.0%}"
    if risk.replan:
        return (f"Re-planned {risk.samples:,} times (seed {risk.seed}): each time with its own "
                f"attrition rates and hiring delays drawn around the workbook's, and the "
                f"cheapest plan made again. A site counts as staffed when, in its go-live "
                f"month, every role of its country has at least {share} of the requirement "
                f"covered by productive staff and contractors.")
    return (f"The plan ({risk.plan_source}) played out {risk.samples:,} times (seed "
            f"{risk.seed}) in whole people: anyone may leave in any month at the workbook's "
            f"attrition rate, and each hire may start late (fill_delay_mean_months). A site "
            f"counts as staffed when, in its go-live month, every role of its country has at "
            f"least {share} of the requirement covered by productive staff and contractors.")


def build_context(risk: RiskResult, with_charts: bool = True) -> dict[str, Any]:
    inputs = risk.inputs
    s = inputs.settings
    names = {site.site_id: site.site_name for site in inputs.sites}
    sites = risk.site_risk
    shown = sites
    if len(sites) > MAX_SITES:
        shown = sites.sort_values("p_staffed", kind="stable").head(MAX_SITES).sort_index()
    site_rows = [{"site": names.get(r.site_id, r.site_id), "country": r.country,
                  "go_live": r.go_live, "p": rt.fmt_pct(r.p_staffed),
                  "colour": _colour(r.p_staffed)}
                 for r in shown.itertuples(index=False)]
    pairs = risk.pair_risk.sort_values("unmet_p90", ascending=False, kind="stable")
    pairs = pairs[pairs["unmet_p90"] > 0.05]
    pair_rows = [{"country": r.country, "role": _role(inputs, r.role_id),
                  "p50": f"{r.unmet_p50:,.1f}", "p90": f"{r.unmet_p90:,.1f}"}
                 for r in pairs.head(MAX_PAIRS).itertuples(index=False)]
    ctx: dict[str, Any] = {
        "plan_name": s.plan_name,
        "source": inputs.source.name if inputs.source else "",
        "method": method_note(risk),
        "sites": site_rows,
        "sites_more": max(0, len(sites) - len(shown)),
        "pairs": pair_rows,
        "pairs_more": max(0, len(pairs) - MAX_PAIRS),
        "spread": _spread(risk),
        "failed": [f"Sample {r.sample}: {r.reason}" for r in risk.failed.itertuples(index=False)],
        "chart": None,
        "version": __version__,
    }
    if with_charts and len(shown):
        ctx["chart"] = site_chart(shown, names)
    return ctx


def _role(inputs, role_id: str) -> str:
    role = inputs.roles.get(role_id)
    return role.role_name if role else role_id


def _colour(p: float) -> str:
    if p >= 0.8:
        return "#375623"
    if p >= 0.5:
        return "#9c5700"
    return "#9c0006"


def _spread(risk: RiskResult) -> list[dict[str, str]]:
    """P10 / P50 / P90 of cost, hires and unmet over the re-planned samples."""
    if risk.replans is None:
        return []
    ok = risk.replans[risk.replans["status"] != "failed"]
    if not len(ok):
        return []
    cur = risk.inputs.settings.currency
    out = []
    for col, label, fmt in (("total_cost", "Cost", lambda v: rt.money_short(v, cur)),
                            ("total_hires", "Hires", lambda v: f"{v:,.0f}"),
                            ("unmet_fte_months", "Unmet FTE-months", lambda v: f"{v:,.1f}")):
        p10, p50, p90 = quantiles(ok[col].to_numpy(float), (0.1, 0.5, 0.9))
        out.append({"what": label, "p10": fmt(p10), "p50": fmt(p50), "p90": fmt(p90)})
    return out


def site_chart(sites, names: dict[str, str]) -> dict[str, str]:
    """One horizontal bar per site: the probability of being staffed at go-live."""
    labels = [f"{names.get(r.site_id, r.site_id)[:22]} ({r.go_live})"
              for r in sites.itertuples(index=False)]
    values = [float(v) for v in sites["p_staffed"]]
    fig = Figure(figsize=(WIDTH_IN, 0.5 + 0.42 * len(values)), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = list(range(len(values)))[::-1]
    ax.barh(y, values, color=[_colour(v) for v in values], height=0.6)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Chance each site is staffed at go-live", loc="left")
    fig.tight_layout()
    parts = "; ".join(f"{lab}: {rt.fmt_pct(v)}" for lab, v in zip(labels, values))
    return {"src": to_data_uri(fig), "alt": f"Bar chart of the chance each site is staffed "
                                            f"at go-live: {parts}."}


def render_risk(risk: RiskResult) -> str:
    return env().get_template(TEMPLATE).render(**build_context(risk))
