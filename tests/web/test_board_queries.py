"""The board's queries are pinned, and do not grow with the night: more parties, hosts, drivers,
trips, events and a re-plan against the announcement cost the same queries as a small night."""
from __future__ import annotations

from datetime import datetime, time

from nightstay.dispatch import announce
from nightstay.intake.models import Party
from nightstay.planning import events
from nightstay.pledges.models import BedPledge, Home, SeatPledge

from .base import make_user
from .test_board import BRUSSELS, TonightTestCase

# session, user, second factor, hub, roles, night (6); pledged beds and seats, read once for the
# board and the proposal's "Something happened" (2); runs whose worker died, the last run, the
# proposal (3); the rows behind the night file's ids, read once for the proposal and the difference:
# homes, shelters, drivers, parties (4); pins (1); against the announcement: the announced
# placements, the trips still to leave, their stops, their parties (4); the timeline, its alerts (2);
# the dormitories a coordinator may report full (1); the board: beds in shelters, people waiting, who
# came to the park, run-sheet links, the parties, the places lent tonight, the trips and their stops (8).
# Was 39: the ids were read twice, the hub again twice, the seat pledges twice, and the stops' homes
# and the placements' parties by prefetches of their own. Then +3: who was asked "still on tonight?", the guests on a stay, the drivers' last messages.
BOARD_QUERIES = 34


class BoardQueryTests(TonightTestCase):
    def board_queries(self) -> int:
        self.log_in(self.colette)
        self.client.get(self.url("board"))  # the session is warm, as on a coordinator's phone
        with self.assertNumQueries(BOARD_QUERIES):
            r = self.client.get(self.url("board"))
        self.assertContains(r, "On the road")
        return r

    def grow(self, n: int) -> None:
        """``n`` more of everything the board lists: parties, hosts with a driver, drivers."""
        since = datetime(2026, 11, 24, 20, 30, tzinfo=BRUSSELS)
        for i in range(n):
            host = make_user(f"host{i}@example.org", f"Host{i}", self.hub, "host")
            home = Home.objects.create(hub=self.hub, host=host, address=f"Rue {i}", lat=50.84 + i / 1000, lon=4.36,
                                       area=f"Area{i}")
            BedPledge.objects.create(home=home, beds=2, pickup="driver", first_date=self.today,
                                     ready_from=time(21), latest_arrival=time(23, 30))
            driver = make_user(f"driver{i}@example.org", f"Driver{i}", self.hub, "driver")
            SeatPledge.objects.create(hub=self.hub, driver=driver, seats=3, first_date=self.today,
                                      available_from=time(20, 30), available_until=time(0, 30),
                                      home_lat=50.85, home_lon=4.40)
            for j, gender in enumerate("fm"):
                Party.objects.create(night=self.night, ticket=f"G{i}{j}X"[:4], size=1, gender=gender,
                                     waiting_since=since)

    def announce_and_replan(self) -> None:
        self.plan_now()
        announce.announce(self.night)
        self.hugo_beds.tell_the_night(self.today)  # a host cancels: an alert, a re-plan against it
        self.hugo_beds.cancel_night(self.today)
        self.plan_now()

    def test_a_small_night(self):
        self.announce_and_replan()
        self.board_queries()

    def test_a_night_eight_times_as_big_costs_the_same(self):
        self.grow(8)
        self.announce_and_replan()
        r = self.board_queries()
        self.assertContains(r, "Driver7")
