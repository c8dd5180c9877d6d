"""What changed since the last plan: read an earlier plan's contract sheets and compare.

`staffplan plan INPUT --previous OLD-plan.xlsx` reads the earlier plan's `Summary`, `Hires` and
`Headcount` sheets (spec/workbook.md) before anything is solved or written, so a file that is
not a plan stops the run at once (exit 2) with every problem named. The comparison is tables
only; the reports turn it into words.

Rules (the spec leaves these to us; README, "Month two"):

- Months: those both plans cover (the earlier plan usually started a month or more before).
- Pairs: every pair of either plan; a pair missing from one plan counts as zeros there, and is
  listed in `only_previous` / `only_current` so the report can say it was not comparable.
- Requisitions moved, per pair over the common months, pay points and sources together: hires
  starting in the same month in both plans are unchanged; the rest are matched in start order
  (the earliest remaining earlier hire with the earliest remaining later hire), which is the
  matching that moves hires by the fewest months in all. A matched hire starting earlier now is
  `brought_forward`, later `pushed_back`; hires left over are `added` (new plan) or `dropped`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from staffplan.core.errors import Problem, StaffplanError
from staffplan.core.files import not_a_plain_file
from staffplan.core.months import month_index, month_label
from staffplan.core.tolerances import NOISE, SHOWN

if TYPE_CHECKING:
    from staffplan.results.tables import PlanResult

log = logging.getLogger(__name__)

CHANGES_COLUMNS = ["country", "role_id", "month", "hires_before", "hires_after",
                   "headcount_before", "headcount_after", "unmet_before", "unmet_after"]
MOVES_COLUMNS = ["country", "role_id", "kind", "from_month", "to_month", "hires"]
MOVE_KINDS = ("brought_forward", "pushed_back", "added", "dropped")
SUMMARY_KEYS = ("total_cost", "unmet_fte_months", "total_hires")
HIRES_NEEDED = ("country", "role_id", "pay_point", "start_month", "hires")
PAY_POINTS = ("min", "mid", "max")
HEADCOUNT_NEEDED = ("country", "role_id", "month", "requirement", "headcount", "unmet")
MAX_SHOWN = 20
_LABEL = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class PreviousPlanError(StaffplanError):
    """The file given with --previous is not a readable staffplan plan (exit 2, like bad input)."""

    exit_code = 2

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        if len(problems) > MAX_SHOWN:
            more = len(problems) - MAX_SHOWN
            shown.append(Problem("", f"... and {more} more problems not listed"))
        n = len(problems)
        head = f"{self.path}: cannot compare with this previous plan"
        lines = [f"{head} ({n} problem{'s' if n != 1 else ''}):"]
        lines += [f"  - {p}" for p in shown]
        lines.append("Give --previous a plan written by `staffplan plan` (the "
                     "<name>-plan.xlsx file), or leave --previous out.")
        super().__init__("\n".join(lines))


@dataclass
class PreviousPlan:
    """The parts of an earlier plan the comparison needs, as read from its contract sheets."""

    name: str  # the file name, as Summary `previous_plan` shows it
    plan_name: str
    total_cost: float
    unmet_fte_months: float
    total_hires: float
    currency: str | None  # None when that plan's Summary does not say
    mode: str | None
    hires: pd.DataFrame  # country, role_id, start_month, hires (summed over pay point, source)
    headcount: pd.DataFrame  # country, role_id, month, requirement, headcount, unmet
    hires_by_pay_point: pd.DataFrame | None = None  # + pay_point, summed over source

    @property
    def months(self) -> list[str]:
        return sorted(set(self.headcount["month"]))

    @property
    def pairs(self) -> set[tuple[str, str]]:
        return set(zip(self.headcount["country"], self.headcount["role_id"]))


@dataclass
class Comparison:
    """The new plan against the previous one, over what both plans cover."""

    previous: PreviousPlan
    months: list[str]  # common months, in order
    changes: pd.DataFrame  # CHANGES_COLUMNS
    moves: pd.DataFrame  # MOVES_COLUMNS: requisitions brought forward, pushed back, ...
    only_previous: list[tuple[str, str]] = field(default_factory=list)
    only_current: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # in words, for stderr and the report

    def summary_rows(self) -> list[tuple[str, object]]:
        """The Summary keys spec/workbook.md adds with --previous."""
        p = self.previous
        return [("previous_plan", p.name), ("previous_total_cost", p.total_cost),
                ("previous_unmet_fte_months", p.unmet_fte_months),
                ("previous_total_hires", p.total_hires)]

    def moved(self, kind: str) -> float:
        """Hires of one kind of move, all pairs together."""
        m = self.moves
        return float(m.loc[m["kind"] == kind, "hires"].sum())


# --------------------------------------------------------------------------- reading


def read_previous_plan(path: Path) -> PreviousPlan:
    """Read an earlier plan's Summary, Hires and Headcount; every problem at once, or none."""
    path = Path(path)
    problems: list[Problem] = []
    sheets = _open(path)
    by_name = {name.strip().lower(): rows for name, rows in sheets.items()}
    missing = [s for s in ("Summary", "Hires", "Headcount") if s.lower() not in by_name]
    if missing:
        if "settings" in by_name and "sites" in by_name:
            raise PreviousPlanError(path, [Problem("", "this is an input workbook (it has "
                                                   "Settings and Sites sheets), not a plan "
                                                   "written by `staffplan plan`")])
        raise PreviousPlanError(path, [Problem("", f"not a staffplan plan: no {s} sheet")
                                       for s in missing])
    summary = _read_summary(by_name["summary"], problems)
    hires = _read_long("Hires", by_name["hires"], HIRES_NEEDED, ("hires",), problems)
    head = _read_long("Headcount", by_name["headcount"], HEADCOUNT_NEEDED,
                      ("requirement", "headcount", "unmet"), problems)
    if head is not None and head.empty and not problems:
        problems.append(Problem("Headcount", "has no rows: a plan lists every pair and month"))
    if problems:
        raise PreviousPlanError(path, problems)
    assert hires is not None and head is not None
    detail = hires.groupby(["country", "role_id", "pay_point", "start_month"],
                           as_index=False)["hires"].sum()
    hires = detail.groupby(["country", "role_id", "start_month"], as_index=False)["hires"].sum()
    head = head.groupby(["country", "role_id", "month"], as_index=False)[
        ["requirement", "headcount", "unmet"]].sum()
    log.info("read previous plan %s: %d hires rows, %d headcount rows", path.name, len(hires),
             len(head))
    return PreviousPlan(name=path.name, plan_name=str(summary.get("plan_name", "")),
                        total_cost=summary["total_cost"],
                        unmet_fte_months=summary["unmet_fte_months"],
                        total_hires=summary["total_hires"],
                        currency=_opt_text(summary.get("currency")),
                        mode=_opt_text(summary.get("mode")),
                        hires=hires, headcount=head, hires_by_pay_point=detail)


