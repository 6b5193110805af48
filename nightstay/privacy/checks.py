"""System checks that refuse to run a server in production with development secrets.

The development secret, an e-mail backend that prints password links (console, files) and
rate limits kept in one worker's memory are refused by every management command
(``runserver``, ``migrate``...) as soon as ``ALLOWED_HOSTS`` names a public host. The deploy
checks (``manage.py check --deploy``, run before each start in production) also want the
field keys.
"""
from django.conf import settings
from django.core import checks

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
