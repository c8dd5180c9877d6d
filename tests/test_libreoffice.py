"""The Excel plan opens in LibreOffice (Debian `libreoffice-calc-nogui`) without repair:
a headless conversion to PDF succeeds and prints every sheet.

Needs `soffice`, `pdfinfo` and `pdftoppm` (marker `libreoffice`): skipped with the reason
where they are missing, a failure in `.ci/run` (STAFFPLAN_REQUIRE_REAL_CLIENTS=1). One
conversion per test session, because starting LibreOffice is slow.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from staffplan.reports.xlsx import write_plan_xlsx

pytestmark = pytest.mark.libreoffice


def _convert(xlsx: Path, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(out))  # a fresh LibreOffice profile, no first-run state
    return subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={out.as_uri()}/lo",
         "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
        capture_output=True, text=True, timeout=240, env=env)


def test_example_plan_converts_to_pdf(example_lp_result, tmp_path):
    xlsx = tmp_path / "apac_expansion-plan.xlsx"
    write_plan_xlsx(example_lp_result, xlsx)
    proc = _convert(xlsx, tmp_path)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "apac_expansion-plan.pdf"
    assert pdf.is_file(), (proc.stdout, proc.stderr)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    assert pages >= 12  # at least one page for each of the twelve sheets
    # Pictures of the first pages, for a person to look at (pdftoppm -png -r 50).
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "6", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=120)
    assert len(list(tmp_path.glob("page-*.png"))) == 6
