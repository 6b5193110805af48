"""The upper bound: never below what a valid plan shelters, and exact where the relaxation is tight."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightstay.planner.bound import driver_time_bound, upper_bound
from nightstay.planner.demo import SCENARIOS, make_night
from nightstay.planner.greedy import greedy
from nightstay.planner.read import NightError, read_night
from tests.planner import conftest as tiny
from tests.planner.reference import assert_valid
from tests.planner.test_greedy import dormitory, driver, host, night_doc, party
from tests.planner.tiny_night import tiny_night


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_bound_is_above_the_greedy(scenario):
    for seed, people in ((0, 60), (1, 150), (2, None)):
        night = read_night(make_night(scenario, seed, people=people))
        plan = greedy(night)
        assert upper_bound(night) >= plan.summary["sheltered"]
        assert upper_bound(night, vulnerable_only=True) >= plan.summary["vulnerable_sheltered"]
        assert upper_bound(night) <= night.people


def test_bound_is_above_the_solver():
    from nightstay.planner import MaxRuntime, solve

    for scenario, seed in (("few-drivers", 4), ("host-shortage", 5), ("small-hub", 6), ("far-hosts", 7)):
        doc = make_night(scenario, seed, people=80)
        night = read_night(doc)
        plan = solve(night, MaxRuntime(0.3), seed=seed)
        score = assert_valid(doc, plan.to_json())
        assert upper_bound(night) >= driver_time_bound(night) >= score["sheltered"]
        assert (upper_bound(night, vulnerable_only=True) >= driver_time_bound(night, vulnerable_only=True)
                >= score["vulnerable_sheltered"])


def test_the_drivers_time_bound_sees_an_evening_too_short_for_the_trips_the_flow_counts():
    """One driver, one seat, two hours: a near host (one bed, a 40-minute round) and a far one (five
    beds, 50 minutes). Counted trip by trip, two trips reach the far host and one the near: 3. But
    both far trips and the near one take 140 minutes: at most 2 people ride tonight."""
    doc = tiny.night([tiny.party(f"m{k}") for k in range(4)],
                     [tiny.host("near", pickup="driver", km_east=6.15, beds=1),
                      tiny.host("far", pickup="driver", km_east=8.08, beds=5)],
                     drivers=[tiny.driver("D1", seats=1, since="21:00", until="23:00")])
    night = read_night(doc)
    assert upper_bound(night) == 3
    assert driver_time_bound(night) == 2
    from nightstay.planner import MaxWork, solve

    assert assert_valid(doc, solve(night, MaxWork.for_seconds(0.3)).to_json())["sheltered"] == 2


def test_tiny_night_everyone_can_be_sheltered():
    assert upper_bound(read_night(tiny_night())) == 8


def test_beds_are_the_limit():
    doc = night_doc([party("P1"), party("P2"), party("P3", size=2)], shelters=[dormitory(3)])
    assert upper_bound(read_night(doc)) == 3


def test_places_that_refuse_or_come_too_late_count_for_nothing():
    woman = party("P1", gender="f", vulnerable=True)
    doc = night_doc([woman], hosts=[host("H1", genders=("m",))], shelters=[dormitory(5)])
    assert upper_bound(read_night(doc)) == 0
    late = party("P2", at="22:50")  # the host wants guests by 22:30, fetching at the park takes longer
    doc = night_doc([late], hosts=[host("H1", lat=50.80, latest="22:30")])
    assert upper_bound(read_night(doc)) == 0


def test_cars_are_the_limit():
    # One driver, two seats, time for one round trip only: two of the four men reach the host.
    men = [party(f"P{i}", at="19:30") for i in range(4)]
    doc = night_doc(men, hosts=[host("H1", beds=4, pickup="driver", lat=50.884)],
                    drivers=[driver("D1", seats=2, since="20:00", until="20:40")])
    night = read_night(doc)
    assert upper_bound(night) == 2
    assert greedy(night).summary["sheltered"] == 2  # the optimum, reached


def test_no_driver_no_car_place():
    doc = night_doc([party("P1")], hosts=[host("H1", pickup="driver")])
    assert upper_bound(read_night(doc)) == 0


def test_vulnerable_bound_counts_only_the_vulnerable():
    doc = night_doc([party("P1", vulnerable=True), party("P2", size=2)], shelters=[dormitory(10)])
    night = read_night(doc)
    assert upper_bound(night) == 3
    assert upper_bound(night, vulnerable_only=True) == 1


def test_far_places_count_fewer_trips():
    # One driver with two seats and an hour: three rounds to the near host (one bed) fit, one to the
    # far host. At most 2 people reach the far host, so at most 1 + 2 are sheltered, not 2 x 3.
    men = [party(f"P{i}", at="19:30") for i in range(6)]
    hosts = [host("H1", beds=1, pickup="driver", lat=50.8752), host("H2", beds=4, pickup="driver", lat=50.9472)]
    doc = night_doc(men, hosts=hosts, drivers=[driver("D1", seats=2, since="20:00", until="21:00")])
    night = read_night(doc)
    assert upper_bound(night) == 3
    assert greedy(night).summary["sheltered"] <= 3


def test_early_deadlines_count_only_the_trips_before_them():
    # The host wants everyone by 20:30; the driver starts at 20:00 and a round takes ~18 minutes:
    # two trips of two arrive in time, whatever the driver's four hours allow afterwards.
    men = [party(f"P{i}", at="19:30") for i in range(10)]
    doc = night_doc(men, hosts=[host("H1", beds=10, pickup="driver", lat=50.8752, latest="20:30")],
                    drivers=[driver("D1", seats=2, since="20:00", until="23:59")])
    night = read_night(doc)
    assert upper_bound(night) == 4
    assert greedy(night).summary["sheltered"] == 4  # the optimum, reached


def _hand_solved_nights():
    """The adversarial nights whose best plan was worked out by hand (``nights/*.expect.json``)."""
    folder = Path(__file__).parent / "nights"
    for expect in sorted(folder.glob("*.expect.json")):
        doc = folder / expect.name.replace(".expect.json", ".json")
        if doc.is_file():
            yield pytest.param(json.loads(doc.read_text()), json.loads(expect.read_text()), id=doc.stem)


@pytest.mark.parametrize("doc, best", list(_hand_solved_nights()))
def test_bound_is_above_every_best_plan_worked_out_by_hand(doc, best):
    try:
        night = read_night(doc)
    except NightError:
        pytest.skip("a night the reader refuses has no plan")
    assert upper_bound(night) >= driver_time_bound(night) >= best["sheltered"]
    assert driver_time_bound(night, vulnerable_only=True) >= best["vulnerable_sheltered"]
