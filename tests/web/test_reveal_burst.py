"""The per-minute address limit holds against reveals arriving at the same instant.

The attack: a person (or a phone) at the limit's edge sends several reveals at once; each
read "4 addresses seen in the last minute", each showed one more. The count is now taken
first, atomically, in the store every worker shares (``nightstay.privacy.reveal``). The
bursts run on PostgreSQL in real threads, each with its own database connection, released
together (as ``test_login_burst`` does): the SQLite test database is one in-memory
connection, which cannot race.
"""
from __future__ import annotations

import threading
import unittest
import uuid
from datetime import timedelta

import time_machine

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from nightstay.hubs.models import Hub, Role
from nightstay.pledges.models import Home
from nightstay.privacy import reveal as reveal_module
from nightstay.privacy.models import AddressReveal
from nightstay.privacy.reveal import RevealRefused, reveal

from .base import make_user
from .test_login_burst import NOT_ON_SQLITE, ON_POSTGRES, at_once, drop_redis_keys, redis_url, with_redis

LIMIT = 5


def street(i: int) -> str:
    return f"Rue de la Loi {100 + i}, 1000 Bruxelles"


class Homes:
    """A hub, ``n`` homes and the people who ask for their addresses."""

    def make(self, n: int = 12):
        self.hub = Hub.objects.create(name="Brussels", slug=f"b{uuid.uuid4().hex[:6]}", meeting_point="Parc",
                                      meeting_lat=50.8572, meeting_lon=4.3520)
        self.colette = make_user(f"colette{uuid.uuid4().hex[:6]}@example.org", "Colette", self.hub, Role.COORDINATOR)
        self.homes = [Home.objects.create(hub=self.hub, host=make_user(f"h{i}{uuid.uuid4().hex[:6]}@example.org",
                                                                        f"Host{i}", self.hub, Role.HOST),
                                          address=street(i), lat=50.84, lon=4.36, area="Centre")
                      for i in range(n)]

    def ask(self, home, user=None, device: str = ""):
        try:
            return reveal(home, "address", user=user, hub=self.hub, purpose="test", device=device)
        except RevealRefused:
            return None
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()  # this thread's own connection


@override_settings(ADDRESS_REVEALS_PER_MINUTE=LIMIT)
class LimitTests(Homes, TestCase):
    def setUp(self):
        cache.clear()
        self.make(7)

    def test_the_sixth_address_is_refused_and_the_first_still_shows(self):
        shown = [self.ask(home, self.colette) for home in self.homes[:6]]
        self.assertEqual(shown, [street(i) for i in range(5)] + [None])
        self.assertEqual(self.ask(self.homes[0], self.colette), street(0))  # a reload at the kerb
        self.assertEqual(AddressReveal.objects.count(), 6)

    def test_a_refusal_by_the_phone_counts_for_the_person(self):
        """Olivia on a phone at its limit is refused; the try counts for her minute (never less
        than what was shown: a slot given back could be one a reveal at the same instant counted on)."""
        for home in self.homes[:5]:
            self.ask(home, self.colette, device="phone-a")
        other = make_user("olivia@example.org", "Olivia", self.hub, Role.COORDINATOR)
        self.assertIsNone(self.ask(self.homes[5], other, device="phone-a"))  # the phone is at its limit
        shown = [self.ask(home, other, device="phone-b") for home in self.homes[:5]]
        self.assertEqual(sum(s is not None for s in shown), 4)
        self.assertEqual(self.ask(self.homes[5], other, device="phone-b"), street(5))  # the one she was refused

    def test_a_panic_empties_the_slots(self):
        for home in self.homes[:3]:
            self.ask(home, self.colette, device="phone-a")
        names = reveal_module._slots(f"user:{self.colette.pk}") + reveal_module._slots("device:phone-a")
        self.assertEqual(len(cache.get_many(names)), 6)
        reveal_module.forget_homes(self.hub)
        self.assertEqual(cache.get_many(names), {})


@unittest.skipUnless(ON_POSTGRES, NOT_ON_SQLITE)
@override_settings(ADDRESS_REVEALS_PER_MINUTE=LIMIT)
class BurstTests(Homes, TransactionTestCase):
    def setUp(self):
        cache.clear()
        self.make(12)

    def check_burst(self, already: int = 0):
        shown = at_once([lambda h=h: self.ask(h, self.colette) for h in self.homes])
        self.assertEqual(sum(s is not None for s in shown), LIMIT, shown)
        self.assertEqual(AddressReveal.objects.count(), already + LIMIT)
        self.assertEqual({s for s in shown if s}, {street(i) for i, s in enumerate(shown) if s})

    def test_one_person_twelve_addresses_at_once_sees_five(self):
        self.check_burst()

    def test_one_phone_twelve_links_at_once_sees_five(self):
        """A coordinator's phone opening twelve drivers' run sheets at once: each reveal is under
        another driver's name, the phone is the same."""
        drivers = [make_user(f"d{i}@example.org", f"D{i}", self.hub, Role.DRIVER) for i in range(12)]
        shown = at_once([lambda h=h, d=d: self.ask(h, d, device="0123456789abcdef")
                         for h, d in zip(self.homes, drivers)])
        self.assertEqual(sum(s is not None for s in shown), LIMIT)
        self.assertEqual(AddressReveal.objects.count(), LIMIT)

    def test_a_minute_later_twelve_new_addresses_at_once_see_five_again(self):
        """The slots of the minute before have ended but their rows are still in the cache's table:
        each is taken again by exactly one of the reveals arriving together, never by two."""
        with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
            self.assertEqual([self.ask(home, self.colette) for home in self.homes[:LIMIT]],
                             [street(i) for i in range(LIMIT)])
        if "Database" in type(cache).__name__:  # the ended rows are there to be raced for
            names = reveal_module._slots(f"user:{self.colette.pk}")
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM nightstay_cache WHERE cache_key LIKE %s",
                               [f"%{names[0].rsplit(':', 1)[0]}%"])
                self.assertEqual(cursor.fetchone()[0], LIMIT)
        self.check_burst(already=LIMIT)

    def test_one_slot_that_ended_is_taken_by_one_of_twelve_adds_at_once(self):
        with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
            self.assertTrue(cache.add("slot", "old", timeout=60))
        won = at_once([lambda i=i: self.add_and_close("slot", i) for i in range(12)])
        self.assertEqual(sum(won), 1, won)
        self.assertEqual(cache.get("slot"), won.index(True))

    @staticmethod
    def add_and_close(key, value) -> bool:
        try:
            return cache.add(key, value, timeout=60)
        finally:
            connection.close()

    def test_twelve_reloads_of_one_address_at_once_all_show(self):
        shown = at_once([lambda: self.ask(self.homes[0], self.colette) for _ in range(12)])
        self.assertEqual(shown, [street(0)] * 12)  # the same address: never more than the limit of slots

    @unittest.skipUnless(redis_url(), "no Redis on 127.0.0.1:6379")
    def test_redis_holds_the_limit_against_a_burst(self):
        prefix = f"nightstay-test-{uuid.uuid4().hex}"
        self.addCleanup(drop_redis_keys, prefix)
        with with_redis(prefix):
            self.check_burst()