def _open(path: Path) -> dict[str, list[tuple]]:
    """Sheet title -> rows of cached values, for the three sheets we read."""
    def fail(message: str) -> PreviousPlanError:
        return PreviousPlanError(path, [Problem("", message)])

    why = not_a_plain_file(path, "plan workbook")  # before opening: /dev/zero, a FIFO
    if why:
        raise fail(why)
    if not zipfile.is_zipfile(path):
        raise fail("is not an Excel .xlsx workbook (not a zip file), so not a plan written "
                   "by staffplan")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any library failure on user bytes is bad input
        log.debug("previous plan unreadable", exc_info=True)
        raise fail(f"is corrupt or not an Excel workbook ({type(exc).__name__}); open it in "
                   "Excel and save it again") from None
    wanted = {"summary", "hires", "headcount", "settings", "sites"}
    out: dict[str, list[tuple]] = {}
    try:
        for ws in wb.worksheets:
            if ws.title.strip().lower() in wanted and hasattr(ws, "iter_rows"):
                if ws.title.strip().lower() in ("summary", "hires", "headcount"):
                    ws.reset_dimensions()  # some writers store a wrong <dimension>
                    out[ws.title] = list(ws.iter_rows(values_only=True))
                else:
                    out[ws.title] = []
    except Exception as exc:  # noqa: BLE001
        log.debug("previous plan unreadable", exc_info=True)
        raise fail(f"is corrupt ({type(exc).__name__}); open it in Excel and save it "
                   "again") from None
    finally:
        wb.close()
    return out


def _header(sheet: str, rows: list[tuple], needed: tuple[str, ...],
            problems: list[Problem]) -> dict[str, int] | None:
    if not rows:
        problems.append(Problem(sheet, "is empty: expected a header row in row 1"))
        return None
    cols = {str(v).strip().lower(): i for i, v in enumerate(rows[0])
            if isinstance(v, str) and v.strip()}
    lost = [c for c in needed if c not in cols]
    if lost:
        problems.append(Problem(sheet, f"missing column{'s' if len(lost) > 1 else ''} "
                                       f"{', '.join(lost)} in row 1"))
        return None
    return cols


def _rows(rows: list[tuple]) -> Iterator[tuple[int, tuple]]:
    for i, row in enumerate(rows[1:], start=2):
        if row and any(v is not None and not (isinstance(v, str) and not v.strip())
                       for v in row):
            yield i, row


def _cell(row: tuple, i: int) -> Any:
    return row[i] if i < len(row) else None


def _where(sheet: str, col: int, row: int) -> str:
    return f"{get_column_letter(col + 1)}{row}"


