"""Files shipped inside the package: the report templates and the example workbook.

Their sources live at the top of the repository (`templates/`, `inputs/`); pyproject.toml maps
them into the package as `staffplan._templates` and `staffplan._examples`, so an editable install
and a wheel find them the same way, through importlib.resources.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

TEMPLATES_PACKAGE = "staffplan._templates"
EXAMPLES_PACKAGE = "staffplan._examples"
EXAMPLE_NAME = "apac_expansion.xlsx"


def example_workbook(name: str = EXAMPLE_NAME) -> Path:
    """The shipped example workbook (a real file: openpyxl and the CLI need a path)."""
    return Path(str(files(EXAMPLES_PACKAGE) / name))
