"""The search's parts on tiny named nights: regret insertion, route moves, the undo log, the
roulette wheel and record-to-record acceptance. Each night is small enough to know what the
part must do by heart."""
from __future__ import annotations

import json
import random

from nightstay.planner.demo import make_night
from nightstay.planner.destroy import DESTROYS
from nightstay.planner.insert import Work, construct
from nightstay.planner.trip_moves import improve_routes
from nightstay.planner.problem import Problem
from nightstay.planner.read import read_night
from nightstay.planner.repair import repair_greedy, repair_regret
from nightstay.planner.search import RecordToRecord, RouletteWheel
from nightstay.planner.solver import write_plan
from nightstay.planner.state import State
from tests.planner.conftest import driver, host, night, party
from tests.planner.reference import assert_valid


def never(work) -> bool:
    return False


def one_way_in():
    """Two men, two self hosts with one bed each. ``anyone`` (first in line) is taken by both
    hosts, ``arabic`` only by the near one, which speaks Arabic. In line, ``anyone`` takes the
    near host (it gets him home sooner) and ``arabic`` stays out. Best: ``anyone`` goes to
    the far host, ``arabic`` to the near one: both sheltered."""
    return night([party("anyone", waits="20:00"), party("arabic", waits="20:30", langs=["ar"])],
                 [host("Har", km_east=1.0, langs=["ar"]), host("Hnl", km_east=6.0, langs=["nl"])])


def state_of(doc: dict) -> State:
    return State(Problem.build(read_night(doc)))


def valid_plan(doc: dict, st: State) -> dict:
    plan = write_plan(st.pb, st).summarized(st.pb.night, 0.0)
    out = json.loads(plan.dumps())
    assert_valid(doc, out)
    return out


def test_regret_places_the_party_with_one_way_in_first():
    doc = one_way_in()
    greedy_st, regret_st = state_of(doc), state_of(doc)
    construct(greedy_st, Work(), never)  # in line
    repair_regret(regret_st, [0, 1], random.Random(0), Work())
    assert greedy_st.people == 1  # in line, ``anyone`` took the Arabic-speaking host
    assert regret_st.people == 2 and regret_st.place == [1, 0]
    valid_plan(doc, regret_st)


def two_drivers_one_street():
    """Two drivers from 21:00, two guests waiting since 21:00 for two driver hosts 50 m apart,
    4 km east; a third guest comes at 23:00 and leaves with a host who picks up, so the night's
    last arrival is his whatever the cars do. Each driver took one guest: merging the two
    stops into one trip saves a round trip and delays nobody who decides the last arrival."""
    return night([party("a", waits="21:00"), party("b", waits="21:00"), party("late", waits="23:00")],
                 [host("H1", km_east=4.0, pickup="driver"), host("H2", km_east=4.05, pickup="driver"),
                  host("Hlate", km_east=1.0)],
                 drivers=[driver("D1"), driver("D2")])


def test_relocate_merges_two_trips_to_the_same_street():
    doc = two_drivers_one_street()
    st = state_of(doc)
    st.carry(0, 0, 0, 0, 0, "trip")
    st.carry(1, 1, 1, 0, 0, "trip")
    st.put(2, 2)
    km = sum(st.dkm)
    assert improve_routes(st, [0, 1], Work(), never) >= 1
    assert sorted(len(r) for r in st.routes) == [0, 1]
    assert sum(st.dkm) < km - 3.0  # one 8 km round trip less, give or take the drive home
    valid_plan(doc, st)


def crossed_trips():
    """One driver with two seats and two trips, each to one host east and one host west
    (4 km out each way). Two trips each going east and west drive more than one trip east
    and one trip west: a route move uncrosses them."""
    hosts = [host("E1", km_east=4.0, pickup="driver"), host("E2", km_east=4.2, pickup="driver"),
             host("W1", km_east=-4.0, pickup="driver"), host("W2", km_east=-4.2, pickup="driver")]
    return night([party(p, waits="21:00") for p in ("e1", "w2", "w1", "e2")], hosts,
                 drivers=[driver("D1", seats=2, until="23:59")])


def test_route_moves_uncross_two_trips():
    doc = crossed_trips()
    st = state_of(doc)
    st.carry(0, 0, 0, 0, 0, "trip")   # trip 0: E1 then W2
    st.carry(1, 3, 0, 0, 1, "stop")
    st.carry(2, 2, 0, 1, 0, "trip")   # trip 1: W1 then E2
    st.carry(3, 1, 0, 1, 1, "stop")
    km = st.dkm[0]
    assert improve_routes(st, [0], Work(), never) >= 1
    sides = [sorted(st.pb.places[j].id[0] for j, _ in t.stops) for t in st.routes[0]]
    assert sorted(map(tuple, sides)) == [("E", "E"), ("W", "W")]
    assert st.dkm[0] < km - 5.0
    valid_plan(doc, st)


def test_rollback_puts_back_exactly_what_a_step_changed():
    doc = make_night("few-drivers", 4, people=120)
    st = state_of(doc)
    construct(st, Work(), never)
    rng = random.Random(5)
    for step in range(40):
        before, score = st.snapshot(), st.score()
        stops_at = [dict(x) for x in st.stops_at]
        st.begin()
        removed, first = DESTROYS[step % len(DESTROYS)](st, rng, 6)
        for i in removed:
            st.remove(i)
        (repair_regret if step % 2 else repair_greedy)(st, removed, rng, Work(), sorted(st.waiting)[:3], first)
        improve_routes(st, list(st.log[2]), Work(), never, max_moves=3)
        assert st.snapshot(before=True) == before
        st.rollback()
        assert st.snapshot() == before and st.score() == score and st.stops_at == stops_at
    valid_plan(doc, st)


def test_restore_gives_back_the_snapshotted_night():
    doc = make_night("small-hub", 2)
    st = state_of(doc)
    construct(st, Work(), never)
    snap, score = st.snapshot(), st.score()
    for i in range(st.pb.n):
        st.remove(i)
    assert st.people == 0
    st.restore(snap)
    assert st.snapshot() == snap and st.score() == score


def test_roulette_wheel_favours_what_works():
    wheel = RouletteWheel(2, 1, decay=0.5)
    for _ in range(10):
        wheel.update(0, 0, 0)  # a new best each time
        wheel.update(1, 0, 3)  # rejected each time
    assert wheel.destroy_w[0] > 30 > 1 > wheel.destroy_w[1]
    picks = [wheel.select(random.Random(s))[0] for s in range(200)]
    assert picks.count(0) > 190


def test_record_to_record_keeps_who_is_sheltered_and_lets_kilometres_drift_early_only():
    accept = RecordToRecord(start=0.05, explore=0.3)
    best = cur = (0, -3, -10, 0, 0, 1000.0, 100.0)
    assert accept((0, -3, -10, 0, 0, 1000.0, 104.0), cur, best, progress=0.0)
    assert not accept((0, -3, -10, 0, 0, 1000.0, 104.0), cur, best, progress=0.9)
    assert accept((0, -3, -9, 0, 0, 900.0, 50.0), cur, best, progress=0.1)  # one person fewer, early
    assert not accept((0, -3, -9, 0, 0, 900.0, 50.0), cur, best, progress=0.5)
    assert not accept((0, -2, -10, 0, 0, 900.0, 50.0), cur, best, progress=0.0)  # never a vulnerable one
