"""Deleted is gone: after a panic, the night's ticket codes, party ids and place ids are in none
of the database's own files, read byte for byte as a seizure would read the disk.

- SQLite: a real file database, made by ``manage.py demo_setup`` in a child process, planned
  and announced, then wiped by ``manage.py panic``, while another connection stays open (as a
  running server's would, so the write-ahead log is not simply removed on the last close). The
  database file, its ``-wal``, ``-journal`` and ``-shm`` are scanned.
- PostgreSQL: the files of the night's tables, their indexes and TOAST tables
  (``pg_relation_filepath`` under the server's data directory), readable when the server runs
  on this machine under the same account or as root; skipped with the reason otherwise.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import time_machine
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from nightstay.privacy import crypto
from nightstay.privacy.scrub import scrubbed_tables

from .base import MANAGE_AT_CLOCK, HubTestCase
from .scripted_night import script_night

ROOT = Path(__file__).resolve().parents[2]
EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.get_fixed_timezone(60))
# The child processes' clock runs from the demo night's first plan (21:00 today) when the test
# starts: on the real clock, after the hosts' latest arrivals (from about 23:00 until the next
# noon) the planner placed fewer than half of the homes it places in the evening, and the night
# was no real one. Today's date, so that the outbox files' real times fall before the night's end.
FIRST_PLAN = dt_time(21, 0)
PLAN_AND_ANNOUNCE = """
from django.test.utils import override_settings
from nightstay.dispatch import announce
from nightstay.planning import runs
from nightstay.hubs.models import Hub
night = Hub.objects.get(slug="brussels").tonight()
with override_settings(PLAN_TIME_LIMIT=1):
    runs.execute.call(str(runs.start(night, None).pk))  # the worker's task, run here
    announce.announce(night)
"""

TELL_ASK_AND_STAY = PLAN_AND_ANNOUNCE + """
from django.utils import timezone
from nightstay.dispatch import tell
from nightstay.messaging import outbox
from nightstay.messaging.channels import sms
from nightstay.messaging.models import Contact, Message
from nightstay.planning import stays
from nightstay.planning.models import Placement
from nightstay.pledges import still_on
placements = list(Placement.objects.filter(night=night, home__isnull=False).select_related("home__host"))
for p in placements[:20]:  # some hosts checked their number: their messages go by SMS (files, no gateway)
    Contact.objects.get_or_create(user=p.home.host, defaults={"prefers": "sms", "phone_verified_at": timezone.now(),
                                                                "phone_checked": sms.phone_key(p.home.host.phone)})
tell.after_announce(night)
still_on.ask(night.hub, night.date, "hosts")
for pk in Message.objects.filter(state="queued").values_list("pk", flat=True):
    outbox.deliver.call(str(pk))  # the worker's task, run here
made = 0
for p in placements:
    try:
        stays.make(p, 1)
        made += 1
    except stays.StayRefused:
        continue
    if made == 3:
        break
