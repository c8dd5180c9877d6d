"""The staffing LP/MIP of spec/model.md, built in PuLP.

`build_model` reads as an ordered script of constraint families, one
`add_<family>` function per section of the spec, each with its formula in the
docstring. Constraint names are systematic (`cover_JP_dc_operator_2027_03`) so a
binding constraint can be named in reports. Expressions are built from
(variable, coefficient) pairs and constraints created directly, never by `+=`
chains over growing expressions (performance.md).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import pulp

from staffplan.core.months import month_label, month_year
from staffplan.core.tolerances import REQ_RTOL
from staffplan.inputs.data import Inputs
from staffplan.inputs.schema import PAY_POINTS

log = logging.getLogger(__name__)

Pair = tuple[str, str]
EQ, LE, GE = pulp.LpConstraintEQ, pulp.LpConstraintLE, pulp.LpConstraintGE


@dataclass
class PairParams:
    """Per (country, role) numbers the constraints need, precomputed once."""

    country: str
    role: str
    survive: float  # 1 - a[c,r]
    ttf: int
    ramp: int
    supply: dict[str, float]
    req: list[float]
    wage: dict[str, list[float]]  # w[c,r,k,t], reporting currency per month
    hire_cost: float  # cost_per_hire * fx
    contractor_cost: list[float]  # w[mid,t] * premium
    contractor_cap: list[float]  # max share * req, 0 where not allowed
    pay_points: tuple[str, ...]  # pay points that can ever hold staff here
    release_ok: list[bool] = field(default_factory=list)  # X may be positive in month t
    # Actuals (model.md): H[c,r,k,-1] per pay point, the roster's ramping term R[c,r,t],
    # open requisitions open[c,r,k,t] and accepted offers F[c,r,k,t] as (k, t) -> count.
    start: dict[str, float] = field(default_factory=dict)
    roster_ramp: list[float] = field(default_factory=list)
    open: dict[tuple[str, int], float] = field(default_factory=dict)
    fixed: dict[tuple[str, int], float] = field(default_factory=dict)


@dataclass
class StaffModel:
    inputs: Inputs
    integer: bool
    prob: pulp.LpProblem
    params: dict[Pair, PairParams]
    n_months: int
    S: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, r, k, t)
    H: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, r, k, t)
    X: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, r, k, t)
    M: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, d, r, k, t)
    O: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # noqa: E741 (c, r, k, t), model.md
    K: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, r, t)
    U: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (c, r, t)
    cover: dict[tuple, pulp.LpConstraint] = field(default_factory=dict)  # (c, r, t)
    supply: dict[tuple, pulp.LpConstraint] = field(default_factory=dict)  # (c, r, k, t)
    budget: dict[int, pulp.LpConstraint] = field(default_factory=dict)  # Budget.row
    lane_cost: dict[tuple, float] = field(default_factory=dict)  # (c, d, r) -> per move
    _tags: list[str] = field(default_factory=list)

    @property
    def tags(self) -> list[str]:
        """Months as they appear in constraint names (PuLP turns '-' into '_')."""
        if not self._tags:
            self._tags = [self.tag(t) for t in range(self.n_months)]
        return self._tags

    def label(self, t: int) -> str:
        return month_label(self.inputs.settings.horizon_start + t)

    def tag(self, t: int) -> str:
        """Month as it appears in constraint names (PuLP turns '-' into '_')."""
        return self.label(t).replace("-", "_")


def pair_params(inputs: Inputs) -> dict[Pair, PairParams]:
    s = inputs.settings
    n = s.model_months
    lanes_in = {(lane.to_country, lane.role_id) for lane in inputs.mobility}
    out: dict[Pair, PairParams] = {}
    for (c, r), m in sorted(inputs.markets.items()):
        band = inputs.bands[(c, r)]
        role = inputs.roles[r]
        fx = inputs.rate(band.currency)
        steps = [(1 + band.annual_increase_pct) ** (t // 12) for t in range(n)]
        wage = {
            k: [band.at(k) / 12 * (1 + band.on_cost_pct) * step * fx for step in steps]
            for k in PAY_POINTS
        }
        req = inputs.requirement[(c, r)]
        release_ok = releases_allowed(req, s.releases)
        share = role.max_contractor_share if role.contractor_allowed else 0.0
        out[(c, r)] = PairParams(
            country=c, role=r,
            survive=(1 - m.annual_attrition_pct) ** (1 / 12),
            ttf=m.time_to_fill_months, ramp=role.ramp_months,
                supply={k: m.supply(k) for k in PAY_POINTS},
            req=req, wage=wage, hire_cost=m.cost_per_hire * fx,
            contractor_cost=[w * role.contractor_premium for w in wage["mid"]],
            contractor_cap=[share * x for x in req],
            pay_points=(), release_ok=release_ok,
            start={"mid": m.starting_headcount}, roster_ramp=[0.0] * n,
        )
    add_actuals(inputs, out)
    # A pay point can hold staff in a pair if it starts there (mid, or a Roster pay point),
    # hires there (supply, open requisitions, accepted offers), or staff of that pay point
    # can move in along a lane (transitively).
    active = {p: ({"mid"} | {k for k in PAY_POINTS if pp.supply[k] > 0}
                  | {k for k, v in pp.start.items() if v > 0}
                  | {k for k, _ in pp.open} | {k for k, _ in pp.fixed})
              for p, pp in out.items()}
    changed = True
    while changed:
        changed = False
        for lane in inputs.mobility:
            src, dst = (lane.from_country, lane.role_id), (lane.to_country, lane.role_id)
            new = active[src] - active[dst]
            if new and dst in lanes_in:
                active[dst] |= new
                changed = True
    # A pair with no demand, no staff and no lane can never hold anyone: no variables.
    on_lanes = lanes_in | {(lane.from_country, lane.role_id) for lane in inputs.mobility}
    for p, pp in out.items():
        dead = (sum(pp.start.values()) <= 0 and not any(pp.req) and p not in on_lanes
                and not pp.open and not pp.fixed)
        pp.pay_points = () if dead else tuple(k for k in PAY_POINTS if k in active[p])
    return out


def add_actuals(inputs: Inputs, params: dict[Pair, PairParams]) -> None:
    """Roster and Requisitions (model.md, Actuals) as per-pair numbers.

    H[c,r,k,-1] = sum of the pair's Roster rows at k (replacing starting_headcount);
    a row of n people who started in tau < 0 adds n (1-a)^(t+1) to R[c,r,t] for
    0 <= t <= tau + ramp_months - 1; open[c,r,k,t] and F[c,r,k,t] count the open
    requisitions and accepted offers starting in t.
    """
    s = inputs.settings
    n = s.model_months
    rostered = {(row.country, row.role_id) for row in inputs.roster}
    for pair in rostered:
        params[pair].start = {}
    for row in inputs.roster:
        pp = params[(row.country, row.role_id)]
        pp.start[row.pay_point] = pp.start.get(row.pay_point, 0.0) + row.headcount
        if row.start_month is None:
            continue
        tau = row.start_month - s.horizon_start
        for t in range(0, min(n, tau + pp.ramp)):
            pp.roster_ramp[t] += row.headcount * pp.survive ** (t + 1)
    for req in inputs.requisitions:
        pp = params[(req.country, req.role_id)]
        counts = pp.open if req.status == "open" else pp.fixed
        key = (req.pay_point, req.start_month - s.horizon_start)
        counts[key] = counts.get(key, 0.0) + 1.0


def releases_allowed(req: list[float], policy: str) -> list[bool]:
    """Months in which separations X may be positive, by the `releases` policy:

    when_demand_falls: X[c,r,k,t] = 0 unless req[c,r,t'] <= req[c,r,t] for every modelled
    t' > t (relative tolerance 1e-9; the last modelled month always allows releases);
    anytime: every month; never: no month.
    """
    n = len(req)
    if policy == "anytime":
        return [True] * n
    if policy == "never":
        return [False] * n
    out = [True] * n
    later = -math.inf  # max requirement over t' > t
    for t in range(n - 1, -1, -1):
        here = req[t]
        out[t] = later <= here + REQ_RTOL * max(abs(here), abs(later))
        later = max(later, here)
    return out


def add_row(prob: pulp.LpProblem, terms, sense: int, rhs: float,
            name: str) -> pulp.LpConstraint:
    """One named constraint from (variable, coefficient) pairs or a dict of them; the name
    is set (and sanitised by PuLP) once, by addConstraint."""
    con = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, None, rhs)
    prob.addConstraint(con, name)
    return con


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """PuLP makes hundreds of thousands of objects while a model is built, and no garbage
    cycles: Python's cyclic collector would walk them all again each time enough had been
    made (medium: build 1.10 -> 0.84 CPU s with it paused). Reference counting still frees
    whatever is dropped; the collector runs again as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_model(inputs: Inputs, integer: bool | None = None) -> StaffModel:
    """The whole model, top to bottom, as model.md orders it."""
    if integer is None:
        integer = inputs.settings.integer_hires
    s = inputs.settings
    with _cyclic_gc_paused():
        model = StaffModel(
            inputs=inputs, integer=integer, prob=pulp.LpProblem("staffplan", pulp.LpMinimize),
            params=pair_params(inputs), n_months=s.model_months,
        )
        add_variables(model)
        add_flow(model)
        add_coverage(model)
        add_contractors(model)
        add_supply(model)
        add_mobility(model)
        add_budgets(model)
        add_objective(model)
    log.info("built model: %d variables, %d constraints", model.prob.numVariables(),
             model.prob.numConstraints())
    return model


def add_variables(model: StaffModel) -> None:
    """S, H, X per pay point; K, U per pair and month; M per lane; O where requisitions
    are open.

    S exists only from month `time_to_fill` on (a requisition cannot open
    before month 0) and where the pay point has supply; X only in months the
    `releases` policy allows (`releases_allowed`; elsewhere X = 0); K only where the
    contractor cap of `add_contractors` is positive.
    """
    n = model.n_months
    cat_int = pulp.LpInteger if model.integer else pulp.LpContinuous
    Var = model.prob.add_variable  # PuLP 3.3+: no per-variable v4 deprecation warning
    for (c, r), pp in model.params.items():
        for k in pp.pay_points:
            for t in range(n):
                key = (c, r, k, t)
                model.H[key] = Var(f"H_{c}_{r}_{k}_{t:03d}", lowBound=0)
                if pp.release_ok[t]:
                    model.X[key] = Var(f"X_{c}_{r}_{k}_{t:03d}", lowBound=0)
                if pp.supply[k] > 0 and t >= pp.ttf:
                    model.S[key] = Var(f"S_{c}_{r}_{k}_{t:03d}", lowBound=0, cat=cat_int)
        for (k, t), count in sorted(pp.open.items()):
            # 0 <= O <= open: how many of the open requisitions starting in t to keep.
            model.O[(c, r, k, t)] = Var(f"O_{c}_{r}_{k}_{t:03d}", lowBound=0, upBound=count,
                                        cat=cat_int)
        if not pp.pay_points:
            continue
        for t in range(n):
            model.U[(c, r, t)] = Var(f"U_{c}_{r}_{t:03d}", lowBound=0)
            if pp.contractor_cap[t] > 0:
                model.K[(c, r, t)] = Var(f"K_{c}_{r}_{t:03d}", lowBound=0)
    for lane in model.inputs.mobility:
        c, d, r = lane.from_country, lane.to_country, lane.role_id
        model.lane_cost[(c, d, r)] = lane.cost_per_move
        if lane.max_per_month <= 0:
            continue
        for k in model.params[(c, r)].pay_points:
            for t in range(n):
                model.M[(c, d, r, k, t)] = Var(f"M_{c}_{d}_{r}_{k}_{t:03d}", lowBound=0,
                                               cat=cat_int)


def add_flow(model: StaffModel) -> None:
    """Headcount flow, for every c, r, k, t:

    H[c,r,k,t] = (1 - a) H[c,r,k,t-1] + N[c,r,k,t] + sum_d M[d,c,r,k,t]
                 - sum_d M[c,d,r,k,t] - X[c,r,k,t],
    N = S + O + F (new hires, kept open requisitions, accepted offers: a constant), with
    H[c,r,k,-1] = starting_headcount for k = mid and 0 otherwise, or the Roster at k.
    """
    moves_in: dict[tuple, list] = {}
    moves_out: dict[tuple, list] = {}
    for (c, d, r, k, t), var in model.M.items():
        moves_out.setdefault((c, r, k, t), []).append(var)
        moves_in.setdefault((d, r, k, t), []).append(var)
    H, S, X, O = model.H, model.S, model.X, model.O  # noqa: E741 (model.md names)
    prob, tags = model.prob, model.tags
    for (c, r), pp in model.params.items():
        for k in pp.pay_points:
            for t in range(model.n_months):
                key = (c, r, k, t)
                terms = [(H[key], 1.0)]
                if key in X:  # absent where the releases policy forbids separations
                    terms.append((X[key], 1.0))
                if t > 0:
                    terms.append((H[(c, r, k, t - 1)], -pp.survive))
                if key in S:
                    terms.append((S[key], -1.0))
                if key in O:
                    terms.append((O[key], -1.0))
                terms += [(v, -1.0) for v in moves_in.get(key, ())]
                terms += [(v, 1.0) for v in moves_out.get(key, ())]
                rhs = pp.fixed.get((k, t), 0.0)
                if t == 0:
                    rhs += pp.survive * pp.start.get(k, 0.0)
                add_row(prob, terms, EQ, rhs, f"flow_{c}_{r}_{k}_{tags[t]}")


def productive_terms(model: StaffModel, pp: PairParams, t: int,
                     decay: list[float]) -> tuple[dict, float]:
    """Productive staff, each ramping cohort counted after its attrition so far:

    P[c,r,t] = sum_k H[c,r,k,t]
               - sum_k sum_{tau = max(0, t-ramp+1) .. t} (1-a)^(t-tau) N[c,r,k,tau] - R[c,r,t]
    with N = S + O + F. Returns (variable -> coefficient, constant): the constant is
    -(accepted offers still ramping + R), the part of P fixed by the actuals.
    """
    c, r = pp.country, pp.role
    coef: dict = {}
    constant = -pp.roster_ramp[t]
    for k in pp.pay_points:
        coef[model.H[(c, r, k, t)]] = 1.0
        for tau in range(max(0, t - pp.ramp + 1), t + 1):
            for var in (model.S.get((c, r, k, tau)), model.O.get((c, r, k, tau))):
                if var is not None:
                    coef[var] = -decay[t - tau]
            constant -= decay[t - tau] * pp.fixed.get((k, tau), 0.0)
    return coef, constant


def add_coverage(model: StaffModel) -> None:
    """Coverage, every pair and month (zero requirement included):

    P[c,r,t] + K[c,r,t] + U[c,r,t] >= req[c,r,t]
    (P's constant part, from the actuals, moves to the right-hand side).
    """
    K, U = model.K, model.U
    prob, tags = model.prob, model.tags
    for (c, r), pp in model.params.items():
        if not pp.pay_points:
            continue
        decay = [pp.survive ** j for j in range(pp.ramp)]
        for t in range(model.n_months):
            coef, constant = productive_terms(model, pp, t, decay)
            if (c, r, t) in K:
                coef[K[(c, r, t)]] = 1.0
            coef[U[(c, r, t)]] = 1.0
            model.cover[(c, r, t)] = add_row(prob, coef, GE, pp.req[t] - constant,
                                             f"cover_{c}_{r}_{tags[t]}")


def add_contractors(model: StaffModel) -> None:
    """Contractors: K[c,r,t] <= max_contractor_share[r] * req[c,r,t], and K = 0 where the
    role allows none. Set as the variable's upper bound (no row): its reduced cost
    is the cap's dual. K is not created where the cap is 0."""
    for (c, r, t), var in model.K.items():
        var.upBound = model.params[(c, r)].contractor_cap[t]


def add_supply(model: StaffModel) -> None:
    """Labour shortage, every t and pay point k:

    sum_{tau = max(0, t-W+1) .. t} S[c,r,k,tau] <= min(W, t+1) * supply_at_k[c,r].
    Windows holding no hire variable (before time to fill) are left out.
    """
    W = model.inputs.settings.supply_window_months
    S = model.S
    prob, tags = model.prob, model.tags
    for (c, r), pp in model.params.items():
        for k in pp.pay_points:
            if pp.supply[k] <= 0:
                continue
            first = pp.ttf  # hires[i] is S in month first + i
            hires = [S[(c, r, k, t)] for t in range(first, model.n_months)]
            for t in range(first, model.n_months):
                lo = max(0, t - W + 1, first) - first
                terms = [(v, 1.0) for v in hires[lo:t - first + 1]]
                model.supply[(c, r, k, t)] = add_row(
                    prob, terms, LE, min(W, t + 1) * pp.supply[k],
                    f"supply_{c}_{r}_{k}_{tags[t]}")


def add_mobility(model: StaffModel) -> None:
    """Mobility: sum_k M[c,d,r,k,t] <= max_per_month[c,d,r], every lane and month."""
    prob, tags = model.prob, model.tags
    for lane in model.inputs.mobility:
        c, d, r = lane.from_country, lane.to_country, lane.role_id
        if lane.max_per_month <= 0:
            continue
        for t in range(model.n_months):
            terms = [(model.M[(c, d, r, k, t)], 1.0) for k in model.params[(c, r)].pay_points]
            add_row(prob, terms, LE, lane.max_per_month, f"move_{c}_{d}_{r}_{tags[t]}")


def add_budgets(model: StaffModel) -> None:
    """Budgets: for every Budget row, cost (no unmet penalty) of the horizon months
    in its year (`all` = whole horizon) and country (`*` = all) <= max_cost.
    The cost is the one defined under Costs below (cost_terms, cost_constant)."""
    s = model.inputs.settings
    for b in model.inputs.budgets:
        months = range(s.horizon_months)
        if b.year is not None:
            months = range(0)
            picked = [t for t in range(s.horizon_months)
                      if month_year(s.horizon_start + t) == b.year]
            if picked:
                months = range(picked[0], picked[-1] + 1)
        terms = cost_terms(model, months, b.country)
        rhs = b.max_cost - cost_constant(model, months, b.country)
        model.budget[b.row] = add_row(model.prob, terms, LE, rhs, f"budget_row{b.row:04d}")


# Costs and objective (model.md): one definition of every cost, then the objective.

COST_KINDS = ("salaries", "contractors", "hiring", "moves", "separations")
PENALTY = "unmet_penalty"  # in the objective only; never a cost a budget or the Costs sheet sees


def cost_items(model: StaffModel, months: range | None = None, country: str | None = None,
               penalty: bool = False) -> Iterator[tuple[str, str, int, pulp.LpVariable, float]]:
    """(kind, country paying, month, variable, cost per unit): the one definition of every cost,
    used by the objective, the budgets and the result tables (model.md, Costs).

    salaries H*w, contractors K*w_mid*premium, hiring (S + O)*cost_per_hire*fx (the accepted
    offers' share, F*cost_per_hire*fx, is a constant: `fixed_cost_items`),
    separations X*severance_months*w, moves M*cost_per_move (paid by the destination);
    the unmet penalty U*unmet_penalty only with `penalty`. Terms with a zero cost are left out.
    """
    s = model.inputs.settings
    sev = s.severance_months
    months = range(model.n_months) if months is None else months
    for (c, r), pp in model.params.items():
        if country is not None and c != country:
            continue
        for t in months:
            for k in pp.pay_points:
                key = (c, r, k, t)
                w = pp.wage[k][t]
                yield "salaries", c, t, model.H[key], w
                if sev > 0 and key in model.X:
                    yield "separations", c, t, model.X[key], sev * w
                if pp.hire_cost > 0:
                    if key in model.S:
                        yield "hiring", c, t, model.S[key], pp.hire_cost
                    if key in model.O:
                        yield "hiring", c, t, model.O[key], pp.hire_cost
            if (c, r, t) in model.K:
                yield "contractors", c, t, model.K[(c, r, t)], pp.contractor_cost[t]
            if penalty and s.unmet_penalty > 0 and (c, r, t) in model.U:
                yield PENALTY, c, t, model.U[(c, r, t)], s.unmet_penalty
    month_set = set(months)
    for (c, d, r, _k, t), var in model.M.items():
        if t in month_set and (country is None or d == country):
            cost = model.lane_cost[(c, d, r)]
            if cost > 0:
                yield "moves", d, t, var, cost


def cost_terms(model: StaffModel, months: range, country: str | None = None,
               penalty: bool = False) -> list[tuple[pulp.LpVariable, float]]:
    """(variable, cost) pairs of the modelled cost in `months` for one country or all
    (cost_items without the labels), for an objective or a budget row."""
    return [(var, coef) for _, _, _, var, coef in cost_items(model, months, country, penalty)]


def fixed_cost_items(model: StaffModel, months: range | None = None,
                     country: str | None = None) -> Iterator[tuple[str, str, int, float]]:
    """(kind, country paying, month, cost): the costs no decision changes, the accepted
    offers' hiring cost F * cost_per_hire * fx, charged in their start month."""
    month_set = set(range(model.n_months) if months is None else months)
    for (c, _r), pp in model.params.items():
        if country not in (None, c) or pp.hire_cost <= 0:
            continue
        for (_k, t), count in sorted(pp.fixed.items()):
            if t in month_set:
                yield "hiring", c, t, count * pp.hire_cost


def cost_constant(model: StaffModel, months: range | list[int],
                  country: str | None = None) -> float:
    """The constant of the objective or a budget row over `months` (fixed_cost_items)."""
    return sum(cost for *_, cost in fixed_cost_items(model, months, country))


def add_objective(model: StaffModel) -> None:
    """Minimise salaries + contractors + hiring + moves + separations + unmet penalty
    over all T + L months."""
    months = range(model.n_months)
    terms = cost_terms(model, months, penalty=True)
    model.prob.setObjective(pulp.LpAffineExpression(terms, constant=cost_constant(model, months)))
