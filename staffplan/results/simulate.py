"""How sure: a plan simulated many times in whole people (spec/cli.md, "Risk simulation").

Month by month over the horizon, per (country, role) pair and for every sample at once
(numpy arrays over samples; no Python loop per person or per sample):

- starting staff are rounded to whole people;
- each employee leaves in a month with probability `a = 1 - (1 - annual)^(1/12)`,
  independently (binomial draws), starting staff in month 0 included and a new hire from
  the month after the start, as in the model's flow;
- each planned hire starts late by Poisson(`fill_delay_mean_months`) months, and never if
  that pushes the start past the horizon;
- a new hire ramps for `ramp_months` months counting the start month, as in the model;
- separations, moves and contractors happen as planned where the people exist:
  separations and moves out take productive staff first, then ramping staff (the longest
  ramping first); moves into a country arrive only as far as the moves out of the same role
  happened; contractors are FTE as planned;
- productive staff plus contractors cover the requirement; what they do not cover is
  unmet.

A site is staffed in a sample when, in its go-live month, every pair of its country has
productive staff plus contractors of at least 95% of the requirement. Planned hires,
separations and moves that are fractions (LP plans) are rounded to whole people on their
running totals, so the people over the horizon add up to the plan's, rounded.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffplan.core.months import month_label
from staffplan.core.tolerances import NOISE
from staffplan.inputs.data import Inputs

log = logging.getLogger(__name__)

STAFFED_SHARE = 0.95  # "at least 95% of the requirement"
EPS = NOISE  # float noise in the 95% test and in rounding running totals
SITE_RISK_COLUMNS = ["site_id", "country", "go_live", "p_staffed"]
PAIR_RISK_COLUMNS = ["country", "role_id", "unmet_p50", "unmet_p90"]
SHORTFALL_COLUMNS = ["site_id", "country", "role_id", "go_live", "requirement", "shortfall_p50",
                     "shortfall_p90"]
# The plan's actions the simulation replays: the contract sheets' columns.
HEADCOUNT_ACTIONS = ["contractors", "separations", "moves_in", "moves_out"]

Progress = Callable[[int, int], None]


@dataclass
class PairPlan:
    """One pair's numbers and planned actions over the horizon months."""

    country: str
    role_id: str
    survive: float  # monthly: 1 - a
    ramp: int
    start: int  # whole people on the books at the start, past their ramp-up
    fill_delay_mean: float
    requirement: np.ndarray  # (T,) FTE
    hires: np.ndarray  # (T,) whole people planned to start
    separations: np.ndarray  # (T,) whole people
    moves_out: np.ndarray  # (T,) whole people
    moves_in: np.ndarray  # (T,) whole people
    contractors: np.ndarray  # (T,) FTE
    # whole people on the books still ramping at the start: index j started j + 1 months
    # before horizon_start (Roster rows with a start_month)
    start_ramping: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass
class Simulation:
    """The simulated plan: per pair, samples x months of staffed FTE and unmet FTE."""

    samples: int
    seed: int
    months: list[str]
    pairs: list[tuple[str, str]]
    staffed: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (n, T)
    unmet: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (n, T)


def whole(series: np.ndarray) -> np.ndarray:
    """Whole people per month whose running total is the planned running total, rounded
    (half up): 0.5 + 0.5 hires make one person, in the month the second half is planned."""
    cum = np.floor(np.cumsum(np.asarray(series, float)) + 0.5 + EPS)
    return np.diff(np.concatenate([[0.0], cum])).astype(np.int64)