print(made)
"""


def hits(blob: bytes, needle: bytes) -> int:
    return blob.count(needle)


@unittest.skipIf(sys.platform == "win32", "needs a POSIX file system")
class SqliteFilesAfterPanicTests(unittest.TestCase):
    """The demo hub's night, planned and announced, then a panic: scan the files."""

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        at = self.first_plan + timedelta(seconds=time.monotonic() - self.started)  # each command later than the last
        return subprocess.run([sys.executable, "-c", MANAGE_AT_CLOCK, at.isoformat(), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=check, timeout=300)

    def files(self) -> dict[str, bytes]:
        """Every file SQLite keeps for the database, as bytes on disk right now."""
        found = {}
        for suffix in ("", "-wal", "-journal", "-shm"):
            path = Path(f"{self.db}{suffix}")
            if path.exists():
                found[path.name] = path.read_bytes()
        return found

    script = PLAN_AND_ANNOUNCE

    def setUp(self):
        self.first_plan = timezone.make_aware(datetime.combine(timezone.localdate(), FIRST_PLAN))
        self.started = time.monotonic()
        self.dir = Path(tempfile.mkdtemp(prefix="nightstay-files-"))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.db = self.dir / "nightstay.sqlite3"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "nightstay.site.settings", "NIGHTSTAY_VAR_DIR": str(self.dir),
                    "MESSAGE_CHANNELS": "sms,email",
                    "DATABASE_URL": f"sqlite:///{self.db}", "NIGHTSTAY_FIELD_KEYS": crypto.new_key_line("files")}
        self.manage("demo_setup")
        self.script_out = self.manage("shell", "-v0", "-c", self.script).stdout
        reader = sqlite3.connect(self.db)
        self.addCleanup(reader.close)
        self.tickets = [t for (t,) in reader.execute("SELECT ticket FROM intake_party")]
        self.night_ids = [i for (i,) in reader.execute(
            "SELECT id FROM intake_party UNION ALL SELECT id FROM dispatch_placement "
            "UNION ALL SELECT id FROM dispatch_stop UNION ALL SELECT id FROM dispatch_trip")]
        # The planner's place ids ("H-" and the start of the home's id) live only in the plan
        # runs' JSON, which is sealed under the night's key: never in clear, even before the panic.
        self.runs = [json.loads(doc) for (doc,) in reader.execute("SELECT night_json FROM dispatch_planrun")]
        self.place_ids = sorted({f"H-{h.replace('-', '')[:12]}" for (h,) in reader.execute(
            "SELECT DISTINCT home_id FROM dispatch_placement WHERE home_id IS NOT NULL")})
        placed = reader.execute("SELECT count(*) FROM dispatch_placement WHERE home_id IS NOT NULL").fetchone()[0]
        self.assertGreater(placed, 100)  # a real night: over a hundred ticket-to-home pairs
        self.reader = reader  # stays open through the panic, as a running server's connection would

    def test_a_panic_leaves_no_ticket_party_or_place_in_the_files(self):
        before = b"".join(self.files().values())
        for secret in self.tickets + self.night_ids:
            self.assertGreater(hits(before, secret.encode()), 0, secret)  # the scan would see them
        self.assertTrue(self.runs and all(doc.startswith("nk1:") for doc in self.runs))  # sealed for the night
        self.assertEqual([p for p in self.place_ids if hits(before, p.encode())], [])
        self.assertIn("night rows deleted", self.manage("panic", "brussels").stdout)
        after = self.files()
        self.assertEqual(len(after.get("nightstay.sqlite3-wal", b"")), 0)  # the log was emptied
        self.assertEqual(len(after.get("nightstay.sqlite3-journal", b"")), 0)
        everything = b"".join(after.values())
        for secret in self.night_ids + self.place_ids:
            self.assertEqual(hits(everything, secret.encode()), 0, secret)
        # A four-letter ticket may occur by chance in what the database rightly keeps (a sealed
        # value, a word of the schema): the files may hold a ticket no more often than a fresh
        # copy of the live rows does.
        fresh = self.dir / "fresh.sqlite3"
        self.reader.execute("VACUUM INTO ?", (str(fresh),))
        live = fresh.read_bytes()
        left = {t: hits(everything, t.encode()) for t in self.tickets if hits(everything, t.encode()) > hits(live, t.encode())}
        self.assertEqual(left, {})
        self.assertLess(sum(hits(live, t.encode()) for t in self.tickets), 5)  # chance, not the night

    def test_secure_delete_and_the_write_ahead_log_are_on(self):
        self.assertEqual(self.reader.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        out = self.manage("shell", "-v0", "-c", "from django.db import connection\n"
                          "c = connection.cursor()\n"
                          "print(c.execute('PRAGMA secure_delete').fetchone()[0],"
                          " c.execute('PRAGMA temp_store').fetchone()[0])").stdout.split()
        self.assertEqual(out, ["1", "2"])  # secure_delete on; temporary tables in memory



class MessagesAndStaysAfterPanicTests(unittest.TestCase):
    """The same night, its hosts told by SMS and e-mail (files: no gateway, the file mail backend),
    asked "still on tonight?", three guests kept on a stay; then a panic."""

    def setUp(self):
        SqliteFilesAfterPanicTests.setUp(self)

    manage, files, script = SqliteFilesAfterPanicTests.manage, SqliteFilesAfterPanicTests.files, TELL_ASK_AND_STAY

    def outbox_files(self) -> list[Path]:
        return [p for folder in ("sms", "mail") if (self.dir / folder).is_dir() for p in (self.dir / folder).iterdir()]

    def test_a_panic_leaves_no_message_stay_or_outbox_file_naming_tonights_hosts(self):
        self.assertGreater(int(self.script_out.split()[-1]), 0)  # stays were made
        ids = [i for (i,) in self.reader.execute(
            "SELECT id FROM messaging_message UNION ALL SELECT id FROM planning_stay "
            "UNION ALL SELECT gateway_id FROM messaging_smsreceipt")]
        stay_tickets = [t for (t,) in self.reader.execute("SELECT ticket FROM planning_stay")]
        sms_files = [p for p in self.outbox_files() if p.parent.name == "sms"]
        self.assertGreater(len(sms_files), 10)
        self.assertGreater(len(self.outbox_files()), len(sms_files))  # e-mails too
        self.assertIn(b"tonight", b"".join(p.read_bytes() for p in sms_files))  # what a seizure would read
        before = b"".join(self.files().values())
        for secret in ids:
            self.assertGreater(hits(before, secret.replace("-", "").encode()) + hits(before, secret.encode()), 0, secret)
        self.manage("panic", "brussels")
        self.assertEqual(self.outbox_files(), [])
        after = b"".join(self.files().values())
        for secret in ids:
            self.assertEqual(hits(after, secret.replace("-", "").encode()) + hits(after, secret.encode()), 0, secret)
        for table in ("messaging_message", "messaging_smsreceipt", "planning_stay"):
            self.assertEqual(self.reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0], 0, table)
        fresh = self.dir / "fresh.sqlite3"
        self.reader.execute("VACUUM INTO ?", (str(fresh),))
        live = fresh.read_bytes()
        self.assertEqual({t for t in stay_tickets if hits(after, t.encode()) > hits(live, t.encode())}, set())


