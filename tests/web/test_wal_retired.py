"""After a panic, PostgreSQL's write-ahead log no longer holds the night (``nightstay.privacy.scrub``).

``pg_wal`` is read byte for byte, every file in it, through the server itself
(``pg_ls_waldir``, ``pg_read_binary_file``: a superuser's), as a seizure of the server's disk
would read it. The night is one of ``script_night`` with ticket codes and homes drawn for this
run only: the write-ahead log is the whole server's, and other databases on it (other test
runs) write their own nights with the same scripted codes.

The scrub only retires the log's segments; whether PostgreSQL then unlinks them is the
server's setting. By default (``wal_recycle = on``) a retired segment is renamed for reuse
with its old bytes inside. The tests turn it off for their duration (``ALTER SYSTEM``, as
``docs/deploy.md`` asks of a production server) and put back what was there after; a lock
taken in the server's ``postgres`` database keeps two test runs from changing it under each
other. Without a superuser, or with a server that keeps its segments another way (an archive,
a slot, ``wal_keep_size``), they are skipped with the reason. Each test holds the night's
segments with a replication slot of its own until the scan before the panic has seen them,
and drops it before the panic.
"""
from __future__ import annotations

import secrets
import time
import unittest
from datetime import datetime

import time_machine
from django.db import DatabaseError, connection
from django.test import TransactionTestCase
from django.utils import timezone

from nightstay.intake.models import Party
from nightstay.privacy.checks import check_wal
from nightstay.privacy.retention import purge

from .base import HubTestCase
from .scripted_night import script_night

EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))
NOON_AFTER = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.get_fixed_timezone(60))
LOCK = 7_204_311  # pg_advisory_lock key, in the postgres database: one test run changes wal_recycle at a time


def server_connection():
    """A connection of our own to the server's ``postgres`` database, outside any transaction."""
    params = connection.get_connection_params() | {"dbname": "postgres"}
    raw = connection.get_new_connection(params)
    raw.autocommit = True
    return raw


def wal_recycle(raw) -> tuple[str, bool]:
    """The server's value, and whether ``ALTER SYSTEM`` set it (``postgresql.auto.conf``)."""
    value, where = raw.execute("SELECT setting, sourcefile FROM pg_settings WHERE name = 'wal_recycle'").fetchone()
    return value, (where or "").endswith("postgresql.auto.conf")


def set_wal_recycle(raw, value: str, by_alter_system: bool = True) -> None:
    """Set it (or take back what ALTER SYSTEM set), and wait until a new session sees it."""
    if by_alter_system:
        raw.execute(f"ALTER SYSTEM SET wal_recycle = {'on' if value == 'on' else 'off'}")
    else:
        raw.execute("ALTER SYSTEM RESET wal_recycle")
    raw.execute("SELECT pg_reload_conf()")
    for _ in range(50):
        probe = server_connection()
        try:
            if probe.execute("SHOW wal_recycle").fetchone()[0] == value:
                break
        finally:
            probe.close()
        time.sleep(0.1)
    time.sleep(0.5)  # the checkpointer handles the reload on its next wake-up


class RetiringServer(TransactionTestCase):
    """The server set as docs/deploy.md says, for the class's duration, then put back as it was."""

    server = None

    @classmethod
    def setUpClass(cls):
        if connection.vendor != "postgresql":
            raise unittest.SkipTest("pg_wal is read when the tests run on PostgreSQL")
        raw = server_connection()
        if not raw.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            raw.close()
            raise unittest.SkipTest("pg_wal cannot be read, nor wal_recycle set, by a user who is not a superuser")
        raw.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        keeping = raw.execute("""SELECT current_setting('archive_mode') <> 'off',
                                        pg_size_bytes(current_setting('wal_keep_size')) > 0,
                                        (SELECT count(*) > 0 FROM pg_replication_slots)""").fetchone()
        if any(keeping):
            raw.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
            raw.close()
            raise unittest.SkipTest("this server keeps old WAL segments (archive_mode, wal_keep_size or a "
                                    "replication slot): set it as docs/deploy.md says")
        cls.server, cls.recycle_before = raw, wal_recycle(raw)
        set_wal_recycle(raw, "off")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            try:
                set_wal_recycle(cls.server, *cls.recycle_before)
            finally:
                cls.server.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
                cls.server.close()


