"""A home's stored location never singles out a house: the centre of a cell of 500 m in the
city, 1 km and 2 km further out; the planner gets nothing finer."""
from collections import Counter

from django.urls import reverse

from nightstay.demo.management.commands.demo_setup import SEED
from nightstay.planner import demo
from nightstay.planner.night import crow_km as km_between
from nightstay.pledges.areas import cell_km, coarse
from nightstay.pledges.models import Home

from .base import HubTestCase

PARK = (50.8572, 4.3520)  # the test hub's meeting point


def test_a_stored_point_stays_where_it_is():
    for lat, lon in [(50.8366, 4.3680), (50.9, 4.5), (50.88, 4.70), (50.8572, 4.3520), (50.80, 4.2)]:
        cell = coarse(lat, lon, *PARK)
        assert coarse(*cell, *PARK) == cell


def test_cells_grow_away_from_the_city():
    assert cell_km(50.8366, 4.3680, *PARK) == 0.5  # Ixelles, 2.5 km from the park
    assert cell_km(50.90, 4.50, *PARK) == 1.0  # Zaventem side, ~11 km
    assert cell_km(50.88, 4.70, *PARK) == 2.0  # towards Leuven, ~25 km


def test_no_point_is_finer_than_its_cell_and_houses_in_one_cell_look_alike():
    """Three doors 150 m apart in one block of Ixelles are one point; a point moves at most
    the half-diagonal of its cell."""
    doors = [(50.8351, 4.3670), (50.8360, 4.3680), (50.8366, 4.3690)]
    assert len({coarse(lat, lon, *PARK) for lat, lon in doors}) == 1
    for lat, lon in doors + [(50.90, 4.50), (50.88, 4.70)]:
        side = cell_km(lat, lon, *PARK)
        assert km_between(lat, lon, *coarse(lat, lon, *PARK)) <= side * 0.71 + 0.01


def test_the_demo_homes_share_their_cells():
    """The demo's 118 homes sat in 118 distinct 3-decimal cells; on the grid they share cells."""
    doc = demo.make_night("normal", SEED)
    cells = Counter(coarse(h["location"]["lat"], h["location"]["lon"], *demo.MAXIMILIEN_PARK) for h in doc["hosts"])
    assert len(cells) < len(doc["hosts"])


class HomeLocationTests(HubTestCase):
    def test_a_home_is_stored_as_its_cell_centre(self):
        home = Home.objects.create(hub=self.hub, host=self.dara, address="Rue Haute 3", lat=50.83612, lon=4.36754,
                                   area="Ixelles")
        home.refresh_from_db()
        self.assertEqual((home.lat, home.lon), coarse(50.83612, 4.36754, *PARK))
        self.assertEqual((self.hugo_home.lat, self.hugo_home.lon), (home.lat, home.lon))  # Hugo's door, 100 m away
        home.save()
        home.refresh_from_db()
        self.assertEqual((home.lat, home.lon), coarse(50.83612, 4.36754, *PARK))  # saving again moves nothing

    def test_the_phone_location_from_the_form_is_stored_coarse(self):
        self.client.force_login(self.dara)
        from nightstay.hubs.models import Membership, Role

        Membership.objects.create(user=self.dara, hub=self.hub, role=Role.HOST)
        r = self.client.post(reverse("pledges:home", args=["brussels"]),
                             {"address": "Rue Haute 3, 1000 Bruxelles", "lat": "50.83612", "lon": "4.36754"})
        self.assertEqual(r.status_code, 302)
        home = Home.objects.get(host=self.dara)
        self.assertEqual((home.lat, home.lon), coarse(50.836, 4.368, *PARK))
