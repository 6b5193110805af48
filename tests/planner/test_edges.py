"""The edges of a night: promises no plan can keep, numbers no night holds, files no night is.

A fixed placement that cannot be kept gets the best plan that keeps all the others, exit 1
and the broken rule with its reason (the coordinator acts on it); a driver is never sent on
a trip that ends after their time to force one. A number out of any night's range, or a
file above the declared size, is refused in one line with exit 2, never a traceback.
"""
from __future__ import annotations

import json

import pytest

from nightstay.cli import main
from nightstay.planner.read import MAX_BYTES, MAX_COUNTS, NightError, load_night, read_night
from nightstay.planner import MaxRuntime, MaxWork, solve

from .conftest import driver, host, night, party
from .reference import reference_check
from .tiny_night import tiny_night


def plan_cli(capsys, tmp_path, doc) -> tuple[int, str, dict | None]:
    path = tmp_path / "night.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    out = tmp_path / "plan.json"
    code = main(["plan", str(path), "-o", str(out), "--time-limit", "0.3", "--deterministic"])
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err, json.loads(out.read_text()) if out.exists() else None


@pytest.mark.parametrize("fixed, broken, why", [
    # three men fixed at a two-bed host: the two who slept outside most are kept
    ([{"party": "a", "place": "H"}, {"party": "b", "place": "H"}, {"party": "c", "place": "H"}],
     "fixed placement c -> H not kept", "c -> H: 1 more people for 0 beds left at H"),
    # a man and a woman fixed at one host: the woman (vulnerable) is kept
    ([{"party": "a", "place": "H"}, {"party": "w", "place": "H"}],
     "fixed placement a -> H not kept", "a -> H: H already takes women or families"),
    # a host that takes women only, a man fixed there
    ([{"party": "a", "place": "Hf"}], "fixed placement a -> Hf not kept", "a -> Hf: Hf does not accept gender m"),
    # a host no driver can reach before its latest arrival
    ([{"party": "a", "place": "Hlate"}], "fixed placement a -> Hlate not kept",
     "a -> Hlate: Hlate cannot be reached by any driver in time"),
])
def test_a_fixed_placement_no_plan_can_keep_gets_the_best_plan_for_the_rest_and_exit_1(capsys, tmp_path, fixed,
                                                                                       broken, why):
    doc = night([party("a", out=5), party("b", out=3), party("c"), party("w", gender="f", vulnerable=True)],
                [host("H", beds=2), host("Hf", beds=2, genders=("f",)), host("Hm", beds=3, genders=("m",)),
                 host("Hlate", pickup="driver", km_east=30.0, latest="21:20")],
                drivers=[driver("D1", until="23:00")], fixed=fixed)

    code, err, plan = plan_cli(capsys, tmp_path, doc)

    assert code == 1
    assert f"  {broken}" in err.splitlines() and f"  why: {why}" in err.splitlines()
    errors, score = reference_check(doc, plan)
    assert errors == [broken]  # every other rule kept: no driver late, no host over-full
    assert score["sheltered"] == 4  # and everyone still gets a bed: H, Hf and Hm have room


def test_no_driver_is_sent_on_a_trip_that_ends_after_their_time():
    doc = night([party("a"), party("b")], [host("far", pickup="driver", km_east=60.0), host("near", pickup="driver", beds=2)],
                drivers=[driver("D1", until="21:40")], fixed=[{"party": "a", "place": "far"}])
    plan = solve(read_night(doc), MaxWork.for_seconds(0.3)).to_json()
    errors, score = reference_check(doc, plan)
    assert errors == ["fixed placement a -> far not kept"]
    assert all(t["end_at"] <= "2018-01-15T21:41:00+01:00" for t in plan["trips"])
    assert score["sheltered"] == 2  # a and b both ride to the near host


@pytest.mark.parametrize("text, line", [
    ('"seats": 4', '"seats": 1e400'),
    ('"seats": 4', '"seats": ' + "9" * 5000),
    ('"size": 1,', '"size": ' + "1" + "0" * 400 + ","),
    ('"beds": 3,', '"beds": -' + "7" * 5000 + ","),
    ('"lat": 50.8617', '"lat": 1e99999'),
])
def test_a_number_no_night_holds_is_one_line_and_exit_2(capsys, tmp_path, text, line):
    doc = json.dumps(tiny_night()).replace(text, line, 1)
    assert line in doc

    code, err, plan = plan_cli(capsys, tmp_path, doc)

    assert (code, plan) == (2, None)
    assert len(err.splitlines()) == 1 and "must be" in err and len(err) < 200


def test_a_file_above_the_declared_size_is_refused_unread(capsys, tmp_path):
    code, err, plan = plan_cli(capsys, tmp_path, " " * (MAX_BYTES + 1))
    assert (code, plan) == (2, None)
    assert err.endswith("file too large: 20.0 MB, a night is at most 20 MB (split it by hub)\n")
    assert len(err.splitlines()) == 1


def test_a_night_with_more_parties_than_declared_is_one_line():
    doc = tiny_night()
    doc["parties"] = [doc["parties"][0]] * (MAX_COUNTS["parties"] + 1)
    with pytest.raises(NightError) as caught:
        read_night(doc)
    assert caught.value.problems == [f"parties: {MAX_COUNTS['parties'] + 1} in one night, at most "
                                     f"{MAX_COUNTS['parties']} (split the night by hub)"]


def test_text_above_the_declared_size_is_refused_by_the_loader_too():
    with pytest.raises(NightError) as caught:
        load_night(b"{" + b" " * MAX_BYTES + b"}")
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith("file too large")


def test_a_plan_file_with_a_number_too_long_is_a_verdict_not_a_traceback(capsys, tmp_path):
    night_path, plan_path = tmp_path / "night.json", tmp_path / "plan.json"
    night_path.write_text(json.dumps(tiny_night()))
    plan_path.write_text('{"format": "nightstay.plan/1", "placements": [], "unplaced": [], "trips": [], '
                         '"summary": {"sheltered": ' + "9" * 5000 + "}}")
    code = main(["check", str(night_path), str(plan_path)])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "summary.sheltered: must be a number, got a number of 5000 digits" in out.splitlines()
