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


def test_headline_says_how_many_where_by_when_and_cost(ctx, hostile_result):
    h = ctx["headline"]
    hires = hostile_result.hires
    assert h["hires"] == f"{hires['hires'].sum():,.0f}" == "22"  # integer mode: whole FTE
    assert h["by"] == hires["start_month"].max()
    assert h["first_open"] == hires["requisition_month"].min() == "2027-01"
    assert h["cost"] == f"USD {hostile_result.total_cost:,.0f}"
    assert h["cost_short"].startswith("USD ") and h["cost_short"].endswith("million")
    by_country = {c["country"]: c["hires"] for c in h["countries"]}
    assert by_country == {"JP": "11", "US": "11"}
    # Both sites go live inside the horizon; JP cannot be fully staffed when it does.
    cov = {c["go_live"]: c for c in h["coverage"]}
    assert set(cov) == {"2027-07", "2027-09"}
    assert cov["2027-09"]["site"] == HOSTILE_SITE
    head = hostile_result.headcount.set_index(["country", "month"])
    jp = head.loc[("JP", "2027-09")]
    share = 1 - jp["unmet"].sum() / jp["requirement"].sum()
    assert cov["2027-09"]["covered"] == f"{share:.0%}" and share < 0.995
    assert not cov["2027-09"]["full"]


def test_lp_plans_show_one_decimal(hostile_lp_result):
    ctx = build_context(hostile_lp_result, with_charts=False)
    assert ctx["lp"]
    assert ctx["headline"]["hires"] == f"{hostile_lp_result.total_hires:,.1f}"
    assert all(re.fullmatch(r"\d+\.\d", r["hires"]) for r in ctx["next_quarter"]["rows"])


def test_next_quarter_lists_requisitions_opening_in_the_first_three_months(ctx, hostile_result):
    rows = ctx["next_quarter"]["rows"]
    h = hostile_result.hires
    want = h[h["requisition_month"].isin(["2027-01", "2027-02", "2027-03"])]
    assert len(rows) == len(want) > 0
    assert [r["open"] for r in rows] == sorted(r["open"] for r in rows)
    assert ctx["next_quarter"]["months"] == "2027-01 to 2027-03"


def test_hires_tables_add_up_to_the_plan(ctx, hostile_result):
    total = sum(float(c) for t in ctx["hires_tables"] for r in t["rows"] for c in r["cells"]
                if c)
    assert total == pytest.approx(hostile_result.total_hires)
    assert [t["year"] for t in ctx["hires_tables"]] == ["2027"]
    assert ctx["hires_tables"][0]["quarters"] == ["Q1", "Q2", "Q3", "Q4"]


def test_risks_name_the_binding_constraint_in_words(ctx, hostile_result):
    rows = ctx["risks"]["rows"]
    assert rows and ctx["risks"]["more"] == 0
    whys = {(r["country"], r["why"]) for r in rows}
    assert ("JP", "time to fill and ramp-up") in whys
    assert any(w.startswith("labour supply") for _, w in whys)
    unmet = sum(float(r["unmet"]) for r in rows)
    assert unmet == pytest.approx(hostile_result.unmet_fte_months, abs=0.5 * len(rows))


def test_pressure_sentences_quote_the_saving(hostile_lp_result):
    ctx = build_context(hostile_lp_result, with_charts=False)
    assert ctx["pressure"]
    top = hostile_lp_result.pressure.query("kind == 'supply'").sort_values("value").iloc[-1]
    first = ctx["pressure"][0]["text"]
    assert first.startswith("One more ") and top["country"] in first
    assert f"would save USD {top['value']:,.0f}" in first


def test_costs_per_year_add_up_to_the_total(ctx, hostile_result):
    totals = [r for y in ctx["costs"] for r in y["rows"] if r["all"]]
    assert len(totals) == 1
    assert totals[0]["total"] == f"USD {hostile_result.total_cost:,.0f}"


