"""After a panic or a purge, what was deleted leaves the database's own files as well.

A deleted row is not gone from disk by itself: SQLite keeps it in free pages and in its
journal, PostgreSQL keeps the dead row version in the table file until a vacuum.

- **SQLite** (settings): every connection sets ``secure_delete`` (freed space is overwritten
  with zeros), a write-ahead log and in-memory temporary tables. ``scrub()`` then rewrites the
  file (``VACUUM``) and empties the log (``wal_checkpoint(TRUNCATE)``): the file holds only
  live rows and the log is zero bytes long.
- **PostgreSQL**: the tables that held the deleted rows (the night's, the sessions', the
  applications', the stays') are rewritten with their live rows only: copied aside, truncated
  (each gets new, empty files; the old ones are cut to zero length at commit) and filled again,
  in one transaction. Not ``VACUUM FULL``: it keeps every deleted row that a transaction open
  anywhere on the server might still need, and its own snapshot counts the transactions of every
  database, so one write transaction in *another* database, begun before the deletion and still
  running (another installation's, a test worker's, a long import), made it copy every deleted
  row into the new file (measured on PostgreSQL 15). A plain ``VACUUM`` would only mark the dead
  rows' space as free, leaving their bytes in the pages. A rewrite takes away what an older
  transaction of this database (a backup running) still reads: the scrub first waits a few
  seconds for them to end. It gives up when the tables stay locked for more than a few seconds
  rather than hang the panic, and says so in the log. The write-ahead
  log (``pg_wal``) still holds the night's inserts until its segments are recycled: that is the
  limit of this scrub; what is sealed under the night's key no longer opens there once the panic
  destroyed the key (``night_keys``, ``docs/threat-model.md``).

A scrub runs outside any transaction (``VACUUM`` refuses to run inside one, and a rewrite must
not be undone by a later rollback): called inside one, it waits for the commit.
"""
from __future__ import annotations

import logging
import time

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction

from .models import AddressReveal
from .registry import registry
from .retention import night_scoped

log = logging.getLogger(__name__)
WAIT_SECONDS = 5  # for older transactions to end, and for a table's lock


def scrubbed_tables() -> list[str]:
    """The tables whose deleted rows a scrub clears from disk: the night's, sessions, applications,
    stays, the address audit (the panic blanks which home each row names: the old row version
    with the home's id must go from the file too) and the task queue's (its rows named the night's
    messages and plan runs)."""
    models = ([model for model, _ in night_scoped()] + [Session] + [entry.model for entry in registry.decided]
              + [entry.model for entry in registry.ending] + [AddressReveal])
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        models.append(DBTaskResult)
    return sorted({model._meta.db_table for model in models})


def scrub() -> None:
    if connection.in_atomic_block:
        transaction.on_commit(scrub)
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if connection.is_in_memory_db():
                return  # nothing on disk (the test database)
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            _wait_for_older_snapshots(cursor)
            cursor.execute("SET lock_timeout = %s", [f"{WAIT_SECONDS}s"])
            try:
                _rewrite(cursor, scrubbed_tables())
            finally:
                cursor.execute("RESET lock_timeout")


def _wait_for_older_snapshots(cursor) -> None:
    """Wait (a little) until no other session of this database sees rows as they were before now."""
    deadline = time.monotonic() + WAIT_SECONDS
    cursor.execute("SELECT now()")
    started = cursor.fetchone()[0]
    query = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
             "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND xact_start < %s")
    while True:
        cursor.execute(query, [started])
        if not cursor.fetchone()[0]:
            return
        if time.monotonic() > deadline:
            log.warning("scrub: a transaction older than the deletion is still open: what it can see stays")
            return
        time.sleep(0.1)


def _rewrite(cursor, tables: list[str]) -> None:
    """Rewrite ``tables``, and the tables that refer to them (``TRUNCATE`` takes them together),
    with only their live rows; then ``ANALYZE`` them, as ``VACUUM (FULL, ANALYZE)`` did."""
    cursor.execute("""
        WITH RECURSIVE t(oid) AS (SELECT to_regclass(quote_ident(name))::oid FROM unnest(%s::text[]) name
            UNION SELECT c.conrelid FROM pg_constraint c JOIN t ON c.confrelid = t.oid WHERE c.contype = 'f')
        SELECT oid::regclass::text FROM t WHERE oid IS NOT NULL ORDER BY 1""", [tables])
    names = [name for (name,) in cursor.fetchall()]
    try:
        with transaction.atomic():
            cursor.execute(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")  # before reading: no deadlock
            for n, name in enumerate(names):
                cursor.execute(f"CREATE TEMPORARY TABLE scrub_live_{n} ON COMMIT DROP AS SELECT * FROM {name}")
            cursor.execute(f"TRUNCATE {', '.join(names)}")
            for n, name in enumerate(names):  # foreign keys are checked at the commit (Django's are deferred)
                cursor.execute(f"INSERT INTO {name} SELECT * FROM scrub_live_{n}")
    except DatabaseError as e:
        log.warning("scrub: %s not rewritten (%s): their deleted rows stay until the next purge",
                    ", ".join(names), str(e).strip().splitlines()[0])
        return
    cursor.execute(f"ANALYZE {', '.join(names)}")
