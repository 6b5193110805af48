"""Django's database cache, with counters that a burst cannot undercount.

Django's ``DatabaseCache.incr`` reads the value, adds one in Python and writes it back: 30
log-in attempts arriving at once in 4 workers all read 0 and all write 1. Here ``incr``
first takes the row's write lock (a no-op UPDATE: PostgreSQL's row lock, SQLite's database
lock), so concurrent counts wait for each other and none is lost; the window's expiry is
kept (Django's ``incr`` would reset it to the default timeout). ``add`` first drops this
key's expired row, so two workers opening a new window at once cannot both win: one INSERT
wins, the other meets the primary key and counts on top of it. Each new window also deletes
every row whose window has ended: a counter outlives its window only until the next count
opened anywhere on the site.

This is the store of the rate limits when no Redis is configured (``settings.CACHES``):
every worker of every process shares it, and ``migrate`` creates its table.
"""
from __future__ import annotations

import base64
import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone


class CountingDatabaseCache(DatabaseCache):
    def _table_and_connection(self):
        db = router.db_for_write(self.cache_model_class)
        return db, connections[db], connections[db].ops.quote_name

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        name = self.make_and_validate_key(key, version=version)
        db, connection, q = self._table_and_connection()
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with connection.cursor() as cursor:  # every ended window goes, not only when its key comes back
            cursor.execute(f"DELETE FROM {q(self._table)} WHERE {q('expires')} < %s", [now])
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {q(self._table)} WHERE {q('cache_key')} = %s AND {q('expires')} < %s",
                               [name, now])
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        name = self.make_and_validate_key(key, version=version)
        db, connection, q = self._table_and_connection()
        table = q(self._table)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                # Lock first, read second: a concurrent incr waits here, then reads our result.
                cursor.execute(f"UPDATE {table} SET {q('expires')} = {q('expires')} WHERE {q('cache_key')} = %s",
                               [name])
                value = self.get(key, version=version)  # None when missing or expired (and then deleted)
                if value is None:
                    raise ValueError(f"Key '{key}' not found.")
                value += delta
                encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(f"UPDATE {table} SET {q('value')} = %s WHERE {q('cache_key')} = %s", [encoded, name])
        return value