def test_run_metadata(ctx, hostile_result):
    meta = dict(ctx["meta"])
    assert meta["Input SHA-256"] == hostile_result.inputs.sha256
    assert meta["Input file"] == "hostile & <input>.xlsx"
    assert meta["Solver"] == hostile_result.solver
    assert meta["Status"].startswith("optimal")
    assert meta["staffplan version"]


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
        _shown(labels["People to hire"]),
        _shown(labels["Unmet demand (FTE-months)"]),
    ]
    # Hires by country and coverage at go-live (Overview tables).
    for r in range(1, ov.max_row + 1):
        if ov.cell(r, 1).value in set(result.hires["country"]):
            sample.append(f"{ov.cell(r, 1).value} {_shown(ov.cell(r, 2))}")
    sample += _sheet_figures(wb["Cost by year"], ["Total"])
    sample += _sheet_figures(wb["Unmet demand"], ["Unmet FTE-months"], limit=10)
    req = wb["Requisitions"]
    first = [r for r in req.iter_rows(min_row=2, values_only=False)
             if r[0].value in rt.horizon_labels(result)[:3] and _shown(r[7]) not in ("0", "0.0")]
    sample += [_shown(r[10]) for r in first[:20]]
    assert all(sample) and len(sample) >= 8
    missing = [s for s in sample if s not in text]
    assert not missing, missing
    # And the headline itself, the number an executive quotes.
    assert f"Hire {_shown(labels['People to hire'])} people" in text


def test_a_plan_stopped_by_the_time_limit_says_so_at_the_top(hostile_result):
    from staffplan.results.tables import Status

    stopped = dataclasses.replace(hostile_result, status=Status.FEASIBLE, mip_gap=0.0123)
    top = _text(render_report(stopped)).split("Hire ")[0]
    assert "feasible (stopped at the time limit), whole-number hires, gap 1.23%" in top
    assert "time limit" not in _text(render_report(hostile_result))


def test_go_live_list_keeps_the_least_covered_sites_on_a_phone():
    """15 US sites go live one a month from month 0; hires take 3 months to fill, so the
    sites live in months 0-2 are short (no staff yet) and the rest are fully covered.
    The headline keeps 12 sites, the 3 short ones among them, in go-live order, and
    says how many others there are and their least coverage (100%)."""
    from cases import make_inputs, market, site, staffing
    from staffplan.jobs.plan import solve_inputs

    sites = [site(t, t, t, t, site_id=f"S{t:02d}") for t in range(15)]
    inputs = make_inputs(horizon=15, integer=False, sites=sites,
                         staffing_rows=[staffing("operations", per_site=1.0)],
                         markets=[market(ttf=3)])
    ctx = build_context(solve_inputs(inputs, lp=True), with_charts=False)
    shown = ctx["headline"]["coverage"]
    assert len(shown) == 12
    assert [c["site"] for c in shown][:3] == ["S00", "S01", "S02"]
    assert [c["full"] for c in shown][:3] == [False, False, False]
    assert [c["go_live"] for c in shown] == sorted(c["go_live"] for c in shown)
    assert ctx["headline"]["coverage_more"] == 3
    assert ctx["headline"]["coverage_rest_min"] == "100%"


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
    hires 1 in month 0: the hires table shows two US rows with 1 each in Q1, not one
    merged row that keeps only the last value."""
    from cases import band, extra, make_inputs, market
    from staffplan.inputs.data import Role
    from staffplan.jobs.plan import solve_inputs

    roles = [Role(r, "Engineer", "engineering", 0, False, 1.5, 0.0) for r in ("a", "b")]
    inputs = make_inputs(horizon=3, roles=roles, bands=[band(role_id="a"), band(role_id="b")],
                         markets=[market(role_id="a"), market(role_id="b")],
                         extras=[extra(0, 2, 1.0, role_id="a"), extra(0, 2, 1.0, role_id="b")])
    ctx = build_context(solve_inputs(inputs), with_charts=False)
    rows = ctx["hires_tables"][0]["rows"]
    assert [(r["country"], r["role"], r["cells"][0]) for r in rows] == [
        ("US", "Engineer", "1"), ("US", "Engineer", "1")]
