"""Jobs by site (results/sites.py, README "Jobs by site"), derived by hand on two-site cases.

Defaults of tests/cases.py (wage 10,000 a month at mid, no ramp, no attrition, penalty
1,000,000), country US, role eng; staffing 0.1 FTE per MW in operations only, so a site needs
nobody before go-live and 0.1 x its MW from go-live on.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cases import label, make_inputs, market, site, staffing
from staffplan.core.months import month_index
from staffplan.core.tolerances import NOISE
from staffplan.inputs.schema import PAY_POINTS
from staffplan.jobs.plan import solve_inputs
from staffplan.reports import tables as rt
from staffplan.reports.html import build_context
from staffplan.results.sites import COUNTRY_LEVEL, SITE_COLUMNS, SiteRule, hires_by_site, split

OPS = [staffing("operations", per_mw=0.1)]


def by_site(result) -> dict[tuple[str, str], float]:
    """(start month, site name) -> hires, from the people's requisition list."""
    req = rt.requisitions(result)
    out: dict[tuple[str, str], float] = {}
    for rec in req.itertuples(index=False):
        key = (rec.start_month, rec.site_name)
        out[key] = out.get(key, 0.0) + float(rec.hires)
    return out


@pytest.mark.parametrize("lp", [True, False], ids=["lp", "integer"])
def test_hires_go_to_the_growing_sites_in_proportion(lp):
    """Sydney (10 MW, 1 FTE) and Melbourne (20 MW, 2 FTE) both go live at t=1: 3 FTE from t=1.
    Supply 2 a month at mid: at most 2 hires at t=1, so one starts at t=0 (a month of salary
    early) and two at t=1. Unique plan (both modes): S0 = 1, S1 = 2.
    Both batches are first productive at or before t=1, where Sydney grows by 1, Melbourne by 2.
    Integer, largest remainder: t=0, one hire: quotas 1/3, 2/3 -> Melbourne 1.
      t=1, two hires: quotas 2/3, 4/3 -> floors 0, 1; the one left goes to the larger remainder,
      Sydney (2/3 against 1/3): Sydney 1, Melbourne 1. Totals: Sydney 1, Melbourne 2.
    LP, in proportion: t=0: 1/3 and 2/3; t=1: 2/3 and 4/3."""
    inputs = make_inputs(integer=not lp, markets=[market(s_mid=2)], staffing_rows=OPS,
                         sites=[site(-4, -3, -2, 1, mw=10, site_id="SYD"),
                                site(-4, -3, -2, 1, mw=20, site_id="MEL")])
    r = solve_inputs(inputs, lp=lp)
    if lp:
        assert by_site(r) == pytest.approx({(label(0), "SYD"): 1 / 3, (label(0), "MEL"): 2 / 3,
                                            (label(1), "SYD"): 2 / 3, (label(1), "MEL"): 4 / 3})
    else:
        assert by_site(r) == {(label(0), "MEL"): 1, (label(1), "SYD"): 1,
                              (label(1), "MEL"): 1}
    # The machine Hires sheet is not split: one row per pay point and start month.
    assert list(r.hires["start_month"]) == [label(0), label(1)]
    assert list(r.hires["hires"]) == pytest.approx([1, 2])
    ctx = build_context(r, with_charts=False)
    named = " ".join(x["sites"] for x in ctx["requisitions"]["rows"])
    assert "SYD" in named and "MEL" in named


def test_later_growth_then_largest_site_then_country_level():
    """Integer mode, the rule's three cases on a hand-made Hires table (ramp 0).
    Sydney live at t=0 (1 FTE), Melbourne at t=3 (2 FTE).
    - 1 hire at t=0: Sydney grows at t=0 -> Sydney.
    - 2 hires at t=1: no site grows at t=1 or t=2; the next growth is Melbourne's at t=3 ->
      Melbourne 2.
    - 1 hire at t=4: nobody grows from t=4 on -> the largest requirement at t=4, Melbourne.
    - A role with ExtraDemand only (no site needs it) -> country-level."""
    inputs = make_inputs(horizon=6, staffing_rows=OPS,
                         sites=[site(-4, -3, -2, 0, mw=10, site_id="SYD"),
                                site(-4, -3, -2, 3, mw=20, site_id="MEL")])
    rows = [("US", "eng", "mid", label(t), label(t), n, 120_000, "USD")
            for t, n in ((0, 1.0), (1, 2.0), (4, 1.0))]
    rows.append(("US", "eng", "min", label(4), label(4), 1.0, 96_000, "USD"))
    hires = pd.DataFrame(rows, columns=["country", "role_id", "pay_point", "requisition_month",
                                        "start_month", "hires", "annual_salary", "currency"])
    got = hires_by_site(inputs, hires, whole=True)
    assert list(zip(got["start_month"], got["pay_point"], got["site_id"], got["hires"])) == [
        (label(0), "mid", "SYD", 1.0), (label(1), "mid", "MEL", 2.0),
        (label(4), "min", "MEL", 1.0), (label(4), "mid", "MEL", 1.0)]

    extra_only = make_inputs(horizon=6)  # no sites at all
    got = hires_by_site(extra_only, hires.head(1), whole=True)
    assert list(got["site_name"]) == [COUNTRY_LEVEL] and list(got["site_id"]) == [""]