def pair_plans(inputs: Inputs, hires: pd.DataFrame, headcount: pd.DataFrame) -> list[PairPlan]:
    """Each pair's numbers and the plan's actions, from the contract sheets' tables:
    `hires` (country, role_id, start_month, hires) and `headcount` (country, role_id,
    month, contractors, separations, moves_in, moves_out)."""
    s = inputs.settings
    T = s.horizon_months
    months = [month_label(s.horizon_start + t) for t in range(T)]
    at = {m: t for t, m in enumerate(months)}
    per_hires = _by_pair(hires, "start_month", ["hires"], at, T)
    per_head = _by_pair(headcount, "month", HEADCOUNT_ACTIONS, at, T)
    out = []
    for (c, r), m in sorted(inputs.markets.items()):
        role = inputs.roles[r]
        zeros = np.zeros(T)
        head = per_head.get((c, r), {})
        start, ramping = _on_the_books(inputs, c, r, role.ramp_months)
        out.append(PairPlan(
            country=c, role_id=r,
            survive=(1 - m.annual_attrition_pct) ** (1 / 12),
            ramp=role.ramp_months,
            start=start, start_ramping=ramping,
            fill_delay_mean=m.fill_delay_mean_months,
            requirement=np.asarray(inputs.requirement[(c, r)][:T], float),
            hires=whole(per_hires.get((c, r), {}).get("hires", zeros)),
            separations=whole(head.get("separations", zeros)),
            moves_out=whole(head.get("moves_out", zeros)),
            moves_in=whole(head.get("moves_in", zeros)),
            contractors=np.asarray(head.get("contractors", zeros), float),
        ))
    return out


def _on_the_books(inputs: Inputs, c: str, r: str, ramp: int) -> tuple[int, np.ndarray]:
    """Whole people at the start: the pair's Roster rows if it has any (each row rounded;
    a row still ramping goes to the cohort of its start month), else starting_headcount."""
    rows = [x for x in inputs.roster if x.country == c and x.role_id == r]
    ramping = np.zeros(ramp, dtype=np.int64)
    if not rows:
        return int(np.floor((inputs.markets[(c, r)].starting_headcount or 0.0) + 0.5)), ramping
    productive = 0
    for x in rows:
        people = int(np.floor(x.headcount + 0.5))
        j = -1 - (x.start_month - inputs.settings.horizon_start) if x.start_month is not None \
            else ramp
        if 0 <= j < ramp:
            ramping[j] += people
        else:
            productive += people
    return productive, ramping


def _by_pair(df: pd.DataFrame, month_col: str, cols: list[str], at: dict[str, int],
             T: int) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    out: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    if df is None or df.empty:
        return out
    df = df[df[month_col].isin(at)]
    for (c, r), g in df.groupby(["country", "role_id"], sort=False):
        idx = g[month_col].map(at).to_numpy()
        series = {}
        for col in cols:
            if col not in g:
                continue
            arr = np.zeros(T)
            np.add.at(arr, idx, g[col].to_numpy(float))
            series[col] = arr
        out[(c, r)] = series
    return out


def simulate(inputs: Inputs, plans: list[PairPlan], samples: int, seed: int,
             progress: Progress | None = None) -> Simulation:
    """Replay the plan `samples` times; the same seed gives the same draws."""
    s = inputs.settings
    T = s.horizon_months
    n = samples
    rng = np.random.default_rng(seed)
    sim = Simulation(samples=n, seed=seed,
                     months=[month_label(s.horizon_start + t) for t in range(T)],
                     pairs=[(p.country, p.role_id) for p in plans])
    prod: dict[tuple, np.ndarray] = {}
    ramping: dict[tuple, np.ndarray] = {}
    starts: dict[tuple, np.ndarray] = {}
    for p in plans:
        key = (p.country, p.role_id)
        prod[key] = np.full(n, p.start, dtype=np.int64)
        ramping[key] = np.zeros((n, p.ramp), dtype=np.int64)
        if p.start_ramping.size:
            ramping[key][:] = p.start_ramping[None, :p.ramp]
        starts[key] = _starts(rng, p, n, T)
        sim.staffed[key] = np.zeros((n, T))
        sim.unmet[key] = np.zeros((n, T))
    by_role: dict[str, list[PairPlan]] = {}
    for p in plans:
        by_role.setdefault(p.role_id, []).append(p)
    for t in range(T):
        for p in plans:  # attrition, then ramping cohorts age, then this month's starts
            key = (p.country, p.role_id)
            prod[key] = rng.binomial(prod[key], p.survive)
            r = ramping[key]
            if p.ramp:
                r[:] = rng.binomial(r, p.survive)
                prod[key] += r[:, -1]
                r[:, 1:] = r[:, :-1].copy()
                r[:, 0] = starts[key][:, t]
            else:
                prod[key] += starts[key][:, t]
        for role_plans in by_role.values():  # separations, moves out, then moves in
            moved = np.zeros(n, dtype=np.int64)
            for p in role_plans:
                key = (p.country, p.role_id)
                _take(prod[key], ramping[key], p.separations[t])
                moved += _take(prod[key], ramping[key], p.moves_out[t])
            for p in role_plans:
                if p.moves_in[t]:
                    got = np.minimum(moved, p.moves_in[t])
                    moved -= got
                    prod[(p.country, p.role_id)] += got
        for p in plans:
            key = (p.country, p.role_id)
            staffed = prod[key] + p.contractors[t]
            sim.staffed[key][:, t] = staffed
            sim.unmet[key][:, t] = np.maximum(0.0, p.requirement[t] - staffed)
        if progress:
            progress(t + 1, T)
    log.info("simulated %d samples of %d pairs over %d months (seed %d)", n, len(plans), T,
             seed)
    return sim


