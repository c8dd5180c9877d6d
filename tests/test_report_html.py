"""The HTML report: the context on its own, then the rendered file (safe, email-ready,
and every figure shown as the Excel plan shows it)."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re

import openpyxl
import pytest

from conftest import HOSTILE_PLAN, HOSTILE_SITE
from staffplan.delivery.message import inline_images
from staffplan.reports import story
from staffplan.reports import tables as rt
from staffplan.reports.html import build_context, render_report, write_report_html
from staffplan.reports.xlsx import write_plan_xlsx

IMG = re.compile(r"<img\b[^>]*>", re.I)


def _text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces squeezed."""
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


# --------------------------------------------------------------------------- context


@pytest.fixture(scope="module")
def ctx(hostile_result):
    return build_context(hostile_result, with_charts=False)


def test_the_decision_is_the_requisitions_to_open_this_quarter(ctx, hostile_result):
    """Hires whose requisitions open 2027-01..03: JP eng 2 (min, JPY 9.0M), JP ops 3
    (min, JPY 4.5M), US eng 1 (min, USD 110k), US ops 2 (min, USD 55k). Annual cost with
    on-costs (JP 20%, US 25%; JPY at 0.0068): JP 2*9.0M*1.2*0.0068 + 3*4.5M*1.2*0.0068
    = 146,880 + 110,160 = 257,040; US 110,000*1.25 + 2*55,000*1.25 = 275,000."""
    d = ctx["decision"]
    assert (d["span"], d["hires"], d["none"]) == ("2027-01 to 2027-03", "8", False)
    assert d["countries"] == [{"country": "JP", "hires": "5", "cost": "USD 257,040"},
                              {"country": "US", "hires": "3", "cost": "USD 275,000"}]
    assert d["cost"] == "USD 532,040"
    h = hostile_result.hires
    assert h[h["requisition_month"] <= "2027-03"]["hires"].sum() == 8


def test_total_cost_and_the_risk_that_matters_most(ctx, hostile_result):
    assert ctx["total"]["cost"] == f"USD {hostile_result.total_cost:,.0f}"
    assert ctx["budget"] == {"overall": None, "lines": [], "count": 0, "binding": 0,
                             "more": 0, "rest_max": None}
    # The JP site goes live short-staffed; the top risk names it and says why in words.
    (top,) = ctx["top_risks"]
    assert top.startswith(f"{HOSTILE_SITE} (JP) goes live in 2027-09 with ")
    jp = hostile_result.risks.query("country == 'JP' and month == '2027-09'")
    assert list(jp["reason"]) == ["supply"]
    assert top.endswith("short by 0.2 FTE because the labour market cannot supply enough hires.")


def test_readiness_shows_each_site_at_go_live(ctx, hostile_result):
    cov = {c["go_live"]: c for c in ctx["readiness"]["sites"]}
    assert set(cov) == {"2027-09"}  # the US site, fully staffed, is in the "other sites" line
    assert (ctx["readiness"]["more"], ctx["readiness"]["rest_min"]) == (1, "100%")
    assert cov["2027-09"]["site"] == HOSTILE_SITE
    head = hostile_result.headcount.set_index(["country", "month"])
    jp = head.loc[("JP", "2027-09")]
    share = 1 - jp["unmet"].sum() / jp["requirement"].sum()
    assert cov["2027-09"]["covered"] == f"{share:.0%}" and share < 0.995
    assert not cov["2027-09"]["full"]
    assert ctx["readiness"]["short"] == 1


def test_lp_plans_show_one_decimal(hostile_lp_result):
    ctx = build_context(hostile_lp_result, with_charts=False)
    assert ctx["lp"]
    assert ctx["total"]["hires"] == f"{hostile_lp_result.total_hires:,.1f}"
    assert all(re.fullmatch(r"\d+\.\d", r["hires"]) for r in ctx["requisitions"]["rows"])


