"""Django's database cache, with counters that a burst cannot undercount.

Django's ``DatabaseCache.incr`` reads the value, adds one in Python and writes it back: 30
log-in attempts arriving at once in 4 workers all read 0 and all write 1. Here ``incr``
first takes the row's write lock (a no-op UPDATE: PostgreSQL's row lock, SQLite's database
lock), so concurrent counts wait for each other and none is lost; the window's expiry is
kept (Django's ``incr`` would reset it to the default timeout). ``add`` first drops every
expired row, then inserts unless the key is there (``ON CONFLICT DO NOTHING``), so two workers
opening a new window (or taking one address slot, ``nightstay.privacy.reveal``) at once cannot
both win: one INSERT wins, the other meets the primary key and counts on top of it. A counter
outlives its window only until the next window opened anywhere on the site.

This is the store of the rate limits when no Redis is configured (``settings.CACHES``):
every worker of every process shares it, and ``migrate`` creates its table.
"""
from __future__ import annotations

import base64
import pickle
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class CountingDatabaseCache(DatabaseCache):
    def _table_and_connection(self):
        db = router.db_for_write(self.cache_model_class)
        return db, connections[db], connections[db].ops.quote_name

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Set only when absent or expired: of concurrent adds of one key exactly one inserts (the
        others meet the primary key and do nothing). One clock reading decides what is expired;
        Django's own ``add`` read the clock again and overwrote a row it found expired, so two adds
        straddling the second at which a row expired could both win (both overwrite it)."""
        name = self.make_and_validate_key(key, version=version)
        db, connection, q = self._table_and_connection()
        table, adapt = q(self._table), connection.ops.adapt_datetimefield_value
        now = timezone.now().replace(microsecond=0)
        timeout = self.get_backend_timeout(timeout)
        expires = datetime.max if timeout is None else datetime.fromtimestamp(
            timeout, tz=dt_timezone.utc if settings.USE_TZ else None)
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:  # every ended window goes, not only when its key comes back
            cursor.execute(f"DELETE FROM {table} WHERE {q('expires')} < %s", [adapt(now)])
            cursor.execute(f"INSERT INTO {table} ({q('cache_key')}, {q('value')}, {q('expires')}) VALUES (%s, %s, %s) "
                           f"ON CONFLICT DO NOTHING", [name, encoded, adapt(expires.replace(microsecond=0))])
            return cursor.rowcount == 1

    def get_many(self, keys, version=None):
        """Django's ``get_many`` deletes the expired rows it read by their key alone, after reading
        them: meanwhile another worker's ``add`` may have replaced such a row with a live one (an
        address slot taken again a minute later), which went too, and a third reveal took the same
        slot (measured: 6 addresses of 5 in a burst). Here an expired row is deleted only while it
        is still expired; ``add`` deletes the others anyway."""
        if not keys:
            return {}
        names = {self.make_and_validate_key(key, version=version): key for key in keys}
        db, connection, q = self._table_and_connection()
        table, now = q(self._table), timezone.now()
        marks = ", ".join(["%s"] * len(names))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {q('cache_key')}, {q('value')} FROM {table} "
                           f"WHERE {q('cache_key')} IN ({marks}) AND {q('expires')} >= %s",
                           [*names, connection.ops.adapt_datetimefield_value(now)])
            rows = cursor.fetchall()
        return {names[name]: pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode()))
                for name, value in rows}

    def incr(self, key, delta=1, version=None):
        name = self.make_and_validate_key(key, version=version)
        db, connection, q = self._table_and_connection()
        table = q(self._table)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                # Lock first, read second: a concurrent incr waits here, then reads our result.
                cursor.execute(f"UPDATE {table} SET {q('expires')} = {q('expires')} WHERE {q('cache_key')} = %s",
                               [name])
                value = self.get(key, version=version)  # None when missing or expired
                if value is None:
                    raise ValueError(f"Key '{key}' not found.")
                value += delta
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(f"UPDATE {table} SET {q('value')} = %s WHERE {q('cache_key')} = %s", [encoded, name])
        return value
