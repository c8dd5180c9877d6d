"""Result tables: the solved model as tidy pandas tables.

Reports are pure functions of a `PlanResult`. Column names of `hires`,
`headcount` and `costs` are exactly the machine-readable sheets of
spec/workbook.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import pandas as pd

from .inputs import Inputs

HIRES_COLUMNS = ["country", "role_id", "pay_point", "requisition_month", "start_month", "hires",
                 "annual_salary", "currency"]
HEADCOUNT_COLUMNS = ["country", "role_id", "month", "requirement", "headcount", "productive",
                     "contractors", "unmet", "separations", "moves_in", "moves_out"]
COST_KINDS = ["salaries", "contractors", "hiring", "moves", "separations"]
COSTS_COLUMNS = ["country", "year", *COST_KINDS, "total"]
# kind: "supply" (saving per extra hire a month of supply at a pay point, month "")
#       "requirement" (cost of one more FTE of requirement in a month, pay_point "")
PRESSURE_COLUMNS = ["kind", "country", "role_id", "pay_point", "month", "value", "constraint"]
# Why demand went unmet: one row per (country, role, month) with unmet > 0.
RISK_COLUMNS = ["country", "role_id", "month", "requirement", "unmet", "reason", "detail"]


class Status(str, enum.Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # time limit hit with a plan in hand


class Mode(str, enum.Enum):
    LP = "lp"
    INTEGER = "integer"


class UnmetReason(str, enum.Enum):
    TIME_TO_FILL = "time_to_fill"  # no hire could be productive in time
    SUPPLY = "supply"  # supply cap binding even at band max
    BUDGET = "budget"  # a budget row binds
    COST = "cost"  # cheaper to leave unmet than to staff (penalty below cost)


@dataclass
class PlanResult:
    inputs: Inputs
    mode: Mode
    status: Status
    solver: str
    objective: float  # solver objective over all T + L months
    total_cost: float  # horizon costs without the unmet penalty
    unmet_fte_months: float  # horizon
    total_hires: float  # horizon
    mip_gap: float  # achieved; 0 in LP mode
    solve_seconds: float
    hires: pd.DataFrame  # HIRES_COLUMNS
    headcount: pd.DataFrame  # HEADCOUNT_COLUMNS
    costs: pd.DataFrame  # COSTS_COLUMNS
    pressure: pd.DataFrame  # PRESSURE_COLUMNS
    risks: pd.DataFrame  # RISK_COLUMNS
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary_rows(self) -> list[tuple[str, object]]:
        """The `Summary` sheet, key by key."""
        s = self.inputs.settings
        return [
            ("plan_name", s.plan_name),
            ("mode", self.mode.value),
            ("status", self.status.value),
            ("total_cost", self.total_cost),
            ("objective", self.objective),
            ("unmet_fte_months", self.unmet_fte_months),
            ("total_hires", self.total_hires),
            ("mip_gap", self.mip_gap),
            ("solve_seconds", self.solve_seconds),
            ("currency", s.currency),
            ("solver", self.solver),
            ("horizon_start", _label(s.horizon_start)),
            ("horizon_months", s.horizon_months),
            ("input_file", self.inputs.source.name if self.inputs.source else ""),
            ("input_sha256", self.inputs.sha256),
        ]


def _label(month: int) -> str:
    from .months import month_label

    return month_label(month)
