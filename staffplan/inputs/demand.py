"""From buildouts to required FTE, exactly as spec/model.md "Demand" says."""

from __future__ import annotations

from collections import defaultdict

from staffplan.inputs.data import Extra, Inputs, Site, StaffingRow


def phase_at(site: Site, month: int) -> str | None:
    """The phase a site is in during an absolute month; None before deal_start."""
    if month < site.deal_start:
        return None
    if month < site.construction_start:
        return "deal"
    if month < site.commissioning_start:
        return "construction"
    if month < site.go_live:
        return "commissioning"
    return "operations"


def mw_at(site: Site, month: int) -> float:
    """MW driving the phase: full it_mw until go-live, then the operations ramp."""
    if month < site.go_live:
        return site.it_mw
    ramp = max(site.mw_ramp_months, 1.0)
    return site.it_mw * min(1.0, (month - site.go_live + 1) / ramp)


def by_phase(staffing: list[StaffingRow]) -> dict[str, list[StaffingRow]]:
    """Driver rows grouped by phase, once per workbook rather than once per site."""
    out: dict[str, list[StaffingRow]] = defaultdict(list)
    for row in staffing:
        out[row.phase].append(row)
    return out


def site_requirement(
    site: Site, phases: dict[str, list[StaffingRow]], months: range, fte_per_post: float
) -> dict[str, list[float]]:
    """req[s, r, t] for each role with a driver row; one value per month of `months`."""
    out: dict[str, list[float]] = {}
    for i, month in enumerate(months):
        phase = phase_at(site, month)
        if phase is None:
            continue
        mw = mw_at(site, month)
        for row in phases.get(phase, ()):
            value = row.per_site + row.per_mw * mw + row.posts_24x7 * fte_per_post
            if row.role_id not in out:
                out[row.role_id] = [0.0] * len(months)
            out[row.role_id][i] += value
    return out


def country_requirement(
    sites: list[Site],
    staffing: list[StaffingRow],
    extra: list[Extra],
    first_month: int,
    n_months: int,
    fte_per_post: float,
) -> dict[tuple[str, str], list[float]]:
    """req[c, r, t] = sum of the country's sites + ExtraDemand, for t = 0 .. n_months-1.

    Only (country, role) keys with some requirement appear.
    """
    months = range(first_month, first_month + n_months)
    req: dict[tuple[str, str], list[float]] = {}
    phases = by_phase(staffing)
    for site in sites:
        for role, values in site_requirement(site, phases, months, fte_per_post).items():
            acc = req.setdefault((site.country, role), [0.0] * n_months)
            for i, v in enumerate(values):
                acc[i] += v
    for e in extra:
        lo = max(e.start, first_month)
        hi = min(e.end, first_month + n_months - 1)
        if lo > hi:
            continue
        acc = req.setdefault((e.country, e.role_id), [0.0] * n_months)
        for m in range(lo, hi + 1):
            acc[m - first_month] += e.fte
    return {k: v for k, v in req.items() if any(x > 0 for x in v)}


def requirement_for(inputs: Inputs) -> dict[tuple[str, str], list[float]]:
    """req[c, r, t] over all T + L model months for every LabourMarket pair (zeros if none).

    Demand for a pair with no LabourMarket row is not returned here; the
    reader reports it as an input error.
    """
    s = inputs.settings
    n = s.model_months
    req = country_requirement(inputs.sites, inputs.staffing, inputs.extra, s.horizon_start, n,
                              s.fte_per_24x7_post)
    out = {pair: [0.0] * n for pair in inputs.markets}
    out.update({pair: v for pair, v in req.items() if pair in inputs.markets})
    return out


def unplanned_demand(inputs: Inputs) -> dict[tuple[str, str], int]:
    """Pairs with demand but no LabourMarket row -> first model month t with demand."""
    s = inputs.settings
    req = country_requirement(inputs.sites, inputs.staffing, inputs.extra, s.horizon_start,
                              s.model_months, s.fte_per_24x7_post)
    return {pair: next(t for t, x in enumerate(v) if x > 0)
            for pair, v in req.items() if pair not in inputs.markets}
