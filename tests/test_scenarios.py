"""The Scenarios sheet: a scenario is the baseline workbook with its rows applied, validated
as `check` validates a workbook, and planned exactly like that workbook saved by itself."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from staffplan.cli import main
from staffplan.core.errors import InputError
from staffplan.inputs.data import Inputs
from staffplan.inputs.reader import inputs_from_raw, read_raw, read_workbook
from staffplan.inputs.scenarios import build_scenarios
from staffplan.jobs.plan import solve_inputs
from workbooks import minimal_sheets, write_workbook

HEADER = ["scenario", "sheet", "column", "match", "change", "value"]


def _scenarios(path: Path, names=None):
    book = read_raw(path)
    _, tables = inputs_from_raw(book)
    return build_scenarios(book, tables, names)


def _plain(inputs: Inputs) -> Inputs:
    return dataclasses.replace(inputs, source=None, sha256="", warnings=[])


def test_a_scenario_plans_exactly_as_its_modified_workbook(tmp_path: Path) -> None:
    """Every kind of change (shift_months, multiply, add, set; a Settings key the workbook
    leaves to its default; an optional column the sheet leaves out) gives the same inputs,
    and the same plan to the last digit, as making the edits by hand and saving the file."""
    sheets = minimal_sheets()
    sheets["Scenarios"] = [
        HEADER,
        ["late", "Sites", "go_live", "site_id=S1", "shift_months", 2],
        ["late", "LabourMarket", "supply_at_min", "role_id=eng", "multiply", 0.5],
        ["late", "LabourMarket", "annual_attrition_pct", "", "add", 0.05],
        ["late", "Settings", "value", "key=unmet_penalty", "set", 40000],
        ["late", "Settings", "value", "key=mip_gap", "set", 0.01],
        ["late", "LabourMarket", "fill_delay_mean_months", "country=US; role_id=ops", "set", 2],
        ["other", "Sites", "it_mw", "", "multiply", 2],
    ]
    base_path = write_workbook(tmp_path / "base.xlsx", sheets)

    edited = minimal_sheets()
    edited["Sites"][1][7] = "2027-12"  # go_live 2027-10 + 2 months
    lm = edited["LabourMarket"]
    lm[0].append("fill_delay_mean_months")
    lm[1][4] = 1  # eng supply_at_min 2 x 0.5
    lm[1][7] = 0.15  # 0.10 + 0.05
    lm[2][7] = 0.2  # 0.15 + 0.05
    lm[1].append(None)
    lm[2].append(2)
    edited["Settings"][5][1] = 40000
    edited["Settings"].append(["mip_gap", 0.01])
    edited_path = write_workbook(tmp_path / "edited.xlsx", edited)

    scenarios = _scenarios(base_path)
    assert [s.name for s in scenarios] == ["late", "other"]
    late = scenarios[0].inputs
    by_hand = read_workbook(edited_path)
    assert _plain(late) == _plain(by_hand)
    assert late.markets[("US", "ops")].fill_delay_mean_months == 2

    got, want = solve_inputs(late), solve_inputs(by_hand)
    assert got.objective == want.objective
    for table in ("hires", "headcount", "costs"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(want, table),
                                      check_exact=True)
    baseline = solve_inputs(read_workbook(base_path))
    assert baseline.objective != got.objective  # the scenario changed something

    assert [s.name for s in _scenarios(base_path, ["other"])] == ["other"]
    assert _scenarios(base_path, ["other"])[0].inputs.sites[0].it_mw == 20


def test_changes_in_words() -> None:
    from staffplan.inputs.scenarios import Change

    def words(sheet, column, match, change, value):
        return Change(2, "x", sheet, column, match, change, value).words()

    assert words("Sites", "go_live", "country=JP", "shift_months", "6") == \
        "Sites go_live moved 6 months later where country is JP"
    assert words("LabourMarket", "annual_attrition_pct", "", "add", "0.05") == \
        "LabourMarket annual_attrition_pct increased by 0.05 in every row"
    assert words("LabourMarket", "supply_at_min", "country=AU; role_id=x", "multiply", "0.5") \
        == "LabourMarket supply_at_min multiplied by 0.5 where country is AU and role_id is x"
    assert words("Settings", "value", "key=mip_gap", "set", "0.01") == \
        "setting mip_gap set to 0.01"


def test_bad_scenario_rows_are_all_reported_by_row(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Scenarios"] = [
        HEADER,
        ["bad sheet", "Nowhere", "x", "", "set", 1],
        ["bad column", "Sites", "colour", "", "set", "red"],
        ["no match", "Sites", "go_live", "country=JP", "shift_months", 1],
        ["too early", "LabourMarket", "supply_at_min", "", "multiply", 1],
        ["too early", "Sites", "go_live", "site_id=S1", "shift_months", -6],
        ["bad value", "LabourMarket", "supply_at_min", "", "multiply", "lots"],
        ["bad pct", "LabourMarket", "annual_attrition_pct", "role_id=eng", "add", 2],
        ["fine", "Sites", "it_mw", "", "add", 1],
    ]
    path = write_workbook(tmp_path / "plan.xlsx", sheets)
    with pytest.raises(InputError) as info:
        _scenarios(path)
    text = str(info.value)
    assert "Scenarios row 2: bad sheet: sheet 'Nowhere' is not an input sheet" in text
    assert "Scenarios row 3: bad column: Sites has no column 'colour'" in text
    assert "Scenarios row 4: no match: match 'country=JP' matches no row of Sites" in text
    # The invalid result, as check reports it, on the row that changed the cell.
    assert ("Scenarios row 6: too early: Sites!H2: go_live 2027-04 is before "
            "commissioning_start 2027-07") in text
    assert "Scenarios row 7: bad value: value 'lots': multiply needs a number" in text
    assert "Scenarios row 8: bad pct: LabourMarket!H2: annual_attrition_pct 2.1 is above 1" in text
    assert "fine" not in text
    assert info.value.total == 6

    # check validates the scenarios too: exit 2, nothing written.
    assert main(["check", str(path)]) == 2
    assert "Scenarios row 3" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]

    with pytest.raises(InputError, match="no scenario named 'nope'; the Scenarios sheet has: "
                                         "bad sheet"):
        _scenarios(path, ["nope"])


def test_check_lists_the_scenarios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Scenarios"] = [HEADER, ["bigger", "Sites", "it_mw", "site_id=S1", "multiply", 1.5]]
    path = write_workbook(tmp_path / "plan.xlsx", sheets)
    assert main(["check", str(path)]) == 0
    err = capsys.readouterr().out  # check's summary is on stdout (cli.md)
    assert "Scenarios (1, for staffplan compare):" in err
    assert "  bigger: Sites it_mw multiplied by 1.5 where site_id is S1" in err
