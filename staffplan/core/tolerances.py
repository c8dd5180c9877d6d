"""Every numeric tolerance in one place, each with the reason for its size.

Solvers return floating-point values: HiGHS's primal feasibility tolerance is 1e-7, so a value
within 1e-9 of zero is noise, and anything a person will read is compared at 1e-6 (a millionth
of an FTE or of a currency unit is nothing anyone acts on).
"""

from __future__ import annotations

NOISE = 1e-9
"""Solver output this close to zero is zero (results tables, integer rounding of supply caps)."""

SHOWN = 1e-6
"""A quantity above this is reported as non-zero: demand shown as unmet, a hire counted, a
shadow price listed as pressure, a count shown in the email."""

WHOLE = 1e-6
"""A value this close to a whole number is that number (integer hires, whole-number display)."""

COST_CHECK_RTOL = 1e-6
"""The cost recomputed from the result tables must match the solver's objective this closely
(relative, and the same absolute for tiny plans); otherwise the tables are wrong."""

REQ_RTOL = 1e-9
"""Requirements this close count as equal (model.md, Releases)."""

BUDGET_RTOL = 1e-9
BUDGET_ATOL = 1e-6
"""A budget scope's least cost breaks its max_cost only by more than solver precision."""
