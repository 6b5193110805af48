"""Whatever a night file holds, the reader answers with a Night or a NightError, never a crash.

A traceback at the meeting point means nobody gets a plan tonight; a NightError means the
coordinator reads what to fix. Hypothesis throws arbitrary JSON, arbitrary text and valid
nights with one to three values broken at random paths.
"""
from __future__ import annotations

import copy
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nightstay.planner.night import Night
from nightstay.planner.read import NightError, load_night, read_night

from .tiny_night import tiny_night

# FUZZ_EXAMPLES=5000 for a longer hunt; the default keeps the suite to a few seconds.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
           | st.sampled_from(["m", "f", "mixed", "walk", "drive", "self", "driver", "H1", "P1", "S1",
                              "2018-01-15T21:00:00+01:00", "2018-01-15T21:00:00", "0001-01-01T00:00:00+01:00",
                              "9999-12-31T23:59:59-23:59", "nightstay.night/1", ""]))
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def read_or_refuse(data) -> None:
    try:
        night = read_night(data)
    except NightError as e:
        assert e.problems and all(isinstance(line, str) and line and "\n" not in line for line in e.problems)
    else:
        assert isinstance(night, Night)


def paths(value, prefix=()):
    """Every path into a JSON document, containers included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


TINY_PATHS = [p for p in paths(tiny_night()) if p]


def mutate(night: dict, path: tuple, value, delete: bool) -> None:
    target = night
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(target, (dict, list)):
        return
    try:
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        return


@FUZZ
@given(json_values)
def test_arbitrary_json_never_crashes_the_reader(data):
    read_or_refuse(data)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(tiny_night())), scalars | st.lists(scalars, max_size=3), max_size=9))
def test_arbitrary_top_level_keys_never_crash_the_reader(data):
    read_or_refuse({"format": "nightstay.night/1", **data})


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(TINY_PATHS), json_values, st.booleans()), min_size=1, max_size=3))
def test_a_valid_night_broken_at_random_paths_never_crashes_the_reader(changes):
    night = tiny_night()
    for path, value, delete in changes:
        mutate(night, path, value, delete)
    read_or_refuse(night)


@FUZZ
@given(st.sampled_from(TINY_PATHS), scalars)
def test_one_broken_value_is_reported_or_harmless(path, value):
    night = tiny_night()
    mutate(night, path, value, delete=False)
    original = copy.deepcopy(night)
    read_or_refuse(night)
    assert night == original  # the reader never changes its input


@FUZZ
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_file_text_never_crashes_the_loader(text):
    try:
        load_night(text)
    except NightError as e:
        assert e.problems


@FUZZ
@given(st.integers(min_value=0, max_value=400))
def test_a_truncated_night_file_gets_a_night_error(cut):
    text = json.dumps(tiny_night())
    try:
        load_night(text[:cut])
    except NightError as e:
        assert e.problems


huge_numbers = (st.integers(min_value=-10**6000, max_value=10**6000) | st.floats(allow_nan=False)
                | st.sampled_from([10**400, -10**400, 10**4300, 1e308, -1e308, 2**63, 2**64 + 1]))


def number_paths():
    out = []
    for path in TINY_PATHS:
        value = tiny_night()
        for key in path:
            value = value[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(path)
    return out


@FUZZ
@given(st.sampled_from(number_paths()), huge_numbers)
def test_any_number_anywhere_is_read_or_refused_in_a_line(path, number):
    night = tiny_night()
    mutate(night, path, number, delete=False)
    read_or_refuse(night)


@FUZZ
@given(st.sampled_from(number_paths()), st.text(alphabet="0123456789", min_size=1, max_size=6000),
       st.sampled_from(["", "-", "1e", "0."]))
def test_any_number_written_in_the_file_is_read_or_refused_in_a_line(path, digits, prefix):
    """Numbers as a file holds them: 5,000 digits, 1e400, which json alone turns into exceptions or infinity."""
    night = tiny_night()
    mutate(night, path, "@@NUMBER@@", delete=False)
    text = json.dumps(night).replace('"@@NUMBER@@"', prefix + digits)
    try:
        load_night(text)
    except NightError as e:
        assert e.problems and all("\n" not in line and len(line) < 300 for line in e.problems)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(TINY_PATHS), scalars | huge_numbers, st.booleans()), min_size=1, max_size=3))
def test_a_night_the_reader_accepts_gets_a_plan_the_checker_judges(changes):
    """Past the reader, nothing crashes either: the solver plans whatever was read, the checker judges it."""
    from nightstay.planner.check import check_plan
    from nightstay.planner import MaxRuntime, MaxWork, solve

    night = tiny_night()
    for path, value, delete in changes:
        mutate(night, path, value, delete)
    try:
        read = read_night(night)
    except NightError:
        return
    plan = solve(read, MaxWork.for_seconds(0.05))
    verdict = check_plan(read, plan.to_json())
    assert verdict.valid or any(line.startswith("fixed placement") for line in verdict.errors), verdict.errors
