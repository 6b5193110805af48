"""A small scripted night in the test hub: parties with nicknames, placements in the
dormitory and in homes, a driver's trip with its stop, a run-sheet link, a planner run and
an address reveal. Used by the close, purge, panic and seizure tests."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Placement, PlanRun, Stop, Trip
from nightstay.intake.models import Party
from nightstay.privacy.reveal import reveal

from .base import HubTestCase

NICKNAMES = ["Amanuel", "Yohannes", "Samirah", "Tesfaye", "Habtamu", "Idrissa"]  # long: no chance match in a dump


def script_night(case, night) -> dict:
    """Rows of one night for ``case`` (a ``HubTestCase``); returns what it made."""
    at = night.start + timedelta(hours=1)
    parties = [
        Party.objects.create(night=night, ticket=f"T{i:03d}", size=size, gender=gender, vulnerable=vulnerable,
                             nickname=NICKNAMES[i], waiting_since=at, languages="ar,en")
        for i, (size, gender, vulnerable) in enumerate(
            [(1, "m", False), (2, "m", False), (1, "f", True), (3, "mixed", True), (1, "m", False), (1, "m", True)])
    ]
    trip = Trip.objects.create(night=night, driver=case.dara, seq=1, depart=at, end="meeting_point",
                               end_at=at + timedelta(hours=1), km=12.5)
    stop = Stop.objects.create(trip=trip, order=1, home=case.hugo_home, arrive=at + timedelta(minutes=20))
    placements = [
        Placement.objects.create(night=night, party=parties[0], shelter=case.dormitory, arrive=at),
        Placement.objects.create(night=night, party=parties[1], shelter=case.dormitory, arrive=at),
        Placement.objects.create(night=night, party=parties[2], home=case.hugo_home, stop=stop, arrive=stop.arrive),
        Placement.objects.create(night=night, party=parties[3], home=case.bea_home, arrive=at),
    ]
    grant, token = RunSheetGrant.issue(night, case.dara)
    run = PlanRun.objects.create(night=night, status=PlanRun.Status.DONE,
                                 night_json={"format": "nightstay.night/1", "parties": []},
                                 plan_json={"format": "nightstay.plan/1", "placements": []})
    reveal(case.hugo_home, "address", user=case.dara, hub=case.hub, purpose="run sheet")
    return {"parties": parties, "trip": trip, "stop": stop, "placements": placements, "grant": grant,
            "token": token, "run": run}


class ScriptedNightTestCase(HubTestCase):
    """A hub whose night was played as in ``script_night``, the clock at ``evening``; the rows in ``cls.rows``."""

    evening: datetime

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(cls.evening, tick=False):
            cls.night = cls.hub.tonight()
            cls.rows = script_night(cls, cls.night)
