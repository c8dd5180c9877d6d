"""core.atomic.atomic_files: a set of files is replaced together or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from staffplan.core import atomic
from staffplan.core.atomic import atomic_files
from staffplan.core.errors import OutputError


def _pair(tmp_path: Path, old: bool = True) -> list[Path]:
    paths = [tmp_path / "p-plan.xlsx", tmp_path / "p-report.html"]
    if old:
        paths[0].write_text("old plan")
        paths[1].write_text("old report")
    return paths


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_both_files_replace_the_old_pair(tmp_path):
    paths = _pair(tmp_path)
    with atomic_files(paths) as temps:
        assert [t.parent for t in temps] == [tmp_path, tmp_path]
        assert all(t.name.endswith(".tmp") for t in temps)
        temps[0].write_text("new plan")
        temps[1].write_text("new report")
        assert paths[0].read_text() == "old plan"  # nothing moves before the block ends
    assert [p.read_text() for p in paths] == ["new plan", "new report"]
    assert _names(tmp_path) == ["p-plan.xlsx", "p-report.html"]
    assert oct(paths[0].stat().st_mode & 0o777) == oct(0o666 & ~atomic._umask())


def test_a_failure_while_writing_keeps_the_old_pair_and_leaves_no_temporary_file(tmp_path):
    paths = _pair(tmp_path)
    with pytest.raises(RuntimeError), atomic_files(paths) as temps:
        temps[0].write_text("new plan")
        raise RuntimeError("report failed")
    assert [p.read_text() for p in paths] == ["old plan", "old report"]
    assert _names(tmp_path) == ["p-plan.xlsx", "p-report.html"]


def _failing_replace(fail_on: str, monkeypatch) -> None:
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == fail_on and Path(src).name.endswith(".tmp") \
                and ".old" not in Path(src).name:
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)


def test_a_failed_second_move_puts_the_first_back(tmp_path, monkeypatch):
    """The plan is moved into place, then the report's move fails: the old plan comes back from
    its backup, so the folder still holds the old pair, and the message says so."""
    paths = _pair(tmp_path)
    _failing_replace("p-report.html", monkeypatch)
    with pytest.raises(OutputError, match="put back, so nothing was changed"), \
            atomic_files(paths) as temps:
        temps[0].write_text("new plan")
        temps[1].write_text("new report")
    assert [p.read_text() for p in paths] == ["old plan", "old report"]
    assert _names(tmp_path) == ["p-plan.xlsx", "p-report.html"]


def test_a_failed_second_move_removes_a_first_file_that_was_not_there_before(tmp_path,
                                                                             monkeypatch):
    paths = _pair(tmp_path, old=False)
    _failing_replace("p-report.html", monkeypatch)
    with pytest.raises(OutputError, match="Permission denied"), atomic_files(paths) as temps:
        temps[0].write_text("new plan")
        temps[1].write_text("new report")
    assert _names(tmp_path) == []


def test_a_folder_in_the_way_is_refused_before_anything_is_written(tmp_path):
    paths = _pair(tmp_path)
    paths[1].unlink()
    paths[1].mkdir()
    with pytest.raises(OutputError, match="it is a folder"), atomic_files(paths):
        raise AssertionError("the block must not run")
    assert paths[0].read_text() == "old plan"
    assert _names(tmp_path) == ["p-plan.xlsx", "p-report.html"]
