"""Months as plain integers (year * 12 + month - 1) so the model can do arithmetic on them."""

from __future__ import annotations


def month_index(year: int, month: int) -> int:
    """Absolute month number; differences between two are month counts."""
    return year * 12 + (month - 1)


def month_label(index: int) -> str:
    """`YYYY-MM`, the label every output sheet uses."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_year(index: int) -> int:
    return index // 12
