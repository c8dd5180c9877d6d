""""Requisitions in flight": what the plan does with the requisitions already open, for both
reports.

`in_flight(result)` is the one context the HTML section and the Excel people sheet both show
(None without a Requisitions sheet): in words, which open requisitions to cancel, how many are
kept, which accepted offers start, and how many new requisitions the plan opens besides them.
The decisions themselves are the `InFlight` table of `staffplan.results.tables`.
"""

from __future__ import annotations

from typing import Any

from staffplan.reports import tables as rt
from staffplan.results.tables import PlanResult


def in_flight(result: PlanResult) -> dict[str, Any] | None:
    """Counts and lines in words; every requisition is listed (an ATS export is short)."""
    f = result.inflight
    if f.empty:
        return None
    dec = rt.fte_decimals(result)
    fte = lambda v: rt.fmt_fte(v, dec)  # noqa: E731
    f = f.sort_values(["start_month", "req_id"], kind="stable")
    cancel, partly, keep, fixed = [], [], [], []
    for q in f.itertuples(index=False):
        line = {"req_id": q.req_id, "country": q.country,
                "role": rt.role_name(result, q.role_id), "pay_point": q.pay_point,
                "start": q.start_month}
        if q.decision == "cancel":
            line["text"] = (f"Cancel {q.req_id}: {line['role']} in {q.country} at band "
                            f"{q.pay_point}, due to start {q.start_month}.")
            cancel.append(line)
        elif q.decision == "keep":
            line["text"] = f"Keep {q.req_id}, starting {q.start_month}."
            keep.append(line)
        elif q.decision == "fixed":
            line["text"] = f"Offer accepted: {q.req_id} starts {q.start_month}."
            fixed.append(line)
        else:  # LP mode: a partly kept requisition
            line["text"] = (f"{q.req_id} is {rt.fmt_pct(float(q.decision))} kept in this quick "
                            f"estimate (fractional hires); plan in whole people to decide it.")
            partly.append(line)
    h = result.hires
    new = float(h.loc[h["source"] == "new", "hires"].sum()) if len(h) else 0.0
    n_open = len(cancel) + len(partly) + len(keep)
    summary = (f"Of {n_open} open requisition{'s' if n_open != 1 else ''}, keep {len(keep)} "
               f"and cancel {len(cancel)}"
               + (f"; {len(partly)} partly kept" if partly else "")
               + f". {len(fixed)} accepted offer{'s start' if len(fixed) != 1 else ' starts'} "
               f"as agreed. Besides these, open requisitions for {fte(new)} new "
               f"hire{'' if fte(new) == '1' else 's'} over the horizon.")
    return {
        "summary": summary,
        "counts": {"open": n_open, "keep": len(keep), "cancel": len(cancel),
                   "partly": len(partly), "accepted": len(fixed), "new": fte(new)},
        "cancel": cancel,
        "others": partly + keep + fixed,
    }


def sheet_sections(result: PlanResult) -> list[tuple[str, list[str], list[list[object]]]]:
    """The same content as titled tables for the Excel people sheet."""
    ctx = in_flight(result)
    if ctx is None:
        return []
    c = ctx["counts"]
    counts = [["Open requisitions", c["open"]], ["Keep", c["keep"]], ["Cancel", c["cancel"]],
              ["Accepted offers (fixed)", c["accepted"]],
              ["New requisitions to open (horizon)", c["new"]]]
    if c["partly"]:
        counts.insert(3, ["Partly kept (fractional-hire estimate)", c["partly"]])
    cols = ["What to do", "Requisition", "Country", "Role", "Band", "Start"]
    return [
        ("In numbers", ["", "Count"], counts),
        ("To cancel", cols, [[x["text"], x["req_id"], x["country"], x["role"], x["pay_point"],
                              x["start"]] for x in ctx["cancel"]]),
        ("Kept and accepted", cols, [[x["text"], x["req_id"], x["country"], x["role"],
                                      x["pay_point"], x["start"]] for x in ctx["others"]]),
    ]
