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


class ReservedSlugTests(HubTestCase):
    def test_a_hub_cannot_take_the_name_of_the_sites_own_pages(self):
        from django.core.exceptions import ValidationError

        from nightstay.hubs.models import Hub

        with self.assertRaises(ValidationError):
            Hub(name="Intake", slug="intake", meeting_point="x", meeting_lat=0, meeting_lon=0).full_clean()

    def test_every_first_path_segment_of_the_site_is_reserved(self):
        """A new page at the site's root is reserved automatically, or this test names it."""
        import re

        from django.urls import URLResolver, get_resolver

        from nightstay.hubs.models import RESERVED_SLUGS

        def first_segments(patterns, prefix=""):
            for p in patterns:
                route = prefix + str(p.pattern)
                if isinstance(p, URLResolver):
                    yield from first_segments(p.url_patterns, route)
                elif route:
                    yield route.split("/")[0]

        literal = {s for s in first_segments(get_resolver().url_patterns) if s and not re.search(r"[<^$(]", s)}
        self.assertLessEqual(literal, RESERVED_SLUGS)
