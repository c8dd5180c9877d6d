"""The package's shape (issue 9): stages import only downwards, no module imports itself round a
cycle, imports sit at the top of modules, and only cli.py prints."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parent.parent / "staffplan"


def test_layers_contract_holds():
    """The import-linter contract in pyproject.toml (cli > jobs > delivery > reports > results >
    model > inputs > core), as CI runs it."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint)], capture_output=True, text=True, timeout=300,
                          cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_no_import_cycles():
    """No module reaches itself through its imports (annotations under TYPE_CHECKING aside)."""
    graph = grimp.build_graph("staffplan", exclude_type_checking_imports=True)
    cycles = {m: sorted(graph.find_upstream_modules(m) & graph.find_downstream_modules(m))
              for m in sorted(graph.modules)}
    assert {m: c for m, c in cycles.items() if c} == {}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_imports_at_module_level_outside_the_cli():
    """cli.py imports each command's stage when it runs (keeps `check` and --help quick); every
    other module imports at the top."""
    late = []
    for path, tree in _modules():
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                late += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                         for node in ast.walk(fn) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert late == []


def _is_main_block(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` -- a developer's script entry, not library code."""
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name) and node.test.left.id == "__name__")


def test_only_the_cli_prints():
    """Library code logs and returns text; cli.py alone writes to the terminal."""
    printing = []
    for path, tree in _modules():
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        library = [n for n in tree.body if not _is_main_block(n)]
        printing += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                     for top in library for node in ast.walk(top)
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id in ("print", "input")]
    assert printing == []


def test_thresholds_come_from_core_tolerances():
    """The solver-noise (1e-9) and shown-as-non-zero (1e-6) thresholds are defined once, in
    core/tolerances.py; a comparison or a module constant with either literal is a second copy."""
    values = {1e-6, 1e-9}
    copies = []
    for path, tree in _modules():
        if path.name == "tolerances.py":
            continue
        roots = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
        roots += [n.value for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                  and n.value is not None]
        copies += sorted({f"{path.relative_to(PACKAGE.parent)}:{c.lineno}"
                          for root in roots for c in ast.walk(root)
                          if isinstance(c, ast.Constant) and isinstance(c.value, float)
                          and c.value in values})
    assert copies == [], "use staffplan.core.tolerances (NOISE, SHOWN, WHOLE, ...)"


def test_hiding_the_solver_banner_from_two_threads_keeps_stdout():
    """The reasons build a model on a second thread while the plan's thread may create a
    HiGHS instance too: both hide its banner by pointing file descriptor 1 at /dev/null,
    and interleaved save/restore pairs must still leave fd 1 where it was."""
    import os
    import threading
    import time

    from staffplan.model.solve import quiet_stdout

    before = os.fstat(1)

    def hide(n: int) -> None:
        for _ in range(n):
            with quiet_stdout():
                time.sleep(0.0002)  # let the other threads run while fd 1 is redirected

    threads = [threading.Thread(target=hide, args=(100,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
