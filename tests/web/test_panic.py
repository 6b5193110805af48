"""Panic: a hub admin wipes tonight's data in one tap; run-sheet links die, other sessions end."""
from datetime import datetime
from io import StringIO

import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nightstay.figures.models import NightFigures
from nightstay.privacy.models import AddressReveal
from nightstay.privacy.retention import night_rows

from .scripted_night import ScriptedNightTestCase

EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))


@time_machine.travel(EVENING, tick=False)
class PanicTests(ScriptedNightTestCase):
    evening = EVENING

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.url = reverse("panic", args=["brussels"])

    def client_of(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_the_admin_is_asked_to_confirm(self):
        self.log_in(self.adele)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="confirm"')
        r = self.client.post(self.url)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "Tick the box", status_code=400)
        self.assertEqual(night_rows(self.night)["intake.Party"], 6)

    def test_panic_wipes_the_night_and_logs_the_hub_out(self):
        colette, dara, otto = self.client_of(self.colette), self.client_of(self.dara), self.client_of(self.otto)
        run_sheet = reverse("run_sheet", args=[self.rows["token"]])
        self.assertEqual(dara.get(run_sheet).status_code, 200)
        self.log_in(self.adele)
        r = self.client.post(self.url, {"confirm": "wipe"})
        self.assertContains(r, "data is gone")
        self.assertEqual(sum(night_rows(self.night).values()), 0)
        self.assertEqual(r.context["sessions"], 2)
        self.assertEqual(NightFigures.objects.get(hub=self.hub, date=self.night.date).people, 9)
        self.assertEqual(dara.get(run_sheet).status_code, 410)  # the link is dead
        self.assertEqual(Client().get(run_sheet).status_code, 410)
        self.assertEqual(colette.get(reverse("home")).status_code, 302)  # logged out
        self.assertEqual(otto.get(reverse("home")).status_code, 200)  # another hub: untouched
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)  # the admin stays
        self.assertEqual(Session.objects.count(), 2)

    def test_after_a_panic_the_audit_says_who_saw_how_many_when_but_not_which_home(self):
        """Finding 5: the audit outlived the panic and listed the homes that took guests tonight."""
        self.assertEqual(Client().get(reverse("run_sheet", args=[self.rows["token"]])).status_code, 200)
        before = list(AddressReveal.objects.order_by("at").values_list("user", "at", "device", "object_type"))
        self.assertEqual(len(before), 2)  # the script's reveal and Dara's phone
        self.assertTrue(AddressReveal.objects.filter(object_id=str(self.hugo_home.pk)).exists())
        call_command("panic", "brussels", stdout=StringIO())
        after = list(AddressReveal.objects.order_by("at").values_list("user", "at", "device", "object_type"))
        self.assertEqual(after, before)  # who, when, on which phone, how many: all still there
        self.assertEqual(set(AddressReveal.objects.values_list("object_id", flat=True)), {""})
        for home in (self.hugo_home, self.bea_home):
            self.assertFalse(AddressReveal.objects.filter(object_id__icontains=str(home.pk)).exists())
            self.assertFalse(AddressReveal.objects.filter(object_id__icontains=home.pk.hex).exists())

    def test_closing_after_a_panic_keeps_the_counts_kept_by_the_panic(self):
        self.log_in(self.adele)
        self.client.post(self.url, {"confirm": "wipe"})
        self.client.post(reverse("close_night", args=["brussels"]))
        self.assertEqual(NightFigures.objects.get(hub=self.hub, date=self.night.date).people, 9)

    def test_the_command_wipes_and_prints_counts(self):
        self.client_of(self.hugo)
        out = StringIO()
        call_command("panic", "brussels", stdout=out)
        self.assertRegex(out.getvalue(), r"night rows deleted: [1-9]\d*, sessions ended: 1")
        self.assertEqual(sum(night_rows(self.night).values()), 0)
        self.assertEqual(Session.objects.count(), 0)
        out = StringIO()
        call_command("panic", "brussels", stdout=out)
        self.assertIn("night rows deleted: 0, sessions ended: 0", out.getvalue())

    def test_the_command_names_the_hubs_when_one_is_wrong(self):
        with self.assertRaisesMessage(CommandError, "brussels"):
            call_command("panic", "bruxelles", stdout=StringIO())

    def test_refused(self):
        self.assertRedirects(self.client.post(self.url, {"confirm": "wipe"}), f"/login/?next={self.url}",
                             fetch_redirect_response=False)
        for who in (self.pia, self.hugo, self.dara, self.bea, self.colette, self.cyril, self.otto):
            self.log_in(who)
            self.assertEqual(self.client.get(self.url).status_code, 404, who)
            self.assertEqual(self.client.post(self.url, {"confirm": "wipe"}).status_code, 404, who)
        self.log_in(self.adele, verified=False)
        self.assertTrue(self.client.post(self.url, {"confirm": "wipe"})["Location"].startswith(reverse("two_factor")))
        self.assertEqual(night_rows(self.night)["intake.Party"], 6)