@time_machine.travel(EVENING, tick=False)
class PostgresFilesAfterPanicTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("the PostgreSQL table files are scanned when the tests run on PostgreSQL")
        with connection.cursor() as cursor:
            try:
                cursor.execute("SHOW data_directory")
            except Exception as e:  # not a superuser: the data directory is not ours to read
                self.skipTest(f"cannot learn the server's data directory: {e}")
            self.data_dir = Path(cursor.fetchone()[0])
        if not os.access(self.data_dir, os.R_OK | os.X_OK):
            self.skipTest(f"{self.data_dir} is not readable here: the server runs elsewhere or as another user")
        HubTestCase.setUpTestData.__func__(self)
        self.night = self.hub.tonight()
        self.rows = script_night(self, self.night)

    def relation_files(self) -> dict[str, bytes]:
        """The on-disk bytes of every table a scrub clears, with its indexes and TOAST table."""
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # what sits in shared buffers goes to the files first
            cursor.execute("""
                SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid IN (
                    SELECT t.oid FROM pg_class t WHERE t.relname = ANY(%s)
                    UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                          WHERE t.relname = ANY(%s)
                    UNION SELECT t.reltoastrelid FROM pg_class t WHERE t.relname = ANY(%s) AND t.reltoastrelid <> 0
                    UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.reltoastrelid = i.indrelid
                          WHERE t.relname = ANY(%s))""", [scrubbed_tables()] * 4)
            paths = cursor.fetchall()
        found = {}
        for name, path in paths:
            node = Path(path).name  # its main fork, the fork's further segments (.1), _fsm and _vm: not 1234 for 123
            for segment in sorted((self.data_dir / path).parent.glob(f"{node}*")):
                if segment.name == node or segment.name[len(node)] in "._":
                    found[f"{name}:{segment.name}"] = segment.read_bytes()
        return found

    def open_transactions(self) -> list:
        """Other sessions of this database in a transaction: the scrub waits a little for them."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, state, xact_start, left(query, 80) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")
            return cursor.fetchall()

    def secrets(self) -> dict[str, bytes]:
        found = {f"ticket {p.ticket}": p.ticket.encode() for p in self.rows["parties"]}
        found |= {f"party {p.ticket}": p.pk.bytes for p in self.rows["parties"]}
        found |= {f"placement {p.pk}": p.pk.bytes for p in self.rows["placements"]}
        found[f"place {self.hugo_home.pk}"] = self.hugo_home.pk.bytes
        found[f"audited home {self.hugo_home.pk}"] = str(self.hugo_home.pk).encode()  # blanked by the panic
        found["run-sheet link"] = self.rows["grant"].token_hash.encode()
        return found

    def test_a_panic_leaves_no_ticket_party_or_place_in_the_table_files(self):
        before = b"".join(self.relation_files().values())
        for name, secret in self.secrets().items():
            self.assertIn(secret, before, name)  # the scan would see them
        self.hub.panic()
        files = self.relation_files()
        self.assertTrue(any(where.startswith("intake_party:") for where in files))  # the table's file was read
        left = [f"{name} in {where}" for name, secret in self.secrets().items()
                for where, blob in files.items() if secret in blob]
        self.assertEqual(left, [], self.open_transactions())

    def test_a_transaction_open_during_the_panic_is_waited_for(self):
        """A backup (or an automatic ANALYZE) that started before the panic still sees the night's
        rows: the scrub waits for it to end, then rewrites."""
        backup = connection.get_new_connection(connection.get_connection_params())
        self.addCleanup(backup.close)
        with backup.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT count(*) FROM intake_party")
            self.assertEqual(cursor.fetchone()[0], 6)
        ends = threading.Timer(1.0, backup.commit)
        ends.start()
        self.addCleanup(ends.cancel)
        started = time.monotonic()
        self.hub.panic()
        self.assertGreater(time.monotonic() - started, 0.9)  # it waited for the backup's snapshot
        left = [f"{name} in {where}" for name, secret in self.secrets().items()
                for where, blob in self.relation_files().items() if secret in blob]
        self.assertEqual(left, [], self.open_transactions())

    def test_a_transaction_open_in_another_database_keeps_nothing(self):
        """Another database on the same server (another site, its backup, another test run) has a
        transaction open all through the panic: a ``VACUUM FULL`` alone would copy the night's
        deleted rows into its new file (its snapshot counts every database's transactions)."""
        params = connection.get_connection_params() | {"dbname": "postgres"}
        elsewhere = connection.get_new_connection(params)
        self.addCleanup(elsewhere.close)
        elsewhere.execute("BEGIN")
        elsewhere.execute("SELECT pg_current_xact_id()")  # it has written, or is about to
        self.hub.panic()
        left = [f"{name} in {where}" for name, secret in self.secrets().items()
                for where, blob in self.relation_files().items() if secret in blob]
        self.assertEqual(left, [])
        elsewhere.rollback()

    def test_the_planners_samples_of_tonight_go_too(self):
        """An ANALYZE during the night (autovacuum's, after enough rows) keeps a sample of each column
        in pg_statistic; on a table the panic emptied, a new ANALYZE would keep the old one."""
        with connection.cursor() as cursor:
            for table in scrubbed_tables():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        secrets = self.secrets()
        self.assertTrue([name for name in secrets if secrets[name] in self.statistics()])  # the scan would see them
        self.hub.panic()
        self.assertEqual([name for name, secret in secrets.items() if secret in self.statistics()], [])

    def statistics(self) -> bytes:
        """pg_statistic's file, and what it says in SQL."""
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
            cursor.execute("SELECT pg_relation_filepath('pg_statistic')")
            blob = b"".join(f.read_bytes() for f in sorted(self.data_dir.glob(f"{cursor.fetchone()[0]}*")))
            cursor.execute("SELECT s::text FROM pg_stats s WHERE schemaname = 'public'")
            return blob + "".join(row for (row,) in cursor.fetchall()).encode()

    def test_the_purge_at_noon_leaves_none_either(self):
        from nightstay.privacy.retention import purge

        with time_machine.travel(datetime(2026, 11, 25, 14, 0, tzinfo=timezone.get_fixed_timezone(60)), tick=False):
            self.assertEqual(purge()["nights"], 1)
        kept = {f"audited home {self.hugo_home.pk}"}  # the audit names homes for 90 days unless a panic blanks them
        left = [f"{name} in {where}" for name, secret in self.secrets().items() if name not in kept
                for where, blob in self.relation_files().items() if secret in blob]
        self.assertEqual(left, [], self.open_transactions())
