"""System checks that refuse to run a server in production with development secrets.

The development secret, an e-mail backend that prints password links (console, files) and
rate limits kept in one worker's memory are refused by every management command
(``runserver``, ``migrate``...) as soon as ``ALLOWED_HOSTS`` names a public host. The deploy
checks (``manage.py check --deploy``, run before each start in production) also want the
field keys, and a PostgreSQL server that lets a panic retire the night's write-ahead log.
"""
from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from . import crypto

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
PRINTING_BACKENDS = {"django.core.mail.backends.console.EmailBackend",
                     "django.core.mail.backends.filebased.EmailBackend"}


def public_hosts() -> list[str]:
    return [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]


@checks.register(checks.Tags.security)
def check_secret_key(app_configs, **kwargs):
    if public_hosts() and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [checks.Error("SECRET_KEY is the development default while ALLOWED_HOSTS is public",
                             hint="set SECRET_KEY in the environment (see docs/deploy.md)", id="nightstay.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_field_keys(app_configs, **kwargs):
    try:
        crypto.keyring()
    except crypto.KeyError_ as e:
        return [checks.Error(f"field encryption keys: {e}", id="nightstay.E002")]
    return []


@checks.register(checks.Tags.security)
def check_mail(app_configs, **kwargs):
    """A refusal, not a warning: a printed password link is an account for whoever reads the log."""
    if public_hosts() and settings.EMAIL_BACKEND in PRINTING_BACKENDS:
        return [checks.Error("e-mails (with password links) would be written to the console or to files",
                             hint="set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST",
                             id="nightstay.E003")]
    return []


# Stores every worker shares and counts in atomically (nightstay.accounts.throttle).
SHARED_COUNTERS = {"django.core.cache.backends.redis.RedisCache",
                   "nightstay.accounts.counting_cache.CountingDatabaseCache"}


@checks.register(checks.Tags.security)
def check_shared_limits(app_configs, **kwargs):
    """Per-process memory makes every rate limit and lock-out as many times looser as there are workers."""
    backend = settings.CACHES["default"]["BACKEND"]
    if public_hosts() and backend not in SHARED_COUNTERS:
        return [checks.Error(f"rate limits and lock-outs would count in {backend}, not in a store all workers share",
                             hint="set REDIS_URL, or leave CACHES to settings.py (a table in the database)",
                             id="nightstay.E007")]
    return []


CSRF_MIDDLEWARE = "nightstay.privacy.csrf.NoReferrerCsrfMiddleware"


@checks.register(checks.Tags.security)
def check_csrf_middleware(app_configs, **kwargs):
    """Django's security.W003 looks for its own CSRF middleware by name and is silenced in
    settings; this check stands in for it, naming ours (a subclass of Django's)."""
    if CSRF_MIDDLEWARE not in settings.MIDDLEWARE:
        return [checks.Error(f"{CSRF_MIDDLEWARE} is not in MIDDLEWARE: forms would have no CSRF protection",
                             id="nightstay.E004")]
    return []


# What keeps a retired WAL segment readable (nightstay.privacy.scrub), and the line that stops it.
WAL_SETTINGS = {
    "wal_recycle": ("on", "ALTER SYSTEM SET wal_recycle = off; SELECT pg_reload_conf();",
                    "an old segment is renamed for reuse with the night's rows still inside"),
    "archive_mode": ("on", "ALTER SYSTEM SET archive_mode = off; then restart PostgreSQL",
                     "every segment is copied to the archive, which keeps the night's rows"),
    "wal_keep_size": ("above 0", "ALTER SYSTEM SET wal_keep_size = 0; SELECT pg_reload_conf();",
                      "segments are kept after the checkpoint that no longer needs them"),
}


@checks.register(checks.Tags.security, deploy=True)
def check_wal(app_configs, **kwargs):
    """A panic on PostgreSQL removes the write-ahead log that holds the night only when the server
    unlinks old segments, keeps no copy of them, and lets the site switch segments and checkpoint."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT current_setting('wal_recycle'), current_setting('archive_mode'),
                       pg_size_bytes(current_setting('wal_keep_size')) > 0,
                       (SELECT count(*) FROM pg_replication_slots),
                       has_function_privilege('pg_switch_wal()', 'EXECUTE'),
                       CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN true
                            WHEN current_setting('server_version_num')::int >= 150000  -- the role is new in 15
                            THEN pg_has_role('pg_checkpoint', 'USAGE') ELSE false END""")
            recycle, archive, keeps, slots, may_switch, may_checkpoint = cursor.fetchone()
    except DatabaseError as e:
        return [checks.Warning(f"could not read the PostgreSQL server's settings: {str(e).strip()[:200]}",
                               hint="see docs/deploy.md, 'The write-ahead log'", id="nightstay.W020")]
    wrong = [name for name, bad in [("wal_recycle", recycle == "on"), ("archive_mode", archive != "off"),
                                    ("wal_keep_size", keeps)] if bad]
    problems = [checks.Warning(f"PostgreSQL {name} is {WAL_SETTINGS[name][0]}: after a panic {WAL_SETTINGS[name][2]}",
                               hint=f"as a superuser: {WAL_SETTINGS[name][1]} (docs/deploy.md)", id="nightstay.W021")
                for name in wrong]
    if slots:
        problems.append(checks.Warning(f"{slots} replication slot(s) keep the write-ahead log their reader has not read",
                                       hint="drop unused slots: SELECT pg_drop_replication_slot(slot_name) FROM "
                                            "pg_replication_slots WHERE NOT active", id="nightstay.W022"))
    if not (may_switch and may_checkpoint):
        problems.append(checks.Warning("the site's database account cannot switch WAL segments and checkpoint: "
                                       "a panic leaves the night's write-ahead log until the next checkpoint",
                                       hint="as a superuser: GRANT pg_checkpoint TO <account>; GRANT EXECUTE ON "
                                            "FUNCTION pg_switch_wal() TO <account>;", id="nightstay.W023"))
    return problems
