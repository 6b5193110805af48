"""The night reader: a valid night becomes the model; a broken one, one readable line per problem."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from nightstay.planner.night import Host, Shelter
from nightstay.planner.read import NightError, load_night, read_night

from .tiny_night import tiny_night


def problems_of(night) -> list[str]:
    with pytest.raises(NightError) as caught:
        read_night(night)
    return caught.value.problems


def changed(path: str, value) -> dict:
    """``tiny_night()`` with the value at a dotted path (``parties.3.gender``) replaced."""
    night = tiny_night()
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    target = night
    for key in parents:
        target = target[key]
    target[last] = value
    return night


def without(path: str) -> dict:
    night = tiny_night()
    *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    target = night
    for key in parents:
        target = target[key]
    del target[last]
    return night


def test_the_tiny_night_reads_into_the_model():
    night = read_night(tiny_night())

    assert night.hub_name == "Maximilien Park"
    assert night.start == datetime.fromisoformat("2018-01-15T21:00:00+01:00")
    assert [p.id for p in night.parties] == ["P1", "P2", "P3", "P4", "P5"]
    family = night.party_by_id["P2"]
    assert (family.size, family.gender, family.minor, family.vulnerable) == (3, "mixed", True, True)
    assert family.languages == frozenset({"ar", "en"})
    assert family.returning_to == "H1"
    assert isinstance(night.places["S1"], Shelter) and night.places["S1"].reach == "walk"
    assert isinstance(night.places["H2"], Host) and night.places["H2"].pickup == "self"
    assert night.places["H1"].accepts.max_party == 4
    assert night.places["S1"].refuses(family) == "does not accept gender mixed"
    assert night.places["H1"].fits(family)
    assert [(f.party, f.place) for f in night.fixed] == [("P3", "S2")]
    assert night.travel.drive_kmh == 30.0 and night.travel.board_seconds == 300.0


def test_a_night_with_no_parties_is_valid():
    night = changed("parties", [])
    night["fixed"] = []

    assert read_night(night).parties == ()


def test_optional_keys_take_the_formats_defaults():
    night = tiny_night()
    for key in ("languages", "returning_to", "nights_outside"):
        del night["parties"][0][key]
    del night["shelters"][0]["name"], night["shelters"][0]["accepts"]
    del night["hosts"][0]["languages"], night["hosts"][0]["accepts"], night["hosts"][0]["welcomes_back"]
    del night["fixed"], night["travel"]["model"], night["hub"]["name"]
    night["parties"][1]["languages"] = None

    read = read_night(night)

    man = read.parties[0]
    assert (man.languages, man.returning_to, man.nights_outside) == (frozenset(), None, 0)
    assert read.parties[1].languages == frozenset()
    dormitory = read.shelters[0]
    assert (dormitory.name, dormitory.accepts.genders, dormitory.accepts.minors) == (
        "", frozenset({"m", "f", "mixed"}), False)
    assert read.hosts[0].accepts.max_party is None and not read.hosts[0].welcomes_back
    assert read.fixed == () and read.travel.model == "haversine" and read.hub_name == ""


def test_a_night_without_shelters_hosts_or_drivers_is_valid():
    night = tiny_night()
    del night["shelters"], night["hosts"], night["drivers"], night["fixed"]
    for party in night["parties"]:
        party["returning_to"] = None

    read = read_night(night)

    assert (read.shelters, read.hosts, read.drivers) == ((), (), ())


def test_unknown_keys_are_ignored():
    night = changed("parties.0.card_colour", "blue")
    night["exported_by"] = "another hub"

    assert len(read_night(night).parties) == 5


@pytest.mark.parametrize("night, line", [
    # the document
    (changed("format", "nightstay.night/2"), 'format: must be "nightstay.night/1", got "nightstay.night/2"'),
    (without("format"), 'format: missing (must be "nightstay.night/1")'),
    # missing keys and wrong types
    (without("hub.meeting_point"), "hub.meeting_point: missing"),
    (without("parties.1.size"), "parties[1].size: missing"),
    (without("hosts.0.ready_from"), "hosts[0].ready_from: missing"),
    (without("drivers.1.seats"), "drivers[1].seats: missing"),
    (without("travel.walk_kmh"), "travel.walk_kmh: missing"),
    (without("parties.0.waiting_since"), "parties[0].waiting_since: missing"),
    (without("parties.2.vulnerable"), "parties[2].vulnerable: missing"),
    (without("parties.1.minor"), "parties[1].minor: missing"),
    (without("shelters.1.reach"), "shelters[1].reach: missing"),
    (changed("parties", {"P1": {}}), "parties: must be a list, got an object"),
    (changed("hosts.1", "H2"), 'hosts[1]: must be an object, got "H2"'),
    (changed("parties.0.size", True), "parties[0].size: must be a whole number, got true"),
    (changed("parties.0.size", 1.5), "parties[0].size: must be a whole number, got 1.5"),
    (changed("parties.0.size", "2"), 'parties[0].size: must be a whole number, got "2"'),
    (changed("parties.0.minor", "no"), 'parties[0].minor: must be true or false, got "no"'),
    (changed("parties.0.vulnerable", 1), "parties[0].vulnerable: must be true or false, got 1"),
    (changed("parties.0.languages", "ar"), 'parties[0].languages: must be a list, got "ar"'),
    (changed("parties.0.languages", ["ar", 7]), "parties[0].languages[1]: must be a string, got 7"),
    (changed("parties.0.id", 1), "parties[0].id: must be a non-empty string, got 1"),
    (changed("parties.0.id", ""), 'parties[0].id: must be a non-empty string, got ""'),
    (changed("shelters.0.name", None), "shelters[0].name: must be a string, got null"),
    (changed("drivers.0.seats", False), "drivers[0].seats: must be a whole number, got false"),
    (changed("travel.road_factor", "1.3"), 'travel.road_factor: must be a number, got "1.3"'),
    (changed("travel.drive_kmh", True), "travel.drive_kmh: must be a number, got true"),
    (changed("hosts.0.accepts", ["f"]), "hosts[0].accepts: must be an object, got a list"),
    (changed("hosts.0.accepts.minors", None), "hosts[0].accepts.minors: must be true or false, got null"),
    (changed("hosts.0.welcomes_back", "yes"), 'hosts[0].welcomes_back: must be true or false, got "yes"'),
    # choices
    (changed("parties.3.gender", "x"), "parties[3].gender: must be one of m, f, mixed"),
    (changed("shelters.1.reach", "bike"), "shelters[1].reach: must be one of walk, drive"),
    (changed("hosts.0.pickup", "taxi"), "hosts[0].pickup: must be one of self, driver"),
    (changed("travel.model", "manhattan"), "travel.model: must be one of haversine"),
    (changed("hosts.0.accepts.genders", ["f", "w"]), "hosts[0].accepts.genders[1]: must be one of m, f, mixed"),
    # counts
    (changed("parties.0.size", 0), "parties[0].size: must be at least 1, got 0"),
    (changed("shelters.0.beds", 0), "shelters[0].beds: must be at least 1, got 0"),
    (changed("hosts.1.beds", -2), "hosts[1].beds: must be at least 1, got -2"),
    (changed("drivers.0.seats", 0), "drivers[0].seats: must be at least 1, got 0"),
    (changed("hosts.0.accepts.max_party", 0), "hosts[0].accepts.max_party: must be at least 1, got 0"),
    (changed("parties.0.nights_outside", 8), "parties[0].nights_outside: must be between 0 and 7, got 8"),
    (changed("parties.0.nights_outside", -1), "parties[0].nights_outside: must be between 0 and 7, got -1"),
    # times
    (changed("window.end", "2018-01-15T20:00:00+01:00"), "window: end before start"),
    (changed("hosts.0.latest_arrival", "2018-01-15T21:00:00+01:00"), "hosts[0]: latest_arrival precedes ready_from"),
    (changed("drivers.1.available_until", "2018-01-15T21:00:00+01:00"),
     "drivers[1]: available_until precedes available_from"),
    (changed("parties.2.waiting_since", "2018-01-15T21:00:00"),
     'parties[2].waiting_since: time without UTC offset: "2018-01-15T21:00:00"'),
    (changed("window.start", "tonight at nine"), 'window.start: not an ISO 8601 time: "tonight at nine"'),
    (changed("window.start", 1516046400), "window.start: must be an ISO 8601 time with a UTC offset, got 1516046400"),
    # places on earth
    (changed("hub.meeting_point.lat", 91), "hub.meeting_point.lat: must be between -90 and 90, got 91"),
    (changed("hosts.0.location.lon", -180.5), "hosts[0].location.lon: must be between -180 and 180, got -180.5"),
    (changed("drivers.0.home.lat", float("nan")), "drivers[0].home.lat: must be a finite number, got NaN"),
    (changed("shelters.0.location.lon", float("inf")),
     "shelters[0].location.lon: must be a finite number, got Infinity"),
    (without("shelters.0.location.lon"), "shelters[0].location.lon: missing"),
    # travel
    (changed("travel.drive_kmh", 0), "travel.drive_kmh: must be positive, got 0"),
    (changed("travel.walk_kmh", -4.5), "travel.walk_kmh: must be positive, got -4.5"),
    (changed("travel.road_factor", 0.0), "travel.road_factor: must be positive, got 0.0"),
    (changed("travel.board_minutes", -1), "travel.board_minutes: must not be negative, got -1"),
    (changed("travel.drop_minutes", -0.5), "travel.drop_minutes: must not be negative, got -0.5"),
    # bounds no real night comes near, so a typo cannot overflow the times computed from it
    (changed("travel.walk_kmh", 1e-9), "travel.walk_kmh: must be at least 0.1 km/h, got 1e-09"),
    (changed("travel.drive_kmh", 1e6), "travel.drive_kmh: must be at most 1000, got 1000000.0"),
    (changed("travel.road_factor", 13), "travel.road_factor: must be at most 10, got 13"),
    (changed("travel.board_minutes", 1e300), "travel.board_minutes: must be at most 240 minutes, got 1e+300"),
    (changed("travel.drop_minutes", 10**400), "travel.drop_minutes: must be a finite number, got a number of 401 digits"),
    (changed("drivers.0.seats", 10**400), "drivers[0].seats: must be at most 100, got a number of 401 digits"),
    (changed("drivers.0.seats", 101), "drivers[0].seats: must be at most 100, got 101"),
    (changed("parties.0.size", 5000), "parties[0].size: must be at most 100, got 5000"),
    (changed("hosts.0.beds", 10**6), "hosts[0].beds: must be at most 10000, got 1000000"),
    (changed("shelters.0.beds", 10**5000), "shelters[0].beds: must be at most 10000, got a number of 5001 digits"),
    (changed("hosts.0.accepts.max_party", 10**9), "hosts[0].accepts.max_party: must be at most 10000, got 1000000000"),
    (changed("window.end", "9999-12-31T23:59:59-23:59"),
     'window.end: must be between the years 2000 and 2999, got "9999-12-31T23:59:59-23:59"'),
    (changed("parties.0.waiting_since", "0218-01-15T21:00:00+01:00"),
     'parties[0].waiting_since: must be between the years 2000 and 2999, got "0218-01-15T21:00:00+01:00"'),
    # references and ids
    (changed("hosts.1.id", "P1"), "hosts[1].id: duplicate id 'P1'"),
    (changed("drivers.1.id", "D1"), "drivers[1].id: duplicate id 'D1'"),
    (changed("parties.0.returning_to", "H9"), "parties[0].returning_to: unknown host 'H9'"),
    (changed("parties.0.returning_to", "S1"), "parties[0].returning_to: unknown host 'S1'"),
    (changed("fixed.0.place", "H999"), "fixed[0].place: unknown place 'H999'"),
    (changed("fixed.0.party", "P99"), "fixed[0].party: unknown party 'P99'"),
    (without("fixed.0.place"), "fixed[0].place: missing"),
    (changed("fixed", {"P3": "S2"}), "fixed: must be a list, got an object"),
    (changed("fixed", [{"party": "P3", "place": "S2"}, {"party": "P3", "place": "H1"}]),
     "fixed[1].party: 'P3' is already fixed at 'S2'"),
    # announced placements (planning again during the night)
    (changed("announced", {"P3": "S2"}), "announced: must be a list, got an object"),
    (changed("announced", [{"party": "P99", "place": "S2"}]), "announced[0].party: unknown party 'P99'"),
    (changed("announced", [{"party": "P3", "place": "H9"}]), "announced[0].place: unknown place 'H9'"),
    (changed("announced", [{"party": "P3", "place": "D1"}]), "announced[0].place: unknown place 'D1'"),
    (changed("announced", [{"party": "P3"}]), "announced[0].place: missing"),
    (changed("announced", [{"party": "P3", "place": "S2"}, {"party": "P3", "place": "H1"}]),
     "announced[1].party: 'P3' is already announced at 'S2'"),
])
def test_a_broken_night_gets_one_readable_line(night, line):
    assert problems_of(night) == [line]


@pytest.mark.parametrize("fixed", [
    [{"party": "P3", "place": "S1"}],  # S1 takes men only
    [{"party": "P2", "place": "S2"}, {"party": "P3", "place": "S2"}],  # 4 people, 2 beds
    [{"party": "P1", "place": "H2"}, {"party": "P3", "place": "H2"}],  # a man and a woman at one host
])
def test_fixed_placements_no_plan_can_keep_are_read_for_the_planner_to_say_so(fixed):
    """Not a broken format: the planner keeps what it can, and names the rest (exit 1, not 2)."""
    night = tiny_night()
    night["fixed"] = fixed

    assert [(f.party, f.place) for f in read_night(night).fixed] == [(f["party"], f["place"]) for f in fixed]


def test_announced_is_read_and_absent_is_not_empty():
    night = tiny_night()
    assert read_night(night).announced is None  # ranked as it always was
    night["announced"] = []
    assert read_night(night).announced == ()  # ranked by changes too (none can be made)
    night["announced"] = [{"party": "P1", "place": "S1"}, {"party": "P3", "place": "H2"}]
    read = read_night(night)
    assert [(a.party, a.place) for a in read.announced] == [("P1", "S1"), ("P3", "H2")]
    places = [*read.shelters, *read.hosts]
    assert [(read.parties[i].id, places[j].id) for i, j in read.announced_at] == [("P1", "S1"), ("P3", "H2")]


def test_every_problem_is_reported_at_once():
    night = tiny_night()
    night["window"]["end"] = "2018-01-15T20:00:00+01:00"
    night["parties"][0]["size"] = True
    night["parties"][3]["gender"] = "x"
    night["hosts"][1]["beds"] = 0
    night["hosts"][1]["id"] = "H1"
    night["drivers"][0]["home"] = {"lat": float("nan"), "lon": 200}
    night["fixed"][0]["place"] = "H999"
    del night["travel"]["drop_minutes"]

    assert problems_of(night) == [
        "window: end before start",
        "travel.drop_minutes: missing",
        "parties[0].size: must be a whole number, got true",
        "parties[3].gender: must be one of m, f, mixed",
        "hosts[1].beds: must be at least 1, got 0",
        "drivers[0].home.lat: must be a finite number, got NaN",
        "drivers[0].home.lon: must be between -180 and 180, got 200",
        "hosts[1].id: duplicate id 'H1'",
        "fixed[0].place: unknown place 'H999'",
    ]


def test_the_error_message_holds_every_line():
    night = changed("parties.0.size", 0)
    night["drivers"][0]["seats"] = 0

    with pytest.raises(NightError) as caught:
        read_night(night)

    assert str(caught.value) == "parties[0].size: must be at least 1, got 0\ndrivers[0].seats: must be at least 1, got 0"


def test_load_night_reads_file_text():
    assert len(load_night(json.dumps(tiny_night())).parties) == 5
    assert len(load_night(json.dumps(tiny_night()).encode()).parties) == 5


@pytest.mark.parametrize("text, line", [
    ("", "empty file: expected a nightstay.night/1 JSON document"),
    ("  \n", "empty file: expected a nightstay.night/1 JSON document"),
    ("{'format': 1}", "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("[1, 2]", "night: must be a JSON object, got a list"),
    ('"nightstay.night/1"', 'night: must be a JSON object, got "nightstay.night/1"'),
    ('{"format": "nightstay.plan/1"}', 'format: must be "nightstay.night/1", got "nightstay.plan/1"'),
    ("[" * 100_000, "not JSON: nested too deeply"),
    (b"\xff\xfe{", "not UTF-8 text: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
])
def test_a_file_that_is_no_night_gets_a_readable_line(text, line):
    with pytest.raises(NightError) as caught:
        load_night(text)

    assert caught.value.problems[0] == line