def _starts(rng: np.random.Generator, p: PairPlan, n: int, T: int) -> np.ndarray:
    """(n, T) people starting each month: every planned hire delayed by its own draw."""
    planned = np.repeat(np.arange(T), p.hires.clip(min=0))
    if planned.size == 0:
        return np.zeros((n, T), dtype=np.int64)
    if p.fill_delay_mean > 0:
        start = planned[None, :] + rng.poisson(p.fill_delay_mean, size=(n, planned.size))
    else:
        start = np.broadcast_to(planned, (n, planned.size))
    rows = np.broadcast_to(np.arange(n)[:, None], start.shape)
    keep = start < T  # pushed past the horizon: never starts
    flat = rows[keep] * T + start[keep]
    return np.bincount(flat, minlength=n * T).reshape(n, T).astype(np.int64)


def _take(prod: np.ndarray, ramping: np.ndarray, wanted: int) -> np.ndarray:
    """Remove up to `wanted` people per sample, productive first, then the longest ramping;
    returns how many went (in place)."""
    if wanted <= 0:
        return np.zeros(prod.shape, dtype=np.int64)
    got = np.minimum(prod, wanted)
    prod -= got
    rest = wanted - got
    for j in range(ramping.shape[1] - 1, -1, -1):
        if not rest.any():
            break
        g = np.minimum(ramping[:, j], rest)
        ramping[:, j] -= g
        rest -= g
    return wanted - rest


# --------------------------------------------------------------------------- tables

def quantiles(values: np.ndarray, qs: tuple[float, ...] = (0.5, 0.9)) -> list[float]:
    """Quantiles of a sample as the smallest value reached with that probability (the
    inverse of the empirical distribution): a whole-person figure stays a figure that
    happened, not an interpolation."""
    return [float(v) for v in np.quantile(values, qs, method="inverted_cdf")]


def go_lives(inputs: Inputs) -> list[tuple[str, str, int]]:
    """(site_id, country, horizon month) of every site going live in the horizon."""
    s = inputs.settings
    out = []
    for site in sorted(inputs.sites, key=lambda x: (x.go_live, x.site_id)):
        t = site.go_live - s.horizon_start
        if 0 <= t < s.horizon_months:
            out.append((site.site_id, site.country, t))
    return out


def staffed_at(inputs: Inputs, staffed: dict[tuple[str, str], np.ndarray],
               country: str, t: int, samples: int) -> np.ndarray:
    """Per sample: every pair of `country` has at least 95% of its requirement in month t."""
    ok = np.ones(samples, dtype=bool)
    for (c, r), arr in staffed.items():
        if c == country:
            ok &= arr[:, t] >= STAFFED_SHARE * inputs.requirement[(c, r)][t] - EPS
    return ok


def site_risk(inputs: Inputs, staffed: dict[tuple[str, str], np.ndarray],
              samples: int) -> pd.DataFrame:
    """The SiteRisk sheet: each site going live in the horizon and its p_staffed."""
    rows = []
    for site_id, country, t in go_lives(inputs):
        ok = staffed_at(inputs, staffed, country, t, samples)
        rows.append((site_id, country, month_label(inputs.settings.horizon_start + t),
                     float(ok.mean()) if samples else float("nan")))
    return pd.DataFrame(rows, columns=SITE_RISK_COLUMNS)