def test_requisition_rows_give_pay_in_the_band_currency_and_the_reporting_one(ctx):
    """JP ops at band min is JPY 4,500,000 a year = USD 30,600 at 0.0068; one row per
    month, country and role, whatever the pay points."""
    rows = ctx["requisitions"]["rows"]
    assert [r["open"] for r in rows] == sorted(r["open"] for r in rows)
    jp_ops = [r for r in rows if r["country"] == "JP" and r["open"] == "2027-01"
              and r["role"] == "-Ops & <b>Night</b>"]
    assert jp_ops == [{"open": "2027-01", "country": "JP", "role": "-Ops & <b>Night</b>",
                       "hires": "1", "sites": HOSTILE_SITE, "start": "2027-04",
                       "pay": "JPY 4,500,000 (USD 30,600)"}]
    assert all(r["pay"].startswith("USD ") and "(" not in r["pay"]
               for r in rows if r["country"] == "US")


def test_risks_name_the_reason_in_words(ctx, hostile_result):
    rows = ctx["risks"]["rows"]
    assert rows and ctx["risks"]["more"] == 0
    whys = {(r["country"], r["why"]) for r in rows}
    assert ("JP", "time to fill and ramp-up") in whys
    assert any(w.startswith("labour supply") for _, w in whys)
    unmet = sum(float(r["unmet"]) for r in rows)
    assert unmet == pytest.approx(hostile_result.unmet_fte_months, abs=0.5 * len(rows))


def test_releases_and_moves_are_reported_with_where_when_why_and_cost():
    """US starts with 4 engineers at mid (10,000 a month) and needs 4 in months 0-1, then 1;
    AU needs 2 from month 2, has no market, and a US->AU lane costs 5,000 a move. In month 2
    the plan moves 2 to AU (10,000, against 1,000,000 a month of unmet penalty each) and
    releases the fourth (3 months' severance, 30,000, against 4 months' idle pay, 40,000)."""
    from cases import band, extra, lane, make_inputs, market
    from staffplan.jobs.plan import solve_inputs

    inputs = make_inputs(horizon=6, bands=[band(), band("AU")],
                         markets=[market(start=4), market("AU", s_mid=0)],
                         extras=[extra(0, 1, 3), extra(0, 5, 1), extra(2, 5, 2, country="AU")],
                         lanes=[lane("US", "AU", max_per_month=2, cost=5000)])
    ctx = build_context(solve_inputs(inputs), with_charts=False)
    p = ctx["people"]
    assert (p["released"], p["release_cost"], p["moved"], p["move_cost"]) == (
        "1", "USD 30,000", "2", "USD 10,000")
    assert p["releases"] == [{"country": "US", "role": "Eng", "people": "1", "span": "2026-03",
                              "why": "the need falls from 4.0 to 1.0 FTE"}]
    assert p["moves"] == [{"role": "Eng", "people": "2", "from": "US", "to": "AU",
                           "span": "2026-03"}]
    # Growth: US 4 -> 1, AU 0 -> 2, no hires, so no hire "replaces" anyone.
    g = {r["country"]: r for r in ctx["growth"]["rows"]}
    assert (g["US"]["net"], g["AU"]["net"], ctx["growth"]["total"]["net"]) == ("-3", "+2", "-1")
    assert ctx["growth"]["replaced"] is None and ctx["decision"]["none"]
    text = _text(render_report(solve_inputs(inputs)))
    assert "The plan releases 1 people; severance costs USD 30,000." in text
    assert "Eng : 2 from US to AU, 2026-03." in text


