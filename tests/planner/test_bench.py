"""The benchmark runner measures the real command and judges every plan by the reference checker."""
from __future__ import annotations

from benchmarks import run
from nightstay.planner.demo import make_night
from tests.planner.reference import reference_module
from tests.planner.tiny_night import tiny_night


def test_measure_runs_every_method_on_a_night(tmp_path):
    checker = reference_module()
    rows, info = run.measure(tiny_night(), tmp_path, "tiny", 0.3, checker, None, reference_limit=None)
    by = {r.method: r for r in rows}
    assert list(by) == ["upper bound", "greedy", "nightstay"]
    assert info["people"] == 8 and by["upper bound"].sheltered == 8
    for method in ("greedy", "nightstay"):
        assert by[method].valid == "yes", by[method].valid
        assert by[method].sheltered <= by["upper bound"].sheltered
    assert by["nightstay"].seconds > 0
    assert 5 < by["nightstay"].peak_mb < 2000  # the planner process's own peak, not the test runner's


def test_tables_show_each_night_and_the_share_of_the_bound(tmp_path):
    checker = reference_module()
    doc = make_night("small-hub", 0, people=20)
    rows, info = run.measure(doc, tmp_path, "small", 0.3, checker, None, reference_limit=None)
    instances = [("small-hub/0", info, rows)]
    table = run._table(instances)
    assert len(table) == 2 + len(rows) and table[2].startswith("| small-hub/0 | 20 (")
    gaps = run._gaps(instances)
    assert gaps[2].startswith("| small-hub | 1 | ")