def pair_risk(unmet: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """The PairRisk sheet: P50 and P90 of each pair's unmet FTE-months over the horizon."""
    rows = []
    for (c, r), arr in sorted(unmet.items()):
        p50, p90 = quantiles(arr.sum(axis=1))
        rows.append((c, r, p50, p90))
    return pd.DataFrame(rows, columns=PAIR_RISK_COLUMNS)


def shortfall_table(inputs: Inputs, staffed: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """P50 and P90 of each pair's shortfall (requirement minus productive and contractors)
    in each go-live month of a site of its country, where there is a requirement."""
    rows = []
    for site_id, country, t in go_lives(inputs):
        label = month_label(inputs.settings.horizon_start + t)
        for (c, r), arr in sorted(staffed.items()):
            if c != country:
                continue
            req = inputs.requirement[(c, r)][t]
            if req <= EPS:
                continue
            p50, p90 = quantiles(np.maximum(0.0, req - arr[:, t]))
            rows.append((site_id, c, r, label, req, p50, p90))
    return pd.DataFrame(rows, columns=SHORTFALL_COLUMNS)


# --------------------------------------------------------------------------- re-planning

REPLAN_KAPPA = 50.0  # attrition draws: Beta with this many "people-years" of evidence
REPLAN_COLUMNS = ["sample", "status", "total_cost", "total_hires", "unmet_fte_months",
                  "reason"]


def drawn_inputs(inputs: Inputs, rng: np.random.Generator) -> Inputs:
    """One re-planning sample: every pair's annual attrition drawn from a Beta distribution
    with the workbook's rate as its mean (a spread of about +-5 points at 15%), and its time
    to fill lengthened by a Poisson(fill_delay_mean_months) number of months."""
    markets = {}
    for key, m in sorted(inputs.markets.items()):
        a = m.annual_attrition_pct
        if 0 < a < 1:
            a = float(rng.beta(a * REPLAN_KAPPA, (1 - a) * REPLAN_KAPPA))
        delay = int(rng.poisson(m.fill_delay_mean_months)) if m.fill_delay_mean_months > 0 else 0
        markets[key] = dataclasses.replace(m, annual_attrition_pct=a,
                                           time_to_fill_months=m.time_to_fill_months + delay)
    return dataclasses.replace(inputs, markets=markets)


@dataclass
class RiskResult:
    """What `staffplan risk` reports, for the Excel file and the HTML page."""

    inputs: Inputs
    plan_source: str  # the plan file simulated, or "solved from the input"
    samples: int
    seed: int
    replan: bool
    site_risk: pd.DataFrame  # SITE_RISK_COLUMNS
    pair_risk: pd.DataFrame  # PAIR_RISK_COLUMNS
    shortfall: pd.DataFrame  # SHORTFALL_COLUMNS
    plan_totals: dict[str, float] = field(default_factory=dict)  # of the plan simulated
    replans: pd.DataFrame | None = None  # REPLAN_COLUMNS, with --replan

    @property
    def failed(self) -> pd.DataFrame:
        if self.replans is None:
            return pd.DataFrame(columns=REPLAN_COLUMNS)
        return self.replans[self.replans["status"] == "failed"]

    def summary_rows(self) -> list[tuple[str, object]]:
        s = self.inputs.settings
        rows: list[tuple[str, object]] = [
            ("plan_name", s.plan_name),
            ("method", "replan" if self.replan else "simulation"),
            ("samples", self.samples),
            ("seed", self.seed),
            ("staffed_share", STAFFED_SHARE),
            ("plan", self.plan_source),
            ("input_file", self.inputs.source.name if self.inputs.source else ""),
            ("input_sha256", self.inputs.sha256),
            ("horizon_start", month_label(s.horizon_start)),
            ("horizon_months", s.horizon_months),
            ("currency", s.currency),
        ]
        rows += [(f"plan_{k}", v) for k, v in self.plan_totals.items()]
        if self.replans is not None:
            ok = self.replans[self.replans["status"] != "failed"]
            rows.append(("replans_failed", int(len(self.replans) - len(ok))))
            for col in ("total_cost", "total_hires", "unmet_fte_months"):
                if len(ok):
                    p10, p50, p90 = quantiles(ok[col].to_numpy(float), (0.1, 0.5, 0.9))
                    rows += [(f"{col}_p10", p10), (f"{col}_p50", p50), (f"{col}_p90", p90)]
        return rows