@time_machine.travel(EVENING, tick=False)
class PgWalAfterPanicTests(RetiringServer):
    def setUp(self):
        # Until the first scan has seen the night, a slot keeps its segments: a panic of another
        # process on this server (another test run) would otherwise retire them before.
        self.slot = f"nightstay_test_{secrets.token_hex(4)}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_create_physical_replication_slot(%s, true)", [self.slot])
        self.addCleanup(self.release)
        HubTestCase.setUpTestData.__func__(self)
        self.night = self.hub.tonight()
        self.rows = script_night(self, self.night)
        for party in self.rows["parties"]:  # codes of this run only: other runs on the server write T000...
            party.ticket = "W" + secrets.token_hex(3)[:5]
            party.save(update_fields=["ticket"])

    def release(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
                           [self.slot])

    def wal(self) -> dict[str, bytes]:
        """Every file in pg_wal, as the server's disk holds it."""
        found = {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_ls_waldir() ORDER BY name")
            for (name,) in cursor.fetchall():
                try:
                    cursor.execute("SELECT pg_read_binary_file(%s)", [f"pg_wal/{name}"])
                except DatabaseError:
                    continue  # removed by a checkpoint since the listing
                found[name] = bytes(cursor.fetchone()[0])
        return found

    def secrets(self) -> dict[str, bytes]:
        rows = self.rows
        found = {f"ticket {p.ticket}": p.ticket.encode() for p in rows["parties"]}
        found |= {f"party {p.ticket}": p.pk.bytes for p in rows["parties"]}
        found |= {f"placement {p.pk}": p.pk.bytes for p in rows["placements"]}
        found |= {f"home {p.home_id} that sheltered {p.party.ticket}": p.home_id.bytes
                  for p in rows["placements"] if p.home_id}
        found |= {"trip": rows["trip"].pk.bytes, "stop": rows["stop"].pk.bytes,
                  "run-sheet link": rows["grant"].token_hash.encode(),
                  f"audited home {self.hugo_home.pk}": str(self.hugo_home.pk).encode()}
        return found

    def left(self, secrets: dict[str, bytes]) -> list[str]:
        return [f"{name} in {file}" for file, blob in self.wal().items() for name, secret in secrets.items()
                if secret in blob]

    def test_after_a_panic_no_ticket_party_or_home_of_tonight_is_left_in_pg_wal(self):
        before = b"".join(self.wal().values())
        for name, secret in self.secrets().items():
            self.assertIn(secret, before, name)  # the scan would see them
        del before
        self.release()
        self.hub.panic()
        self.assertEqual(self.left(self.secrets()), [])

    def test_the_purge_at_noon_leaves_none_either(self):
        self.release()
        with time_machine.travel(NOON_AFTER, tick=False):
            self.assertEqual(purge()["nights"], 1)
        kept = {f"audited home {self.hugo_home.pk}"}  # the audit names homes for 90 days unless a panic blanks them
        self.assertEqual(self.left({k: v for k, v in self.secrets().items() if k not in kept}), [])

    def test_without_the_rights_the_panic_still_wipes_and_says_so_in_one_line(self):
        """The site's account owns its tables but is no superuser: it may not checkpoint. The panic
        wipes and vacuums all the same, and the log says in one line what was left undone."""
        self.release()
        role = f"nightstay_test_{secrets.token_hex(4)}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
            self.addCleanup(self.drop_role, role)
            cursor.execute(f"GRANT {connection.ops.quote_name(connection.settings_dict['USER'])} TO {role}")
            cursor.execute(f"SET ROLE {role}")
        try:
            self.assertEqual([w.id for w in check_wal(None)], ["nightstay.W023"])
            with self.assertLogs("nightstay.privacy.scrub", "WARNING") as logs:
                self.hub.panic()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIsNone(logs.records[0].exc_info)
        self.assertIn("CHECKPOINT", logs.output[0])
        self.assertIn("pg_statistic", logs.output[0])  # the planner's samples: a superuser's only
        self.assertFalse(Party.objects.filter(night=self.night).exists())

    @staticmethod
    def drop_role(role: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")

    def test_the_deploy_check_names_wal_recycle_until_it_is_off(self):
        self.release()
        self.assertEqual(check_wal(None), [])
        set_wal_recycle(self.server, "on")  # PostgreSQL's default
        try:
            warnings = check_wal(None)
        finally:
            set_wal_recycle(self.server, "off")
        self.assertEqual([w.id for w in warnings], ["nightstay.W021"])
        self.assertIn("ALTER SYSTEM SET wal_recycle = off", warnings[0].hint)
