"""The signed API between installations, in process: what it answers a signed peer, and what
it refuses (unsigned, unknown key, tampered, replayed, too old); keys that rotate; OpenAPI."""
from __future__ import annotations

import json
import time
from datetime import time as clock

from django.core.cache import cache
from django.test import TestCase
from django.urls import resolve

from nightstay.hubs.models import Hub
from nightstay.network import offers
from nightstay.network.models import Offer, Peer
from nightstay.network.signing import sign
from nightstay.privacy.crypto import KeyRing, new_key_line

OLD, NEW = new_key_line("k1"), new_key_line("k2")


class SignedApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hub = Hub.objects.create(name="Lille - Porte de Douai", slug="lille", meeting_point="Porte de Douai",
                                     meeting_lat=50.6280, meeting_lon=3.0760, window_start=clock(0, 0),
                                     window_end=clock(23, 59))
        cls.peer = Peer.objects.create(hub=cls.hub, name="Roubaix", remote_slug="roubaix", url="http://127.0.0.1:9",
                                       keys=f"{NEW},{OLD}")  # rotating: the new key first, the old one still good
        cls.offer = Offer.objects.create(night=cls.hub.tonight(), beds=4, seats=2, to_peer=cls.peer)

    def setUp(self):
        cache.clear()

    def request(self, method: str, path: str, body: bytes = b"", *, key_line: str = NEW, signed_path: str | None = None,
                signed_body: bytes | None = None, now: float | None = None, headers: dict | None = None):
        ring = KeyRing.parse(key_line)
        kid, key = ring.current
        headers = headers or sign(key, method, signed_path or path, body if signed_body is None else signed_body,
                                  kid=kid, hub="roubaix", now=now)
        extra = {k: v for k, v in headers.items()}
        if method == "GET":
            return self.client.get(path, headers=extra), headers
        return self.client.post(path, body, content_type="application/json", headers=extra), headers

    def test_a_signed_peer_reads_counts_and_offers(self):
        r, _ = self.request("GET", "/network/api/lille/counts/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(set(r.json()), {"hub", "night", "waiting", "beds_free", "seats_free", "at"})
        r, _ = self.request("GET", "/network/api/lille/offers/")
        self.assertEqual([o["beds"] for o in r.json()["offers"]], [4])
        self.assertEqual(r.json()["offers"][0]["meeting_point"]["name"], "Porte de Douai")

    def test_a_peer_takes_an_offer_once(self):
        path = f"/network/api/lille/offers/{self.offer.pk}/accept/"
        r, _ = self.request("POST", path, b"{}")
        self.assertEqual((r.status_code, r.json()["state"]), (200, "accepted"))
        self.offer.refresh_from_db()
        self.assertEqual(self.offer.accepted_by_peer, self.peer)
        r, _ = self.request("POST", path, b"{}")
        self.assertEqual(r.status_code, 409)

    def test_unsigned_unknown_tampered_replayed_and_old_requests_are_refused(self):
        counts = "/network/api/lille/counts/"
        self.assertEqual(self.client.get(counts).json(), {"error": "unsigned request"})
        cases = {
            "unknown key": dict(key_line=new_key_line("k9")),
            "another hub's URL": dict(signed_path="/network/api/other/counts/"),
            # Well past the five minutes: the timestamp is sent in whole seconds (up to 1 s lost)
            # and a loaded machine takes time between signing and checking.
            "too old": dict(now=time.time() - 310),
            "from the future": dict(now=time.time() + 310),
        }
        for case, kwargs in cases.items():
            with self.subTest(case):
                r, _ = self.request("GET", counts, **kwargs)
                self.assertEqual(r.status_code, 403, case)
        accept = f"/network/api/lille/offers/{self.offer.pk}/accept/"
        r, _ = self.request("POST", accept, b'{"beds": 40}', signed_body=b"{}")
        self.assertEqual((r.status_code, r.json()["error"]), (403, "bad signature"))
        r, headers = self.request("GET", counts)
        self.assertEqual(r.status_code, 200)
        r, _ = self.request("GET", counts, headers=headers)
        self.assertEqual((r.status_code, r.json()["error"]), (403, "replayed request"))
        self.offer.refresh_from_db()
        self.assertEqual(self.offer.state, Offer.State.OFFERED)

    def test_during_a_rotation_old_and_new_keys_verify_then_the_old_one_is_dropped(self):
        self.assertEqual(self.request("GET", "/network/api/lille/counts/", key_line=OLD)[0].status_code, 200)
        self.peer.keys = NEW
        self.peer.save()
        self.assertEqual(self.request("GET", "/network/api/lille/counts/", key_line=OLD)[0].status_code, 403)
        self.assertEqual(self.request("GET", "/network/api/lille/counts/", key_line=NEW)[0].status_code, 200)

    def test_the_keys_are_sealed_at_rest(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT keys FROM network_peer")
            stored = cursor.fetchone()[0]
        self.assertNotIn(NEW.split(":")[1], stored)
        self.assertTrue(stored.startswith("ns1:"))

    def test_the_openapi_document_describes_every_api_url(self):
        r = self.client.get("/network/api/openapi.json")
        doc = json.loads(b"".join(r.streaming_content))
        self.assertEqual(doc["openapi"][:2], "3.")
        described = {resolve(p.replace("{hub}", "lille").replace("{offer}", str(self.offer.pk))).url_name
                     for p in doc["paths"]}
        self.assertEqual(described, {"network_api_counts", "network_api_offers", "network_api_accept"})

    def test_what_travels_is_counts_and_the_offer_alone(self):
        self.assertEqual(set(offers.as_json(self.offer)),
                         {"id", "night", "hub", "beds", "seats", "genders", "minors", "state", "meeting_point"})
