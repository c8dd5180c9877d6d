"""A compact builder of tiny `Inputs` for hand-derived optimisation cases.

Defaults keep the arithmetic trivial so every optimum can be checked on paper:
one country `US`, one role `eng`, bands 96k / 120k / 144k USD a year (8,000 /
10,000 / 12,000 a month), supply only at `mid` (100 a month), no attrition,
on-cost, increase, time to fill, ramp, hiring cost, contractors or look-ahead;
unmet penalty 1,000,000 per FTE-month; horizon 6 months from 2026-01.

Months in the helpers are model months `t` (0 = horizon start), converted to the
absolute month numbers `Inputs` holds.
"""

from __future__ import annotations

from staffplan.core.months import month_index, month_label
from staffplan.inputs.data import (
    Band,
    Budget,
    Extra,
    Inputs,
    Lane,
    Market,
    Requisition,
    Role,
    RosterRow,
    Settings,
    Site,
    StaffingRow,
)
from staffplan.inputs.demand import requirement_for

START = month_index(2026, 1)
PENALTY = 1_000_000.0


def label(t: int) -> str:
    """`YYYY-MM` of model month t, as the result tables show it."""
    return month_label(START + t)


def role(role_id: str = "eng", *, ramp: int = 0, contractors: bool = False,
         premium: float = 1.5, share: float = 0.0) -> Role:
    return Role(role_id, role_id.title(), "engineering", ramp, contractors, premium, share)


def band(country: str = "US", role_id: str = "eng", *, currency: str = "USD",
         lo: float = 96_000, mid: float = 120_000, hi: float = 144_000,
         on_cost: float = 0.0, increase: float = 0.0) -> Band:
    return Band(country, role_id, currency, lo, mid, hi, on_cost, increase)


def market(country: str = "US", role_id: str = "eng", *, start: float = 0.0, ttf: int = 0,
           s_min: float = 0.0, s_mid: float = 100.0, s_max: float = 0.0,
           attrition: float = 0.0, cost_per_hire: float = 0.0) -> Market:
    return Market(country, role_id, start, ttf, s_min, s_mid, s_max, attrition, cost_per_hire)


def extra(t0: int, t1: int, fte: float, country: str = "US", role_id: str = "eng") -> Extra:
    """ExtraDemand over model months t0..t1 inclusive (negative = before the horizon)."""
    return Extra(country, role_id, START + t0, START + t1, fte)


def site(deal: int, construction: int, commissioning: int, go_live: int, *, mw: float = 10.0,
         ramp: float = 0.0, country: str = "US", site_id: str = "S1") -> Site:
    """A site whose four dates are model months."""
    return Site(site_id, site_id, country, mw, START + deal, START + construction,
                START + commissioning, START + go_live, ramp)


def staffing(phase: str, *, per_site: float = 0.0, per_mw: float = 0.0, posts: float = 0.0,
             role_id: str = "eng") -> StaffingRow:
    return StaffingRow(role_id, phase, per_site, per_mw, posts)


def lane(src: str, dst: str, *, max_per_month: float, cost: float,
         role_id: str = "eng") -> Lane:
    return Lane(src, dst, role_id, max_per_month, cost)


def budget(max_cost: float, *, year: int | None = None, country: str | None = None,
           row: int = 2) -> Budget:
    return Budget(year, country, max_cost, row)


def roster(pay_point: str, headcount: float, started: int | None = None, *,
           country: str = "US", role_id: str = "eng") -> RosterRow:
    """Roster row; `started` is a model month (negative: before the horizon) or None."""
    return RosterRow(country, role_id, pay_point, headcount,
                     None if started is None else START + started)


def requisition(req_id: str, status: str, t: int, pay_point: str = "mid", *,
                country: str = "US", role_id: str = "eng") -> Requisition:
    """Requisition in flight starting in model month t (`open` or `offer_accepted`)."""
    return Requisition(req_id, country, role_id, pay_point, status, START + t)


def make_inputs(*, start: int = START, horizon: int = 6, lookahead: int = 0, integer: bool = True,
                window: int = 1, penalty: float = PENALTY, severance: float = 3.0,
                fte_per_post: float = 5.0, roles: list[Role] | None = None,
                bands: list[Band] | None = None, markets: list[Market] | None = None,
                sites: list[Site] | None = None, staffing_rows: list[StaffingRow] | None = None,
                extras: list[Extra] | None = None, lanes: list[Lane] | None = None,
                budgets: list[Budget] | None = None, fx: dict[str, float] | None = None,
                releases: str = "when_demand_falls", roster_rows: list[RosterRow] | None = None,
                requisitions: list[Requisition] | None = None) -> Inputs:
    """Inputs for one tiny case, with `requirement` filled by the project's demand rules.

    `start` moves only the horizon; dates made by the helpers stay relative to START.
    """
    settings = Settings(
        plan_name="case", horizon_start=start, horizon_months=horizon, currency="USD",
        unmet_penalty=penalty, fte_per_24x7_post=fte_per_post, severance_months=severance,
        supply_window_months=window, lookahead_months=lookahead, integer_hires=integer,
        time_limit_s=30.0, mip_gap=0.0, releases=releases,
    )
    roles = roles if roles is not None else [role()]
    bands = bands if bands is not None else [band()]
    markets = markets if markets is not None else [market()]
    inputs = Inputs(
        settings=settings,
        sites=list(sites or []),
        roles={r.role_id: r for r in roles},
        staffing=list(staffing_rows or []),
        bands={(b.country, b.role_id): b for b in bands},
        markets={(m.country, m.role_id): m for m in markets},
        fx=dict(fx or {}),
        mobility=list(lanes or []),
        budgets=list(budgets or []),
        extra=list(extras or []),
        roster=list(roster_rows or []),
        requisitions=list(requisitions or []),
    )
    inputs.requirement = requirement_for(inputs)
    return inputs