def test_market_limit_savings_never_exceed_what_extra_hires_could_replace():
    """One US role needing 3 FTE for 6 months, hired at mid only (supply 1 a month at mid,
    none elsewhere, no time to fill): 1 + 1 + 1 hires in months 0-2 leave 2 + 1 = 3
    FTE-months unmet at 1,000,000 each, no contractors and no dearer pay point. However
    large the solver's value of one more hire a month (here set to 10,000,000), the
    sentence claims at most the 3,000,000 of unmet demand those hires could remove."""
    from cases import extra, make_inputs, market
    from staffplan.jobs.plan import solve_inputs

    result = solve_inputs(make_inputs(horizon=6, integer=False, markets=[market(s_mid=1)],
                                      extras=[extra(0, 5, 3)]), lp=True)
    assert result.unmet_fte_months == pytest.approx(3.0)
    inflated = result.pressure.copy()
    inflated.loc[inflated["kind"] == "supply", "value"] = 10_000_000.0
    inflated = dataclasses.replace(result, pressure=inflated)
    (limit,) = story.market_limits(inflated, 5)
    assert limit.saving == pytest.approx(3_000_000)
    ctx = build_context(inflated, with_charts=False)
    assert ctx["market"] == ["US, Eng: one more hire a month at band mid (USD 120,000 a "
                             "year) would save about USD 3.0 million over the plan."]


def test_cost_by_year_adds_up_to_the_total(ctx, hostile_result):
    assert ctx["cost"]["years"] == [("2027", f"USD {hostile_result.total_cost:,.0f}")]
    by_country = dict(ctx["cost"]["countries"])
    assert set(by_country) == {"US", "JP"}


def test_about_this_plan_has_no_fingerprint_or_solver_terms(ctx, hostile_result):
    meta = dict(ctx["meta"])
    assert meta["Input file"] == "hostile & <input>.xlsx"
    assert meta["Hires"] == "whole people" and meta["Cheapest plan"] == "yes"
    assert meta["staffplan version"]
    assert hostile_result.inputs.sha256 not in str(ctx)


# --------------------------------------------------------------------------- rendered


@pytest.fixture(scope="module")
def hostile_html(hostile_result) -> str:
    return render_report(hostile_result)


def test_names_with_markup_render_as_text(hostile_html):
    assert "<script" not in hostile_html.lower()
    assert "<img src=x" not in hostile_html and "<b>Night" not in hostile_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "&amp; &#39;B&#39;" in hostile_html and "&#34;A&#34;" in hostile_html
    text = _text(hostile_html)
    assert HOSTILE_PLAN in text and HOSTILE_SITE in text


def test_report_is_email_safe(example_lp_result):
    report = render_report(example_lp_result)
    low = report.lower()
    for banned in ("<script", "<link", "@import", "<iframe", "<form", "javascript:",
                   "onerror=", "onload=", "http://", "https://", "url("):
        assert banned not in low, banned
    imgs = IMG.findall(report)
    assert len(imgs) >= 3
    for tag in imgs:
        assert re.search(r'\bsrc="data:image/png;base64,[A-Za-z0-9+/=]+"', tag), tag[:80]
        assert re.search(r'\balt="[^"]{10,}"', tag), tag[:80]
    # The mail step can swap every chart for a cid: part.
    swapped, parts = inline_images(report, "example.com")
    assert "data:image" not in swapped and len(parts) == len(imgs)


