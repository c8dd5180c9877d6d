"""Near-miss names (issue 9): a sheet, column or Settings key that looks like a known one is
an error saying what it looks like and what ignoring it would do; unrelated names are extras."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffplan.inputs.names import did_you_mean, near_miss, words
from staffplan.inputs.schema import SHEETS
from test_bad_input import run_check, setting
from workbooks import minimal_sheets, write_workbook

Sheets = dict[str, list[list]]


def rename_column(sheets: Sheets, sheet: str, old: str, new: str) -> None:
    header = sheets[sheet][0]
    header[header.index(old)] = new


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], sheets: Sheets) -> tuple[int, str]:
    return run_check(write_workbook(tmp_path / "in.xlsx", sheets), capsys)


# ---------------------------------------------------------------- the examples

def test_budgets_sheet_is_an_error_not_an_extra(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 9: `Budgets` used to be ignored and the plan overspent the budget."""
    sheets = minimal_sheets()
    sheets["Budgets"] = [["year", "country", "max_cost"], [2027, "*", 1000]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert ("Budgets: this sheet's name looks like Budget; if it were ignored, no budget would "
            "limit the plan. Rename it Budget") in err
    assert "1 problem in" in err


def test_extra_demands_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Extra Demands"] = [["country", "role_id", "start", "end", "fte"],
                               ["US", "eng", "2027-01", "2027-03", 2]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert ("Extra Demands: this sheet's name looks like ExtraDemand; if it were ignored, this "
            "extra demand would not be planned for") in err


@pytest.mark.parametrize("sheet,column,typo,cell,default", [
    ("Sites", "mw_ramp_months", "mw_ramp", "I1", "0"),
    ("Staffing", "per_mw", "FTE per MW", "D1", "0"),
    ("Staffing", "posts_24x7", "posts_24/7", "E1", "0"),
])
def test_optional_column_typos(tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet: str,
                               column: str, typo: str, cell: str, default: str) -> None:
    """Issue 9: each of these was ignored as an extra column and the plan halved its hires."""
    sheets = minimal_sheets()
    rename_column(sheets, sheet, column, typo)
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert (f"{sheet}!{cell}: column {typo!r} looks like {column}; if it were ignored, "
            f"{column} would be {default} on every row. Rename it {column}") in err


def test_required_column_typo_points_at_the_look_alike(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    rename_column(sheets, "Sites", "it_mw", "IT MWs")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert ("Sites: missing column it_mw in the header row 1; column 'IT MWs' (D1) looks like "
            "it: rename it it_mw") in err
    assert "1 problem in" in err


def test_required_sheet_typo_points_at_the_look_alike(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Role"] = sheets.pop("Roles")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert "Roles: the sheet is missing; sheet 'Role' looks like it: rename it Roles" in err


def test_missing_sheet_lists_the_sheets_the_workbook_has(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 10: with nothing like it, say what is there (a person may have used a
    language or naming of their own)."""
    sheets = minimal_sheets()
    sheets["Personal"] = sheets.pop("Roles")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert ("Roles: the sheet is missing; expected a sheet named Roles (the workbook has: "
            "Settings, Sites, Staffing, SalaryBands, LabourMarket, Personal)") in err


@pytest.mark.parametrize("typo,key,default", [
    ("supply window", "supply_window_months", "1"),
    ("fte_per_24/7_post", "fte_per_24x7_post", "5"),
    ("Integer hire", "integer_hires", "yes"),
])
def test_settings_key_typo(tmp_path: Path, capsys: pytest.CaptureFixture[str], typo: str,
                           key: str, default: str) -> None:
    sheets = minimal_sheets()
    sheets["Settings"] = [r for r in sheets["Settings"] if r[0] != key]
    sheets["Settings"].append([typo, 3])
    row = len(sheets["Settings"])
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert (f"Settings!A{row}: key {typo!r} looks like {key}; if it were ignored, {key} would "
            f"be {default} (its default). Rename it {key}") in err


def test_required_settings_key_typo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = minimal_sheets()
    sheets["Settings"][4][0] = "Currencies"
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert ("Settings: required key currency is missing; key 'Currencies' on row 5 looks like "
            "it: rename it currency") in err
    assert "1 problem in" in err


def test_names_like_nothing_known_are_still_extras(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`notes` and `comments` columns, a `Notes` sheet and an `owner` key change nothing."""
    sheets = minimal_sheets()
    for name in ("Sites", "Staffing", "Roles", "LabourMarket"):
        sheets[name][0] += ["notes", "comments"]
        for row in sheets[name][1:]:
            row += ["a note", "a comment"]
    sheets["Notes"] = [["what", "who"], ["draft", "me"]]
    sheets["Comments"] = [["text"], ["hello"]]
    setting(sheets, "owner", "Recruiting")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 0, err
    assert "unknown key 'owner' ignored" in err  # unknown keys stay warnings, as before


def test_present_name_is_not_a_near_miss(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Once `Budget` is there, a `Budget 2026 draft` sheet is an extra, not a second budget."""
    sheets = minimal_sheets()
    sheets["Budget"] = [["year", "country", "max_cost"], [2027, "*", 1e9]]
    sheets["Budget 2026 draft"] = [["year", "country", "max_cost"], [2026, "*", 5]]
    sheets["Sites"][0].append("country_name")
    sheets["Sites"][1].append("United States")
    code, err = check(tmp_path, capsys, sheets)
    assert code == 0, err


# ---------------------------------------------------------------- every schema name

def other_number(name: str) -> str:
    """The singular of a plural name, the plural of a singular one: the commonest slip."""
    return name[:-1] if name.endswith("s") else name + "s"


OPTIONAL_SHEETS = [s for s in SHEETS if not s.required]
OPTIONAL_COLUMNS = [(s, c) for s in SHEETS if s.layout == "table" for c in s.columns
                    if not c.required]
OPTIONAL_KEYS = [c for s in SHEETS if s.layout == "settings" for c in s.columns if not c.required]


@pytest.mark.parametrize("sheet", OPTIONAL_SHEETS, ids=[s.name for s in OPTIONAL_SHEETS])
def test_every_optional_sheet_misspelt_as_a_plural(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet) -> None:
    """Driven by the schema, so sheets added later are covered without a new test."""
    sheets = minimal_sheets()
    typo = other_number(sheet.name)
    sheets[typo] = [[c.name for c in sheet.columns]]
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert f"{typo}: this sheet's name looks like {sheet.name}; if it were ignored" in err


@pytest.mark.parametrize("sheet,column", OPTIONAL_COLUMNS,
                         ids=[f"{s.name}.{c.name}" for s, c in OPTIONAL_COLUMNS])
def test_every_optional_column_misspelt_as_a_plural(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sheet, column) -> None:
    sheets = minimal_sheets()
    if sheet.name not in sheets:
        sheets[sheet.name] = [[c.name for c in sheet.columns]]
    if column.name not in sheets[sheet.name][0]:  # optional columns the minimal input omits
        sheets[sheet.name][0].append(column.name)
    typo = other_number(column.name)
    rename_column(sheets, sheet.name, column.name, typo)
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert f"column '{typo}' looks like {column.name}; if it were ignored" in err


@pytest.mark.parametrize("column", OPTIONAL_KEYS, ids=[c.name for c in OPTIONAL_KEYS])
def test_every_optional_settings_key_misspelt(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], column) -> None:
    sheets = minimal_sheets()
    sheets["Settings"] = [r for r in sheets["Settings"] if r[0] != column.name]
    sheets["Settings"].append([other_number(column.name).upper().replace("_", " "), ""])
    code, err = check(tmp_path, capsys, sheets)
    assert code == 2
    assert f"looks like {column.name}; if it were ignored, {column.name} would be" in err


# ---------------------------------------------------------------- the matcher itself

def test_words_spell_names_one_way() -> None:
    assert words("Extra Demands") == words("ExtraDemand") == ("extra", "demand")
    assert words("posts_24/7") == words("Posts 24 x 7") == ("post", "24x7")
    assert words("FTE/MW") == ("fte", "per", "mw")


@pytest.mark.parametrize("name,known,expected", [
    ("Budgets", ["Budget", "FX"], "Budget"),
    ("mw_ramp", ["mw_ramp_months"], "mw_ramp_months"),
    ("FTE per MW", ["per_site", "per_mw", "posts_24x7"], "per_mw"),
    ("posts_24/7", ["per_site", "per_mw", "posts_24x7"], "posts_24x7"),
    ("suply_window_months", ["supply_window_months"], "supply_window_months"),  # one slip
    ("notes", ["per_site", "per_mw", "posts_24x7"], None),
    ("comments", ["mw_ramp_months"], None),
    ("env", ["end"], None),  # three letters: no slip allowed
    ("Lists", ["Sites", "Roles", "Budget"], None),  # the template's own drop-down sheet
    ("Instructions", [s.name for s in SHEETS], None),
])
def test_near_miss(name: str, known: list[str], expected: str | None) -> None:
    assert near_miss(name, known) == expected


@pytest.mark.parametrize("value,known,expected", [
    ("Eng", ["eng", "ops"], "eng"),
    ("enginer", ["engineer", "ops"], "engineer"),
    ("UX", ["US", "DE"], "US"),
    ("welder", ["eng", "ops"], None),
    ("FR", ["US", "DE"], None),
])
def test_did_you_mean(value: str, known: list[str], expected: str | None) -> None:
    assert did_you_mean(value, known) == expected
