"""`plan --previous`: reading an earlier plan, the Changes sheet, the requisition moves."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from staffplan.cli import main
from staffplan.results.changes import (
    CHANGES_COLUMNS,
    PreviousPlan,
    PreviousPlanError,
    compare_plans,
    match_hires,
    read_previous_plan,
)
from workbooks import minimal_sheets, write_workbook

# --------------------------------------------------------------------------- matching rule


def test_same_month_hires_are_unchanged_and_the_rest_match_in_start_order():
    """Before: 2 in 2027-03, 1 in 2027-06. After: 1 in 2027-03, 1 in 2027-05, 1 in 2027-06.
    2027-03 keeps 1 and 2027-06 keeps 1 (same month in both); left: 1 of 2027-03 before and 1
    in 2027-05 after -> one hire pushed back 2027-03 -> 2027-05. Nothing added or dropped."""
    moves = match_hires([("2027-03", 2), ("2027-06", 1)],
                        [("2027-03", 1), ("2027-05", 1), ("2027-06", 1)])
    assert moves == [("pushed_back", "2027-03", "2027-05", 1)]


def test_forward_added_and_dropped():
    """Before: 1 in 2027-08, 1 in 2027-09. After: 1 in 2027-04, 2 in 2027-05, 1 in 2027-12.
    No month in common. In start order: 2027-08 -> 2027-04 and 2027-09 -> 2027-05 (both
    brought forward); after is left with 1 in 2027-05 and 1 in 2027-12: added."""
    moves = match_hires([("2027-08", 1), ("2027-09", 1)],
                        [("2027-04", 1), ("2027-05", 2), ("2027-12", 1)])
    assert moves == [("brought_forward", "2027-08", "2027-04", 1),
                     ("brought_forward", "2027-09", "2027-05", 1),
                     ("added", "", "2027-05", 1), ("added", "", "2027-12", 1)]
    assert match_hires([("2027-02", 3)], [("2027-02", 1)]) == [("dropped", "2027-02", "", 2)]


def test_fractional_lp_hires_split_across_months():
    """Before: 1.5 in 2027-01. After: 0.5 in 2027-02 and 1.0 in 2027-03: 0.5 pushed back
    one month, 1.0 pushed back two."""
    moves = match_hires([("2027-01", 1.5)], [("2027-02", 0.5), ("2027-03", 1.0)])
    assert moves == [("pushed_back", "2027-01", "2027-02", 0.5),
                     ("pushed_back", "2027-01", "2027-03", 1.0)]


# --------------------------------------------------------------------------- comparing tables


def _prev(hires_rows, head_rows) -> PreviousPlan:
    return PreviousPlan(
        name="old-plan.xlsx", plan_name="old", total_cost=10.0, unmet_fte_months=1.0,
        total_hires=3.0, currency="USD", mode="integer",
        hires=pd.DataFrame(hires_rows, columns=["country", "role_id", "start_month", "hires"]),
        headcount=pd.DataFrame(head_rows, columns=["country", "role_id", "month",
                                                   "requirement", "headcount", "unmet"]))


def test_common_months_only_and_a_missing_pair_counts_as_zero():
    """Previous covers 2027-01..03 for US/eng and JP/eng; new covers 2027-02..04 for US/eng
    and AU/eng. Months compared: 2027-02, 2027-03 (both cover). Pairs: the three of either
    plan; JP/eng is zero after, AU/eng zero before."""
    prev = _prev([("US", "eng", "2027-01", 1), ("US", "eng", "2027-03", 2),
                  ("JP", "eng", "2027-02", 1)],
                 [("US", "eng", m, 1, h, 0.5) for m, h in
                  [("2027-01", 1), ("2027-02", 1), ("2027-03", 3)]]
                 + [("JP", "eng", m, 1, 1, 0) for m in ("2027-01", "2027-02", "2027-03")])
    hires = pd.DataFrame([("US", "eng", "mid", "2027-03", 1), ("US", "eng", "min", "2027-03", 2),
                          ("AU", "eng", "mid", "2027-04", 4)],
                         columns=["country", "role_id", "pay_point", "start_month", "hires"])
    head = pd.DataFrame([(c, "eng", m, 2.0, 0.25) for c in ("US", "AU")
                         for m in ("2027-02", "2027-03", "2027-04")],
                        columns=["country", "role_id", "month", "headcount", "unmet"])
    comp = compare_plans(hires, head, "USD", "integer", prev)
    ch = comp.changes
    assert list(ch.columns) == CHANGES_COLUMNS
    assert comp.months == ["2027-02", "2027-03"]
    assert len(ch) == 3 * 2
    us3 = ch[(ch.country == "US") & (ch.month == "2027-03")].iloc[0]
    # hires after summed over pay points: 1 + 2 = 3; before 2
    assert (us3.hires_before, us3.hires_after) == (2, 3)
    assert (us3.headcount_before, us3.headcount_after, us3.unmet_before, us3.unmet_after) == \
        (3, 2.0, 0.5, 0.25)
    jp2 = ch[(ch.country == "JP") & (ch.month == "2027-02")].iloc[0]
    assert (jp2.hires_before, jp2.hires_after, jp2.headcount_before, jp2.headcount_after) == \
        (1, 0, 1, 0)
    au = ch[ch.country == "AU"]
    assert au[["hires_before", "headcount_before", "unmet_before"]].to_numpy().sum() == 0
    assert comp.only_previous == [("JP", "eng")] and comp.only_current == [("AU", "eng")]
    assert any("JP/eng" in n for n in comp.notes) and any("AU/eng" in n for n in comp.notes)
    # US: before 2 in 2027-03, after 3 in 2027-03 -> 1 added; JP: 1 in 2027-02 dropped.
    assert sorted(map(tuple, comp.moves.to_numpy().tolist())) == [
        ("JP", "eng", "dropped", "2027-02", "", 1), ("US", "eng", "added", "", "2027-03", 1)]


# --------------------------------------------------------------------------- bad previous plans


def _plan_like(path: Path, sheets: dict[str, list[list]]) -> Path:
    return write_workbook(path, sheets)


def _good_sheets() -> dict[str, list[list]]:
    return {
        "Summary": [["key", "value"], ["plan_name", "x"], ["total_cost", 100.0],
                    ["unmet_fte_months", 0.0], ["total_hires", 1]],
        "Hires": [["country", "role_id", "pay_point", "start_month", "hires"],
                  ["US", "eng", "mid", "2027-02", 1]],
        "Headcount": [["country", "role_id", "month", "requirement", "headcount", "unmet"],
                      ["US", "eng", "2027-01", 1, 1, 0]],
    }


def test_a_good_minimal_plan_reads(tmp_path):
    p = read_previous_plan(_plan_like(tmp_path / "p.xlsx", _good_sheets()))
    assert (p.total_cost, p.total_hires, p.months) == (100.0, 1.0, ["2027-01"])


def test_every_bad_cell_is_named_at_once(tmp_path):
    sheets = _good_sheets()
    sheets["Summary"][2][1] = "lots"
    sheets["Hires"].append(["US", "eng", "mid", "May", -2])
    sheets["Headcount"].append(["US", None, "2027-02", 1, "x", 0])
    with pytest.raises(PreviousPlanError) as err:
        read_previous_plan(_plan_like(tmp_path / "p.xlsx", sheets))
    text = str(err.value)
    assert "Summary!B3: total_cost is 'lots'" in text
    assert "Hires!D3: start_month is 'May', expected a month YYYY-MM" in text
    assert "Hires!E3: hires is -2" in text
    assert "Headcount!B3: role_id is blank" in text and "Headcount!E3: headcount is 'x'" in text
    assert "5 problems" in text


@pytest.mark.parametrize("breakage, expected", [
    (lambda s: s.pop("Hires"), "not a staffplan plan: no Hires sheet"),
    (lambda s: s["Headcount"][0].remove("unmet"), "Headcount: missing column unmet in row 1"),
    (lambda s: s["Summary"].pop(1), "Summary: no plan_name row"),
    (lambda s: s.update(Settings=[["key", "value"]], Sites=[["site_id"]]) or s.pop("Summary"),
     "this is an input workbook"),
])
def test_not_a_plan_is_a_clear_problem(tmp_path, breakage, expected):
    sheets = _good_sheets()
    breakage(sheets)
    with pytest.raises(PreviousPlanError, match=expected):
        read_previous_plan(_plan_like(tmp_path / "p.xlsx", sheets))


def test_cli_refuses_an_unreadable_previous_plan_before_writing_anything(tmp_path, capsys):
    src = write_workbook(tmp_path / "mini.xlsx", minimal_sheets())
    junk = tmp_path / "old-plan.xlsx"
    junk.write_text("not a workbook")
    out = tmp_path / "out"
    assert main(["plan", str(src), "--out", str(out), "--lp", "--previous", str(junk)]) == 2
    err = capsys.readouterr().err
    assert "old-plan.xlsx" in err and "not an Excel .xlsx workbook" in err
    assert "Traceback" not in err and not out.exists()


# --------------------------------------------------------------------------- end to end


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, dtype={"month": str, "start_month": str})


def test_month_two_against_month_one_from_the_command_line(tmp_path, capsys):
    """Month one: the minimal workbook (2027-01, 12 months). Month two: one month later
    (2027-02, 12 months) with the site's go-live slipped a month. The Changes sheet has one row
    per pair and each of the 11 months both cover, and every figure is the two plans' own
    Hires (summed over pay points) and Headcount for that pair and month."""
    one = write_workbook(tmp_path / "m1.xlsx", minimal_sheets())
    s2 = minimal_sheets()
    s2["Settings"][2][1] = "2027-02"
    s2["Sites"][1][7] = "2027-11"
    two = write_workbook(tmp_path / "m2.xlsx", s2)
    out = tmp_path / "out"
    assert main(["plan", str(one), "--out", str(out), "--lp"]) == 0
    plan1 = out / "m1-plan.xlsx"
    assert main(["plan", str(two), "--out", str(out), "--lp", "--previous", str(plan1)]) == 0
    plan2 = out / "m2-plan.xlsx"
    err = capsys.readouterr().err
    assert "Since m1-plan.xlsx: cost USD" in err

    changes = _sheet(plan2, "Changes")
    assert list(changes.columns) == CHANGES_COLUMNS
    months = [f"2027-{m:02d}" for m in range(2, 13)]
    assert sorted(set(changes["month"])) == months
    assert len(changes) == 2 * len(months)
    for side, plan in (("before", plan1), ("after", plan2)):
        hires = _sheet(plan, "Hires").groupby(["country", "role_id", "start_month"])["hires"].sum()
        head = _sheet(plan, "Headcount").set_index(["country", "role_id", "month"])
        for rec in changes.itertuples(index=False):
            key = (rec.country, rec.role_id, rec.month)
            assert getattr(rec, f"hires_{side}") == pytest.approx(hires.get(key, 0.0))
            assert getattr(rec, f"headcount_{side}") == pytest.approx(head.at[key, "headcount"])
            assert getattr(rec, f"unmet_{side}") == pytest.approx(head.at[key, "unmet"])

    s1 = _sheet(plan1, "Summary").set_index("key")["value"]
    s2v = _sheet(plan2, "Summary").set_index("key")["value"]
    assert s2v["previous_plan"] == "m1-plan.xlsx"
    for key in ("total_cost", "unmet_fte_months", "total_hires"):
        assert float(s2v[f"previous_{key}"]) == pytest.approx(float(s1[key]))
    wb = openpyxl.load_workbook(plan2, read_only=True)
    assert "Since last plan" in wb.sheetnames
    wb.close()
    html = (out / "m2-report.html").read_text(encoding="utf-8")
    assert "Since the last plan" in html and "m1-plan.xlsx" in html
    assert "Changes" not in openpyxl.load_workbook(plan1, read_only=True).sheetnames
