"""Typed, validated inputs: what the reader hands to the model.

Months are absolute month indices (see `months.py`); the model converts them
to `t = month - horizon_start`. Percentages are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    plan_name: str
    horizon_start: int
    horizon_months: int
    currency: str
    unmet_penalty: float
    fte_per_24x7_post: float = 5.0
    severance_months: float = 3.0
    supply_window_months: int = 1
    lookahead_months: int = 12
    integer_hires: bool = True
    time_limit_s: float = 60.0
    mip_gap: float = 0.001
    releases: str = "when_demand_falls"  # when_demand_falls | anytime | never (model.md)

    @property
    def model_months(self) -> int:
        """T + L: months the solver sees."""
        return self.horizon_months + self.lookahead_months


@dataclass(frozen=True)
class Site:
    site_id: str
    site_name: str
    country: str
    it_mw: float
    deal_start: int
    construction_start: int
    commissioning_start: int
    go_live: int
    mw_ramp_months: float = 0.0


@dataclass(frozen=True)
class Role:
    role_id: str
    role_name: str
    family: str
    ramp_months: int
    contractor_allowed: bool
    contractor_premium: float
    max_contractor_share: float


@dataclass(frozen=True)
class StaffingRow:
    role_id: str
    phase: str
    per_site: float = 0.0
    per_mw: float = 0.0
    posts_24x7: float = 0.0


@dataclass(frozen=True)
class Band:
    country: str
    role_id: str
    currency: str
    band_min: float
    band_mid: float
    band_max: float
    on_cost_pct: float
    annual_increase_pct: float

    def at(self, pay_point: str) -> float:
        return {"min": self.band_min, "mid": self.band_mid, "max": self.band_max}[pay_point]


@dataclass(frozen=True)
class Market:
    country: str
    role_id: str
    starting_headcount: float
    time_to_fill_months: int
    supply_at_min: float
    supply_at_mid: float
    supply_at_max: float
    annual_attrition_pct: float
    cost_per_hire: float
    fill_delay_mean_months: float = 0.0  # used only by the risk simulation

    def supply(self, pay_point: str) -> float:
        return {"min": self.supply_at_min, "mid": self.supply_at_mid,
                "max": self.supply_at_max}[pay_point]


@dataclass(frozen=True)
class Lane:
    from_country: str
    to_country: str
    role_id: str
    max_per_month: float
    cost_per_move: float


@dataclass(frozen=True)
class Budget:
    year: int | None  # None = all horizon years
    country: str | None  # None = all countries ('*')
    max_cost: float
    row: int  # worksheet row, so messages can name it

    @property
    def label(self) -> str:
        year = "all years" if self.year is None else str(self.year)
        country = "all countries" if self.country is None else self.country
        return f"Budget row {self.row} ({year}, {country})"


@dataclass(frozen=True)
class Extra:
    country: str
    role_id: str
    start: int
    end: int
    fte: float


@dataclass(frozen=True)
class RosterRow:
    """Staff on the books at the horizon start (model.md, Actuals)."""

    country: str
    role_id: str
    pay_point: str
    headcount: float
    start_month: int | None = None  # absolute month they started; None = past ramp-up
    row: int = 0  # worksheet row, so messages can name it


@dataclass(frozen=True)
class Requisition:
    """A requisition in flight: `open` (kept or cancelled by the plan) or `offer_accepted`."""

    req_id: str
    country: str
    role_id: str
    pay_point: str
    status: str  # open | offer_accepted
    start_month: int  # absolute month
    row: int = 0


@dataclass
class Inputs:
    settings: Settings
    sites: list[Site]
    roles: dict[str, Role]
    staffing: list[StaffingRow]
    bands: dict[tuple[str, str], Band]
    markets: dict[tuple[str, str], Market]
    fx: dict[str, float]
    mobility: list[Lane] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    extra: list[Extra] = field(default_factory=list)
    roster: list[RosterRow] = field(default_factory=list)
    requisitions: list[Requisition] = field(default_factory=list)
    source: Path | None = None
    sha256: str = ""
    warnings: list[str] = field(default_factory=list)
    # req[(country, role)] -> FTE per model month t = 0 .. T+L-1; every market pair present.
    requirement: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(country, role) pairs that have variables, in a stable order."""
        return sorted(self.markets)

    def rate(self, currency: str) -> float:
        """Reporting-currency units per one unit of `currency`."""
        if currency == self.settings.currency:
            return 1.0
        return self.fx[currency]
