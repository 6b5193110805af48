"""What a seized database gives away: a full dump after a scripted night holds no address,
phone, e-mail or nickname in any encoding, and without the field keys nothing decrypts.

The dump is the real one: ``iterdump()`` of the SQLite database, ``pg_dump`` of the
PostgreSQL test database (so these tests commit their rows: ``TransactionTestCase``).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from datetime import datetime
from io import StringIO
from urllib.parse import quote, quote_plus

import time_machine
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from nightstay.accounts.models import User
from nightstay.privacy import crypto, night_keys
from nightstay.privacy.fields import SealedField, binding
from nightstay.privacy.models import AddressReveal
from nightstay.privacy.retention import night_rows, purge
from nightstay.volunteers.models import Application

from .base import HubTestCase
from .scripted_night import NICKNAMES, script_night

PG_DUMP = shutil.which("pg_dump")
EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))
NEXT_NOON = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.get_fixed_timezone(60))
PHONES = {"adele": "+32 471 10 20 31", "colette": "+32 472 11 21 32", "hugo": "+32 473 12 22 33",
          "dara": "+32 474 13 23 34", "bea": "+32 475 14 24 35"}
APPLICANT = {"phone": "+32 476 15 25 36", "email": "noor.applicant@example.org"}


def database_dump() -> str:
    """Every row of the whole database as text, the way a seizure or a backup would take it."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    cmd = [PG_DUMP, "--no-owner"]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            cmd += [flag, str(settings[key])]
    cmd.append(settings["NAME"])
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout


