"""Budgets in view: spend against each Budget row, and what one more unit of it is worth.

The `Budgets` contract sheet (workbook.md): `spent` is the Costs table summed over the row's
scope (its horizon year, or every horizon year for `all`; its country, or every country for
`*`), so the sheet adds up with Costs by construction. `marginal_value` is minus the shadow
price of the budget row (model.md): of the LP in LP mode, of the LP with hires and moves fixed
at the plan in integer mode; 0 when the row is not binding.
"""

from __future__ import annotations

import math

import pandas as pd

from staffplan.core.tolerances import BINDING_ATOL, BINDING_RTOL
from staffplan.inputs.data import Budget
from staffplan.model.build import StaffModel

BUDGET_COLUMNS = ["row", "year", "country", "max_cost", "spent", "headroom", "binding",
                  "marginal_value"]


def is_binding(max_cost: float, spent: float) -> bool:
    """workbook.md, Budgets: binding when the headroom is below 1e-6 x max_cost + 1."""
    return max_cost - spent < BINDING_RTOL * max_cost + BINDING_ATOL


def scope_spent(costs: pd.DataFrame, budget: Budget) -> float:
    """The Costs table's total over the budget row's year and country."""
    rows = costs
    if budget.year is not None:
        rows = rows[rows["year"] == budget.year]
    if budget.country is not None:
        rows = rows[rows["country"] == budget.country]
    return float(rows["total"].sum())


def budget_table(model: StaffModel, costs: pd.DataFrame, duals: bool) -> pd.DataFrame:
    """One row per Budget input row, in input order (empty without Budget rows).

    `marginal_value` is NaN for a binding row when the shadow prices could not be computed.
    """
    rows = []
    for b in model.inputs.budgets:
        spent = scope_spent(costs, b)
        binding = is_binding(b.max_cost, spent)
        value = 0.0
        if binding:
            con = model.budget.get(b.row)
            pi = getattr(con, "pi", None) if con is not None else None
            value = -float(pi) if duals and pi is not None else math.nan
            if value == 0.0:
                value = 0.0  # no "-0" in the sheet
        rows.append((b.row, "all" if b.year is None else b.year,
                     "*" if b.country is None else b.country, b.max_cost, spent,
                     b.max_cost - spent, "yes" if binding else "no", value))
    return pd.DataFrame(rows, columns=BUDGET_COLUMNS)
