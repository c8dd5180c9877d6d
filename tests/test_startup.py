"""`staffplan --help` and `staffplan check` start without the plotting, templating and
solver libraries: a recruiting lead checking a workbook should not wait for matplotlib,
jinja2 or the solver to load (spec/cli.md; issue 14). Behaviour, not timing: each
command runs in a fresh interpreter and the test lists what it imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from staffplan.core.resources import example_workbook

HEAVY = ("matplotlib", "jinja2", "pulp", "highspy")


def _imported_after(argv: list[str]) -> tuple[int, list[str]]:
    """Run `staffplan ARGV` in a new Python; its exit code and the heavy modules it loaded."""
    code = (
        "import json, sys\n"
        "from staffplan.cli import main\n"
        "try:\n"
        f"    rc = main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    rc = exc.code\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps([rc, heavy]), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    rc, heavy = json.loads(proc.stderr.strip().splitlines()[-1])
    return rc, heavy


@pytest.mark.parametrize("argv", [["--help"], ["check", str(example_workbook())]],
                         ids=["help", "check"])
def test_fast_commands_do_not_load_plotting_templates_or_solver(argv):
    rc, heavy = _imported_after(argv)
    assert rc == 0
    assert heavy == []


def test_plan_does_load_them():
    """The probe sees imports at all: `plan`'s module pulls in the solver layer."""
    proc = subprocess.run([sys.executable, "-c", "import sys, staffplan.jobs.plan; "
                           "print('pulp' in sys.modules)"], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip() == "True"
