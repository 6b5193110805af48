"""After a panic or a purge, what was deleted leaves the database's own files as well.

A deleted row is not gone from disk by itself: SQLite keeps it in free pages and in its
journal, PostgreSQL keeps the dead row version in the table file until a vacuum.

- **SQLite** (settings): every connection sets ``secure_delete`` (freed space is overwritten
  with zeros), a write-ahead log and in-memory temporary tables. ``scrub()`` then rewrites the
  file (``VACUUM``) and empties the log (``wal_checkpoint(TRUNCATE)``): the file holds only
  live rows and the log is zero bytes long.
- **PostgreSQL**: ``VACUUM FULL`` of the tables that held the deleted rows (the night's, the
  sessions', the applications', the stays'): each is rewritten into a new file holding only live rows and
  the old file is truncated. A plain ``VACUUM`` would only mark the dead rows' space as free,
  leaving their bytes in the pages. Yet a plain ``VACUUM`` runs first: ``VACUUM FULL`` holds a
  snapshot, and a snapshot's horizon counts every transaction open on the server, in any
  database (measured: one open in another database made ``VACUUM FULL`` copy the deleted rows
  into the new file, while a plain ``VACUUM``, which looks at this database only, removed them).
  What the plain one removed, the full one no longer finds. A vacuum keeps the deleted rows
  that another transaction of this database may still see (a backup running, an automatic
  ``ANALYZE``): the scrub first waits a few seconds for the transactions older than itself to end. It gives up on a table locked for
  more than a few seconds rather than hang the panic, and says so in the log.
- **PostgreSQL's write-ahead log** (``pg_wal``) holds every insert of the night, plain columns
  readable (which party went to which home). After the vacuums the scrub closes the segment in
  use (``pg_switch_wal()``) and checkpoints: the segments before the checkpoint are no longer
  needed and PostgreSQL removes them. Removed means unlinked only with ``wal_recycle = off``;
  by default a segment is renamed for reuse with its old bytes inside (measured on PostgreSQL
  15: a deleted, vacuumed row was still in a renamed segment after the checkpoint). A WAL archive, a
  replication slot or ``wal_keep_size`` keep them too. The deploy check says which setting is
  wrong (``checks.check_wal``). Without the rights (superuser, or ``pg_checkpoint`` and
  ``EXECUTE`` on ``pg_switch_wal``) the scrub says so in its one line and the panic goes on; the next
  automatic checkpoint removes the segments later. What is sealed under the night's key no
  longer opens there anyway once the panic destroyed the key (``night_keys``).

A scrub runs outside any transaction (``VACUUM`` refuses to run inside one): called inside
one, it waits for the commit.
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
                for table in scrubbed_tables():
                    try:
                        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
                        cursor.execute(f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(table)}")
                    except DatabaseError as e:
                        log.warning("scrub: %s not rewritten (%s): its deleted rows stay until the next purge",
                                    table, _first_line(e))
                undone = [what for what in (_forget_samples(cursor, scrubbed_tables()), _retire_wal(cursor)) if what]
                if undone:
                    log.warning("scrub: %s", "; ".join(undone))
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


def _forget_samples(cursor, tables: list[str]) -> str | None:
    """``ANALYZE`` keeps a sample of each column in ``pg_statistic`` (a histogram of ticket codes, of
    home ids), and on a table the panic emptied it keeps the last one, taken while the night was on
    (measured: ``VACUUM (FULL, ANALYZE)`` of an emptied table left its old histograms). Drop them,
    sample the live rows again, and rewrite ``pg_statistic``'s file: a superuser's right only."""
    try:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::text[]::regclass[])", [tables])
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute("VACUUM pg_statistic")
        cursor.execute("VACUUM FULL pg_statistic")
    except DatabaseError as e:
        return f"the planner's samples of the deleted rows stay in pg_statistic ({_first_line(e)}): only a superuser can clear them"
    return None


def _retire_wal(cursor) -> str | None:
    """Take the segments that hold the deleted rows out of use, so that the checkpoint removes them."""
    try:
        cursor.execute("SELECT pg_switch_wal()")
        cursor.execute("CHECKPOINT")
    except DatabaseError as e:
        return (f"the write-ahead log still holds the deleted rows until the next checkpoint ({_first_line(e)}): "
                "grant pg_checkpoint and EXECUTE on pg_switch_wal() (docs/deploy.md)")
    return None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
