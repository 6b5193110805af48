"""Each word of the night is written once: the web uses the planner's, the planner its own."""
import re

import numpy as np

from nightstay.hubs.models import Gender, gender_list
from nightstay.planner.night import GENDERS, Location, Travel, crow_km
from nightstay.planner.problem import _distance_matrices, km_between

from .layers import ROOT


def test_the_web_genders_are_the_formats_in_its_order():
    assert tuple(Gender.values) == GENDERS
    assert gender_list(" mixed,f, m,x") == ["m", "f", "mixed"]


def test_the_haversine_is_written_once():
    """The great-circle formula (``asin`` of a haversine) lives in planner/night.py; the solver's
    distance matrix and the greedy's ``km_between`` (both in planner/problem.py) are its
    vectorised twins, and must agree with it."""
    found = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "nightstay").rglob("*.py")
                   if re.search(r"\basin\(", p.read_text()))
    assert found == ["nightstay/planner/night.py"]
    lat, lon = np.array([50.8572, 50.4674, 51.0259]), np.array([4.3520, 4.8720, 4.4776])
    travel = Travel()
    matrix, _seconds = _distance_matrices(lat, lon, travel.road_factor, 1.0)
    for i in range(3):
        for j in range(3):
            a, b = Location(lat[i], lon[i]), Location(lat[j], lon[j])
            assert abs(matrix[i, j] - travel.km(a, b)) < 1e-3  # float32: a metre at most
            assert abs(km_between(lat[i], lon[i], lat[j], lon[j], travel.road_factor) - travel.km(a, b)) < 1e-9
    assert abs(crow_km(50.8572, 4.3520, 50.4674, 4.8720) - 56.8) < 0.1  # Maximilien Park to Namur, as the crow flies


def test_one_travel_model_written_whole():
    assert Travel().to_json() == {"model": "haversine", "road_factor": 1.3, "drive_kmh": 30, "walk_kmh": 4.5,
                                  "board_minutes": 5, "drop_minutes": 3}
