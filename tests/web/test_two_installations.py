"""Two installations, two processes, two SQLite files, two ports on 127.0.0.1: Lille and
Roubaix exchange counts and an offer over the signed API; unsigned, tampered and replayed
requests are refused; a dump of either holds nothing of the other's guests or homes.

Each installation is ``manage.py runserver`` on its own database and field keys, started
and stopped by the test; the two hubs share one signing key, as the pair would.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.test import SimpleTestCase

from nightstay.network.signing import sign
from nightstay.privacy.crypto import KeyRing, new_key_line

ROOT = Path(__file__).resolve().parents[2]
PAIR_KEY = new_key_line("pair1")
SECRETS = {  # what each installation holds of its own guests and homes
    "lille": ("Rue Secrète 1", "Zeynab", "LIL1", "Lucie"),
    "roubaix": ("Rue Cachée 2", "Hamid", "RBX1", "Rachid"),
}

SEED = """
from datetime import time, timedelta
from django.utils import timezone
from nightstay.accounts.models import User
from nightstay.hubs.models import Hub, Membership
from nightstay.intake.models import Party
from nightstay.network import offers
from nightstay.network.models import Peer
from nightstay.pledges.models import BedPledge, Home
slug, other, url, key, lat, lon, address, nickname, ticket, host = {args!r}
hub = Hub.objects.create(name=slug.title(), slug=slug, meeting_point="Gare " + slug, meeting_lat=lat, meeting_lon=lon,
                         window_start=time(0, 0), window_end=time(23, 59))
user = User.objects.create_user(host.lower() + "@example.org", "a long password here", first_name=host,
                                phone="+33 6 00 00 00 00")
Membership.objects.create(user=user, hub=hub, role="host")
home = Home.objects.create(hub=hub, host=user, address=address, lat=lat + 0.01, lon=lon + 0.01, area="centre")
night = hub.tonight()
BedPledge.objects.create(home=home, beds=8, pickup="driver", first_date=night.date, ready_from=time(0, 0),
                         latest_arrival=time(23, 59))
Party.objects.create(night=night, ticket=ticket, size=2, gender="m", nickname=nickname,
                     waiting_since=timezone.now())
peer = Peer.objects.create(hub=hub, name=other.title(), remote_slug=other, url=url, keys=key)
if slug == "lille":
    print(offers.make(hub, 6, 0, to_peer=peer).pk)
"""

TAKE = """
import json
from nightstay.network import offers, signing
from nightstay.network.models import Peer
from nightstay.hubs.models import Shelter
peer = Peer.objects.get()
seen = {"counts": signing.call(peer, "GET", "counts/"), "offers": signing.call(peer, "GET", "offers/")["offers"]}
if seen["offers"]:
    taken = offers.took_from_peer(peer, signing.call(peer, "POST", "offers/%s/accept/" % seen["offers"][0]["id"], {}))
    seen["lent"] = list(Shelter.objects.filter(night__isnull=False).values_list("beds", "reach"))