def test_example_report_is_one_file_under_one_megabyte(example_lp_result, tmp_path):
    path = tmp_path / "apac_expansion-report.html"
    write_report_html(example_lp_result, path)
    size = path.stat().st_size
    assert 20_000 < size < 1_000_000, size
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_write_is_atomic(hostile_result, tmp_path, monkeypatch):
    path = tmp_path / "r-report.html"
    path.write_text("old report")
    monkeypatch.setattr("staffplan.reports.html.render_report",
                        lambda result: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        write_report_html(hostile_result, path)
    assert path.read_text() == "old report"
    monkeypatch.undo()
    write_report_html(hostile_result, path)
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# --------------------------------------------------------------------------- HTML == Excel


def _shown(cell) -> str | None:
    """A number as Excel displays it with the formats the plan uses."""
    v, fmt = cell.value, cell.number_format
    if not isinstance(v, (int, float)):
        return None
    m = re.fullmatch(r'"([A-Z]{3}) "#,##0', fmt)
    if m:
        return rt.fmt_money(v, m.group(1))
    return {"#,##0": rt.fmt_fte(v, 0), "#,##0.0": rt.fmt_fte(v, 1),
            "0%": rt.fmt_pct(v)}.get(fmt)


def _sheet_figures(ws, columns: list[str], limit: int | None = None) -> list[str]:
    """Displayed figures in the named header columns of a sheet's table (header in row 1)."""
    header = [c.value for c in ws[1]]
    idx = [header.index(c) for c in columns]
    out = []
    for row in list(ws.iter_rows(min_row=2))[:limit]:
        out += [s for i in idx if (s := _shown(row[i])) is not None]
    return out


@pytest.mark.parametrize("which", ["hostile_result", "example_lp_result"])
def test_every_sampled_figure_matches_the_excel_plan(which, request, tmp_path):
    result = request.getfixturevalue(which)
    write_plan_xlsx(result, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    text = _text(render_report(result))
    ov = wb["Overview"]
    labels = {ov.cell(r, 1).value: ov.cell(r, 2) for r in range(1, ov.max_row + 1)}
    cur = result.inputs.settings.currency
    sample = [
        _shown(labels[f"Total cost over the horizon ({cur})"]),
        f"({_shown(labels['People to hire'])} hires)",
        f"{_shown(labels['Unmet demand (FTE-months)'])} FTE-months of demand unmet",
    ]
    cost = wb["Cost by year"]
    sample += [f"{r[1].value} {_shown(r[7])}" for r in cost.iter_rows(min_row=2)
               if r[0].value == "All"]
    sample += _sheet_figures(wb["Unmet demand"], ["Unmet FTE-months"], limit=3)
    # Requisitions opening in the first three months, summed over sites and pay points per
    # month, country and role as the Details list shows them (first 15 groups).
    groups: dict[tuple, float] = {}
    dec = rt.fte_decimals(result)
    for r in wb["Requisitions"].iter_rows(min_row=2, values_only=True):
        month = r[0].strftime("%Y-%m")  # a real Excel date in the people's sheet
        if month in rt.horizon_labels(result)[:3] and rt.shows_nonzero(r[6], dec):
            groups[(month, r[2], r[4])] = groups.get((month, r[2], r[4]), 0.0) + r[6]
    sample += [f"{m}, {c}, {role} : {rt.fmt_fte(h, rt.fte_decimals(result))} to start"
               for (m, c, role), h in sorted(groups.items())[:15]]
    assert all(sample) and len(sample) >= 8
    missing = [s for s in sample if s not in text]
    assert not missing, missing


def test_a_plan_stopped_by_the_time_limit_says_so_at_the_top(hostile_result):
    from staffplan.results.tables import Status

    stopped = dataclasses.replace(hostile_result, status=Status.FEASIBLE, mip_gap=0.0123)
    top = _text(render_report(stopped)).split("To approve now")[0]
    assert "this plan may cost up to 1.23% more than the best possible" in top
    assert "time limit" not in _text(render_report(hostile_result))


def test_go_live_list_keeps_the_least_covered_sites_on_a_phone():
    """15 US sites go live one a month from month 0; hires take 3 months to fill, so the
    sites live in months 0-2 are short (no staff yet) and the rest are fully covered.
    The readiness list shows the 3 short ones, in go-live order, and says how many others
    there are and their least coverage (100%)."""
    from cases import make_inputs, market, site, staffing
    from staffplan.jobs.plan import solve_inputs

    sites = [site(t, t, t, t, site_id=f"S{t:02d}") for t in range(15)]
    inputs = make_inputs(horizon=15, integer=False, sites=sites,
                         staffing_rows=[staffing("operations", per_site=1.0)],
                         markets=[market(ttf=3)])
    ctx = build_context(solve_inputs(inputs, lp=True), with_charts=False)
    shown = ctx["readiness"]["sites"]
    assert [c["site"] for c in shown] == ["S00", "S01", "S02"]
    assert [c["full"] for c in shown] == [False, False, False]
    assert ctx["readiness"]["more"] == 12 and ctx["readiness"]["short"] == 3
    assert ctx["readiness"]["rest_min"] == "100%"


def test_figures_round_halves_up_as_excel_shows_them():
    """Excel's number formats round halves away from zero; Python's format rounds them to
    even. The report must print what the Excel plan shows."""
    assert rt.fmt_fte(0.5, 0) == "1" and rt.fmt_fte(2.5, 0) == "3"
    assert rt.fmt_fte(0.25, 1) == "0.3"
    assert rt.fmt_money(10_936.5, "USD") == "USD 10,937"
    assert rt.fmt_pct(0.125) == "13%"
    assert rt.shows_nonzero(0.5, 0) and not rt.shows_nonzero(0.49, 0)


def test_roles_sharing_a_display_name_keep_their_own_hires():
    """Roles `a` and `b` are both called "Engineer". Each needs 1 FTE from month 0 and
    hires 1 in month 0: the requisition list shows two US rows with 1 each, not one
    merged row of 2."""
    from cases import band, extra, make_inputs, market
    from staffplan.inputs.data import Role
    from staffplan.jobs.plan import solve_inputs

    roles = [Role(r, "Engineer", "engineering", 0, False, 1.5, 0.0) for r in ("a", "b")]
    inputs = make_inputs(horizon=3, roles=roles, bands=[band(role_id="a"), band(role_id="b")],
                         markets=[market(role_id="a"), market(role_id="b")],
                         extras=[extra(0, 2, 1.0, role_id="a"), extra(0, 2, 1.0, role_id="b")])
    ctx = build_context(solve_inputs(inputs), with_charts=False)
    rows = ctx["requisitions"]["rows"]
    assert [(r["country"], r["role"], r["hires"]) for r in rows] == [
        ("US", "Engineer", "1"), ("US", "Engineer", "1")]


def test_growth_starts_from_the_roster_when_there_is_one():
    """A Roster of 3 engineers (mid) replaces starting_headcount (0); they need 3 FTE in every
    month and nobody leaves: no hire, staff 3 at the end, growth 0 from 3 at the start."""
    from cases import extra, make_inputs
    from staffplan.inputs.data import RosterRow
    from staffplan.jobs.plan import solve_inputs

    inputs = dataclasses.replace(make_inputs(extras=[extra(0, 5, 3)]),
                                 roster=[RosterRow("US", "eng", "mid", 3.0)])
    ctx = build_context(solve_inputs(inputs), with_charts=False)
    assert ctx["growth"]["rows"] == [{"country": "US", "start": "3", "end": "3", "hires": "0",
                                      "net": "0"}]


def test_the_headcount_charts_are_the_largest_countries_and_the_rest_are_counted():
    """Eight countries with demand 1..8 FTE (country Cn needs n): the page draws the six
    largest (C3..C8, in name order) and says the other two, smaller, are in the Excel plan's
    Charts sheet (which has every country)."""
    from cases import band, extra, make_inputs, market
    from staffplan.jobs.plan import solve_inputs

    names = [f"C{n}" for n in range(1, 9)]
    inputs = make_inputs(integer=False, horizon=3, bands=[band(c) for c in names],
                         markets=[market(c) for c in names],
                         extras=[extra(0, 2, n, country=c) for n, c in enumerate(names, 1)])
    ctx = build_context(solve_inputs(inputs, lp=True, reasons=False), with_charts=True)
    assert [c["country"] for c in ctx["charts"]["headcount"]] == names[2:]
    assert ctx["charts"]["headcount_more"] == 2
    text = _text(render_report(solve_inputs(inputs, lp=True, reasons=False)))
    assert "The 2 smaller countries are in the Charts sheet of the Excel plan." in text
