"""Crypto-shredding: what the night's rows hold of most use to a raid is sealed under a key of
the night that the panic and the purge destroy.

A deleted row outlives its deletion where no scrub reaches: PostgreSQL's ``pg_wal`` on a server
that recycles its segments, a WAL archive, a backup, the file system's freed blocks. Here a raw copy of the rows, read with
SQL before the panic, stands in for them (``PgWalTests`` reads ``pg_wal`` itself when the
server's files are readable): after the panic none of its sealed values opens.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from unittest import mock

import time_machine
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning import runs
from nightstay.planning.models import PlanRun
from nightstay.privacy import night_keys
from nightstay.privacy.night_fields import open_for, seal_for
from nightstay.privacy.retention import purge

from .base import HubTestCase
from .scripted_night import ScriptedNightTestCase, script_night

EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))
NOON_AFTER = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.get_fixed_timezone(60))
# In a test's transaction a scrub waits for a commit that never comes (its own callback again):
# the files are scrubbed in test_deleted_is_gone; here only the key's callback runs.
NO_SCRUB = mock.patch("nightstay.privacy.scrub.scrub", lambda: None)
SEALED = {"dispatch_planrun": ("night_json", "plan_json"), "dispatch_runsheetgrant": ("seen",)}


def raw_rows() -> dict[tuple[str, str, str], str]:
    """Every sealed value as the database holds it: (table, column, row id) -> stored JSON text."""
    found = {}
    with connection.cursor() as cursor:
        for table, columns in SEALED.items():
            for column in columns:
                cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
                for row_id, value in cursor.fetchall():
                    found[(table, column, str(row_id).replace("-", ""))] = value
    return found


class Row:
    """A stand-in for a deleted row: its table, id and night, as a copy of it would give them."""

    def __init__(self, model, pk, night_id):
        self._meta, self.pk, self.night_id = model._meta, pk, night_id


@time_machine.travel(EVENING, tick=False)
class NightKeyTests(ScriptedNightTestCase):
    evening = EVENING

    def setUp(self):
        # The key's file outlives each test's rollback: put it back as it was after every test.
        self.key_file = night_keys._path(self.night.pk)
        saved = self.key_file.read_bytes() if self.key_file.exists() else None
        if saved is not None:
            self.addCleanup(self.key_file.chmod, 0o600)
            self.addCleanup(self.key_file.write_bytes, saved)
        self.run = self.rows["run"]
        tickets = [p.ticket for p in self.rows["parties"]]
        self.place = f"H-{self.hugo_home.pk.hex[:12]}"
        self.run.night_json = {"format": "nightstay.night/1", "hosts": [{"id": self.place, "lat": 50.84, "lon": 4.37}],
                               "parties": [{"id": t, "size": 1} for t in tickets]}
        self.run.plan_json = {"format": "nightstay.plan/1", "placements": [{"party": tickets[2], "place": self.place}],
                              "unplaced": [], "summary": {}}
        self.run.save()
        grant = self.rows["grant"]
        RunSheetGrant.objects.filter(pk=grant.pk).update(seen=seal_for(grant, "seen", {
            "outline": {"stops": {f"h{self.hugo_home.pk}": {"where": "Ixelles", "who": [tickets[2]]}}}}))
        self.tickets = tickets

    def open_raw(self, copy):
        models = {"dispatch_planrun": PlanRun, "dispatch_runsheetgrant": RunSheetGrant}
        opened = {}
        for (table, column, row_id), text in copy.items():
            stored = json.loads(text) if isinstance(text, str) else text
            try:
                opened[(table, column)] = open_for(Row(models[table], self.uuid(row_id), self.night.pk), column,
                                                   stored)
            except night_keys.NightKeyLost:
                pass
        return opened

    @staticmethod
    def uuid(hex_id: str):
        import uuid

        return uuid.UUID(hex=hex_id)

    def test_the_rows_hold_no_ticket_or_place_in_clear(self):
        copy = raw_rows()
        self.assertEqual(len(copy), 3)
        everything = "".join(copy.values())
        for secret in [*self.tickets, self.place, self.hugo_home.pk.hex, str(self.hugo_home.pk)]:
            self.assertNotIn(secret, everything)
        self.assertEqual(len(self.open_raw(copy)), 3)  # while the night lives, the copy opens with its key
        run = PlanRun.objects.get(pk=self.run.pk)
        self.assertEqual(run.plan_json["placements"][0]["place"], self.place)  # and the site reads it as before

    def test_after_a_panic_a_copy_taken_before_no_longer_opens(self):
        copy = raw_rows()
        kept = self.key_file.with_suffix(".hardlink")  # a second name for the key's blocks on disk
        kept.hardlink_to(self.key_file)
        self.addCleanup(kept.unlink, missing_ok=True)
        key_before = kept.read_bytes()
        with NO_SCRUB, self.captureOnCommitCallbacks(execute=True):
            self.hub.panic()
        self.assertFalse(self.key_file.exists())
        self.assertNotEqual(kept.read_bytes(), key_before)  # overwritten in place, not only unlinked
        self.assertEqual(self.open_raw(copy), {})
        with self.assertRaises(night_keys.NightKeyLost):
            night_keys.key_of(self.night.pk)

    def test_the_purge_at_noon_destroys_the_key_too(self):
        copy = raw_rows()
        with NO_SCRUB, time_machine.travel(NOON_AFTER, tick=False), self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(purge()["nights"], 1)
        self.assertEqual(self.open_raw(copy), {})

    def test_a_purge_that_rolls_back_keeps_the_key(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            with NO_SCRUB, time_machine.travel(NOON_AFTER, tick=False):
                purge()
        self.assertTrue(callbacks)  # the key goes only when the deletion is committed
        self.assertTrue(self.key_file.exists())

    def test_a_key_lost_during_the_night_is_said_and_a_new_plan_works(self):
        """The key file deleted by mistake: the plan sealed under it cannot be shown; the board
        says so ("press Plan again"); the run sheet forgets only what it last showed; a new plan
        is sealed under a new key."""
        self.key_file.unlink()
        self.assertIsNone(runs.proposal(self.night))
        run = PlanRun.objects.get(pk=self.run.pk)
        self.assertEqual((run.status, run.error), (PlanRun.Status.FAILED, runs.KEY_LOST))
        self.assertIsNone(RunSheetGrant.objects.get(pk=self.rows["grant"].pk).seen)
        fresh = PlanRun.objects.create(night=self.night, status=PlanRun.Status.DONE, night_json={"hosts": []},
                                       plan_json={"placements": []})
        self.assertEqual(runs.proposal(self.night), fresh)
        with self.assertRaises(night_keys.NightKeyLost):
            PlanRun.objects.get(pk=self.run.pk).night_json  # never opened with the new key

    def test_a_plain_value_is_never_written_by_an_update(self):
        with self.assertRaises(ValueError):
            PlanRun.objects.filter(pk=self.run.pk).update(plan_json={"placements": []})

    def test_the_key_file_holds_the_key_sealed_under_the_field_keys(self):
        kid, key = night_keys.key_of(self.night.pk)
        text = self.key_file.read_text()
        self.assertTrue(text.startswith("ns1:"))  # privacy.crypto's sealed form
        import base64

        self.assertNotIn(base64.urlsafe_b64encode(key).decode(), text)
        self.assertEqual(Path(settings.NIGHT_KEY_DIR), self.key_file.parent)
        self.assertEqual(self.key_file.stat().st_mode & 0o077, 0)  # readable by the site's account only


class KeyStoreTests(ScriptedNightTestCase):
    evening = EVENING

    def test_two_processes_making_the_key_at_once_get_the_same(self):
        import uuid

        night_id = uuid.uuid4()
        self.addCleanup(night_keys.destroy, night_id)
        first = night_keys.key_of(night_id, create=True)
        shutil.copy(night_keys._path(night_id), night_keys._path(night_id).with_suffix(".copy"))
        self.addCleanup(night_keys._path(night_id).with_suffix(".copy").unlink)
        self.assertEqual(night_keys.key_of(night_id, create=True), first)  # the file's key wins, not a new one
        self.assertEqual([p.name for p in night_keys._dir().glob(".*.tmp")], [])


@time_machine.travel(EVENING, tick=False)
class PgWalTests(TransactionTestCase):
    """``pg_wal`` itself, read byte for byte after a real panic (committed, scrubbed), when the
    PostgreSQL server runs on this machine and its files are readable here."""

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("pg_wal is read when the tests run on PostgreSQL")
        with connection.cursor() as cursor:
            try:
                cursor.execute("SHOW data_directory")
            except Exception as e:  # not a superuser
                self.skipTest(f"cannot learn the server's data directory: {e}")
            self.wal = Path(cursor.fetchone()[0]) / "pg_wal"
        if not os.access(self.wal, os.R_OK | os.X_OK):
            self.skipTest(f"{self.wal} is not readable here")
        HubTestCase.setUpTestData.__func__(self)
        self.night = self.hub.tonight()
        self.rows = script_night(self, self.night)
        run = self.rows["run"]
        run.plan_json = {"placements": [{"party": p.ticket, "place": f"H-{self.hugo_home.pk.hex[:12]}"}
                                        for p in self.rows["parties"]]}
        run.save()

    def tokens(self) -> set[str]:
        """Every value sealed for this night that the write-ahead log holds, as bytes on disk."""
        pattern = re.compile(rb"nk1:" + self.night.pk.hex.encode() + rb":[0-9a-f]{12}:[A-Za-z0-9_-]{24,}=*")
        found = set()
        for segment in sorted(self.wal.iterdir()):
            if segment.is_file():
                found.update(m.group().decode() for m in pattern.finditer(segment.read_bytes()))
        return found

    def opening(self, tokens: set[str]) -> set[str]:
        rows = [Row(PlanRun, self.rows["run"].pk, self.night.pk), Row(RunSheetGrant, self.rows["grant"].pk, self.night.pk)]
        opened = set()
        for token in tokens:
            for row, field in [(rows[0], "night_json"), (rows[0], "plan_json"), (rows[1], "seen")]:
                try:
                    open_for(row, field, token)
                    opened.add(token)
                except Exception:  # NightKeyLost, or not this row's value, or cut by a WAL page header
                    continue
        return opened

    def test_after_a_panic_the_sealed_values_in_pg_wal_no_longer_open(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_switch_wal()")  # what was written is on disk, in a closed segment
        before = self.tokens()
        self.assertTrue(self.opening(before), "the scan finds the night's sealed plan in pg_wal and opens it")
        self.hub.panic()
        # The panic also retires the segments that held the night (nightstay.privacy.scrub); whether
        # PostgreSQL unlinks them or keeps them for reuse with their bytes inside is the server's
        # setting (wal_recycle, test_wal_retired). Whatever copy is left, here or in an archive or
        # a backup, no longer opens.
        self.assertEqual(self.opening(before | self.tokens()), set())
