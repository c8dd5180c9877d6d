"""The README's sheet table is generated from the schema; it must not drift."""

from pathlib import Path

from staffplan.inputs.schema import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_sheet_table_is_the_schema_table():
    assert markdown_table() in README.read_text(encoding="utf-8"), (
        "README.md's table of input sheets is stale: regenerate it with "
        "`python -m staffplan.schema`")


def test_readme_opens_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines[:8] if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert commands[0].endswith("staffplan plan")
    assert commands[1].endswith("pytest -q")
