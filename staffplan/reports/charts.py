"""Charts for the HTML report as compact PNG data URIs (matplotlib, Agg canvas).

The mail step swaps each `data:image/png;base64,...` for a `cid:` part, so each
chart is one self-contained PNG, 600 px wide (5 in at 120 dpi): a 640 px column
that shrinks to a phone.

Rendering is the report's main cost, so each chart is drawn exactly once: the
layout is fixed in inches (title, plot, tick labels and legend each get their
room, the legend's from its number of rows) instead of `tight_layout` and
`bbox_inches="tight"`, which each draw the figure again to measure it; PNGs are
saved with zlib's default level (`optimize=True` tried every filter for a few
per cent less size). Figures are made without pyplot, which keeps no global
figure list to close.
"""

from __future__ import annotations

import base64
import io
import logging
import math

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from staffplan.reports import tables as rt
from staffplan.results.tables import PlanResult

log = logging.getLogger(__name__)

DPI = 120
WIDTH_IN = 5.0
COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#c00000",
           "#00827f", "#7f6000", "#595959"]
MAX_COUNTRY_CHARTS = 12
# Fixed layout, inches: room for a 12 pt title above the plot, tick labels of up to six
# characters (`10,000`, `1,200m`) left of it, year labels below it, then the legend rows.
TITLE_IN, LEFT_IN, RIGHT_IN, XTICKS_IN = 0.38, 0.72, 0.15, 0.32
LEGEND_ROW_IN, LEGEND_PAD_IN = 0.21, 0.08

rcParams.update({"font.size": 11, "axes.titlesize": 12, "axes.titleweight": "bold",
                 "axes.spines.top": False, "axes.spines.right": False,
                 "legend.frameon": False, "svg.hashsalt": "staffplan"})


def _figure(plot_in: float, legend_rows: int) -> tuple[Figure, Axes]:
    """A figure whose plot is `plot_in` inches high, with room below for the legend."""
    legend_in = legend_rows * LEGEND_ROW_IN + (LEGEND_PAD_IN if legend_rows else 0.0)
    height = TITLE_IN + plot_in + XTICKS_IN + legend_in
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((LEFT_IN / WIDTH_IN, (XTICKS_IN + legend_in) / height,
                       1 - (LEFT_IN + RIGHT_IN) / WIDTH_IN, plot_in / height))
    return fig, ax


def _legend(fig: Figure, ax: Axes, ncol: int, fontsize: int) -> None:
    """The legend under the x tick labels, left-aligned with the figure's edge."""
    top = 1 - (TITLE_IN + _plot_in(fig, ax) + XTICKS_IN) / fig.get_figheight()
    ax.legend(fontsize=fontsize, ncol=ncol, loc="upper left", bbox_to_anchor=(0.02, top),
              bbox_transform=fig.transFigure, borderaxespad=0.0, handlelength=1.5,
              columnspacing=1.0)


def _plot_in(fig: Figure, ax: Axes) -> float:
    return ax.get_position().height * fig.get_figheight()


