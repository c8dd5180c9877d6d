"""Progress while solving: HiGHS's callbacks reach a hook; the CLI draws a line only on a
terminal."""

from __future__ import annotations

import pytest

from conftest import hostile_inputs
from staffplan.cli import _counter, _SolveLine
from staffplan.model import solve
from staffplan.model.build import build_model


@pytest.mark.parametrize("integer", [True, False])
def test_the_solver_reports_progress_through_the_hook(integer: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve, "PROGRESS_EVERY_S", 0.0)
    calls: list[tuple] = []
    model = build_model(hostile_inputs(integer=integer), integer=integer)
    out = solve.solve_model(model, progress=lambda *a: calls.append(a))
    assert calls, "no progress reported"
    elapsed = [c[0] for c in calls]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0
    if integer:
        bests = [(b, g) for _, b, g in calls if b is not None]
        assert bests, "no best plan reported in integer mode"
        # Minimising: a plan found during the search costs at least the final plan.
        assert all(b >= out.objective * (1 - 1e-9) - 1e-6 for b, _ in bests)
        assert all(g is None or g >= 0 for _, g in bests)
    else:
        assert all(b is None and g is None for _, b, g in calls)
    n = len(calls)
    model.prob.solverModel.run()  # the hook is gone once solve_model returns
    assert len(calls) == n


def test_the_line_reads_as_words(capsys: pytest.CaptureFixture[str]) -> None:
    line = _SolveLine("USD")
    line(1.0, None, None)  # too early to draw
    assert capsys.readouterr().err == ""
    line(12.4, 1234.5, 0.0123)
    assert capsys.readouterr().err == "\rsolving: 12 s, best plan so far USD 1,234, gap 1.23%\x1b[K"
    line.end()
    assert capsys.readouterr().err == "\r\x1b[K"


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(capsys) -> None:
    assert _SolveLine.for_stderr("USD") is None  # pytest's captured stderr is a file
    assert _counter("solves") is None
