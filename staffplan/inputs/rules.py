"""Cross-sheet rules on the records the reader parsed, one small function per rule.

Each rule looks at the typed records (a value is None where the reader
already reported a problem with that cell, so rules skip it rather than pile
a second message on the same mistake) and yields `Problem`s naming the cell.
`RULES` runs in order; `warnings` collects things worth telling a person that
do not stop a plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from staffplan.core.errors import Problem
from staffplan.core.months import month_label, month_year
from staffplan.core.tolerances import NOISE
from staffplan.inputs.data import Extra, Inputs, Settings, Site, StaffingRow
from staffplan.inputs.demand import unplanned_demand
from staffplan.inputs.names import did_you_mean, hint
from staffplan.inputs.schema import BLANK, LARGEST, MOST_FTE, PAY_POINTS, SHEETS

ALL = "all"  # Budget year meaning every horizon year
STAR = "*"  # Budget country meaning every country


@dataclass(frozen=True, slots=True)
class Record:
    """One parsed worksheet row; `letters` maps column name to its column letter."""

    sheet: str
    row: int  # worksheet row; 0 for Settings, whose letters hold whole addresses
    values: dict[str, Any]
    letters: Mapping[str, str]

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def cell(self, name: str) -> str | None:
        letter = self.letters.get(name)
        if letter is None:
            return None
        return f"{letter}{self.row}" if self.row else letter

    def problem(self, name: str, message: str) -> Problem:
        cell = self.cell(name)
        return Problem(self.sheet, message, cell=cell, row=None if cell else (self.row or None))

    def complete(self, *names: str) -> bool:
        return all(self.values.get(n) is not None for n in names)


@dataclass
class Tables:
    """Everything read from the workbook, before it becomes `Inputs`."""

    settings: Record
    sheets: dict[str, list[Record]]  # every schema sheet; [] when absent or empty
    present: set[str] = field(default_factory=set)

    def __getitem__(self, sheet: str) -> list[Record]:
        return self.sheets.get(sheet, [])


Rule = Callable[[Tables], Iterable[Problem]]


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _duplicates(records: list[Record], keys: tuple[str, ...], what: str) -> Iterator[Problem]:
    seen: dict[tuple, Record] = {}
    for rec in records:
        if not rec.complete(*keys):
            continue
        key = tuple(rec[k] for k in keys)
        if key in seen:
            text = " / ".join(str(k) for k in key)
            yield rec.problem(keys[0], f"duplicate {what} {text}: already given on row "
                                       f"{seen[key].row}")
        else:
            seen[key] = rec


def duplicate_ids(t: Tables) -> Iterator[Problem]:
    """Ids and (country, role) keys must be unique, or the model could not tell rows apart."""
    yield from _duplicates(t["Sites"], ("site_id",), "site_id")
    yield from _duplicates(t["Roles"], ("role_id",), "role_id")
    yield from _duplicates(t["SalaryBands"], ("country", "role_id"), "band for")
    yield from _duplicates(t["LabourMarket"], ("country", "role_id"), "market for")
    yield from _duplicates(t["FX"], ("currency",), "FX rate for")
    yield from _duplicates(t["Mobility"], ("from_country", "to_country", "role_id"), "lane")
    yield from _duplicates(t["Requisitions"], ("req_id",), "req_id")


def site_dates_in_order(t: Tables) -> Iterator[Problem]:
    """deal_start <= construction_start <= commissioning_start <= go_live (spec/model.md)."""
    order = ("deal_start", "construction_start", "commissioning_start", "go_live")
    for rec in t["Sites"]:
        for earlier, later in zip(order, order[1:]):
            if rec.complete(earlier, later) and rec[later] < rec[earlier]:
                yield rec.problem(later, f"{later} {month_label(rec[later])} is before "
                                         f"{earlier} {month_label(rec[earlier])}")


# Sheets that refer to a role, from the schema, so sheets added later are checked too.
ROLE_SHEETS = tuple(s.name for s in SHEETS if s.name != "Roles"
                    and any(c.name == "role_id" for c in s.columns))


def known_roles(t: Tables) -> Iterator[Problem]:
    """Every role_id used elsewhere must be declared in Roles; a close one is suggested."""
    if "Roles" not in t.present:
        return
    roles = [r["role_id"] for r in t["Roles"] if r["role_id"] is not None]
    for sheet in ROLE_SHEETS:
        for rec in t[sheet]:
            role = rec["role_id"]
            if role is not None and role not in roles:
                yield rec.problem("role_id", f"role_id {role} is not in Roles{hint(role, roles)}")


def unknown_roles(t: Tables) -> set[str]:
    """Role ids `known_roles` reports; rules skip their rows so one typo is one message."""
    if "Roles" not in t.present:
        return set()
    roles = {r["role_id"] for r in t["Roles"]}
    return {rec["role_id"] for sheet in ROLE_SHEETS for rec in t[sheet]
            if rec["role_id"] is not None and rec["role_id"] not in roles}


def _typo_countries(t: Tables, sheet: str) -> set[str]:
    """Countries where `sheet` has a row with an unknown role: that row may be the one
    missing for another role (`Ops` for `ops`), so no second message about it."""
    unknown = unknown_roles(t)
    return {r["country"] for r in t[sheet] if r["role_id"] in unknown}


def band_order(t: Tables) -> Iterator[Problem]:
    """band_min <= band_mid <= band_max, or the pay points would be out of order."""
    for rec in t["SalaryBands"]:
        if rec.complete("band_min", "band_mid") and rec["band_min"] > rec["band_mid"]:
            yield rec.problem("band_min", f"band_min {_show(rec['band_min'])} is above "
                                          f"band_mid {_show(rec['band_mid'])}")
        if rec.complete("band_mid", "band_max") and rec["band_mid"] > rec["band_max"]:
            yield rec.problem("band_mid", f"band_mid {_show(rec['band_mid'])} is above "
                                          f"band_max {_show(rec['band_max'])}")


def known_currencies(t: Tables) -> Iterator[Problem]:
    """Every band currency converts to the reporting currency: one message per missing
    rate, naming every band row that needs it."""
    reporting = t.settings["currency"]
    if reporting is None:
        return
    rates = [r["currency"] for r in t["FX"] if r["currency"] is not None]
    users: dict[str, list[int]] = {}
    for rec in t["SalaryBands"]:
        cur = rec["currency"]
        if cur is not None and cur != reporting and cur not in rates:
            users.setdefault(cur, []).append(rec.row)
    for cur, rows in users.items():
        word = "row" if len(rows) == 1 else "rows"
        yield Problem("FX", f"no rate for currency {cur} (used by SalaryBands {word} "
                            f"{_rows(rows)}), which is not the reporting currency {reporting}; "
                            f"add an FX row for {cur}{hint(cur, [reporting, *rates])}")


def _rows(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows)


def fx_rates(t: Tables) -> Iterator[Problem]:
    """A rate of 0 would make pay free; the reporting currency converts at exactly 1."""
    reporting = t.settings["currency"]
    for rec in t["FX"]:
        rate = rec["rate_to_reporting"]
        if rate is None:
            continue
        if rec["currency"] == reporting and reporting is not None and rate != 1:
            yield rec.problem("rate_to_reporting", f"rate_to_reporting {_show(rate)} for the "
                                                   f"reporting currency {reporting}; expected 1")
        elif rate == 0:
            yield rec.problem("rate_to_reporting", "rate_to_reporting 0; expected a rate above 0")


def markets_have_bands(t: Tables) -> Iterator[Problem]:
    """Staff in a market must be paid: every LabourMarket row needs a SalaryBands row."""
    if "SalaryBands" not in t.present:
        return
    bands = {(r["country"], r["role_id"]) for r in t["SalaryBands"]}
    unknown = unknown_roles(t)
    typo = _typo_countries(t, "SalaryBands")
    for rec in t["LabourMarket"]:
        key = (rec["country"], rec["role_id"])
        if None not in key and key not in bands and key[1] not in unknown and key[0] not in typo:
            yield rec.problem("country", f"no SalaryBands row for {key[0]} / {key[1]}")


def mobility_lanes(t: Tables) -> Iterator[Problem]:
    """A lane joins two different countries that can both hold staff of the role."""
    markets = {(r["country"], r["role_id"]) for r in t["LabourMarket"]}
    unknown = unknown_roles(t)
    for rec in t["Mobility"]:
        role = rec["role_id"]
        if role in unknown:
            continue
        if rec.complete("from_country", "to_country") and rec["from_country"] == rec["to_country"]:
            yield rec.problem("to_country", f"lane from {rec['from_country']} to itself")
            continue
        for end in ("from_country", "to_country"):
            country = rec[end]
            if country is not None and role is not None and (country, role) not in markets:
                held = sorted(c for c, r in markets if r == role and c is not None)
                yield rec.problem(end, f"{end} {country} has no LabourMarket row for {role}"
                                       f"{hint(country, held)}")


def budget_years(t: Tables) -> Iterator[Problem]:
    """A budget for a year the horizon never reaches can only be a typo."""
    s = t.settings
    if not s.complete("horizon_start", "horizon_months"):
        return
    start, n = s["horizon_start"], s["horizon_months"]
    years = {month_year(m) for m in range(start, start + n)}
    for rec in t["Budget"]:
        year = rec["year"]
        if year is not None and year != ALL and year not in years:
            yield rec.problem("year", f"year {year} has no horizon month (the horizon covers "
                                      f"{month_label(start)} to {month_label(start + n - 1)})")


def extra_demand_ranges(t: Tables) -> Iterator[Problem]:
    """ExtraDemand months are inclusive, so end may equal start but not precede it."""
    for rec in t["ExtraDemand"]:
        if rec.complete("start", "end") and rec["end"] < rec["start"]:
            yield rec.problem("end", f"end {month_label(rec['end'])} is before start "
                                     f"{month_label(rec['start'])}")


def demand_has_markets(t: Tables) -> Iterator[Problem]:
    """Demand (look-ahead included) in a country and role nobody can be hired into."""
    settings = _settings(t.settings)
    if settings is None or "LabourMarket" not in t.present:
        return
    partial = Inputs(
        settings=settings,
        sites=_complete_sites(t["Sites"]),
        roles={},
        staffing=[StaffingRow(**r.values) for r in t["Staffing"]
                  if r.complete("role_id", "phase", "per_site", "per_mw", "posts_24x7")],
        bands={},
        # Only the keys matter to unplanned_demand.
        markets=dict.fromkeys((r["country"], r["role_id"]) for r in t["LabourMarket"]),  # type: ignore[arg-type]
        fx={},
        extra=[Extra(**r.values) for r in t["ExtraDemand"]
               if r.complete("country", "role_id", "start", "end", "fte")],
    )
    unknown = unknown_roles(t)
    typo = _typo_countries(t, "LabourMarket")
    missing = {pair: first for pair, first in unplanned_demand(partial).items()
               if None not in pair and pair[1] not in unknown and pair[0] not in typo}
    planned = sorted({r["country"] for r in t["LabourMarket"] if r["country"] is not None})
    by_country: dict[str, dict[str, int]] = {}
    for (country, role), first in missing.items():
        by_country.setdefault(country, {})[role] = first
    for country, roles in sorted(by_country.items()):
        if country not in planned:  # a whole country unknown: one message, where it is used
            yield _unplanned_country(t, country, roles, settings.horizon_start, planned)
            continue
        for role, first in sorted(roles.items()):
            yield Problem("LabourMarket", f"no row for {country} / {role}, which has demand "
                                          f"from {month_label(settings.horizon_start + first)}; "
                                          f"add a LabourMarket row (and a SalaryBands row) "
                                          f"for it")


def _unplanned_country(t: Tables, country: str, roles: dict[str, int], start: int,
                       planned: list[str]) -> Problem:
    """A country with demand and no LabourMarket row at all is most often a typo in Sites."""
    first = month_label(start + min(roles.values()))
    where = [r for sheet in ("Sites", "ExtraDemand") for r in t[sheet] if r["country"] == country]
    like = did_you_mean(country, planned)
    text = (f"country {country}{f' (did you mean {like}?)' if like else ''} has no "
            f"LabourMarket row, yet it has demand for {', '.join(sorted(roles))} from {first}; "
            f"if {country} is right, add LabourMarket and SalaryBands rows for it")
    if not where:
        return Problem("LabourMarket", text)
    sheet = where[0].sheet
    cells = [r.cell("country") for r in where if r.sheet == sheet]
    return Problem(sheet, text, cell=", ".join(c for c in cells if c))


def _settings(s: Record) -> Settings | None:
    """Settings good enough to compute demand, or None when a needed value is bad."""
    needed = ("horizon_start", "horizon_months", "lookahead_months", "fte_per_24x7_post")
    if not s.complete(*needed):
        return None
    return Settings(plan_name="", horizon_start=s["horizon_start"],
                    horizon_months=s["horizon_months"], currency="", unmet_penalty=0.0,
                    fte_per_24x7_post=s["fte_per_24x7_post"],
                    lookahead_months=s["lookahead_months"])


def _complete_sites(records: list[Record]) -> list[Site]:
    names = ("site_id", "site_name", "country", "it_mw", "deal_start", "construction_start",
             "commissioning_start", "go_live", "mw_ramp_months")
    sites = []
    for r in records:
        if r.complete(*names):
            site = Site(**{n: r[n] for n in names})
            if (site.deal_start <= site.construction_start <= site.commissioning_start
                    <= site.go_live):
                sites.append(site)
    return sites


def budget_countries(t: Tables) -> Iterator[Problem]:
    """A budget for a country nobody is planned in would silently limit nothing (a typo
    such as UK for GB must not switch off a hard budget)."""
    countries = sorted({r["country"] for r in t["LabourMarket"] if r["country"] is not None})
    for rec in t["Budget"]:
        c = rec["country"]
        if c not in (None, STAR) and c not in countries:
            yield rec.problem("country", f"country {c} has no LabourMarket row, so this budget "
                                         f"would limit nothing; expected a planned country or *"
                                         f"{hint(c, countries)}")


def requirement_in_range(t: Tables) -> Iterator[Problem]:
    """Each number may be fine alone while a product is not: it_mw x per_mw or posts_24x7 x
    fte_per_24x7_post beyond MOST_FTE people (1e308 MW overflows to inf) is an input error
    at the cell that makes it large, not a solver failure."""
    per_post = t.settings["fte_per_24x7_post"]
    for rec in t["Staffing"]:
        posts = rec["posts_24x7"]
        if posts is not None and per_post is not None and posts * per_post > MOST_FTE:
            yield rec.problem("posts_24x7", f"posts_24x7 {_show(posts)} x fte_per_24x7_post "
                                            f"{_show(per_post)} is {posts * per_post:.3g} FTE, "
                                            f"more than the model can plan (at most "
                                            f"{MOST_FTE:,.0f} FTE)")
    per_mw = [r for r in t["Staffing"] if r["per_mw"]]
    if not per_mw:
        return
    worst = max(per_mw, key=lambda r: r["per_mw"])
    for site in t["Sites"]:
        mw = site["it_mw"]
        if mw is not None and mw * worst["per_mw"] > MOST_FTE:
            yield site.problem("it_mw", f"it_mw {_show(mw)} x per_mw {_show(worst['per_mw'])} "
                                        f"(Staffing row {worst.row}) is "
                                        f"{mw * worst['per_mw']:.3g} FTE, more than the model "
                                        f"can plan (at most {MOST_FTE:,.0f} FTE); check it_mw "
                                        f"is in MW")


def costs_in_range(t: Tables) -> Iterator[Problem]:
    """The largest monthly cost of one person (model.md, Costs: band_max / 12 x on-costs x
    yearly increases x FX rate, times contractor_premium or severance_months) must stay
    within LARGEST, or the solver stops without a plan."""
    s = t.settings
    if not s.complete("horizon_months", "lookahead_months"):
        return
    years = (s["horizon_months"] + s["lookahead_months"] - 1) // 12
    rates = {r["currency"]: r["rate_to_reporting"] for r in t["FX"]}
    rates[s["currency"]] = 1.0
    premiums = {r["role_id"]: r["contractor_premium"] for r in t["Roles"]}
    for rec in t["SalaryBands"]:
        if not rec.complete("band_max", "on_cost_pct", "annual_increase_pct"):
            continue
        rate = rates.get(rec["currency"]) or 1.0
        factor = max(1.0, premiums.get(rec["role_id"]) or 1.0, s["severance_months"] or 1.0)
        try:
            monthly = (rec["band_max"] / 12 * (1 + rec["on_cost_pct"])
                       * (1 + rec["annual_increase_pct"]) ** years * rate * factor)
        except OverflowError:
            monthly = math.inf
        if monthly > LARGEST:
            yield rec.problem("band_max", f"band_max {_show(rec['band_max'])} grows to "
                                          f"{monthly:.3g} {s['currency'] or ''} a month for one "
                                          f"person (with on_cost_pct, annual_increase_pct over "
                                          f"{years} years, the FX rate and contractor_premium "
                                          f"or severance_months), more than the model can "
                                          f"handle (at most {LARGEST:g}); check these numbers")


def actuals_have_markets(t: Tables) -> Iterator[Problem]:
    """Staff on the books and requisitions in flight belong to a pair the model plans: every
    Roster and Requisitions row needs a LabourMarket row (an unknown role is reported once,
    by known_roles, not again here)."""
    markets = {(r["country"], r["role_id"]) for r in t["LabourMarket"]}
    roles = {r["role_id"] for r in t["Roles"]} if "Roles" in t.present else None
    for sheet in ("Roster", "Requisitions"):
        for rec in t[sheet]:
            key = (rec["country"], rec["role_id"])
            if None in key or (roles is not None and key[1] not in roles):
                continue
            if key not in markets:
                held = sorted(c for c, r in markets if r == key[1] and c is not None)
                yield rec.problem("country", f"no LabourMarket row for {key[0]} / {key[1]}; "
                                             f"add one (and a SalaryBands row) so these staff "
                                             f"can be planned{hint(key[0], held)}")


def roster_start_months(t: Tables) -> Iterator[Problem]:
    """A Roster start_month marks people still ramping who joined before the horizon; people
    starting in the horizon are requisitions, not staff on the books."""
    start = t.settings["horizon_start"]
    if start is None:
        return
    for rec in t["Roster"]:
        month = rec["start_month"]
        if month is not None and month >= start:
            yield rec.problem("start_month", f"start_month {month_label(month)} is not before "
                                             f"horizon_start {month_label(start)}; expected a "
                                             f"month before it (people still ramping), or blank "
                                             f"(people past their ramp-up). Later starts belong "
                                             f"on the Requisitions sheet")


def requisition_start_months(t: Tables) -> Iterator[Problem]:
    """A requisition starts in a modelled month: from horizon_start to the last look-ahead
    month."""
    s = t.settings
    if not s.complete("horizon_start", "horizon_months", "lookahead_months"):
        return
    first = s["horizon_start"]
    last = first + s["horizon_months"] + s["lookahead_months"] - 1
    for rec in t["Requisitions"]:
        month = rec["start_month"]
        if month is not None and not first <= month <= last:
            yield rec.problem("start_month", f"start_month {month_label(month)} is outside the "
                                             f"planned months; expected {month_label(first)} to "
                                             f"{month_label(last)} (horizon_start to the last "
                                             f"look-ahead month)")


def starting_headcount_or_roster(t: Tables) -> Iterator[Problem]:
    """A pair's staff at the start come from one place: its Roster rows (starting_headcount
    then 0 or blank) or starting_headcount (then not blank)."""
    rostered = {(r["country"], r["role_id"]) for r in t["Roster"]}
    for rec in t["LabourMarket"]:
        value = rec["starting_headcount"]
        if value is None:  # already reported as a bad value
            continue
        key = (rec["country"], rec["role_id"])
        if key in rostered and value != BLANK and value != 0:
            yield rec.problem("starting_headcount",
                              f"starting_headcount {_show(value)} for {key[0]} / {key[1]}, which "
                              f"has Roster rows; expected 0 or blank (the Roster gives the staff "
                              f"on the books)")
        elif key not in rostered and value == BLANK:
            yield rec.problem("starting_headcount",
                              "starting_headcount is blank; expected a number >= 0 (FTE). It "
                              "may be blank only for a country and role with Roster rows")


RULES: tuple[Rule, ...] = (
    duplicate_ids, site_dates_in_order, known_roles, band_order, known_currencies, fx_rates,
    markets_have_bands, mobility_lanes, budget_years, budget_countries, extra_demand_ranges,
    demand_has_markets, requirement_in_range, costs_in_range, actuals_have_markets,
    roster_start_months, requisition_start_months, starting_headcount_or_roster,
)


def check_rules(t: Tables) -> list[Problem]:
    """Every cross-sheet problem, in rule order; the same problem on many rows is one line."""
    return grouped([p for rule in RULES for p in rule(t)])


def grouped(problems: list[Problem], most: int = 10) -> list[Problem]:
    """Problems with the same sheet and words become one naming all their cells (`role_id
    welder is not in Roles` on Staffing rows 3 and 5 -> `Staffing!A3, A5: ...`), where the
    first of them stood."""
    by_text: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        by_text.setdefault((p.sheet, p.message), []).append(p)
    out: list[Problem] = []
    for p in problems:
        same = by_text.pop((p.sheet, p.message), None)
        if same is None:
            continue
        if len(same) == 1 or any(q.cell is None for q in same):
            out.extend(same)
            continue
        cells = [q.cell for q in same if q.cell]
        shown = ", ".join(cells[:most])
        if len(cells) > most:
            shown += f" and {len(cells) - most} more"
        out.append(Problem(p.sheet, p.message, cell=shown))
    return out


def warnings(t: Tables) -> list[str]:
    """Things a person should know that still allow a plan."""
    out: list[str] = []
    s = t.settings
    window = s["supply_window_months"]
    if s["integer_hires"] and window:
        out += [w for rec in t["LabourMarket"] if (w := _whole_hire_warning(rec, window))]
    return out


def _whole_hire_warning(rec: Record, window: int) -> str | None:
    """One line per pair: which pay points yield nobody in integer mode, and the change
    (window or supply) that would let each of them yield a whole person."""
    low = [(p, rec[f"supply_at_{p}"]) for p in PAY_POINTS
           if rec[f"supply_at_{p}"] and rec[f"supply_at_{p}"] * window < 1]
    if not low:
        return None
    facts = ", ".join(f"supply_at_{p} {_show(x)}" for p, x in low)
    points = ", ".join(p for p, _ in low)
    # A window of n months pools n x supply; NOISE keeps 1 / 0.25 = 4 from rounding up to 5.
    need = max(math.ceil(1 / x - NOISE) for _, x in low)
    return (f"LabourMarket row {rec.row} ({rec['country']} / {rec['role_id']}): {facts} x "
            f"supply_window_months {window} is below 1, so in integer mode nobody is hired at "
            f"{points}; raise supply_window_months to {need}, or the supply to at least "
            f"{_show(round(1 / window, 4))} a month")
