"""The sheets of the Excel plan written for people (placeholder until the layout lands)."""

from __future__ import annotations

from openpyxl import Workbook

from .results import PlanResult


def add_people_sheets(wb: Workbook, result: PlanResult) -> None:
    """Overview and friends come first in the workbook."""
    wb.create_sheet("Overview")
