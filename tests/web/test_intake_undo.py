""""Left" tapped by mistake in the dark can be undone from the same row."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from nightstay.planning.models import Placement
from nightstay.intake.models import Party

from .base import HubTestCase
from .test_pledges import RefusalsMixin

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@time_machine.travel(TONIGHT, tick=False)
class UndoLeftTests(RefusalsMixin, HubTestCase):
    def setUp(self):
        night = self.hub.tonight()
        self.first = Party.objects.create(night=night, ticket="AAAA", waiting_since=TONIGHT)
        self.party = Party.objects.create(night=night, ticket="KXRT", waiting_since=TONIGHT.replace(minute=5))
        self.last = Party.objects.create(night=night, ticket="ZZZZ", waiting_since=TONIGHT.replace(minute=9))

    def url(self) -> str:
        return f"/intake/brussels/party/{self.party.pk}/left/"

    def test_left_keeps_the_row_in_place_with_undo(self):
        self.log_in(self.colette)
        r = self.client.post(self.url(), HTTP_HX_REQUEST="true")
        page = r.content.decode()
        self.assertContains(r, "2 parties waiting")
        self.assertLess(page.index("AAAA"), page.index("KXRT"))
        self.assertLess(page.index("KXRT"), page.index("ZZZZ"))
        self.assertContains(r, '<button name="back" value="1">Undo</button>', html=False)
        self.assertContains(r, "left the list")

    def test_undo_puts_the_party_back(self):
        self.log_in(self.colette)
        self.client.post(self.url(), HTTP_HX_REQUEST="true")
        r = self.client.post(self.url(), {"back": "1"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "3 parties waiting")
        self.assertNotContains(r, "left the list")
        self.party.refresh_from_db()
        self.assertEqual(self.party.status, Party.Status.WAITING)

    def test_a_party_placed_by_the_announcement_goes_back_placed(self):
        Placement.objects.create(night=self.party.night, party=self.party, shelter=self.dormitory, announced=True)
        Party.objects.filter(pk=self.party.pk).update(status=Party.Status.LEFT)
        self.log_in(self.colette)
        self.client.post(self.url(), {"back": "1"})
        self.party.refresh_from_db()
        self.assertEqual(self.party.status, Party.Status.PLACED)

    def test_undo_leaves_an_arrived_party_alone(self):
        Party.objects.filter(pk=self.party.pk).update(status=Party.Status.ARRIVED)
        self.log_in(self.colette)
        r = self.client.post(self.url(), {"back": "1"})
        self.assertRedirects(r, "/intake/brussels/", fetch_redirect_response=False)
        self.party.refresh_from_db()
        self.assertEqual(self.party.status, Party.Status.ARRIVED)

    def test_undo_refused(self):
        Party.objects.filter(pk=self.party.pk).update(status=Party.Status.LEFT)
        self.log_in(self.colette)
        self.assertEqual(self.client.get(self.url()).status_code, 405)
        self.assert_refused(self.url(), self.pia, self.hugo, self.dara, self.cyril, self.otto, method="post",
                            data={"back": "1"})
        self.party.refresh_from_db()
        self.assertEqual(self.party.status, Party.Status.LEFT)
