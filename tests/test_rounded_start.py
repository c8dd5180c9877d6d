"""The integer mode's rounded warm start must be a feasible plan, or HiGHS drops it.

A chain of moves (GB -> DE, then DE -> NL) is what the LP plans when releases are
restricted; flooring the first move used to leave the second with nobody to move, and the
whole start was rejected (the medium benchmark then ended its 60 s without a plan).
"""

from __future__ import annotations

import highspy
import numpy as np

from cases import band, lane, make_inputs, market
from staffplan.model.build import build_model
from staffplan.model.solve import _rounded_moves, highs_lp


def test_a_move_out_never_exceeds_the_staff_the_start_has() -> None:
    """Nobody starts anywhere and nobody is hired (no supply). An LP point with 0.9 moved
    GB -> DE in month 0 and 1.0 moved DE -> NL in month 1 rounds, move by move:
    GB -> DE floor(0.9) = 0, so DE holds 0 people in month 1 and DE -> NL can move
    min(floor(1.0), 0) = 0. (Flooring alone gave DE -> NL = 1 from an empty DE.)
    A point with 1.0 GB -> DE... needs someone in GB: with GB starting at 1 person,
    GB -> DE 1.0 in month 0 keeps 1 and then DE -> NL 1.0 in month 1 keeps 1."""
    markets = [market(c, s_mid=0.0) for c in ("DE", "NL")] + [market("GB", s_mid=0.0, start=1)]
    lanes = [lane("GB", "DE", max_per_month=2, cost=0), lane("DE", "NL", max_per_month=2, cost=0)]
    inputs = make_inputs(horizon=3, markets=markets, lanes=lanes,
                         bands=[band(c) for c in ("DE", "GB", "NL")])
    model = build_model(inputs, integer=True)
    variables = model.prob.variables()
    lp = highs_lp(model, variables, integer=False)
    gb_de = model.M[("GB", "DE", "eng", "mid", 0)].index
    de_nl = model.M[("DE", "NL", "eng", "mid", 1)].index

    x = np.zeros(len(variables))
    x[gb_de], x[de_nl] = 0.9, 1.0
    moves = _rounded_moves(model, x, {})
    assert (moves[gb_de], moves[de_nl]) == (0.0, 0.0)
    assert _feasible_with(lp, moves)

    x[gb_de] = 1.0
    moves = _rounded_moves(model, x, {})
    assert (moves[gb_de], moves[de_nl]) == (1.0, 1.0)
    assert _feasible_with(lp, moves)




def _feasible_with(lp: highspy.HighsLp, fixed: dict[int, float]) -> bool:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    for j, value in fixed.items():
        h.changeColBounds(j, value, value)
    h.run()
    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal
