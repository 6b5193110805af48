"""Live pages: a poll of a page whose night did not change is an empty 204; a change redraws it,
says what changed on run sheets and host notices, and never reveals an address shown already."""
from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from nightstay.dispatch.models import RunSheetGrant
from nightstay.hubs.models import Night
from nightstay.planning.models import Placement
from nightstay.privacy.models import AddressReveal

from .test_runsheet import RunSheetTestCase


class LivePageTests(RunSheetTestCase):
    def version(self) -> int:
        return Night.objects.get(pk=self.night.pk).version

    def poll(self, url: str, **params):
        return self.client.get(url, {"since": self.version(), **params})

    def test_the_board_answers_204_until_another_coordinator_taps(self):
        self.log_in(self.colette)
        board = reverse("board", args=["brussels"])
        r = self.client.get(board)
        self.assertContains(r, f'data-live="{board}?since={self.version()}"')
        self.assertContains(r, "nightstay/live.js")
        since = self.version()
        r = self.client.get(board, {"since": since})
        self.assertEqual((r.status_code, r.content), (204, b""))
        mine, self.client = self.client, self.client_class()  # another coordinator, on another phone
        self.log_in(self.adele)
        self.client.post(reverse("at_park", args=["brussels"]), {"user": str(self.dara.pk)})
        self.client = mine
        r = self.client.get(board, {"since": since})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, f"?since={since + 1}")

    def test_a_run_sheet_poll_reveals_nothing_new_and_says_what_changed(self):
        r = self.client.get(self.sheet)
        self.assertContains(r, "Rue du Trône")
        self.assertEqual(AddressReveal.objects.count(), 1)
        shown = f"h{self.hugo_home.pk}"
        self.assertContains(r, f"shown={shown}")
        r = self.poll(self.sheet, shown=shown)
        self.assertEqual(r.status_code, 204)
        self.night.changed()  # something elsewhere in the night: the sheet is drawn again...
        r = self.client.get(self.sheet, {"since": self.version() - 1, "shown": shown})
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Rue du Trône")  # ...keeping the address on screen, not revealing it again
        self.assertContains(r, f'id="reveal-{shown}" data-keep></div>', html=False)
        self.assertEqual(AddressReveal.objects.count(), 1)
        self.assertNotContains(r, "changed at")  # nothing changed for this driver
        self.add_stop_at_beas()  # a move and an announcement give Dara a second stop
        self.night.changed()
        r = self.client.get(self.sheet, {"since": self.version() - 1, "shown": shown})
        self.assertContains(r, "changed at 21:00: a new stop at Ixelles")
        self.assertEqual(AddressReveal.objects.count(), 1)  # the next stop is the same one
        r = self.client.get(self.sheet)  # and a reload still says so
        self.assertContains(r, "changed at 21:00: a new stop at Ixelles")

    def test_a_new_next_stop_is_revealed_on_the_poll(self):
        self.client.get(self.sheet)
        Placement.objects.filter(stop=self.stop).update(stop=None)
        self.stop.delete()
        self.add_stop_at_beas()
        self.night.changed()
        r = self.client.get(self.sheet, {"since": self.version() - 1, "shown": f"h{self.hugo_home.pk}"})
        self.assertContains(r, "Chaussée de Wavre")
        self.assertEqual(AddressReveal.objects.count(), 2)

    def test_a_host_notice_says_what_changed(self):
        self.log_in(self.hugo)
        url = reverse("host_tonight", args=["brussels"])
        self.client.get(url)
        self.assertEqual(self.poll(url).status_code, 204)
        placement = Placement.objects.get(party=self.family)
        Placement.objects.filter(pk=placement.pk).update(arrive=placement.arrive + timedelta(minutes=20))
        self.night.changed()
        r = self.client.get(url, {"since": self.version() - 1})
        self.assertContains(r, "changed at 21:00: FAMY now arrives around")

    def test_a_guest_ticket_polls_too(self):
        url = f"/intake/ticket/{self.family.guest_token()}/"
        r = self.client.get(url)
        self.assertContains(r, f"?since={self.version()}")
        self.assertEqual(self.poll(url).status_code, 204)
        self.night.changed()
        self.assertEqual(self.client.get(url, {"since": self.version() - 1}).status_code, 200)

    def test_a_grant_keeps_no_address(self):
        self.client.get(self.sheet)
        self.assertNotIn("Trône", str(RunSheetGrant.objects.get(pk=self.grant.pk).seen))

