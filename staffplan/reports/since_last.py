""""Since the last plan": the comparison with `plan --previous`, in words, for both reports.

`since_last(result)` is the one context the HTML section and the Excel people sheet both show
(None without --previous), already formatted with the reports' own helpers so the figures match
the rest of the plan. The comparison itself is `staffplan.results.changes`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from staffplan.core.months import month_label
from staffplan.core.tolerances import SHOWN
from staffplan.reports import tables as rt
from staffplan.results.tables import PlanResult

MAX_MOVES = 15  # requisition lines shown; the Changes sheet has every month
KIND_WORDS = {"brought_forward": "brought forward", "pushed_back": "pushed back",
              "added": "added", "dropped": "dropped"}


def since_last(result: PlanResult) -> dict[str, Any] | None:
    """Cost, hires and unmet before and after; sites whose go-live coverage moved;
    requisitions brought forward, pushed back, added or dropped; notes."""
    comp = result.comparison
    if comp is None:
        return None
    prev = comp.previous
    cur = result.inputs.settings.currency
    dec = rt.fte_decimals(result)
    fte = lambda v: rt.fmt_fte(v, dec)  # noqa: E731

    def delta(before: float, after: float, fmt) -> str:
        d = after - before
        text = fmt(abs(d))
        if not any(ch.isdigit() and ch != "0" for ch in text):
            return "no change"
        return ("+" if d > 0 else "-") + text

    figures = [
        {"what": "Total cost", "before": rt.fmt_money(prev.total_cost, cur),
         "after": rt.fmt_money(result.total_cost, cur),
         "change": delta(prev.total_cost, result.total_cost, lambda v: rt.fmt_money(v, cur))},
        {"what": "Hires", "before": fte(prev.total_hires), "after": fte(result.total_hires),
         "change": delta(prev.total_hires, result.total_hires, fte)},
        {"what": "Unmet demand (FTE-months)", "before": fte(prev.unmet_fte_months),
         "after": fte(result.unmet_fte_months),
         "change": delta(prev.unmet_fte_months, result.unmet_fte_months, fte)},
    ]
    moves = comp.moves[[rt.shows_nonzero(h, dec) for h in comp.moves["hires"]]]
    counts = {kind: fte(moves.loc[moves["kind"] == kind, "hires"].sum())
              for kind in KIND_WORDS}
    ordered = moves.assign(_m=[f or t for f, t in zip(moves["from_month"], moves["to_month"])])
    ordered = ordered.sort_values(["_m", "country", "role_id", "kind"], kind="stable")
    rows = [{"country": m.country, "role": rt.role_name(result, m.role_id),
             "kind": KIND_WORDS[m.kind], "text": _move_words(m.kind, m.from_month, m.to_month,
                                                             fte(m.hires), m.hires)}
            for m in ordered.head(MAX_MOVES).itertuples(index=False)]
    return {
        "previous": prev.name,
        "previous_name": prev.plan_name,
        "months": (f"{comp.months[0]} to {comp.months[-1]}" if comp.months else ""),
        "figures": figures,
        "sites": site_coverage_moves(result),
        "moves": {"counts": counts, "any": bool(len(moves)), "rows": rows,
                  "more": max(0, len(moves) - MAX_MOVES)},
        "notes": list(comp.notes),
    }


def _move_words(kind: str, start_before: str, start_after: str, n: str, hires: float) -> str:
    who = "hire" if n == "1" else "hires"
    if kind == "added":
        return f"{n} new {who} starting {start_after}"
    if kind == "dropped":
        return f"{n} {who} planned to start {start_before} no longer needed"
    gap = abs(_months_between(start_before, start_after))
    direction = "earlier" if kind == "brought_forward" else "later"
    when = f"{gap} month{'s' if gap != 1 else ''} {direction}"
    return f"{n} {who} now starting {start_after} instead of {start_before} ({when})"


def _months_between(a: str, b: str) -> int:
    ya, ma = a.split("-")
    yb, mb = b.split("-")
    return (int(yb) * 12 + int(mb)) - (int(ya) * 12 + int(ma))


def site_coverage_moves(result: PlanResult) -> list[dict[str, str]]:
    """Sites going live in a month both plans cover whose country's covered share that month
    shows differently now. Both plans are read at the site's go-live month in this workbook:
    the previous plan's go-live dates are not in its contract sheets."""
    comp = result.comparison
    if comp is None:
        return []
    months = set(comp.months)
    now = _country_month(result.headcount)
    before = _country_month(comp.previous.headcount)
    out = []
    for site in sorted(result.inputs.sites, key=lambda s: (s.go_live, s.site_id)):
        label = month_label(site.go_live)
        if label not in months:
            continue
        a = rt.fmt_pct(_share(now, site.country, label))
        b = rt.fmt_pct(_share(before, site.country, label))
        if a != b:
            out.append({"site": site.site_name, "country": site.country, "go_live": label,
                        "before": b, "after": a})
    return out


def _country_month(head: pd.DataFrame) -> pd.DataFrame:
    return head.groupby(["country", "month"])[["requirement", "unmet"]].sum()


def _share(table: pd.DataFrame, country: str, month: str) -> float:
    """Covered share as `go_live_coverage` computes it (1 with no requirement or no rows)."""
    if (country, month) not in table.index:
        return 1.0
    rec = table.loc[(country, month)]
    req = float(rec["requirement"])
    return 1.0 if req <= SHOWN else max(0.0, 1.0 - float(rec["unmet"]) / req)


def sheet_sections(result: PlanResult) -> list[tuple[str, list[str], list[tuple]]]:
    """The people sheet "Since last plan" as titled tables of text (same words as the HTML,
    every requisition move listed)."""
    ctx = since_last(result)
    if ctx is None:
        return []
    comp = result.comparison
    assert comp is not None
    dec = rt.fte_decimals(result)
    moves = comp.moves[[rt.shows_nonzero(h, dec) for h in comp.moves["hires"]]]
    moves = moves.assign(_m=[f or t for f, t in zip(moves["from_month"], moves["to_month"])])
    moves = moves.sort_values(["_m", "country", "role_id", "kind"], kind="stable")
    return [
        (f"Compared with {ctx['previous']}", ["", "Before", "Now", "Change"],
         [(f["what"], f["before"], f["after"], f["change"]) for f in ctx["figures"]]),
        ("Go-live coverage that moved", ["Site", "Country", "Go-live", "Before", "Now"],
         [(s["site"], s["country"], s["go_live"], s["before"], s["after"])
          for s in ctx["sites"]]),
        ("Requisitions brought forward, pushed back, added or dropped (by start month)",
         ["Country", "Role", "Change", "Hires", "Start before", "Start now"],
         [(m.country, rt.role_name(result, m.role_id), KIND_WORDS[m.kind],
           rt.fmt_fte(m.hires, dec), m.from_month, m.to_month)
          for m in moves.itertuples(index=False)]),
        ("Notes", ["Note"], [(n,) for n in ctx["notes"]]),
    ]
