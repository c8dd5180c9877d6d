"""Result tables: the solved model as tidy pandas tables.

Reports are pure functions of a `PlanResult`. Column names of `hires`,
`headcount` and `costs` are exactly the machine-readable sheets of
spec/workbook.md.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from staffplan.core.errors import SolverFailed
from staffplan.core.months import month_label, month_year
from staffplan.core.tolerances import COST_CHECK_RTOL, NOISE, SHOWN, WHOLE
from staffplan.inputs.data import Inputs
from staffplan.model.build import COST_KINDS, PENALTY, StaffModel, cost_items, fixed_cost_items
from staffplan.model.solve import SolveOutcome, Status
from staffplan.results.budgets import BUDGET_COLUMNS, budget_table

if TYPE_CHECKING:
    from staffplan.model.stable import Stabilised
    from staffplan.results.changes import Comparison

HIRES_COLUMNS = ["country", "role_id", "pay_point", "requisition_month", "start_month", "hires",
                 "annual_salary", "currency", "source"]
# Hires `source`: a requisition to open, a kept open requisition, an accepted offer.
SOURCES = ("new", "open", "accepted")
# One row per Requisitions input row (workbook.md, InFlight).
INFLIGHT_COLUMNS = ["req_id", "country", "role_id", "pay_point", "start_month", "status",
                    "decision"]
HEADCOUNT_COLUMNS = ["country", "role_id", "month", "requirement", "headcount", "productive",
                     "contractors", "unmet", "separations", "moves_in", "moves_out"]
COSTS_COLUMNS = ["country", "year", *COST_KINDS, "total"]
# kind: "supply" (saving per extra hire a month of supply at a pay point, month "")
#       "requirement" (cost of one more FTE of requirement in a month, pay_point "")
PRESSURE_COLUMNS = ["kind", "country", "role_id", "pay_point", "month", "value", "constraint"]
# Why demand went unmet (workbook.md, Risks): one row per (country, role, month) with unmet
# above 1e-6, reason from the counterfactual solves of results/reasons.py.
RISK_COLUMNS = ["country", "role_id", "month", "unmet", "reason", "detail"]


class Mode(str, enum.Enum):
    LP = "lp"
    INTEGER = "integer"


class UnmetReason(str, enum.Enum):
    """model.md, Why demand goes unmet: the family whose lifting alone explains the month."""

    TIME_TO_FILL = "time_to_fill"  # lead time: time to fill and ramp-up
    SUPPLY = "supply"  # the labour market's supply caps
    BUDGET = "budget"  # budget rows
    WHOLE_HIRES = "whole_hires"  # whole-people hiring (integer mode)
    COMBINED = "combined"  # no single family, all together do
    COST = "cost"  # meeting it would cost more than the unmet penalty


@dataclass
class PlanResult:
    inputs: Inputs
    mode: Mode
    status: Status
    solver: str
    objective: float  # solver objective over all T + L months
    total_cost: float  # horizon costs without the unmet penalty
    unmet_fte_months: float  # horizon
    total_hires: float  # horizon
    mip_gap: float  # achieved; 0 in LP mode
    solve_seconds: float
    hires: pd.DataFrame  # HIRES_COLUMNS
    headcount: pd.DataFrame  # HEADCOUNT_COLUMNS
    costs: pd.DataFrame  # COSTS_COLUMNS
    pressure: pd.DataFrame  # PRESSURE_COLUMNS
    risks: pd.DataFrame  # RISK_COLUMNS; filled by results.reasons.explain_unmet
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    shadow_prices: bool = True  # False when the duals could not be computed
    comparison: Comparison | None = None  # with `plan --previous` (results/changes.py)
    # BUDGET_COLUMNS, one row per Budget input row (results/budgets.py); empty without them
    budgets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BUDGET_COLUMNS))
    # Requisitions in flight and the plan's decision on each; empty without a
    # Requisitions sheet (the InFlight sheet is written only when there are rows).
    inflight: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INFLIGHT_COLUMNS))
    stable: Stabilised | None = None  # the nearest-to-previous second solve (model/stable.py)

    def summary_rows(self) -> list[tuple[str, object]]:
        """The `Summary` sheet, key by key."""
        s = self.inputs.settings
        return [
            ("plan_name", s.plan_name),
            ("mode", self.mode.value),
            ("status", self.status.value),
            ("total_cost", self.total_cost),
            ("objective", self.objective),
            ("unmet_fte_months", self.unmet_fte_months),
            ("total_hires", self.total_hires),
            ("mip_gap", self.mip_gap if math.isfinite(self.mip_gap) else "unknown"),
            ("releases", s.releases),
            ("solve_seconds", self.solve_seconds),
            ("currency", s.currency),
            ("solver", self.solver),
            ("horizon_start", month_label(s.horizon_start)),
            ("horizon_months", s.horizon_months),
            ("input_file", self.inputs.source.name if self.inputs.source else ""),
            ("input_sha256", self.inputs.sha256),
            *(self.comparison.summary_rows() if self.comparison is not None else []),
        ]


# --------------------------------------------------------------------------- building

def _val(var) -> float:
    if var is None or var.varValue is None:
        return 0.0
    v = float(var.varValue)
    return 0.0 if abs(v) < NOISE else v


def build_results(model: StaffModel, outcome: SolveOutcome) -> PlanResult:
    """Tidy tables from a solved model; checks the recomputed cost against the objective."""

    inputs = model.inputs
    s = inputs.settings
    T, N = s.horizon_months, model.n_months
    lab = [month_label(s.horizon_start + t) for t in range(N)]
    year = [month_year(s.horizon_start + t) for t in range(N)]

    hires_rows, head_rows = [], []
    # cost[country][t] -> one sum per kind in COST_KINDS order, then the unmet penalty; from the
    # model's own cost terms, so the tables and the objective cannot disagree on a formula
    column = {kind: i for i, kind in enumerate((*COST_KINDS, PENALTY))}
    cost = {c: [[0.0] * len(column) for _ in range(N)]
            for c in sorted({c for c, _ in model.params})}
    for kind, c, t, var, coef in cost_items(model, penalty=True):
        v = _val(var)
        if v:
            cost[c][t][column[kind]] += v * coef
    for kind, c, t, fixed in fixed_cost_items(model):  # accepted offers' hiring cost
        cost[c][t][column[kind]] += fixed
    moves_in = {}
    moves_out = {}
    for (c, d, r, _k, t), var in model.M.items():
        v = _val(var)
        if v:
            moves_out[(c, r, t)] = moves_out.get((c, r, t), 0.0) + v
            moves_in[(d, r, t)] = moves_in.get((d, r, t), 0.0) + v
    for (c, r), pp in model.params.items():
        band = inputs.bands[(c, r)]
        decay = [pp.survive ** j for j in range(pp.ramp)]
        # N = S + O + F by source: new hires, kept open requisitions, accepted offers.
        starts = {k: {"new": [_val(model.S.get((c, r, k, t))) for t in range(N)],
                      "open": [_val(model.O.get((c, r, k, t))) for t in range(N)],
                      "accepted": [pp.fixed.get((k, t), 0.0) for t in range(N)]}
                  for k in pp.pay_points}
        for t in range(N):
            head = sep = 0.0
            ramping = pp.roster_ramp[t]
            for k in pp.pay_points:
                h = _val(model.H[(c, r, k, t)])
                x = _val(model.X.get((c, r, k, t)))
                head += h
                sep += x
                for source in SOURCES:
                    series = starts[k][source]
                    ramping += sum(decay[t - tau] * series[tau]
                                   for tau in range(max(0, t - pp.ramp + 1), t + 1))
                    n = series[t]
                    if n and t < T:
                        # blank (None) for requisitions already in flight
                        req_month = (lab[t - pp.ttf] if source == "new" and t >= pp.ttf
                                     else None)
                        hires_rows.append((c, r, k, req_month, lab[t], n, band.at(k),
                                           band.currency, source))
            kv = _val(model.K.get((c, r, t)))
            uv = _val(model.U.get((c, r, t)))
            if t < T:
                head_rows.append((c, r, lab[t], pp.req[t], head, head - ramping, kv, uv, sep,
                                  moves_in.get((c, r, t), 0.0), moves_out.get((c, r, t), 0.0)))

    recomputed = sum(sum(row) for per in cost.values() for row in per)
    if not math.isclose(recomputed, outcome.objective, rel_tol=COST_CHECK_RTOL,
                        abs_tol=COST_CHECK_RTOL):
        raise SolverFailed(
            f"internal check failed: costs recomputed from the plan ({recomputed:,.2f}) differ "
            f"from the solver's objective ({outcome.objective:,.2f})")

    cost_rows = []
    years = sorted({year[t] for t in range(T)})
    for c, per in cost.items():
        for y in years:
            sums = [0.0] * len(COST_KINDS)
            for t in range(T):
                if year[t] == y:
                    for i in range(len(COST_KINDS)):
                        sums[i] += per[t][i]
            cost_rows.append((c, y, *sums, sum(sums)))

    hires_df = pd.DataFrame(hires_rows, columns=HIRES_COLUMNS)
    head_df = pd.DataFrame(head_rows, columns=HEADCOUNT_COLUMNS)
    costs_df = pd.DataFrame(cost_rows, columns=COSTS_COLUMNS)
    status = Status.OPTIMAL if outcome.outcome == Status.OPTIMAL else Status.FEASIBLE
    result = PlanResult(
        inputs=inputs,
        mode=Mode.INTEGER if model.integer else Mode.LP,
        status=status,
        solver=outcome.solver,
        objective=outcome.objective,
        total_cost=float(costs_df["total"].sum()),
        unmet_fte_months=float(head_df["unmet"].sum()),
        total_hires=float(hires_df["hires"].sum()),
        mip_gap=outcome.mip_gap if model.integer else 0.0,
        solve_seconds=outcome.seconds,
        hires=hires_df,
        headcount=head_df,
        costs=costs_df,
        pressure=pressure_table(model) if outcome.duals else pd.DataFrame(columns=PRESSURE_COLUMNS),
        risks=pd.DataFrame(columns=RISK_COLUMNS),  # the counterfactual solves fill it
        warnings=list(inputs.warnings),
        timings=dict(outcome.timings),
        shadow_prices=outcome.duals,
        budgets=budget_table(model, costs_df, outcome.duals),
        inflight=inflight_table(model),
    )
    return result


def inflight_table(model: StaffModel) -> pd.DataFrame:
    """The plan's decision on every requisition in flight (workbook.md, InFlight).

    Accepted offers are `fixed`. Of the open requisitions of one pair, pay point and start
    month, the first O by req_id (code-point order, so R10 before R2) are kept and the rest
    cancelled; in LP mode a fractional remainder is one partly kept requisition, shown as
    the kept fraction.
    """
    s = model.inputs.settings
    groups: dict[tuple, list] = {}
    for req in model.inputs.requisitions:
        if req.status == "open":
            key = (req.country, req.role_id, req.pay_point, req.start_month - s.horizon_start)
            groups.setdefault(key, []).append(req)
    decision: dict[str, object] = {}
    for key, reqs in groups.items():
        kept = _val(model.O.get(key))
        for req in sorted(reqs, key=lambda q: q.req_id):
            share = min(1.0, max(0.0, kept))
            if share >= 1 - WHOLE:
                decision[req.req_id] = "keep"
            elif share <= SHOWN:
                decision[req.req_id] = "cancel"
            else:
                decision[req.req_id] = share
            kept -= share
    rows = [(q.req_id, q.country, q.role_id, q.pay_point, month_label(q.start_month), q.status,
             "fixed" if q.status == "offer_accepted" else decision[q.req_id])
            for q in model.inputs.requisitions]
    return pd.DataFrame(rows, columns=INFLIGHT_COLUMNS)


def pressure_table(model: StaffModel) -> pd.DataFrame:
    """Shadow prices: where one more unit of supply or requirement moves the cost.

    supply: saving over all modelled months from one more hire a month at a pay
    point = -sum_t min(W, t+1) * dual(supply_t); in integer mode (hires fixed, so the
    windows carry no dual) the sum of the hires' negative reduced costs in months
    whose window has no room for another whole person. requirement: d objective / d req
    = dual(cover) + share * reduced cost of K at its cap.
    """
    s = model.inputs.settings
    W = s.supply_window_months
    rows = []
    sums: dict[tuple, float] = {}
    names: dict[tuple, str] = {}
    for (c, r, k, t), con in model.supply.items():
        if model.integer:
            # Hires are fixed in the re-solved LP, so the windows carry no dual: the
            # value of one more hire is the fixed hire's reduced cost, counted in the
            # months whose window has no room for another whole person.
            dj = model.S[(c, r, k, t)].dj or 0.0
            gain = -dj if dj < 0 and _supply_full(con, True, SHOWN) else 0.0
        else:
            gain = -min(W, t + 1) * (con.pi or 0.0)
        sums[(c, r, k)] = sums.get((c, r, k), 0.0) + gain
        names.setdefault((c, r, k), con.name.rsplit("_", 2)[0])
    for (c, r, k), v in sorted(sums.items()):
        if v > SHOWN:
            rows.append(("supply", c, r, k, "", v, names[(c, r, k)]))
    for (c, r, t), con in model.cover.items():
        if t >= s.horizon_months:
            continue
        pp = model.params[(c, r)]
        v = con.pi or 0.0
        kvar = model.K.get((c, r, t))
        if kvar is not None and pp.req[t] > 0 and (kvar.dj or 0.0) < 0:
            v += pp.contractor_cap[t] / pp.req[t] * kvar.dj
        if v > SHOWN:
            rows.append(("requirement", c, r, "", month_label(s.horizon_start + t), v, con.name))
    return pd.DataFrame(rows, columns=PRESSURE_COLUMNS)


def _supply_full(con, integer: bool, tol: float) -> bool:
    """No room for another hire in this window: in integer mode, not one more whole person."""
    slack = con.slack
    if slack is None:
        return False
    return slack < 1 - tol if integer else abs(slack) <= tol * max(1.0, abs(con.constant))