def test_split_over_pay_points_keeps_every_hire():
    """Two sites growing 1 and 1 at t=0; 3 hires at t=0: 1 at min, 2 at mid. Whole people:
    quotas 1.5, 1.5 -> floors 1, 1, the last to the tie's first site id (MEL before SYD):
    MEL 2, SYD 1. Laid on the pay-point rows in order: MEL takes the min hire and one mid,
    SYD the other mid."""
    inputs = make_inputs(staffing_rows=OPS,
                         sites=[site(-4, -3, -2, 0, mw=10, site_id="SYD"),
                                site(-4, -3, -2, 0, mw=10, site_id="MEL")])
    hires = pd.DataFrame([("US", "eng", "min", label(0), label(0), 1.0, 96_000, "USD"),
                          ("US", "eng", "mid", label(0), label(0), 2.0, 120_000, "USD")],
                         columns=["country", "role_id", "pay_point", "requisition_month",
                                  "start_month", "hires", "annual_salary", "currency"])
    got = hires_by_site(inputs, hires, whole=True)
    assert list(zip(got["pay_point"], got["site_id"], got["hires"])) == [
        ("min", "MEL", 1.0), ("mid", "MEL", 1.0), ("mid", "SYD", 1.0)]


def _pandas_hires_by_site(inputs, hires: pd.DataFrame, whole: bool) -> pd.DataFrame:
    """hires_by_site as it was written over pandas groups (before the plain-tuple rewrite for
    speed): the reference the rewrite must match row for row."""
    cols = list(hires.columns) + SITE_COLUMNS
    if hires.empty:
        return pd.DataFrame(columns=cols)
    rule = SiteRule(inputs)
    start0 = inputs.settings.horizon_start
    order = {k: i for i, k in enumerate(PAY_POINTS)}
    new = hires["source"] == "new" if "source" in hires.columns else \
        pd.Series(True, index=hires.index)
    at, k_at = cols.index("hires"), cols.index("pay_point")
    out = [(*rec, "", "") for rec in hires[~new].itertuples(index=False)]
    for (c, r, start), g in hires[new].groupby(["country", "role_id", "start_month"],
                                               sort=True):
        y, m = str(start).split("-")
        t = month_index(int(y), int(m)) - start0
        rows = sorted(g.itertuples(index=False, name=None), key=lambda x: order.get(x[k_at], 9))
        parts = split(float(g["hires"].sum()), rule.shares(c, r, t), whole)
        i, left = 0, float(rows[0][at])
        for place, amount in parts:
            while amount > NOISE and i < len(rows):
                take = min(amount, left)
                if take > NOISE:
                    row = rows[i]
                    out.append((*row[:at], take, *row[at + 1:], place.site_id if place else "",
                                place.site_name if place else COUNTRY_LEVEL))
                amount -= take
                left -= take
                if left <= NOISE:
                    i += 1
                    left = float(rows[i][at]) if i < len(rows) else 0.0
    return pd.DataFrame(out, columns=cols)


@pytest.mark.parametrize("whole", [True, False], ids=["integer", "lp"])
def test_rewrite_matches_the_pandas_version_on_the_example(example_lp_result, whole):
    """The shipped example (several countries, sites going live at different months, every
    pay point), its Hires table shuffled and every seventh row made one already in flight:
    the tuple-based hires_by_site gives exactly the rows, order, values and dtypes of the
    pandas-group version it replaced."""
    hires = example_lp_result.hires.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert hires["country"].nunique() > 1 and len(hires) > 50
    hires.loc[hires.index[::7], "source"] = "open"  # in flight: not split, kept in place
    if whole:  # whole people, as integer mode has them
        hires["hires"] = hires["hires"].round().clip(lower=1.0)
    got = hires_by_site(example_lp_result.inputs, hires, whole)
    want = _pandas_hires_by_site(example_lp_result.inputs, hires, whole)
    assert (got["site_id"] != "").sum() > len(hires) * 0.5  # most rows were split to sites
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    no_source = hires[hires["source"] == "new"].drop(columns="source")
    pd.testing.assert_frame_equal(hires_by_site(example_lp_result.inputs, no_source, whole),
                                  _pandas_hires_by_site(example_lp_result.inputs, no_source,
                                                        whole), check_exact=True)
