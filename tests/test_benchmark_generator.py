"""The benchmark generator writes workbooks the real reader accepts, of the declared size."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    path = ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    inputs = gen.generate("small", seed=7)
    path = tmp_path_factory.mktemp("bench") / "small.xlsx"
    gen.write_workbook(inputs, path)
    return inputs, path


def test_small_workbook_passes_the_reader_with_the_declared_size(small):
    from staffplan.inputs.demand import requirement_for
    from staffplan.inputs.reader import read_workbook

    generated, path = small
    read = read_workbook(path)
    size = gen.SIZES["small"]
    assert len(read.sites) == size.sites
    assert len({s.country for s in read.sites}) == size.countries
    assert len(read.roles) == size.roles
    assert read.settings.horizon_months == size.months
    assert read.settings.lookahead_months == 12
    assert read.settings.supply_window_months == 3
    assert read.settings.integer_hires is True
    assert read.sites == generated.sites
    assert read.markets == generated.markets
    assert read.bands == generated.bands
    assert read.mobility == generated.mobility
    assert read.extra == generated.extra
    assert [(b.year, b.country, b.max_cost) for b in read.budgets] == \
        [(b.year, b.country, b.max_cost) for b in generated.budgets]
    assert requirement_for(read) == generated.requirement


def test_shape_is_realistic(small):
    inputs, _ = small
    start = inputs.settings.horizon_start
    assert any(s.go_live < start for s in inputs.sites), "some site already live"
    assert any(s.deal_start >= start for s in inputs.sites), "some site starts in the horizon"
    assert all(50 <= s.it_mw <= 1000 for s in inputs.sites)
    assert any(row.posts_24x7 > 0 for row in inputs.staffing if row.role_id == "dc_operator")
    assert len({b.currency for b in inputs.bands.values()}) >= 3
    assert inputs.mobility and inputs.extra and inputs.budgets
    tight = {m.country for m in inputs.markets.values() if m.time_to_fill_months >= 4}
    assert tight and tight != {s.country for s in inputs.sites}


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = gen.generate("small", 3), gen.generate("small", 3), gen.generate("small", 4)
    assert a.sites == b.sites and a.markets == b.markets
    assert a.sites != c.sites


def test_budgets_never_bind_in_the_small_plan(small):
    """Budgets are the only hard constraint: the generated ones must leave the plan as it
    would be without them, or the benchmarks would measure a different problem."""
    from staffplan.model.build import build_model
    from staffplan.model.solve import Status, solve_model

    inputs, _ = small
    objectives = []
    for budgets in (inputs.budgets, []):
        model = build_model(dataclasses.replace(inputs, budgets=budgets), integer=False)
        out = solve_model(model, duals=False)
        assert out.outcome == Status.OPTIMAL
        objectives.append(out.objective)
    assert objectives[0] == pytest.approx(objectives[1], rel=1e-9)