print(json.dumps(seen))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TwoInstallationsTests(SimpleTestCase):
    databases: set = set()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = Path(tempfile.mkdtemp(prefix="nightstay-two-"))
        cls.ports = {"lille": free_port(), "roubaix": free_port()}
        cls.env = {}
        for slug in ("lille", "roubaix"):
            (cls.tmp / slug).mkdir()
            env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
            env.update(DJANGO_SETTINGS_MODULE="nightstay.site.settings", NIGHTSTAY_VAR_DIR=str(cls.tmp / slug),
                       NIGHTSTAY_FIELD_KEYS=new_key_line(slug[:3]), CACHE_KEY_PREFIX=slug, TZ="UTC",
                       DATABASE_URL=f"sqlite:///{cls.tmp / slug / 'db.sqlite3'}", PYTHONUNBUFFERED="1")
            cls.env[slug] = env
        cls.manage("lille", "migrate", "-v0")
        shutil.copy(cls.tmp / "lille" / "db.sqlite3", cls.tmp / "roubaix" / "db.sqlite3")  # one migrate for both
        url = {slug: f"http://127.0.0.1:{port}" for slug, port in cls.ports.items()}
        places = {"lille": (50.628, 3.076), "roubaix": (50.690, 3.181)}
        for slug, other in (("lille", "roubaix"), ("roubaix", "lille")):
            address, nickname, ticket, host = SECRETS[slug]
            args = (slug, other, url[other], PAIR_KEY, *places[slug], address, nickname, ticket, host)
            out = cls.manage(slug, "shell", "-c", SEED.format(args=args))
            if slug == "lille":
                cls.offer_id = out.strip().splitlines()[-1]
        cls.servers = []
        for slug, port in cls.ports.items():
            cls.servers.append(subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT,
                env=cls.env[slug], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in cls.ports.values():
            cls.wait_for(f"http://127.0.0.1:{port}/network/api/openapi.json")

    @classmethod
    def tearDownClass(cls):
        for server in cls.servers:
            server.terminate()
            server.wait(10)
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def manage(cls, slug: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=cls.env[slug], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    @staticmethod
    def wait_for(url: str) -> None:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise AssertionError(f"{url} never answered")

    def send(self, slug: str, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.ports[slug]}{path}", data=body or None, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def signed(self, method: str, path: str, body: bytes = b"", signed_body: bytes | None = None) -> dict:
        kid, key = KeyRing.parse(PAIR_KEY).current
        return sign(key, method, path, body if signed_body is None else signed_body, kid=kid, hub="roubaix")

    def test_1_counts_and_an_offer_travel_and_the_beds_land_in_the_takers_night(self):
        seen = json.loads(self.manage("roubaix", "shell", "-c", TAKE).strip().splitlines()[-1])
        self.assertEqual((seen["counts"]["hub"], seen["counts"]["waiting"], seen["counts"]["beds_free"]),
                         ("Lille", 2, 2))  # 8 beds pledged, 6 of them offered to Roubaix
        self.assertEqual([(o["id"], o["beds"]) for o in seen["offers"]], [(self.offer_id, 6)])
        self.assertEqual(seen["lent"], [[6, "drive"]])
        other_way = json.loads(self.manage("lille", "shell", "-c", TAKE).strip().splitlines()[-1])
        self.assertEqual((other_way["counts"]["hub"], other_way["counts"]["waiting"]), ("Roubaix", 2))
        self.assertEqual(other_way["offers"], [])  # Roubaix offered nothing
        # Lille's offer is taken: no longer listed, a second take refused.
        path = f"/network/api/lille/offers/{self.offer_id}/accept/"
        status, _answer = self.send("lille", "POST", path, b"{}", self.signed("POST", path, b"{}"))
        self.assertEqual(status, 409)

    def test_2_unsigned_tampered_and_replayed_requests_are_refused(self):
        counts = "/network/api/lille/counts/"
        self.assertEqual(self.send("lille", "GET", counts), (403, {"error": "unsigned request"}))
        path = f"/network/api/lille/offers/{self.offer_id}/accept/"
        status, answer = self.send("lille", "POST", path, b'{"x": 1}', self.signed("POST", path, b"{}"))
        self.assertEqual((status, answer), (403, {"error": "bad signature"}))
        headers = self.signed("GET", counts)
        self.assertEqual(self.send("lille", "GET", counts, headers=headers)[0], 200)
        self.assertEqual(self.send("lille", "GET", counts, headers=headers), (403, {"error": "replayed request"}))

    def test_3_a_dump_of_either_holds_nothing_of_the_others_guests_or_homes(self):
        self.manage("roubaix", "shell", "-c", TAKE)  # whatever the order the tests ran in, the offer was taken
        for slug, other in (("lille", "roubaix"), ("roubaix", "lille")):
            dump = self.manage(slug, "dumpdata", "--natural-foreign")
            raw = (self.tmp / slug / "db.sqlite3").read_bytes()
            for secret in SECRETS[other]:
                self.assertNotIn(secret, dump, f"{slug}'s dump holds {other}'s {secret!r}")
                self.assertNotIn(secret.encode(), raw, f"{slug}'s database file holds {other}'s {secret!r}")
            self.assertIn(SECRETS[slug][2], dump)  # its own ticket is there: the dump is a real one
