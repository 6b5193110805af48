"""The lock-out and the per-address budget hold against a burst, across workers and processes.

The attack: 30 wrong passwords and the right one, sent at once to a host's account, logged
in, and the failure count ended at 1 (read the count, run the hash, write the count: lost
updates). Here the requests are real and concurrent (threads against a live server, each
with its own database connection), so they run on PostgreSQL: the SQLite test database
lives in one in-memory connection that the live server shares between its threads, one
request at a time, which cannot race.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from unittest import mock

import time_machine

from django.contrib.auth.hashers import check_password as django_check_password
from django.core.cache import cache
from django.db import connection
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import LiveServerTestCase, TransactionTestCase, override_settings
from django.test.testcases import LiveServerThread

from nightstay.accounts import throttle
from nightstay.accounts.backends import BUCKET, account_key
from nightstay.accounts.forms import LoginForm
from nightstay.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
REFUSED = str(LoginForm.refused)
ON_POSTGRES = connection.vendor == "postgresql"
NOT_ON_SQLITE = "the SQLite test database is one in-memory connection: no two requests can run at once"
BEHIND_PROXY = override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))


def redis_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/0"


def drop_redis_keys(prefix: str) -> None:
    """Delete this test's keys only (Django's RedisCache.clear() would empty the whole Redis database)."""
    import redis

    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def with_redis(prefix: str):
    return override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url(), "KEY_PREFIX": prefix}})


class Browser:
    """One phone: its own cookies, a log-in form fetched first (for the CSRF token), then a post."""

    def __init__(self, base: str, address: str = "127.0.0.1"):
        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        page = self.open("/login/").read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"X-Forwarded-For": self.address})
        try:
            return self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as answer:
            return answer

    def log_in(self, email: str, password: str):
        answer = self.open("/login/", {"csrfmiddlewaretoken": self.token, "email": email, "password": password})
        return answer.status, answer.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 after log-in is the answer we look at


class CountedChecks:
    """Counts the passwords actually checked, in every thread of the live server."""

    def __init__(self):
        self.lock, self.count = threading.Lock(), 0

    def __enter__(self):
        counter = self

        def check(user, raw):
            with counter.lock:
                counter.count += 1
            return django_check_password(raw, user.password)

        self.patch = mock.patch.object(User, "check_password", check)
        self.patch.start()
        return self

    def __exit__(self, *exc):
        self.patch.stop()


def at_once(jobs):
    """Run every job in its own thread, released together; return their results in order."""
    barrier, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


class RoomyServer(ThreadedWSGIServer):
    request_queue_size = 64  # room for the whole burst in the listen queue, as gunicorn's 2048 has


class RoomyServerThread(LiveServerThread):
    server_class = RoomyServer


@unittest.skipUnless(ON_POSTGRES, NOT_ON_SQLITE)
@BEHIND_PROXY
class BurstTests(LiveServerTestCase):
    server_thread_class = RoomyServerThread

    def setUp(self):
        cache.clear()
        User.objects.create_user("hugo@example.org", PASSWORD, first_name="Hugo")

    def test_thirty_wrong_passwords_at_once_then_the_right_one(self):
        """From 30 addresses at once; the right password arrives while they are being checked."""
        phones = at_once([lambda i=i: Browser(self.live_server_url, f"203.0.113.{i}") for i in range(31)])
        right_answer = {}

        def right_one():
            deadline = time.monotonic() + 60
            while throttle.used(BUCKET, account_key("hugo@example.org")) < 30 and time.monotonic() < deadline:
                time.sleep(0.005)
            connection.close()  # this thread's own connection
            right_answer["it"] = phones[30].log_in("hugo@example.org", PASSWORD)

        with CountedChecks() as checked:
            wrong = at_once([lambda p=p: p.log_in("hugo@example.org", "wrong password") for p in phones[:30]]
                            + [right_one])[:30]
        status, page = right_answer["it"]
        self.assertEqual(status, 200, "the right password got in during the burst")
        self.assertIn(REFUSED, page)
        self.assertEqual([s for s, _ in wrong], [200] * 30)
        self.assertEqual(throttle.used(BUCKET, account_key("hugo@example.org")), 31)  # no count lost
        self.assertEqual(checked.count, 5)  # only the first five were checked at all

    def test_a_burst_from_one_address_checks_only_its_free_tries(self):
        phones = at_once([lambda: Browser(self.live_server_url, "198.51.100.9") for _ in range(40)])
        # The clock stands still (in every thread): the paced turn cannot end during the burst.
        with CountedChecks() as checked, time_machine.travel("2026-11-24 20:00 +00:00", tick=False):
            answers = at_once([lambda p=p, i=i: p.log_in(f"guess{i}@example.org", "x")[0]
                               for i, p in enumerate(phones)])
            self.assertEqual(throttle.used("login-failed", throttle.keyed("198.51.100.9")), 21)
        self.assertEqual(sorted(answers), [200] * 21 + [429] * 19)  # 20 free and one paced try
        self.assertEqual(checked.count, 0)  # unknown e-mails: hashed for time, no account checked


class SharedCounterTests(TransactionTestCase):
    """Concurrent counts in the store itself: each caller gets its own number, none is lost."""

    def setUp(self):
        cache.clear()

    def count_at_once(self, n: int) -> list[int]:
        def hit():
            try:
                return throttle.hit("test", "burst", 60)
            finally:
                connection.close()  # this thread's own connection

        return at_once([hit] * n)

    def test_an_ended_window_leaves_no_row(self):
        with time_machine.travel("2026-11-24 20:00 +00:00", tick=False) as clock:
            throttle.hit("test", throttle.keyed("203.0.113.5"), 60)
            clock.shift(61)
            throttle.hit("test", throttle.keyed("203.0.113.6"), 60)
        with connection.cursor() as cur:
            cur.execute("SELECT cache_key FROM nightstay_cache")
            keys = [k for (k,) in cur.fetchall()]
        self.assertEqual(len(keys), 1)
        self.assertIn(throttle.keyed("203.0.113.6"), keys[0])

    @unittest.skipUnless(ON_POSTGRES, NOT_ON_SQLITE)
    def test_the_database_store_counts_a_burst_exactly(self):
        self.assertEqual(sorted(self.count_at_once(30)), list(range(1, 31)))

    @unittest.skipUnless(redis_url(), "no Redis on 127.0.0.1:6379")
    def test_redis_counts_a_burst_exactly(self):
        prefix = f"nightstay-test-{uuid.uuid4().hex}"
        self.addCleanup(drop_redis_keys, prefix)
        with with_redis(prefix):
            self.assertEqual(sorted(self.count_at_once(30)), list(range(1, 31)))

    @unittest.skipUnless(redis_url(), "no Redis on 127.0.0.1:6379")
    def test_two_redis_clients_share_one_lock_out(self):
        """Two workers: two cache objects, each with its own connections to Redis."""
        from django.core.cache import caches

        User.objects.create_user("hugo@example.org", PASSWORD, first_name="Hugo")
        prefix = f"nightstay-test-{uuid.uuid4().hex}"
        self.addCleanup(drop_redis_keys, prefix)
        with with_redis(prefix):
            from django.test import Client

            for worker, tries in ((caches.create_connection("default"), 3), (caches.create_connection("default"), 2)):
                with mock.patch.object(throttle, "cache", worker):
                    for _ in range(tries):
                        Client().post("/login/", {"email": "hugo@example.org", "password": "wrong"})
            with mock.patch.object(throttle, "cache", caches.create_connection("default")):
                r = Client().post("/login/", {"email": "hugo@example.org", "password": PASSWORD})
            self.assertContains(r, REFUSED)


@unittest.skipUnless(ON_POSTGRES, "the SQLite test database lives in memory: no second process can open it")
class TwoProcessTests(TransactionTestCase):
    """Two real server processes (as two gunicorn workers or two machines) against one database."""

    def setUp(self):
        cache.clear()
        User.objects.create_user("hugo@example.org", PASSWORD, first_name="Hugo")
        User.objects.create_user("bea@example.org", PASSWORD, first_name="Béa")

    def serve(self, env: dict) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
                                   f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        self.addCleanup(server.wait, 10)
        self.addCleanup(server.terminate)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.2)
        self.fail("the server did not start")

    def check_shared(self, env: dict):
        a, b = self.serve(env), self.serve(env)
        for base, tries in ((a, 3), (b, 2)):
            phone = Browser(base)
            for _ in range(tries):
                self.assertIn(REFUSED, phone.log_in("hugo@example.org", "wrong password")[1])
        for base in (a, b):
            status, page = Browser(base).log_in("hugo@example.org", PASSWORD)
            self.assertEqual(status, 200)
            self.assertIn(REFUSED, page)
        self.assertEqual(Browser(b).log_in("bea@example.org", PASSWORD)[0], 302)  # the servers do let people in

    def server_env(self) -> dict:
        db = connection.settings_dict
        url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
               f"{db['NAME']}")
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_KEY_PREFIX")}
        return {**env, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url}

    def test_two_servers_share_one_lock_out(self):
        self.check_shared(self.server_env())
