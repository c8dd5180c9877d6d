"""`staffplan init`: the shipped example, an APAC expansion with real-world figures.

Figures come from the project's domain notes (`domain.md`); each row's `notes`
says where a number came from or that it is our estimate. Extra columns such
as `notes` are ignored by the reader. The same content ships as
`inputs/apac_expansion.xlsx`, written by this command.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from staffplan.inputs.template import Content, write_input_workbook

INTRO = (
    "1. Fill in the sheets named below; keep the header row (row 1) of each as it is. "
    "Extra columns (like notes) and extra sheets are ignored, unless their name looks like a "
    "misspelt one (Budgets for Budget): that is an error, so a typo never changes the plan.",
    "2. Dates may be real Excel dates, YYYY-MM or YYYY-MM-DD text; each means the month it "
    "falls in. Percentages may be 25% or 0.25.",
    "3. Check the workbook:  staffplan check YOUR_FILE.xlsx  (lists every problem at once).",
    "4. Plan:  staffplan plan YOUR_FILE.xlsx  writes the plan (.xlsx) and report (.html) "
    "to reports/.",
    "5. What if:  staffplan compare YOUR_FILE.xlsx  plans every scenario of the Scenarios sheet "
    "beside the baseline;  staffplan risk YOUR_FILE.xlsx  simulates how likely each site is "
    "staffed at go-live.",
    "Cells with a fixed set of values offer a drop-down list; role_id lists come from the "
    "Roles sheet, so add a role there first.",
)


def _m(year: int, month: int) -> date:
    return date(year, month, 1)


SETTINGS = [
    {"key": "plan_name", "value": "APAC expansion 2027-2030"},
    {"key": "horizon_start", "value": _m(2027, 1)},
    {"key": "horizon_months", "value": 48},
    {"key": "currency", "value": "USD"},
    {"key": "unmet_penalty", "value": 60000,
     "notes": "USD per FTE-month left unmet; above the monthly cost of the dearest role "
              "(GB deal sourcing at band max), so the plan hires wherever it can"},
    {"key": "fte_per_24x7_post", "value": 5.0,
     "notes": "8,760 h a year; 'just over 5' FTE with leave, sickness, training (NANOG 2011)"},
    {"key": "severance_months", "value": 3},
    {"key": "supply_window_months", "value": 3,
     "notes": "supply pooled over 3 months, so half-a-hire-a-month markets plan whole people"},
    {"key": "lookahead_months", "value": 12},
    {"key": "integer_hires", "value": True},
    {"key": "time_limit_s", "value": 60},
    {"key": "mip_gap", "value": 0.005,
     "notes": "0.5%: whole-people plans of this size close to 0.2% in about 10 s; at 0.1% the "
              "bound barely moves in a minute"},
    {"key": "releases", "value": "when_demand_falls",
     "notes": "nobody is let go while the same role in the same country is needed again "
              "later; anytime lets the plan release staff and hire cheaper ones later"},
]


def _site(site_id: str, name: str, country: str, mw: float, deal: date, build: date,
          commission: date, live: date, ramp: float, notes: str) -> dict:
    return {"site_id": site_id, "site_name": name, "country": country, "it_mw": mw,
            "deal_start": deal, "construction_start": build, "commissioning_start": commission,
            "go_live": live, "mw_ramp_months": ramp, "notes": notes}


SITES = [
    _site("AU_SYD1", "Western Sydney 1", "AU", 200, _m(2025, 6), _m(2026, 3), _m(2027, 9),
          _m(2028, 1), 12, "under construction at the start; electricians the tightest trade "
                           "in AU (W.Media, Dec 2025)"),
    _site("AU_MEL1", "Melbourne West", "AU", 150, _m(2026, 9), _m(2027, 7), _m(2028, 12),
          _m(2029, 4), 12, ""),
    _site("AU_SYD2", "Western Sydney 2", "AU", 120, _m(2027, 10), _m(2028, 9), _m(2029, 12),
          _m(2030, 4), 12, "second phase of the Sydney campus"),
    _site("JP_INZ1", "Inzai (Chiba)", "JP", 100, _m(2025, 1), _m(2025, 10), _m(2027, 10),
          _m(2028, 4), 12, "a 50 MW build takes about 4 years in JP (Nikkei; Asia Daily)"),
    _site("JP_OSA1", "Osaka Keihanna", "JP", 60, _m(2027, 4), _m(2028, 4), _m(2030, 6),
          _m(2031, 1), 12, "big contractors booked past 2028 (Nikkei)"),
    _site("US_DFW1", "Dallas-Fort Worth", "US", 400, _m(2025, 3), _m(2025, 11), _m(2027, 4),
          _m(2027, 7), 18, "GW-scale AI campuses run ~0.25 FTE/MW (our arithmetic on "
                           "Hyperion, Abilene)"),
    _site("US_PHX1", "Phoenix Mesa", "US", 300, _m(2026, 6), _m(2027, 3), _m(2028, 6),
          _m(2028, 9), 12, ""),
    _site("US_CMH1", "Columbus New Albany", "US", 350, _m(2027, 1), _m(2027, 10), _m(2029, 3),
          _m(2029, 6), 18, ""),
    _site("US_ATL1", "Atlanta Douglas", "US", 250, _m(2028, 1), _m(2028, 10), _m(2030, 3),
          _m(2030, 6), 12, ""),
    _site("GB_LON1", "London Slough", "GB", 80, _m(2027, 6), _m(2030, 1), _m(2031, 6),
          _m(2032, 1), 12, "deal stage: construction starts in the last horizon year"),
]

ROLES = [
    {"role_id": "dc_electrical_engineer", "role_name": "Data-center electrical engineer",
     "family": "engineering", "ramp_months": 3, "contractor_allowed": True,
     "contractor_premium": 1.6, "max_contractor_share": 0.3,
     "notes": "ramp 3 months for engineers (estimate); agency markup 25-75% on pay"},
    {"role_id": "dc_mechanical_engineer", "role_name": "Data-center mechanical engineer",
     "family": "engineering", "ramp_months": 3, "contractor_allowed": True,
     "contractor_premium": 1.6, "max_contractor_share": 0.3, "notes": ""},
    {"role_id": "dc_operator", "role_name": "Critical facilities technician (24x7)",
     "family": "operations", "ramp_months": 6, "contractor_allowed": True,
     "contractor_premium": 1.5, "max_contractor_share": 0.2,
     "notes": "6-12 months to full productivity for mission-critical technicians"},
    {"role_id": "ops_manager", "role_name": "Data-center operations manager",
     "family": "operations", "ramp_months": 3, "contractor_allowed": False,
     "contractor_premium": 1.5, "max_contractor_share": 0, "notes": ""},
    {"role_id": "energy_procurement", "role_name": "Energy procurement (PPA) lead",
     "family": "other", "ramp_months": 3, "contractor_allowed": True,
     "contractor_premium": 1.4, "max_contractor_share": 0.5, "notes": ""},
    {"role_id": "deal_sourcing", "role_name": "Deal sourcing (land and power)",
     "family": "deal_sourcing", "ramp_months": 2, "contractor_allowed": False,
     "contractor_premium": 1.5, "max_contractor_share": 0, "notes": ""},
]


def _ratio(role: str, phase: str, per_site: float = 0.0, per_mw: float = 0.0,
           posts: float = 0.0, notes: str = "") -> dict:
    return {"role_id": role, "phase": phase, "per_site": per_site, "per_mw": per_mw,
            "posts_24x7": posts, "notes": notes}


STAFFING = [
    _ratio("deal_sourcing", "deal", per_site=0.75,
           notes="0.5-1 deal FTE per site in the deal phase (estimate)"),
    _ratio("energy_procurement", "deal", per_site=0.5),
    _ratio("energy_procurement", "construction", per_site=0.5),
    _ratio("dc_electrical_engineer", "construction", per_site=1, per_mw=0.01),
    _ratio("dc_electrical_engineer", "commissioning", per_site=1, per_mw=0.04,
           notes="0.02-0.05 commissioning engineers per MW (estimate)"),
    _ratio("dc_electrical_engineer", "operations", per_mw=0.015),
    _ratio("dc_mechanical_engineer", "construction", per_site=1, per_mw=0.008),
    _ratio("dc_mechanical_engineer", "commissioning", per_site=1, per_mw=0.03),
    _ratio("dc_mechanical_engineer", "operations", per_mw=0.012),
    _ratio("dc_operator", "commissioning", posts=2,
           notes="operators shadow commissioning: one seat each for electrical and mechanical"),
    _ratio("dc_operator", "operations", per_mw=0.08, posts=4,
           notes="at least two people per shift (Mission Critical Magazine); electrical, "
                 "mechanical, controls/BMS, generators"),
    _ratio("ops_manager", "commissioning", per_site=1),
    _ratio("ops_manager", "operations", per_site=2, per_mw=0.005),
]


def _band(country: str, role: str, currency: str, lo: float, mid: float, hi: float,
          on_cost: float, increase: float, notes: str = "") -> dict:
    return {"country": country, "role_id": role, "currency": currency, "band_min": lo,
            "band_mid": mid, "band_max": hi, "on_cost_pct": on_cost,
            "annual_increase_pct": increase, "notes": notes}


SALARY_BANDS = [
    _band("US", "dc_electrical_engineer", "USD", 100_000, 120_000, 145_000, 0.25, 0.035,
          "critical facilities engineer USD 90-130k (blog) + mission-critical premium"),
    _band("US", "dc_mechanical_engineer", "USD", 95_000, 115_000, 135_000, 0.25, 0.035),
    _band("US", "dc_operator", "USD", 55_000, 65_000, 80_000, 0.25, 0.035,
          "hyperscaler technician USD 45-75k (posted range)"),
    _band("US", "ops_manager", "USD", 174_000, 215_000, 258_000, 0.25, 0.035,
          "data-center services manager USD 174-258k (job posting)"),
    _band("US", "energy_procurement", "USD", 130_000, 155_000, 185_000, 0.25, 0.035,
          "estimate"),
    _band("US", "deal_sourcing", "USD", 110_000, 145_000, 180_000, 0.25, 0.035,
          "site-strategy senior project manager USD 110-180k (job posting)"),
    _band("AU", "dc_electrical_engineer", "AUD", 150_000, 175_000, 205_000, 0.17, 0.04,
          "estimate; on-costs = 12% superannuation + payroll tax"),
    _band("AU", "dc_mechanical_engineer", "AUD", 140_000, 165_000, 195_000, 0.17, 0.04),
    _band("AU", "dc_operator", "AUD", 95_000, 110_000, 130_000, 0.17, 0.04),
    _band("AU", "ops_manager", "AUD", 208_600, 236_400, 264_200, 0.17, 0.04,
          "AU data-center programme manager AUD 208.6-264.2k (job posting)"),
    _band("AU", "energy_procurement", "AUD", 170_000, 200_000, 235_000, 0.17, 0.04),
    _band("AU", "deal_sourcing", "AUD", 200_000, 240_000, 280_000, 0.17, 0.04),
    _band("JP", "dc_electrical_engineer", "JPY", 7_000_000, 8_500_000, 10_500_000, 0.16, 0.025,
          "senior licensed electrical chief engineer ~JPY 7M (salary site)"),
    _band("JP", "dc_mechanical_engineer", "JPY", 6_500_000, 8_000_000, 9_500_000, 0.16, 0.025),
    _band("JP", "dc_operator", "JPY", 3_500_000, 4_300_000, 5_200_000, 0.16, 0.025,
          "facilities staff ~JPY 3.5M (salary site)"),
    _band("JP", "ops_manager", "JPY", 9_000_000, 11_000_000, 13_500_000, 0.16, 0.025),
    _band("JP", "energy_procurement", "JPY", 8_000_000, 10_000_000, 12_000_000, 0.16, 0.025),
    _band("JP", "deal_sourcing", "JPY", 10_000_000, 13_000_000, 16_000_000, 0.16, 0.025),
    _band("GB", "dc_electrical_engineer", "GBP", 70_000, 85_000, 100_000, 0.18, 0.03,
          "on-costs = employer NI + pension (estimate)"),
    _band("GB", "dc_mechanical_engineer", "GBP", 65_000, 80_000, 95_000, 0.18, 0.03),
    _band("GB", "dc_operator", "GBP", 40_000, 47_000, 55_000, 0.18, 0.03),
    _band("GB", "ops_manager", "GBP", 90_000, 115_000, 140_000, 0.18, 0.03,
          "UK data-center manager GBP 50-140k (2021 survey)"),
    _band("GB", "energy_procurement", "GBP", 100_000, 125_000, 150_000, 0.18, 0.03),
    _band("GB", "deal_sourcing", "GBP", 225_000, 247_500, 270_000, 0.18, 0.03,
          "London deal sourcing GBP 225-270k (job ad, April 2026)"),
]


def _market(country: str, role: str, start: float | None, fill: int, s_min: float, s_mid: float,
            s_max: float, attrition: float, per_hire: float, notes: str = "") -> dict:
    return {"country": country, "role_id": role, "starting_headcount": start,
            "time_to_fill_months": fill, "supply_at_min": s_min, "supply_at_mid": s_mid,
            "supply_at_max": s_max, "annual_attrition_pct": attrition, "cost_per_hire": per_hire,
            "notes": notes}


LABOUR_MARKET = [
    _market("US", "dc_electrical_engineer", None, 3, 1, 1, 1, 0.15, 25_000,
            "agency fee 15-25% of first-year pay; staff on the books: see Roster"),
    _market("US", "dc_mechanical_engineer", 6, 3, 1, 1, 1, 0.15, 23_000),
    _market("US", "dc_operator", 30, 2, 3, 3, 2, 0.19, 4_700,
            "cost per hire USD 4,700 (SHRM); US turnover 19% (SHRM)"),
    _market("US", "ops_manager", 3, 3, 0.67, 0.67, 0.67, 0.15, 45_000),
    _market("US", "energy_procurement", 2, 3, 0.67, 0.67, 0.67, 0.15, 30_000),
    _market("US", "deal_sourcing", 3, 3, 0.67, 0.67, 0.67, 0.15, 30_000),
    _market("AU", "dc_electrical_engineer", 2, 4, 0.34, 0.34, 0.34, 0.16, 35_000,
            "electricians the tightest trade in AU (W.Media)"),
    _market("AU", "dc_mechanical_engineer", 2, 4, 0.67, 0.34, 0.34, 0.16, 33_000),
    _market("AU", "dc_operator", 4, 3, 2, 1.34, 1, 0.18, 9_000,
            "1 in 2 APAC operators struggle to hire (CBRE 2024)"),
    _market("AU", "ops_manager", 1, 4, 0.34, 0.34, 0.34, 0.15, 50_000),
    _market("AU", "energy_procurement", 1, 3, 0.34, 0.34, 0.34, 0.15, 40_000),
    _market("AU", "deal_sourcing", 1, 3, 0.34, 0.34, 0.34, 0.15, 48_000),
    _market("JP", "dc_electrical_engineer", 0, 6, 0.34, 0.34, 0.34, 0.1, 1_700_000,
            "longer time to fill in JP (estimate); low turnover"),
    _market("JP", "dc_mechanical_engineer", 0, 6, 0.34, 0.34, 0.34, 0.1, 1_600_000),
    _market("JP", "dc_operator", 0, 5, 1, 0.67, 0.67, 0.12, 700_000),
    _market("JP", "ops_manager", 0, 6, 0.34, 0.34, 0.34, 0.1, 2_200_000),
    _market("JP", "energy_procurement", 0, 6, 0.34, 0.34, 0.34, 0.1, 2_000_000),
    _market("JP", "deal_sourcing", 1, 6, 0.34, 0.34, 0.34, 0.1, 2_600_000),
    _market("GB", "dc_electrical_engineer", 0, 3, 0.67, 0.67, 0.67, 0.15, 17_000),
    _market("GB", "dc_mechanical_engineer", 0, 3, 0.67, 0.67, 0.67, 0.15, 16_000),
    _market("GB", "dc_operator", 0, 3, 1, 1, 1, 0.18, 5_000),
    _market("GB", "ops_manager", 0, 3, 0.34, 0.34, 0.34, 0.15, 23_000),
    _market("GB", "energy_procurement", 0, 3, 0.34, 0.34, 0.34, 0.15, 25_000),
    _market("GB", "deal_sourcing", 0, 3, 0.34, 0.34, 0.34, 0.15, 50_000),
]

# How many months late a hire starts on average against plan (used only by staffplan risk):
# our estimate, longest where searches are longest.
FILL_DELAY_MONTHS = {"US": 0.5, "AU": 1.0, "JP": 1.5, "GB": 0.5}
for _row in LABOUR_MARKET:
    _row["fill_delay_mean_months"] = FILL_DELAY_MONTHS[_row["country"]]

FX = [
    {"currency": "USD", "rate_to_reporting": 1.0, "notes": "reporting currency"},
    {"currency": "AUD", "rate_to_reporting": 0.65, "notes": "planning rate (estimate)"},
    {"currency": "JPY", "rate_to_reporting": 0.0067, "notes": "planning rate (estimate)"},
    {"currency": "GBP", "rate_to_reporting": 1.27, "notes": "planning rate (estimate)"},
]

MOBILITY = [
    {"from_country": "US", "to_country": "AU", "role_id": "dc_electrical_engineer",
     "max_per_month": 1, "cost_per_move": 60_000,
     "notes": "international relocation USD 33,500-85,500 (Worldwide ERC 2022)"},
    {"from_country": "US", "to_country": "AU", "role_id": "dc_mechanical_engineer",
     "max_per_month": 1, "cost_per_move": 60_000, "notes": ""},
    {"from_country": "US", "to_country": "JP", "role_id": "dc_electrical_engineer",
     "max_per_month": 1, "cost_per_move": 70_000, "notes": ""},
    {"from_country": "US", "to_country": "JP", "role_id": "dc_mechanical_engineer",
     "max_per_month": 1, "cost_per_move": 70_000, "notes": ""},
]

BUDGET = [
    {"year": "all", "country": "*", "max_cost": 125_000_000,
     "notes": "board envelope for the whole horizon (about 10% above the plan)"},
    {"year": 2028, "country": "JP", "max_cost": 2_100_000,
     "notes": "Japan entry budget for 2028; close to what the plan needs"},
]

EXTRA_DEMAND = [
    {"country": "JP", "role_id": "deal_sourcing", "start": _m(2027, 4), "end": _m(2030, 12),
     "fte": 1, "notes": "regional deal lead for Japan, beyond the per-site ratios"},
]

ROSTER = [
    {"country": "US", "role_id": "dc_electrical_engineer", "pay_point": "min", "headcount": 2,
     "start_month": None, "notes": "hired at the bottom of the band in 2025"},
    {"country": "US", "role_id": "dc_electrical_engineer", "pay_point": "mid", "headcount": 3,
     "start_month": None, "notes": ""},
    {"country": "US", "role_id": "dc_electrical_engineer", "pay_point": "max", "headcount": 1,
     "start_month": None, "notes": "lead electrical engineer, Dallas"},
    {"country": "US", "role_id": "dc_electrical_engineer", "pay_point": "mid", "headcount": 2,
     "start_month": _m(2026, 12), "notes": "joined December 2026, still learning the site"},
]

REQUISITIONS = [
    {"req_id": "US-OPS-0412", "country": "US", "role_id": "dc_operator", "pay_point": "min",
     "status": "offer_accepted", "start_month": _m(2027, 2),
     "notes": "offer signed; starts in Dallas in February"},
    {"req_id": "US-OPS-0415", "country": "US", "role_id": "dc_operator", "pay_point": "min",
     "status": "offer_accepted", "start_month": _m(2027, 2), "notes": ""},
    {"req_id": "US-EE-0107", "country": "US", "role_id": "dc_electrical_engineer",
     "pay_point": "mid", "status": "open", "start_month": _m(2027, 3),
     "notes": "two candidates at final interview"},
    {"req_id": "US-EE-0111", "country": "US", "role_id": "dc_electrical_engineer",
     "pay_point": "mid", "status": "open", "start_month": _m(2027, 3), "notes": ""},
    {"req_id": "US-DS-0021", "country": "US", "role_id": "deal_sourcing", "pay_point": "mid",
     "status": "open", "start_month": _m(2027, 2),
     "notes": "opened last quarter for the Phoenix deal, now closed"},
    {"req_id": "AU-OPS-0031", "country": "AU", "role_id": "dc_operator", "pay_point": "mid",
     "status": "open", "start_month": _m(2027, 3), "notes": "Western Sydney 1 pre-opening"},
]

SCENARIOS = [
    {"scenario": "JP go-live slips 6 months", "sheet": "Sites", "column": "go_live",
     "match": "country=JP", "change": "shift_months", "value": 6,
     "notes": "big contractors booked past 2028 (Nikkei): commissioning runs long"},
    {"scenario": "AU operator supply halved", "sheet": "LabourMarket",
     "column": "supply_at_min", "match": "country=AU; role_id=dc_operator", "change": "multiply",
     "value": 0.5, "notes": "competing AU builds take half the technicians (AU markets for the "
                            "other roles yield one hire a quarter: halved, that is nobody)"},
    {"scenario": "AU operator supply halved", "sheet": "LabourMarket",
     "column": "supply_at_mid", "match": "country=AU; role_id=dc_operator", "change": "multiply",
     "value": 0.5, "notes": ""},
    {"scenario": "AU operator supply halved", "sheet": "LabourMarket",
     "column": "supply_at_max", "match": "country=AU; role_id=dc_operator", "change": "multiply",
     "value": 0.5, "notes": ""},
    {"scenario": "Attrition up 5 points", "sheet": "LabourMarket",
     "column": "annual_attrition_pct", "match": "", "change": "add", "value": 0.05,
     "notes": "every market loses five more people in a hundred each year"},
]

CONTENT: Content = {
    "Settings": SETTINGS,
    "Sites": SITES,
    "Roles": ROLES,
    "Staffing": STAFFING,
    "SalaryBands": SALARY_BANDS,
    "LabourMarket": LABOUR_MARKET,
    "FX": FX,
    "Mobility": MOBILITY,
    "Budget": BUDGET,
    "ExtraDemand": EXTRA_DEMAND,
    "Roster": ROSTER,
    "Requisitions": REQUISITIONS,
    "Scenarios": SCENARIOS,
}


def write_example(path: Path) -> None:
    """The example workbook at `path`; refuses an existing file (OutputExists)."""
    write_input_workbook(path, CONTENT, INTRO)
