"""`staffplan check`: validate a workbook and tell a person what it describes.

Writes nothing. Bad input raises `InputError` (the CLI prints it, exit 2); `summary` is the
text the CLI prints for a workbook that reads cleanly.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from staffplan.core.months import month_label
from staffplan.inputs.data import Inputs
from staffplan.inputs.reader import inputs_from_raw, read_raw
from staffplan.inputs.scenarios import Scenario, build_scenarios


def check_workbook(path: Path) -> tuple[Inputs, list[Scenario]]:
    """Validate `path` and every scenario of its Scenarios sheet (InputError, exit 2)."""
    book = read_raw(path)
    inputs, tables = inputs_from_raw(book)
    return inputs, build_scenarios(book, tables)


def peak_by_country(inputs: Inputs) -> dict[str, tuple[float, int]]:
    """Country -> (peak FTE over the horizon, first month it is reached); look-ahead excluded."""
    n = inputs.settings.horizon_months
    totals: dict[str, list[float]] = {}
    for (country, _role), values in inputs.requirement.items():
        acc = totals.setdefault(country, [0.0] * n)
        for t in range(n):
            acc[t] += values[t]
    out = {}
    for country, acc in sorted(totals.items()):
        peak = max(acc)
        out[country] = (peak, inputs.settings.horizon_start + acc.index(peak))
    return out


def summary(inputs: Inputs, scenarios: list[Scenario] = ()) -> str:
    """A few lines a recruiting lead can check against what they meant to enter."""
    s = inputs.settings
    first, last = s.horizon_start, s.horizon_start + s.horizon_months - 1
    mode = ("whole-number hires" if s.integer_hires else "fractional hires (LP)")
    sites = Counter(site.country for site in inputs.sites)
    lines = [
        f"Plan: {s.plan_name}",
        f"Horizon: {month_label(first)} to {month_label(last)} ({s.horizon_months} months, "
        f"plus {s.lookahead_months} months look-ahead)",
        f"Mode: {mode}; reporting currency {s.currency}",
        f"Sites: {len(inputs.sites)} ("
        + ", ".join(f"{c} {n}" for c, n in sorted(sites.items())) + ")",
        f"Roles: {len(inputs.roles)} ({', '.join(sorted(inputs.roles))})",
        "Peak requirement per country (horizon months):",
    ]
    for country, (peak, month) in peak_by_country(inputs).items():
        if peak > 0:
            lines.append(f"  {country}: {peak:,.1f} FTE in {month_label(month)}")
        else:
            lines.append(f"  {country}: no demand")
    if inputs.roster:
        pairs = {(x.country, x.role_id) for x in inputs.roster}
        lines.append(f"Roster: {sum(x.headcount for x in inputs.roster):,.1f} FTE on the books "
                     f"for {len(pairs)} country/role pair{'s' if len(pairs) != 1 else ''} "
                     f"(replacing their starting_headcount)")
    if inputs.requisitions:
        status = Counter(q.status for q in inputs.requisitions)
        lines.append(f"Requisitions in flight: {status['open']} open (the plan keeps or "
                     f"cancels them), {status['offer_accepted']} accepted offers (fixed)")
    if scenarios:
        lines.append(f"Scenarios ({len(scenarios)}, for staffplan compare):")
        lines += [f"  {sc.name}: " + "; ".join(sc.words()) for sc in scenarios]
    warnings = list(inputs.warnings) + [w for sc in scenarios for w in sc.inputs.warnings]
    if warnings:
        lines.append(f"Warnings ({len(warnings)}):")
        lines += [f"  - {w}" for w in warnings]
    lines.append("No problems found.")
    return "\n".join(lines)