def encodings(secret: str) -> set[str]:
    """``secret`` as it could sit in a dump: plain, base64, hex, URL-encoded, JSON-escaped."""
    raw = secret.encode()
    forms = {secret, secret.lower(), secret.upper(), raw.hex(), quote(secret), quote_plus(secret),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for prefix in (b"", b"x", b"xx"):  # every alignment of the secret inside a longer base64 text
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            text = enc(prefix + raw).decode().rstrip("=")
            forms.add(text[len(prefix) * 4 // 3 + (1 if prefix else 0):-2])
    digits = "".join(c for c in secret if c.isdigit())
    if secret.startswith("+") and digits:
        forms.add(digits)
    return {f for f in forms if len(f) >= 6}


def seeded_secrets() -> list[str]:
    """What the scripted night typed in: host addresses, phones, e-mails, guest nicknames."""
    found = ["Rue du Trône 12, 1050 Ixelles", "Rue du Trône 12", "Chaussée de Wavre 200, 1050 Ixelles",
             "Chaussée de Wavre 200", *PHONES.values(), *APPLICANT.values(), *NICKNAMES]
    return found + [f"{name}@example.org" for name in ("adele", "colette", "cyril", "hugo", "dara", "bea", "otto",
                                                       "pia")]


def leaks(dump: str) -> list[tuple[str, str]]:
    lowered = dump.lower()
    return [(secret, form) for secret in seeded_secrets() for form in encodings(secret)
            if form in dump or form.lower() in lowered]


def test_the_checker_sees_a_leak_in_every_encoding():
    for secret in ("Rue du Trône 12", "+32 473 12 22 33", "hugo@example.org", "Samirah"):
        for form in encodings(secret):
            assert leaks(f"INSERT INTO x VALUES('{form}');"), (secret, form)
    assert leaks("note " + base64.b64encode("at: Rue du Trône 12".encode()).decode())
    assert leaks("Rue+du+Tr%C3%B4ne+12") and leaks("Rue du Tr\\u00f4ne 12") and leaks("32473122233")
    assert not leaks("INSERT INTO x VALUES('ns1:test:abcdefghijklmnop', 'Ixelles', 'Hugo');")


def sealed_values():
    """(model, row, field name, stored ciphertext) for every sealed value in the database."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, SealedField)]
        for row in model.objects.all() if fields else []:
            for field in fields:
                stored = row.__dict__.get(field.attname, "")
                if stored:
                    yield model, row, field.name, stored


@time_machine.travel(EVENING, tick=False)
class SeizureTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "sqlite" and not PG_DUMP:
            self.skipTest("pg_dump not found: install postgresql-client to dump the test database")
        HubTestCase.setUpTestData.__func__(self)
        for name, phone in PHONES.items():
            user = getattr(self, name)
            user.phone = phone
            user.save()
        Application.objects.create(hub=self.hub, first_name="Noor", phone=APPLICANT["phone"],
                                   email=APPLICANT["email"], area="Schaerbeek", offer="host", consent=True)
        self.night = self.hub.tonight()
        self.rows = script_night(self, self.night)
        self.run_the_night()

    def log_in(self, user):
        HubTestCase.log_in(self, user)

    def run_the_night(self):
        """Pages that show addresses and names are used, as on a real night."""
        driver = Client()
        sheet = driver.get(reverse("run_sheet", args=[self.rows["token"]]))
        self.assertContains(sheet, "Rue du Trône 12")  # the reveal happened: now it must leave no trace
        self.log_in(self.colette)
        self.assertEqual(self.client.get(reverse("night_close", args=["brussels"])).status_code, 200)
        self.assertEqual(self.client.get(reverse("night_file", args=["brussels"])).status_code, 200)
        self.client.post(reverse("close_night", args=["brussels"]))

    def assert_dump_holds_none(self, dump: str):
        self.assertEqual(leaks(dump), [])

    def test_a_dump_during_the_night_holds_no_address_phone_email_or_nickname(self):
        dump = database_dump()
        self.assertIn("ns1:", dump)  # the sealed values are there, as ciphertext
        self.assertGreater(len(dump), 10_000)
        self.assert_dump_holds_none(dump)

    def test_without_the_field_keys_nothing_decrypts(self):
        """A dump and the site's secret key, but another keyring: every sealed value stays shut."""
        fresh = crypto.KeyRing.parse(crypto.new_key_line("seized"))
        values = list(sealed_values())
        self.assertGreater(len(values), 20)
        for model, row, name, stored in values:
            with self.assertRaises(crypto.DecryptionError, msg=f"{model._meta.label}.{name}"):
                crypto.open_sealed(stored, binding(row, name), fresh)
            crypto.open_sealed(stored, binding(row, name))  # the real keys do open it
        hugo = User.objects.get(pk=self.hugo.pk)
        self.assertNotEqual(crypto.blind_index("hugo@example.org", fresh), hugo.email_index)
        # nor does a sealed value copied onto another row, even with the right keys
        model, row, name, stored = next(v for v in sealed_values() if v[0] is User)
        other = User.objects.exclude(pk=row.pk).first()
        with self.assertRaises(crypto.DecryptionError):
            crypto.open_sealed(stored, binding(other, name))

    def test_at_noon_after_the_purge_no_night_row_and_still_nothing(self):
        with time_machine.travel(NEXT_NOON, tick=False):
            purge()
        self.assertEqual(sum(night_rows(self.night).values()), 0)
        dump = database_dump()
        self.assert_dump_holds_none(dump)
        for party in self.rows["parties"]:
            self.assertNotIn(party.ticket, dump)

    def test_right_after_a_panic_everything_holds(self):
        self.hub.panic()
        self.assertEqual(sum(night_rows(self.night).values()), 0)
        dump = database_dump()
        self.assert_dump_holds_none(dump)
        self.assertNotIn(self.rows["grant"].token_hash, dump)
        self.assertFalse(Session.objects.exists())  # no member's session left to replay

    def test_right_after_a_panic_the_audit_names_no_home_that_sheltered_tonight(self):
        homes = {self.hugo_home.pk, self.bea_home.pk}  # both took guests tonight (the scripted night)
        before = "\n".join(audit_rows(database_dump()))
        self.assertIn(str(self.hugo_home.pk), before)  # before the panic the audit names Hugo's home
        self.hub.panic()
        rows = audit_rows(database_dump())
        self.assertEqual(len(rows), AddressReveal.objects.count())
        self.assertGreaterEqual(len(rows), 2)  # who saw how many addresses, when: still there
        for home in homes:
            for form in (str(home), home.hex):
                self.assertNotIn(form, "\n".join(rows))


def audit_rows(dump: str) -> list[str]:
    """The address-reveal audit's rows in a dump: SQLite's INSERT lines or pg_dump's COPY block."""
    table = AddressReveal._meta.db_table
    if f'INSERT INTO "{table}"' in dump:
        return [line for line in dump.splitlines() if line.startswith(f'INSERT INTO "{table}"')]
    block = dump.split(f"COPY public.{table} ", 1)
    return block[1].split("\n\\.\n", 1)[0].splitlines()[1:] if len(block) == 2 else []


class KeyRotationTests(TransactionTestCase):
    def setUp(self):
        # The rotation re-seals every night's key file: a directory of this test's own, so the
        # other tests' nights keep keys sealed under the test key.
        import shutil
        import tempfile

        keys = tempfile.mkdtemp(prefix="nightstay-rotation-")
        self.addCleanup(shutil.rmtree, keys, True)
        own_dir = override_settings(NIGHT_KEY_DIR=keys)
        own_dir.enable()
        self.addCleanup(own_dir.disable)
        HubTestCase.setUpTestData.__func__(self)
        Application.objects.create(hub=self.hub, first_name="Noor", phone=APPLICANT["phone"],
                                   email=APPLICANT["email"], area="Schaerbeek", offer="host", consent=True)

    def rotate(self) -> str:
        out = StringIO()
        call_command("rotate_field_keys", stdout=out)
        return out.getvalue()

    def test_after_rotating_the_old_key_can_go(self):
        from django.conf import settings

        old = settings.FIELD_KEYS
        new = crypto.new_key_line("k2")
        night_key = night_keys.key_of(self.hub.tonight().pk, create=True)
        with override_settings(FIELD_KEYS=f"{new}\n{old}"):
            self.assertIn("values re-sealed: ", self.rotate())
            self.assertIn("values re-sealed: 0", self.rotate())  # a second run has nothing to do
        with override_settings(FIELD_KEYS=new):
            for model, row, name, stored in sealed_values():
                self.assertEqual(crypto.sealed_with(stored), "k2")
                crypto.open_sealed(stored, binding(row, name))
            self.assertEqual(User.objects.get(pk=self.hugo.pk).phone, "+32 470 00 00 00")
            self.assertEqual(night_keys.key_of(self.hub.tonight().pk), night_key)  # the night's key re-sealed too
            self.assertIn("index entries re-computed: 8", self.rotate())  # the index follows the new key
            self.assertEqual(User.objects.get_by_email("hugo@example.org"), self.hugo)
            self.assertTrue(Client().login(email="hugo@example.org", password="correct horse battery staple"))
        with override_settings(FIELD_KEYS=crypto.new_key_line("k3")):  # a key that sealed nothing
            with self.assertRaises(crypto.DecryptionError):
                User.objects.get(pk=self.hugo.pk).phone
