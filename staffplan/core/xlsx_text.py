"""The one rule for user text in any workbook staffplan writes (workbook.md: text starting
with = + - @ tab or CR is written as text, never as a formula)."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Text Excel would read as a formula; the writer must force it to a text cell."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
