"""Demand rules of spec/model.md on small sites, with the arithmetic done by hand.

Every test reads a real workbook (tests/workbooks.py: one 10 MW site S1 in US,
deal 2027-01, construction 2027-03, commissioning 2027-07, go-live 2027-10;
horizon 2027-01 .. 2027-12, look-ahead 0) with its own Staffing rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.inputs.reader import read_workbook
from workbooks import minimal_sheets, write_workbook

STAFFING_HEADER = ["role_id", "phase", "per_site", "per_mw", "posts_24x7"]


def requirement(tmp_path: Path, staffing: list[list], site: dict | None = None,
                settings: dict | None = None, extra: list[list] | None = None
                ) -> dict[tuple[str, str], list[float]]:
    sheets = minimal_sheets()
    sheets["Staffing"] = [STAFFING_HEADER] + staffing
    header = sheets["Sites"][0]
    for key, value in (site or {}).items():
        sheets["Sites"][1][header.index(key)] = value
    for key, value in (settings or {}).items():
        sheets["Settings"] = [r for r in sheets["Settings"] if r[0] != key]
        if value is not None:  # None leaves the key out
            sheets["Settings"].append([key, value])
    if extra:
        sheets["ExtraDemand"] = [["country", "role_id", "start", "end", "fte"]] + extra
    return read_workbook(write_workbook(tmp_path / "in.xlsx", sheets)).requirement


def test_deal_phase(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["eng", "deal", 2, 0.5, 0]])
    # 2027-01 and 2027-02: 2 per site + 0.5 * 10 MW = 7
    assert req["US", "eng"] == [7, 7] + [0] * 10
    assert req["US", "ops"] == [0] * 12  # a market with no demand still gets a zero row


def test_construction_phase(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["eng", "construction", 0, 0.3, 0]])
    # 2027-03 .. 2027-06: 0.3 * 10 MW = 3
    assert req["US", "eng"] == pytest.approx([0, 0, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0])


def test_commissioning_phase(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["ops", "commissioning", 1, 0.1, 0]])
    # 2027-07 .. 2027-09: 1 + 0.1 * 10 = 2
    assert req["US", "ops"] == pytest.approx([0] * 6 + [2, 2, 2] + [0] * 3)


def test_operations_with_fractional_mw_ramp(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["ops", "operations", 0, 1, 0]], site={"mw_ramp_months": 2.5})
    # 10 * min(1, (t - go_live + 1) / 2.5): Oct 1/2.5 -> 4, Nov 2/2.5 -> 8, Dec 3/2.5 caps -> 10
    assert req["US", "ops"] == pytest.approx([0] * 9 + [4, 8, 10])


@pytest.mark.parametrize("ramp", [0, 1])
def test_operations_ramp_of_zero_or_one_is_full_mw_at_go_live(tmp_path: Path, ramp: int) -> None:
    req = requirement(tmp_path, [["ops", "operations", 0, 1, 0]], site={"mw_ramp_months": ramp})
    # max(ramp, 1) = 1: (t - go_live + 1) / 1 >= 1 from go-live on -> 10 MW * 1
    assert req["US", "ops"] == pytest.approx([0] * 9 + [10, 10, 10])


def test_24x7_posts_use_fte_per_post(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["ops", "operations", 0, 0, 2]],
                      settings={"fte_per_24x7_post": 4.2})
    # 2 posts * 4.2 FTE from go-live 2027-10
    assert req["US", "ops"] == pytest.approx([0] * 9 + [8.4] * 3)


def test_24x7_posts_default_to_five_fte(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["ops", "operations", 0, 0, 2]],
                      settings={"fte_per_24x7_post": None})  # key left out
    assert req["US", "ops"] == pytest.approx([0] * 9 + [10] * 3)  # 2 posts * 5


def test_rows_for_the_same_role_and_phase_add_up(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["eng", "deal", 1, 0, 0], ["eng", "deal", 0.5, 0.1, 0]])
    # 1 + (0.5 + 0.1 * 10) = 2.5 in the two deal months
    assert req["US", "eng"] == pytest.approx([2.5, 2.5] + [0] * 10)


def test_extra_demand_is_added_and_clipped_to_the_months_modelled(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["eng", "deal", 1, 0, 0]],
                      extra=[["US", "eng", "2027-02", "2027-04", 1.5],
                             ["US", "eng", "2026-06", "2027-01", 0.25]])
    # Jan: 1 (deal) + 0.25; Feb: 1 (deal) + 1.5; Mar, Apr: 1.5; later nothing
    assert req["US", "eng"] == pytest.approx([1.25, 2.5, 1.5, 1.5] + [0] * 8)


def test_site_already_live_before_the_horizon(tmp_path: Path) -> None:
    site = {"deal_start": "2025-01", "construction_start": "2025-06",
            "commissioning_start": "2026-01", "go_live": "2026-06", "mw_ramp_months": 12}
    req = requirement(tmp_path, [["ops", "operations", 0, 1, 0], ["eng", "deal", 5, 0, 0]],
                      site=site)
    # 2027-01 is month 8 of operations (Jun..Jan): 10 * 8/12; full 10 from 2027-05 (12/12)
    expected = [10 * k / 12 for k in (8, 9, 10, 11)] + [10] * 8
    assert req["US", "ops"] == pytest.approx(expected)
    assert req["US", "eng"] == [0] * 12  # the deal phase is long over


def test_nothing_before_deal_start(tmp_path: Path) -> None:
    site = {"deal_start": "2027-06", "construction_start": "2027-08",
            "commissioning_start": "2027-11", "go_live": "2028-01"}
    req = requirement(tmp_path, [["eng", "deal", 1, 0, 0], ["ops", "construction", 2, 0, 0]],
                      site=site)
    # deal 2027-06, 2027-07; construction 2027-08 .. 2027-10; commissioning has no rows
    assert req["US", "eng"] == [0] * 5 + [1, 1] + [0] * 5
    assert req["US", "ops"] == [0] * 7 + [2, 2, 2, 0, 0]


def test_lookahead_months_are_part_of_the_requirement(tmp_path: Path) -> None:
    req = requirement(tmp_path, [["ops", "operations", 0, 0, 1]],
                      settings={"lookahead_months": 3})
    # 12 horizon + 3 look-ahead months; 1 post * 5 FTE from 2027-10 on
    assert req["US", "ops"] == [0] * 9 + [5] * 6
