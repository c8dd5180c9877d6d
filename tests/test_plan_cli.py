"""`staffplan plan` from the command line: what a person sees."""

from __future__ import annotations

from staffplan.cli import main
from workbooks import minimal_sheets, write_workbook


def test_plan_writes_both_files_and_a_summary(tmp_path, capsys):
    src = write_workbook(tmp_path / "mini.xlsx", minimal_sheets())
    out = tmp_path / "out"
    assert main(["plan", str(src), "--out", str(out), "--lp"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["mini-plan.xlsx", "mini-report.html"]
    captured = capsys.readouterr()
    err = captured.err
    assert "lp plan, optimal" in err and "Total cost: USD" in err
    # cli.md: the file names are results for scripts (stdout); the summary is for people.
    assert str(out / "mini-plan.xlsx") in captured.out and "Wrote" not in err


def test_unwritable_output_folder_is_a_message_not_a_traceback(tmp_path, capsys):
    src = write_workbook(tmp_path / "mini.xlsx", minimal_sheets())
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["plan", str(src), "--out", str(blocker / "out"), "--lp"]) == 1
    err = capsys.readouterr().err
    assert "cannot write the plan into" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mini.xlsx"]
