"""Seeded synthetic input workbooks of the real schema, in four sizes, for benchmarks.

    python benchmarks/generate.py SIZE OUT.xlsx [--seed N]

The data are built as `staffplan.inputs` records first (so their field names are
checked against the schema's column names when written) and shaped after
/work/shared/domain.md: staggered buildouts, some sites already live or mid-ramp
at the horizon start, 24x7 seats for operators, several currencies, tight
markets with long time to fill, mobility lanes inside regions, generous budgets
(only hard constraint, so kept far above any plausible cost) and ExtraDemand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from staffplan.core.months import month_index, month_year
from staffplan.inputs import schema as schema
from staffplan.inputs.data import (
    Band,
    Budget,
    Extra,
    Inputs,
    Lane,
    Market,
    Role,
    Settings,
    Site,
    StaffingRow,
)
from staffplan.inputs.demand import country_requirement


@dataclass(frozen=True)
class Size:
    sites: int
    countries: int
    roles: int
    months: int


SIZES = {
    "small": Size(10, 4, 6, 36),
    "medium": Size(150, 12, 8, 60),
    "large": Size(500, 30, 20, 60),
    "xl": Size(2000, 40, 25, 72),
}

HORIZON_START = month_index(2027, 1)
REPORTING = "USD"

# code, currency, USD per unit, pay level vs US, tight market, region
COUNTRIES = [
    ("US", "USD", 1.0, 1.00, False, "na"), ("GB", "GBP", 1.27, 0.85, False, "eu"),
    ("JP", "JPY", 0.0067, 0.60, True, "apac"), ("AU", "AUD", 0.66, 0.90, True, "apac"),
    ("DE", "EUR", 1.08, 0.80, False, "eu"), ("IE", "EUR", 1.08, 0.85, True, "eu"),
    ("SG", "SGD", 0.74, 0.85, True, "apac"), ("IN", "INR", 0.012, 0.25, False, "apac"),
    ("BR", "BRL", 0.20, 0.35, False, "latam"), ("CA", "CAD", 0.74, 0.85, False, "na"),
    ("NL", "EUR", 1.08, 0.80, False, "eu"), ("FR", "EUR", 1.08, 0.75, False, "eu"),
    ("SE", "SEK", 0.095, 0.80, False, "eu"), ("NO", "NOK", 0.094, 0.85, True, "eu"),
    ("ES", "EUR", 1.08, 0.60, False, "eu"), ("IT", "EUR", 1.08, 0.60, False, "eu"),
    ("PL", "PLN", 0.25, 0.45, False, "eu"), ("KR", "KRW", 0.00075, 0.60, True, "apac"),
    ("MY", "MYR", 0.21, 0.35, False, "apac"), ("ID", "IDR", 0.000064, 0.25, False, "apac"),
    ("ZA", "ZAR", 0.054, 0.35, False, "mea"), ("MX", "MXN", 0.058, 0.35, False, "na"),
    ("CL", "CLP", 0.00107, 0.40, False, "latam"), ("AE", "USD", 1.0, 0.90, False, "mea"),
    ("SA", "SAR", 0.267, 0.90, False, "mea"), ("CH", "CHF", 1.12, 1.10, True, "eu"),
    ("DK", "DKK", 0.145, 0.85, False, "eu"), ("FI", "EUR", 1.08, 0.75, False, "eu"),
    ("NZ", "NZD", 0.60, 0.75, False, "apac"), ("HK", "HKD", 0.128, 0.80, True, "apac"),
    ("TW", "TWD", 0.031, 0.50, True, "apac"), ("TH", "THB", 0.028, 0.30, False, "apac"),
    ("PH", "PHP", 0.018, 0.25, False, "apac"), ("VN", "VND", 0.00004, 0.20, False, "apac"),
    ("AT", "EUR", 1.08, 0.80, False, "eu"), ("BE", "EUR", 1.08, 0.85, False, "eu"),
    ("PT", "EUR", 1.08, 0.55, False, "eu"), ("CZ", "CZK", 0.043, 0.45, False, "eu"),
    ("IL", "ILS", 0.27, 0.80, False, "mea"), ("CO", "COP", 0.00025, 0.30, False, "latam"),
]

# role_id, family, ramp, contractor premium (None = no contractors), max share,
# US band (min, mid, max), staffing {phase: (per_site, per_mw, posts_24x7)}
ROLES = [
    ("deal_sourcing", "deal_sourcing", 3, None, 0.0, (180e3, 220e3, 270e3),
     {"deal": (0.75, 0, 0), "construction": (0.25, 0, 0)}),
    ("dc_project_manager", "engineering", 2, 1.6, 0.5, (110e3, 145e3, 180e3),
     {"deal": (0.25, 0, 0), "construction": (1, 0.002, 0), "commissioning": (1, 0, 0)}),
    ("dc_commissioning_engineer", "engineering", 3, 1.5, 0.6, (90e3, 115e3, 140e3),
     {"construction": (0, 0.005, 0), "commissioning": (0, 0.03, 0)}),
    ("dc_operator", "operations", 6, 1.4, 0.3, (45e3, 60e3, 75e3),
     {"commissioning": (0, 0, 1), "operations": (0, 0.01, 2)}),
    ("dc_electrical_technician", "operations", 6, 1.5, 0.4, (55e3, 70e3, 90e3),
     {"commissioning": (0, 0.01, 0), "operations": (0, 0.02, 1)}),
    ("dc_facility_manager", "operations", 3, None, 0.0, (120e3, 170e3, 250e3),
     {"commissioning": (0.5, 0, 0), "operations": (1, 0, 0)}),
    ("dc_mechanical_technician", "operations", 6, 1.5, 0.4, (55e3, 70e3, 90e3),
     {"operations": (0, 0.015, 1)}),
    ("dc_controls_engineer", "engineering", 4, 1.6, 0.5, (80e3, 100e3, 125e3),
     {"commissioning": (0, 0.01, 0), "operations": (0, 0.005, 0)}),
    ("security_officer", "other", 1, 1.3, 0.8, (35e3, 45e3, 55e3),
     {"construction": (0, 0, 1), "commissioning": (0, 0, 1), "operations": (0, 0, 1)}),
    ("network_engineer", "engineering", 3, 1.5, 0.5, (85e3, 110e3, 140e3),
     {"commissioning": (1, 0, 0), "operations": (0, 0.005, 0)}),
    ("site_lead", "operations", 3, None, 0.0, (150e3, 190e3, 240e3),
     {"construction": (0.5, 0, 0), "operations": (1, 0, 0)}),
    ("ehs_manager", "other", 2, 1.4, 0.5, (80e3, 100e3, 130e3),
     {"construction": (1, 0.002, 0), "operations": (0.5, 0, 0)}),
    ("procurement_specialist", "other", 2, 1.3, 0.5, (70e3, 90e3, 110e3),
     {"deal": (0.25, 0, 0), "construction": (0.5, 0, 0)}),
    ("capacity_planner", "engineering", 3, None, 0.0, (90e3, 115e3, 140e3),
     {"operations": (0, 0.002, 0)}),
    ("generator_technician", "operations", 6, 1.5, 0.5, (55e3, 72e3, 92e3),
     {"operations": (0, 0.008, 0)}),
    ("bms_specialist", "engineering", 4, 1.5, 0.5, (75e3, 95e3, 120e3),
     {"commissioning": (0.5, 0, 0), "operations": (0, 0.004, 0)}),
    ("quality_manager", "other", 2, 1.4, 0.5, (80e3, 100e3, 125e3),
     {"construction": (0.5, 0, 0), "commissioning": (0.5, 0, 0)}),
    ("logistics_coordinator", "other", 1, 1.3, 0.7, (45e3, 55e3, 70e3),
     {"construction": (1, 0, 0)}),
    ("critical_facilities_engineer", "engineering", 6, 1.6, 0.3, (90e3, 110e3, 130e3),
     {"operations": (0, 0.01, 0)}),
    ("energy_analyst", "engineering", 2, 1.4, 0.5, (80e3, 100e3, 125e3),
     {"deal": (0.25, 0, 0), "operations": (0.25, 0, 0)}),
    ("fire_safety_technician", "operations", 3, 1.4, 0.5, (50e3, 62e3, 78e3),
     {"operations": (0, 0.003, 0)}),
    ("construction_manager", "engineering", 2, 1.5, 0.6, (120e3, 150e3, 190e3),
     {"construction": (1, 0.003, 0)}),
    ("permitting_specialist", "deal_sourcing", 3, 1.5, 0.5, (90e3, 120e3, 150e3),
     {"deal": (0.5, 0, 0)}),
    ("commercial_manager", "deal_sourcing", 3, None, 0.0, (140e3, 180e3, 230e3),
     {"deal": (0.5, 0, 0), "operations": (0.1, 0, 0)}),
    ("hr_business_partner", "other", 2, 1.3, 0.5, (80e3, 100e3, 125e3),
     {"construction": (0.2, 0, 0), "operations": (0.2, 0, 0)}),
]
MOBILE_FAMILIES = {"engineering", "deal_sourcing"}


def _round_sig(x: float, digits: int = 3) -> float:
    if x <= 0:
        return 0.0
    return float(round(x, digits - 1 - int(math.floor(math.log10(x)))))


def generate(size: str, seed: int = 1) -> Inputs:
    """Synthetic inputs (requirement filled) for one of SIZES; same seed, same data."""
    spec = SIZES[size]
    rng = random.Random(f"{size}:{seed}")
    T, L, h0 = spec.months, 12, HORIZON_START
    countries = COUNTRIES[:spec.countries]
    by_code = {c[0]: c for c in countries}
    settings = Settings(
        plan_name=f"Benchmark {size} (seed {seed})", horizon_start=h0, horizon_months=T,
        currency=REPORTING, unmet_penalty=60000.0, fte_per_24x7_post=5.0, severance_months=3.0,
        supply_window_months=3, lookahead_months=L, integer_hires=True, time_limit_s=60.0,
        mip_gap=0.001,
    )

    roles: dict[str, Role] = {}
    staffing: list[StaffingRow] = []
    for rid, family, ramp, premium, share, _band, phases in ROLES[:spec.roles]:
        roles[rid] = Role(rid, rid.replace("_", " ").title().replace("Dc ", "DC "), family, ramp,
                          premium is not None, premium or 1.0, share)
        for phase, (per_site, per_mw, posts) in phases.items():
            staffing.append(StaffingRow(rid, phase, float(per_site), float(per_mw), float(posts)))
    band_usd = {r[0]: r[5] for r in ROLES}

    # Sites: every country gets one, the rest weighted towards the first (bigger) markets.
    weights = [1.0 / (1 + 0.15 * i) for i in range(len(countries))]
    homes = [c[0] for c in countries][:spec.sites]
    homes += rng.choices([c[0] for c in countries], weights, k=spec.sites - len(homes))
    sites: list[Site] = []
    for i, country in enumerate(homes):
        mw = float(round(math.exp(rng.uniform(math.log(50), math.log(1000))) / 10) * 10)
        deal = h0 + rng.randint(-48, T - 6)
        construction = deal + rng.randint(6, 18)
        commissioning = construction + rng.randint(12, 18) + int(mw / 100)
        go_live = commissioning + rng.randint(2, 4)
        ramp = rng.choice([0.0, 6.0, 12.0, 18.0, 24.0, 9.5])
        sites.append(Site(f"{country}_{i + 1:04d}", f"{country} campus {i + 1} ({mw:.0f} MW)",
                          country, mw, deal, construction, commissioning, go_live, ramp))

    # Bands and markets for every country and role; requirement decides their size.
    bands: dict[tuple[str, str], Band] = {}
    for code, cur, fx, level, tight, _region in countries:
        for rid in roles:
            lo, mid, hi = band_usd[rid]
            f = level * (1.15 if tight else 1.0) * rng.uniform(0.95, 1.05) / fx
            bands[(code, rid)] = Band(code, rid, cur, _round_sig(lo * f), _round_sig(mid * f),
                                      _round_sig(hi * f), round(rng.uniform(0.2, 0.45), 2),
                                      round(rng.uniform(0.02, 0.06), 3))
    fx = {cur: rate for _c, cur, rate, *_ in countries if cur != REPORTING}

    extra: list[Extra] = []
    deal_roles = [r for r in roles if roles[r].family == "deal_sourcing"]
    for code, *_ in countries:
        start = h0 + rng.randint(-12, T // 2)
        extra.append(Extra(code, deal_roles[0], start, start + rng.randint(12, 36),
                           float(rng.choice([1, 1, 2]))))
    for _ in range(max(2, spec.sites // 20)):
        start = h0 + rng.randint(0, T - 3)
        extra.append(Extra(rng.choice(homes), rng.choice(list(roles)), start,
                           start + rng.randint(2, 18), float(rng.choice([0.5, 1, 2, 3]))))

    n = settings.model_months
    found = country_requirement(sites, staffing, extra, h0, n, settings.fte_per_24x7_post)
    req = {pair: found.get(pair, [0.0] * n) for pair in bands}

    markets: dict[tuple[str, str], Market] = {}
    for (code, rid), series in sorted(req.items()):
        tight = by_code[code][4]
        peak = max(series)
        start_hc = float(round(series[0] * rng.uniform(0.6, 1.0)))
        attrition = round(rng.uniform(0.18, 0.25) if tight else rng.uniform(0.12, 0.20), 3)
        need = max(0.0, peak - start_hc) / T + peak * attrition / 12
        base = need * (0.4 if tight else 1.6)
        supply = [max(0.35, round(base * share, 2)) for share in (0.5, 0.3, 0.2)]
        ttf = rng.randint(4, 6) if tight else rng.randint(2, 3)
        band = bands[(code, rid)]
        usd_mid = band_usd[rid][1]
        cph = band.band_mid * rng.uniform(0.15, 0.25) if usd_mid >= 100e3 \
            else 4700 * by_code[code][3] / by_code[code][2]
        markets[(code, rid)] = Market(code, rid, start_hc, ttf, *supply, attrition,
                                      _round_sig(cph))

    # Mobility: a few country pairs inside a region, a few mobile roles per pair, both ways.
    mobility: list[Lane] = []
    mobile = [r for r in roles if roles[r].family in MOBILE_FAMILIES]
    regions: dict[str, list[str]] = {}
    for code, *_rest, region in countries:
        regions.setdefault(region, []).append(code)
    links = [(a, b) for codes in regions.values() for i, a in enumerate(codes)
             for b in codes[i + 1:]]
    rng.shuffle(links)
    for a, b in sorted(links[:max(1, spec.countries)]):
        for rid in rng.sample(mobile, min(len(mobile), rng.randint(1, 3))):
            cost = float(rng.randrange(33500, 85500, 500))
            per_month = float(rng.randint(1, 3))
            mobility.append(Lane(a, b, rid, per_month, cost))
            mobility.append(Lane(b, a, rid, per_month, cost))

    inputs = Inputs(settings, sites, roles, staffing, bands, markets, fx, mobility=mobility,
                    extra=extra)
    inputs.requirement = req
    inputs.budgets = _budgets(inputs, rng)
    return inputs


def _budgets(inputs: Inputs, rng: random.Random) -> list[Budget]:
    """Caps far above what any sensible plan costs, so they never make a run infeasible:
    one per horizon year over all countries, a few loose country-years, one overall.

    The bound prices 1.5x the peak of requirement or starting staff at band max all
    year, plus contractors on the whole requirement, hiring at full supply, severance
    of the whole bound once a year and every lane moving at its cap.
    """
    s = inputs.settings
    sev = s.severance_months
    years = sorted({month_year(s.horizon_start + t) for t in range(s.horizon_months)})
    bound: dict[tuple[str, int], float] = {}
    lane_in: dict[str, float] = {}
    for lane in inputs.mobility:
        lane_in[lane.to_country] = lane_in.get(lane.to_country, 0.0) + \
            lane.max_per_month * lane.cost_per_move
    for (c, r), m in inputs.markets.items():
        band, role = inputs.bands[(c, r)], inputs.roles[r]
        fx = inputs.rate(band.currency)
        series = inputs.requirement[(c, r)]
        hc = 1.5 * max(max(series), m.starting_headcount)
        supply = m.supply_at_min + m.supply_at_mid + m.supply_at_max
        for t in range(s.horizon_months):
            step = (1 + band.annual_increase_pct) ** (t // 12)
            w = band.band_max / 12 * (1 + band.on_cost_pct) * step * fx
            cost = hc * w * (1 + sev / 12) + series[t] * w * role.contractor_premium \
                + supply * m.cost_per_hire * fx
            key = (c, month_year(s.horizon_start + t))
            bound[key] = bound.get(key, 0.0) + cost
    for c, per_month in lane_in.items():
        for t in range(s.horizon_months):
            key = (c, month_year(s.horizon_start + t))
            bound[key] = bound.get(key, 0.0) + per_month
    out: list[Budget] = []
    for y in years:
        total = sum(v for (c, yy), v in bound.items() if yy == y)
        out.append(Budget(y, None, _round_sig(1.5 * total, 2), len(out) + 2))
    picks = sorted(rng.sample(sorted(bound), min(len(bound), max(1, len(bound) // 10))))
    for c, y in picks:
        out.append(Budget(y, c, _round_sig(1.3 * bound[(c, y)], 2), len(out) + 2))
    out.append(Budget(None, None, _round_sig(2.0 * sum(bound.values()), 2), len(out) + 2))
    return out


def _cell(col: schema.Column, value: object) -> object:
    """A record's value as a person would type it into the sheet."""
    if col.kind == "date":
        return dt.date(value // 12, value % 12 + 1, 1)  # type: ignore[operator]
    if col.kind == "yesno":
        return "yes" if value else "no"
    if col.kind == "year_all":
        return "all" if value is None else value
    if col.kind == "country_star":
        return "*" if value is None else value
    return value


def _rows(sheet: schema.Sheet, records: list) -> list[list]:
    return [[_cell(col, getattr(rec, col.name)) for col in sheet.columns] for rec in records]


def write_workbook(inputs: Inputs, path: Path) -> None:
    """Write in openpyxl's write-only mode (the xl workbook has ~100k rows), atomically."""
    s = inputs.settings
    fx_rows = [_FX(REPORTING, 1.0)] + [_FX(c, r) for c, r in sorted(inputs.fx.items())]
    tables = [
        (schema.SITES, inputs.sites),
        (schema.ROLES, list(inputs.roles.values())),
        (schema.STAFFING, inputs.staffing),
        (schema.SALARY_BANDS, [inputs.bands[k] for k in sorted(inputs.markets)]),
        (schema.LABOUR_MARKET, [inputs.markets[k] for k in sorted(inputs.markets)]),
        (schema.FX, fx_rows),
        (schema.MOBILITY, inputs.mobility),
        (schema.BUDGET, inputs.budgets),
        (schema.EXTRA_DEMAND, inputs.extra),
    ]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(schema.SETTINGS.name)
    ws.append(["key", "value"])
    for col in schema.SETTINGS.columns:
        value = getattr(s, col.name)
        ws.append([col.name, month_text(value) if col.kind == "date" else _cell(col, value)])
    for sheet, records in tables:
        ws = wb.create_sheet(sheet.name)
        ws.append([col.name for col in sheet.columns])
        for row in _rows(sheet, records):
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _FX:
    currency: str
    rate_to_reporting: float


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    inputs = generate(args.size, args.seed)
    write_workbook(inputs, args.out)
    print(f"{args.out}: {len(inputs.sites)} sites, {len(inputs.markets)} markets, "
          f"{len(inputs.mobility)} lanes, {len(inputs.budgets)} budgets "
          f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
