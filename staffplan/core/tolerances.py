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

LIMIT_RTOL = 1e-9
LIMIT_ATOL = 1e-6
"""A cost breaks a limit (a budget's max_cost, the stable plan's cost cap) only by more than
solver precision: by more than LIMIT_RTOL x limit + LIMIT_ATOL."""

BINDING_RTOL = 1e-6
BINDING_ATOL = 1.0
"""A budget binds when its headroom is below BINDING_RTOL x max_cost + BINDING_ATOL (workbook.md,
Budgets: a currency unit or a millionth of the budget is no room to spend)."""
