"""Make the month-two example, inputs/apac_expansion_2027-02.xlsx, from the first.

    python scripts/month_two.py [--plan reports/apac_expansion-plan.xlsx]
                                [--out inputs/apac_expansion_2027-02.xlsx]

It is the workbook a recruiting lead would hold on the first Monday of February 2027, one month
after planning with inputs/apac_expansion.xlsx (the month-one plan is read from --plan, or
solved here when none is given). Everything else is the first example unchanged:

- Settings: `horizon_start` 2027-02, still 48 months (the horizon rolls forward); the plan name
  says it is the February re-plan.
- Roster: the staff on the books on 1 February: month one's Roster rows, and for the pairs
  month one gave as `starting_headcount`, that many people at `mid`; less January's leavers
  (`LEAVERS`: one US data-center operator, about what 19% a year takes from a team of 30 in two
  months, and one of the four AU operators, the unlucky month re-planning is for); plus every
  hire month one started in January, still ramping (`start_month` 2027-01). Ramping rows of
  month one keep their start month. `starting_headcount` is blanked for every pair with roster
  rows, as workbook.md requires.
- Requisitions: month one's requisitions the plan kept (its InFlight sheet: `keep` or `fixed`)
  that start in February or later, as they were, except that the open ones starting first
  (`NOW_ACCEPTED`) have since had offers accepted; the ones month one said to cancel are gone.
  Then one row a person for every new hire month one said to open in January
  (`requisition_month` 2027-01), open, with month one's pay point and start month.
- Sites: `SLIPPED_SITE`'s go-live slips `SLIP_MONTHS` months (commissioning runs on until then).
"""

from __future__ import annotations

import argparse
import copy
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from staffplan.core.resources import example_workbook
from staffplan.inputs import example
from staffplan.inputs.template import write_input_workbook

NEW_START = date(2027, 2, 1)
SLIPPED_SITE = "JP_INZ1"
SLIP_MONTHS = 3
LEAVERS = {("US", "dc_operator"): 1, ("AU", "dc_operator"): 1}
NOW_ACCEPTED = 1  # open requisitions (earliest start first) whose offers were accepted
ROOT = Path(__file__).resolve().parent.parent
TEXT = {"requisition_month": str, "start_month": str, "source": str, "req_id": str}


def month_one_plan(plan: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Month one's Hires and InFlight sheets, from a written plan or solved here."""
    if plan is not None:
        hires = pd.read_excel(plan, sheet_name="Hires", dtype=TEXT, keep_default_na=False)
        inflight = pd.read_excel(plan, sheet_name="InFlight", dtype=TEXT)
        return hires, inflight
    # Imported here: solving is only needed when no plan is given.
    from staffplan.inputs.reader import read_workbook
    from staffplan.jobs.plan import solve_inputs

    result = solve_inputs(read_workbook(example_workbook()))
    return result.hires, result.inflight


def _shift(d: date, months: int) -> date:
    m = d.year * 12 + d.month - 1 + months
    return date(m // 12, m % 12 + 1, 1)


def _date(label: str) -> date:
    y, m = str(label)[:7].split("-")
    return date(int(y), int(m), 1)


def month_two_content(hires: pd.DataFrame, inflight: pd.DataFrame) -> dict[str, list[dict]]:
    content = copy.deepcopy(example.CONTENT)
    for row in content["Settings"]:
        if row["key"] == "horizon_start":
            row["value"] = NEW_START
        if row["key"] == "plan_name":
            row["value"] = "APAC expansion 2027-2030 (February 2027 re-plan)"
    for site in content["Sites"]:
        if site["site_id"] == SLIPPED_SITE:
            site["notes"] = (f"go-live slipped {SLIP_MONTHS} months from "
                             f"{site['go_live']:%Y-%m} (grid connection late); "
                             + site.get("notes", ""))
            site["go_live"] = _shift(site["go_live"], SLIP_MONTHS)

    roster = [dict(r) for r in content["Roster"]]
    for m in content["LabourMarket"]:
        pair = (m["country"], m["role_id"])
        if m["starting_headcount"]:
            roster.append({"country": pair[0], "role_id": pair[1], "pay_point": "mid",
                           "headcount": m["starting_headcount"], "start_month": None,
                           "notes": "on the books in January"})
    for pair, n in LEAVERS.items():  # January's leavers, from the fully productive staff
        row = next(r for r in roster if (r["country"], r["role_id"]) == pair
                   and r["start_month"] is None and r["headcount"] >= n)
        row["headcount"] -= n
        row["notes"] = f"{n} left in January"
    january = hires[hires["start_month"] == "2027-01"]
    for r in january.itertuples(index=False):
        roster.append({"country": r.country, "role_id": r.role_id, "pay_point": r.pay_point,
                       "headcount": float(r.hires), "start_month": date(2027, 1, 1),
                       "notes": "started in January, still ramping"})
    on_books = {(r["country"], r["role_id"]) for r in roster}
    for m in content["LabourMarket"]:
        if (m["country"], m["role_id"]) in on_books:
            m["starting_headcount"] = None
            m["notes"] = "staff on the books: see Roster"

    kept = inflight[inflight["decision"].astype(str) != "cancel"]
    kept = kept[kept["start_month"].astype(str) >= "2027-02"]
    by_id = {r["req_id"]: r for r in content["Requisitions"]}
    reqs = []
    accept = NOW_ACCEPTED
    for r in kept.sort_values(["start_month", "req_id"]).itertuples(index=False):
        row = dict(by_id[r.req_id])
        if row["status"] == "open" and accept > 0:
            accept -= 1
            row["status"] = "offer_accepted"
            row["notes"] = "offer accepted in January"
        reqs.append(row)
    new = hires[(hires["requisition_month"] == "2027-01")
                & (hires.get("source", "new") == "new")]
    n = 0
    for r in new.sort_values(["start_month", "country", "role_id", "pay_point"]).itertuples(
            index=False):
        for _ in range(int(round(float(r.hires)))):
            n += 1
            reqs.append({"req_id": f"{r.country}-{n:04d}", "country": r.country,
                         "role_id": r.role_id, "pay_point": r.pay_point, "status": "open",
                         "start_month": _date(r.start_month),
                         "notes": "opened in January, as the month-one plan said"})
    content["Roster"] = roster
    content["Requisitions"] = reqs
    return content


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plan", type=Path, help="month one's plan (default: solve it here)")
    p.add_argument("--out", type=Path, default=ROOT / "inputs" / "apac_expansion_2027-02.xlsx")
    args = p.parse_args()
    content = month_two_content(*month_one_plan(args.plan))
    write_input_workbook(args.out, content, example.INTRO)
    print(f"wrote {args.out}: {len(content['Roster'])} roster rows, "
          f"{len(content['Requisitions'])} requisitions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