def _read_summary(rows: list[tuple], problems: list[Problem]) -> dict[str, Any]:
    cols = _header("Summary", rows, ("key", "value"), problems)
    if cols is None:
        return {}
    ki, vi = cols["key"], cols["value"]
    out: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r, row in _rows(rows):
        key = _cell(row, ki)
        if isinstance(key, str) and key.strip():
            out[key.strip().lower()] = _cell(row, vi)
            cells[key.strip().lower()] = _where("Summary", vi, r)
    if "plan_name" not in out:
        problems.append(Problem("Summary", "no plan_name row: not a plan written by staffplan"))
    for key in SUMMARY_KEYS:
        if key not in out:
            problems.append(Problem("Summary", f"no {key} row"))
            continue
        v = _number(out[key])
        if v is None or v < 0:
            problems.append(Problem("Summary", f"{key} is {_seen(out[key])}, expected a number "
                                               "0 or more", cell=cells[key]))
        else:
            out[key] = v
    return out


def _read_long(sheet: str, rows: list[tuple], needed: tuple[str, ...],
               numbers: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame | None:
    cols = _header(sheet, rows, needed, problems)
    if cols is None:
        return None
    month_col = "start_month" if "start_month" in needed else "month"
    records = []
    for r, row in _rows(rows):
        rec: dict[str, Any] = {}
        ok = True
        for name in ("country", "role_id"):
            v = _cell(row, cols[name])
            if not isinstance(v, str) or not v.strip():
                problems.append(Problem(sheet, f"{name} is {_seen(v)}, expected text",
                                        cell=_where(sheet, cols[name], r)))
                ok = False
            else:
                rec[name] = v.strip()
        v = _cell(row, cols[month_col])
        label = _month(v)
        if label is None:
            problems.append(Problem(sheet, f"{month_col} is {_seen(v)}, expected a month "
                                           "YYYY-MM", cell=_where(sheet, cols[month_col], r)))
            ok = False
        rec[month_col] = label
        if "pay_point" in needed:
            v = _cell(row, cols["pay_point"])
            point = v.strip().lower() if isinstance(v, str) else None
            if point not in PAY_POINTS:
                problems.append(Problem(sheet, f"pay_point is {_seen(v)}, expected min, mid or "
                                               "max", cell=_where(sheet, cols["pay_point"], r)))
                ok = False
            rec["pay_point"] = point
        for name in numbers:
            v = _cell(row, cols[name])
            x = _number(v)
            if x is None or x < -SHOWN:
                problems.append(Problem(sheet, f"{name} is {_seen(v)}, expected a number 0 or "
                                               "more", cell=_where(sheet, cols[name], r)))
                ok = False
            rec[name] = x
        if ok:
            records.append(rec)
    extra = ["pay_point"] if "pay_point" in needed else []
    return pd.DataFrame(records, columns=["country", "role_id", *extra, month_col, *numbers])


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    x = float(v)
    return x if math.isfinite(x) else None


def _month(v: Any) -> str | None:
    if isinstance(v, (dt.datetime, dt.date)):
        return month_label(month_index(v.year, v.month))
    if isinstance(v, str):
        m = _LABEL.match(v)
        if m and 1 <= int(m[2]) <= 12:
            return month_label(month_index(int(m[1]), int(m[2])))
    return None


def _seen(v: Any) -> str:
    if v is None or (isinstance(v, str) and not v.strip()):
        return "blank"
    text = repr(v) if isinstance(v, str) else str(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _opt_text(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() else None


# --------------------------------------------------------------------------- comparing


def compare_plans(hires: pd.DataFrame, headcount: pd.DataFrame, currency: str, mode: str,
                  previous: PreviousPlan) -> Comparison:
    """The Changes table and the requisition moves, from the new plan's Hires and Headcount
    tables (the contract columns) and the previous plan."""
    now_hires = (hires.groupby(["country", "role_id", "start_month"])["hires"].sum()
                 if len(hires) else pd.Series(dtype=float))
    before_hires = previous.hires.set_index(["country", "role_id", "start_month"])["hires"]
    now_head = headcount.set_index(["country", "role_id", "month"])
    before_head = previous.headcount.set_index(["country", "role_id", "month"])

    months = sorted(set(headcount["month"]) & set(previous.months))
    now_pairs = set(zip(headcount["country"], headcount["role_id"]))
    before_pairs = previous.pairs
    only_previous = sorted(before_pairs - now_pairs)
    only_current = sorted(now_pairs - before_pairs)

    def get(series: pd.Series | pd.DataFrame, key: tuple, col: str | None = None) -> float:
        try:
            v = series.at[key, col] if col else series.at[key]
        except KeyError:
            return 0.0
        return float(v)

    rows = []
    for c, r in sorted(now_pairs | before_pairs):
        for m in months:
            key = (c, r, m)
            rows.append((c, r, m, get(before_hires, key), get(now_hires, key),
                         get(before_head, key, "headcount"), get(now_head, key, "headcount"),
                         get(before_head, key, "unmet"), get(now_head, key, "unmet")))
    changes = pd.DataFrame(rows, columns=CHANGES_COLUMNS)

    moves = pd.DataFrame([(c, r, *mv) for (c, r), g in changes.groupby(["country", "role_id"])
                          for mv in match_hires(list(zip(g["month"], g["hires_before"])),
                                                list(zip(g["month"], g["hires_after"])))],
                         columns=MOVES_COLUMNS)

    notes = []
    if not months:
        notes.append(f"The previous plan ({previous.name}) covers no month of this plan, so "
                     "no month could be compared.")
    elif previous.months[0] != months[0] or previous.months[-1] != months[-1] \
            or headcount["month"].min() != months[0]:
        notes.append(f"Month by month, the plans are compared over the {len(months)} months "
                     f"both cover, {months[0]} to {months[-1]}.")
    if only_previous:
        notes.append("Only in the previous plan (counted as zero here): "
                     + ", ".join(f"{c}/{r}" for c, r in only_previous) + ".")
    if only_current:
        notes.append("Not in the previous plan (counted as zero there): "
                     + ", ".join(f"{c}/{r}" for c, r in only_current) + ".")
    if previous.currency and previous.currency != currency:
        notes.append(f"The previous plan reports money in {previous.currency}, this one in "
                     f"{currency}: the costs are not comparable.")
    if previous.mode and previous.mode != mode:
        notes.append(f"The previous plan was a {_mode_words(previous.mode)} plan, this one "
                     f"{_mode_words(mode)}.")
    return Comparison(previous=previous, months=months, changes=changes, moves=moves,
                      only_previous=only_previous, only_current=only_current, notes=notes)


def _mode_words(mode: str) -> str:
    return {"lp": "linear relaxation (fractional hires)",
            "integer": "whole-number"}.get(mode, mode)


def match_hires(before: list[tuple[str, float]], after: list[tuple[str, float]]
                ) -> list[tuple[str, str, str, float]]:
    """(kind, from_month, to_month, hires) moves turning `before` into `after`.

    Both are (start month, hires) lists of one pair. Hires in the same month in both are left
    alone; the rest are matched in start order, fractions included (LP plans), so each
    earlier hire pairs with the nearest-in-order later one; what is left is added or dropped.
    Months are `YYYY-MM` text, so text order is time order. Unchanged hires are not listed.
    """
    b = {m: v for m, v in before if v > NOISE}
    a = {m: v for m, v in after if v > NOISE}
    for m in set(b) & set(a):
        same = min(b[m], a[m])
        b[m] -= same
        a[m] -= same
    bl = [[m, v] for m, v in sorted(b.items()) if v > NOISE]
    al = [[m, v] for m, v in sorted(a.items()) if v > NOISE]
    out: list[tuple[str, str, str, float]] = []
    i = j = 0
    while i < len(bl) and j < len(al):
        q = min(bl[i][1], al[j][1])
        kind = "brought_forward" if al[j][0] < bl[i][0] else "pushed_back"
        out.append((kind, bl[i][0], al[j][0], q))
        bl[i][1] -= q
        al[j][1] -= q
        if bl[i][1] <= NOISE:
            i += 1
        if al[j][1] <= NOISE:
            j += 1
    out += [("dropped", m, "", v) for m, v in bl[i:] if v > NOISE]
    out += [("added", "", m, v) for m, v in al[j:] if v > NOISE]
    return out


def attach_comparison(result: PlanResult, previous: PreviousPlan) -> Comparison:
    """Compare a solved plan with the previous one and keep the comparison on the result
    (the Summary's previous_* keys, the Changes sheet and the report read it from there)."""
    comparison = compare_plans(result.hires, result.headcount, result.inputs.settings.currency,
                               result.mode.value, previous)
    st = result.stable
    if st is not None and st.applied:
        comparison.notes.append(
            f"Of the plans within the accepted optimality gap, this one starts hires nearest "
            f"the last plan's months: {st.distance_after:,.0f} hires differ from it by start "
            f"month instead of {st.distance_before:,.0f} in the solver's first plan; "
            + _cost_words(st.objective_after - st.objective_before,
                          result.inputs.settings.currency) + ".")
    result.comparison = comparison
    return comparison


def _cost_words(x: float, currency: str) -> str:
    """The second solve's effect on the solver's objective (look-ahead and penalty included)."""
    if abs(x) < 0.5:
        return "the solver's objective is unchanged"
    return (f"the solver's objective is {currency} {abs(x):,.0f} "
            f"{'higher' if x > 0 else 'lower'}")
