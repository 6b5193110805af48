"""The foundation every page stands on: sealed fields, labels, hub access."""
from django.apps import apps
from django.db import connection

from nightstay.accounts.models import User
from nightstay.privacy.fields import Sealed
from nightstay.privacy.labels import unlabelled_fields
from nightstay.pledges.models import Home

from .base import HubTestCase


class SealedFieldTests(HubTestCase):
    def test_the_database_holds_only_ciphertext(self):
        with connection.cursor() as cur:
            cur.execute("SELECT address FROM pledges_home WHERE id = %s", [self.hugo_home.pk.hex
                        if connection.vendor == "sqlite" else str(self.hugo_home.pk)])
            stored = cur.fetchone()[0]
        self.assertTrue(stored.startswith("ns1:"))
        self.assertNotIn("Trône", stored)

    def test_an_audited_address_does_not_open_on_read(self):
        home = Home.objects.get(pk=self.hugo_home.pk)
        self.assertIsInstance(home.address, Sealed)
        self.assertNotIn("Trône", str(home.address))

    def test_a_phone_opens_on_read(self):
        self.assertEqual(User.objects.get(pk=self.hugo.pk).phone, "+32 470 00 00 00")

    def test_log_in_by_email_finds_the_account(self):
        self.assertEqual(User.objects.get_by_email(" Hugo@Example.org"), self.hugo)


def test_every_field_carries_a_sensitivity_label():
    missing = []
    for model in apps.get_models():
        if model.__module__.startswith("nightstay."):
            missing += [f"{model._meta.label}.{name}" for name in unlabelled_fields(model)]
    assert not missing, "fields without a data label: " + ", ".join(missing)
