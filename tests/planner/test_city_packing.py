"""The vulnerable packing of a city's night: a flow, rounded, within a share of a few seconds.

Above ``FLOW_PAIRS`` (class, place) pairs the packing's linear program took longer than the
whole budget (7 s for 5,000 people), so its relaxation is a flow and its answer the flow
rounded. The flow is asked for here on demo nights, small enough to check, by lowering the
threshold: the packing must be a packing (beds, men or women at a host, places that accept),
never below what insertion one by one found, never above the vulnerable upper bound.
"""
from __future__ import annotations

import pytest

from nightstay.planner import MaxWork, assign
from nightstay.planner.assign import vulnerable_targets
from nightstay.planner.bound import upper_bound
from nightstay.planner.demo import make_night
from nightstay.planner.insert import Work, construct
from nightstay.planner.problem import Problem
from nightstay.planner.read import read_night
from nightstay.planner.state import State


@pytest.mark.parametrize("scenario, seed", [("winter", 1), ("host-shortage", 2), ("normal", 3)])
def test_a_citys_packing_is_a_packing_no_worse_than_insertion(scenario, seed, monkeypatch):
    monkeypatch.setattr(assign, "FLOW_PAIRS", 0)  # a city's way, on a night small enough to check
    night = read_night(make_night(scenario, seed))
    pb = Problem.build(night)
    vulnerable = [i for i in range(pb.n) if pb.vulnerable[i]]
    probe = State(pb)
    construct(probe, Work(), MaxWork(10**9), parties=vulnerable)
    hint = {i: probe.place[i] for i in vulnerable if probe.place[i] >= 0 and i not in pb.fixed}
    packed, targets = vulnerable_targets(pb, hint, 0.0)
    fixed = sum(pb.size[i] for i in pb.fixed if pb.vulnerable[i])
    assert packed == fixed + sum(pb.size[i] for i in targets)
    assert probe.vuln <= packed <= upper_bound(night, vulnerable_only=True)
    used, kinds = [0] * len(pb.beds), [set() for _ in pb.beds]
    for i, j in [*pb.fixed.items(), *targets.items()]:
        assert pb.vulnerable[i] or i in pb.fixed
        assert i in pb.fixed or j in pb.compat[i]
        used[j] += pb.size[i]
        kinds[j].add(pb.kind[i])
    assert all(u <= b for u, b in zip(used, pb.beds))
    assert all(len(k) <= 1 for j, k in enumerate(kinds) if pb.is_host[j])
