"""Jobs by site: which site each requisition to open is posted for.

The model plans hires per country; a lead posts a job at a site. The rule (README, "Jobs by
site"), deterministic and applied to each start month's new hires of a (country, role) pair:

1. The hires become productive in month `p = start + ramp_months`. Find the first month at or
   after `p` (up to the last modelled month) in which the requirement of some site of the
   country for the role is higher than in the month before: the hires go to the sites that
   grow in that month, in proportion to their growth.
2. If no site grows from `p` on (the hires replace leavers), they go to the site with the
   largest requirement for the role in month `p` (ties: the first by site_id).
3. If no site of the country needs the role in month `p` (ExtraDemand only), the hires are
   `country-level`.

In integer mode the split is in whole people by largest remainder (ties: the larger share,
then site_id); in LP mode it is proportional. The hires are then laid onto the pay-point rows
in pay-point order (min, mid, max), sites in order of their share. Requisitions already in
flight (Hires `source` other than `new`) are not split.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from staffplan.core.months import month_index
from staffplan.core.tolerances import NOISE
from staffplan.inputs.data import Inputs, Site
from staffplan.inputs.demand import by_phase, site_requirement
from staffplan.inputs.schema import PAY_POINTS

COUNTRY_LEVEL = "country-level"
SITE_COLUMNS = ["site_id", "site_name"]
GROWTH_TOL = NOISE  # a site's requirement grows when it rises by more than noise


class SiteRule:
    """Site requirements per (country, role) over month -1 .. T+L-1, computed once."""

    def __init__(self, inputs: Inputs) -> None:
        s = inputs.settings
        self.inputs = inputs
        self.n = s.model_months
        months = range(s.horizon_start - 1, s.horizon_start + self.n)  # index 0 is month -1
        phases = by_phase(inputs.staffing)
        self.req: dict[tuple[str, str], list[tuple[Site, list[float]]]] = {}
        for site in sorted(inputs.sites, key=lambda x: x.site_id):
            per_role = site_requirement(site, phases, months, s.fte_per_24x7_post)
            for role, values in per_role.items():
                self.req.setdefault((site.country, role), []).append((site, values))

    def shares(self, country: str, role: str, start: int) -> list[tuple[Site | None, float]]:
        """(site, weight) for hires starting in model month `start`; [(None, 1)] for
        country-level."""
        sites = self.req.get((country, role), [])
        ramp = self.inputs.roles[role].ramp_months
        p = min(start + ramp, self.n - 1)
        for m in range(max(p, 0), self.n):
            grow = [(site, v[m + 1] - v[m]) for site, v in sites
                    if v[m + 1] > v[m] + GROWTH_TOL]
            if grow:
                return grow
        at_p = [(site, v[p + 1]) for site, v in sites if v[p + 1] > GROWTH_TOL]
        if not at_p:
            return [(None, 1.0)]
        best = min(at_p, key=lambda x: (-x[1], x[0].site_id))
        return [(best[0], 1.0)]


def split(total: float, shares: list[tuple[Site | None, float]],
          whole: bool) -> list[tuple[Site | None, float]]:
    """`total` hires over the shares: largest remainder in whole people, else proportional.
    Sites that get nothing are left out; the rest in order of their share (then site_id)."""
    weight = sum(w for _, w in shares)
    order = sorted(shares, key=lambda x: (-x[1], x[0].site_id if x[0] else ""))
    if not whole:
        return [(site, total * w / weight) for site, w in order]
    n = round(total)
    quotas = [(site, n * w / weight, w) for site, w in order]
    got = {id(site): math.floor(q + NOISE) for site, q, _ in quotas}
    left = n - sum(got.values())
    by_rest = sorted(quotas, key=lambda x: (-(x[1] - math.floor(x[1] + NOISE)), -x[2],
                                            x[0].site_id if x[0] else ""))
    for site, _, _ in by_rest[:left]:
        got[id(site)] += 1
    return [(site, float(got[id(site)])) for site, _, _ in quotas if got[id(site)] > 0]


def hires_by_site(inputs: Inputs, hires: pd.DataFrame, whole: bool) -> pd.DataFrame:
    """The Hires table with `site_id` and `site_name`, new hires split over sites by the rule
    above (a row per pay point and site); other rows keep one row with no site.

    Works on the table's rows as plain tuples (pandas' per-group frames and itertuples cost
    a millisecond a batch, most of both reports' time on the medium benchmark); the batches
    and their order are those of `groupby(["country", "role_id", "start_month"])`."""
    cols = list(hires.columns) + SITE_COLUMNS
    if hires.empty:
        return pd.DataFrame(columns=cols)
    rule = SiteRule(inputs)
    start0 = inputs.settings.horizon_start
    order = {k: i for i, k in enumerate(PAY_POINTS)}
    at, k_at = cols.index("hires"), cols.index("pay_point")
    c_at, r_at, s_at = (cols.index(x) for x in ("country", "role_id", "start_month"))
    records = list(zip(*(hires[c].tolist() for c in hires.columns)))
    new = ((hires["source"] == "new").tolist() if "source" in hires.columns
           else [True] * len(records))
    keyless = hires[["country", "role_id", "start_month"]].isna().any(axis=1).tolist()
    out: list[tuple] = [(*rec, "", "") for rec, is_new in zip(records, new) if not is_new]
    batches: dict[tuple, list[tuple]] = {}
    for rec, is_new, na in zip(records, new, keyless):
        if is_new and not na:  # groupby leaves rows with a missing key out
            batches.setdefault((rec[c_at], rec[r_at], rec[s_at]), []).append(rec)
    for (c, r, start) in sorted(batches):
        g = batches[(c, r, start)]
        y, m = str(start).split("-")
        t = month_index(int(y), int(m)) - start0
        rows = sorted(g, key=lambda x: order.get(x[k_at], 9))
        parts = split(_total([x[at] for x in g]), rule.shares(c, r, t), whole)
        # Lay the site parts onto the pay-point rows, both in order.
        i, left = 0, float(rows[0][at])
        for site, amount in parts:
            while amount > NOISE and i < len(rows):
                take = min(amount, left)
                if take > NOISE:
                    row = rows[i]
                    out.append((*row[:at], take, *row[at + 1:], site.site_id if site else "",
                                site.site_name if site else COUNTRY_LEVEL))
                amount -= take
                left -= take
                if left <= NOISE:
                    i += 1
                    left = float(rows[i][at]) if i < len(rows) else 0.0
    return pd.DataFrame(out, columns=cols)


def _total(values: list) -> float:
    """A batch's hires as pandas' `Series.sum` adds them (missing values skipped); a batch
    has one row per pay point, so the plain sum is the usual case."""
    if len(values) < 8:  # numpy adds fewer than eight values one by one, as sum() does
        return float(sum(v for v in values if v == v))
    return float(np.nansum(np.asarray(values, dtype=float)))