def to_data_uri(fig: Figure) -> str:
    """PNG bytes as a data URI; one draw, default compression."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def hires_chart(result: PlanResult) -> dict[str, str] | None:
    """Hires per start quarter, stacked by role."""
    h = rt.hires_by_quarter(result)
    if h.empty:
        return None
    quarters = rt.quarters(result)
    pivot = h.pivot_table(index="quarter", columns="role_name", values="hires", aggfunc="sum",
                          fill_value=0.0).reindex(quarters, fill_value=0.0)
    # One legend column: long role names side by side would widen the figure and shrink
    # the bars once the image is scaled to a phone's width.
    fig, ax = _figure(2.0, len(pivot.columns))
    bottom = [0.0] * len(pivot)
    for i, role in enumerate(pivot.columns):
        vals = list(pivot[role])
        ax.bar(range(len(vals)), vals, bottom=bottom, color=COLOURS[i % len(COLOURS)],
               label=role, width=0.75)
        bottom = [b + v for b, v in zip(bottom, vals)]
    _year_ticks(ax, quarters)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_title("Hires per quarter, by role", loc="left")
    _legend(fig, ax, ncol=1, fontsize=9)
    peak = max(range(len(bottom)), key=lambda i: bottom[i])
    dec = rt.fte_decimals(result)
    alt = (f"Bar chart of hires per quarter stacked by role, {quarters[0]} to {quarters[-1]}; "
           f"the busiest quarter is {quarters[peak]} with {rt.fmt_fte(bottom[peak], dec)} "
           f"hires.")
    return {"src": to_data_uri(fig), "alt": alt}


def cost_chart(result: PlanResult) -> dict[str, str] | None:
    """Total cost per year, stacked by country."""
    cur = result.inputs.settings.currency
    pivot = result.costs.pivot_table(index="year", columns="country", values="total",
                                     aggfunc="sum", fill_value=0.0)
    if pivot.empty:
        return None
    years = [str(y) for y in pivot.index]
    ncol = min(6, len(pivot.columns))
    fig, ax = _figure(1.9, math.ceil(len(pivot.columns) / ncol))
    bottom = [0.0] * len(pivot)
    for i, country in enumerate(pivot.columns):
        vals = list(pivot[country])
        ax.bar(years, vals, bottom=bottom, color=COLOURS[i % len(COLOURS)], label=country,
               width=0.6)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}m"
                                               if max(bottom) >= 5e6 else f"{v:,.0f}"))
    ax.set_title(f"Cost per year ({cur}), by country", loc="left")
    _legend(fig, ax, ncol=ncol, fontsize=10)
    parts = ", ".join(f"{y}: {rt.fmt_money(v, cur)}" for y, v in zip(years, bottom))
    return {"src": to_data_uri(fig), "alt": f"Bar chart of cost per year by country ({parts})."}


def headcount_countries(result: PlanResult, limit: int = MAX_COUNTRY_CHARTS
                        ) -> tuple[list[str], int]:
    """The countries with a headcount chart: the `limit` largest by requirement, in name
    order; and how many countries there are in all."""
    m = rt.monthly_by_country(result)
    size = m.groupby("country")["requirement"].sum().sort_values(ascending=False, kind="stable")
    if len(size) > limit:
        log.info("headcount charts for the %d largest of %d countries", limit, len(size))
    return sorted(size.index[:limit]), len(size)


def headcount_charts(result: PlanResult, countries: list[str] | None = None
                     ) -> list[dict[str, str]]:
    """One small chart per country (`headcount_countries` when not given): requirement,
    headcount and staffed (productive + contractors) by month. A report draws only the
    charts it shows: each costs a matplotlib draw."""
    m = rt.monthly_by_country(result)
    if countries is None:
        countries = headcount_countries(result)[0]
    dec = rt.fte_decimals(result)
    out = []
    for country in countries:
        g = m[m["country"] == country]
        months = list(g["month"])
        fig, ax = _figure(1.7, 1)
        x = range(len(months))
        ax.fill_between(x, list(g["requirement"]), color="#d9e2f3", step="mid",
                        label="Requirement")
        ax.step(x, list(g["headcount"]), where="mid", color="#1f4e79", lw=2, label="Headcount")
        ax.step(x, list(g["staffed"]), where="mid", color="#c55a11", lw=1.5, ls="--",
                label="Productive + contractors")
        ticks = [i for i, lab in enumerate(months) if lab.endswith("-01")] or [0]
        ax.set_xticks(ticks)
        ax.set_xticklabels([months[i][:4] for i in ticks], fontsize=10)
        ax.set_xlim(-0.5, len(months) - 0.5)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        ax.set_title(f"{country}: headcount against requirement (FTE)", loc="left")
        _legend(fig, ax, ncol=3, fontsize=9)
        req = list(g["requirement"])
        peak = max(range(len(req)), key=lambda i: req[i])
        unmet = float(g["unmet"].sum())
        alt = (f"{country}: requirement peaks at {rt.fmt_fte(req[peak], dec)} FTE in "
               f"{months[peak]}; headcount goes from {rt.fmt_fte(g['headcount'].iloc[0], dec)} "
               f"to {rt.fmt_fte(g['headcount'].iloc[-1], dec)}; unmet "
               f"{rt.fmt_fte(unmet, dec)} FTE-months.")
        out.append({"country": country, "src": to_data_uri(fig), "alt": alt})
    return out


def _year_ticks(ax, quarters: list[str]) -> None:
    """A tick and the year at each year's first quarter, minor ticks for the rest."""
    major = [i for i, q in enumerate(quarters) if i == 0 or q[:4] != quarters[i - 1][:4]]
    ax.set_xticks(major)
    ax.set_xticklabels([quarters[i][:4] for i in major], fontsize=10)
    ax.set_xticks(range(len(quarters)), minor=True)
