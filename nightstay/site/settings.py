"""nightstay's one settings module, read from the environment.

A fresh clone runs with no configuration: SQLite under ``var/``, a development secret and
field keys that ``manage.py demo_setup`` writes to ``var/``. Production sets ``SECRET_KEY``,
``DATABASE_URL``, ``ALLOWED_HOSTS`` and the field keys; a system check
(``nightstay.privacy.checks``) refuses the development secret anywhere but on localhost.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("NIGHTSTAY_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value in ("true", "1", "yes")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-nightstay-secret-never-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", "false")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The platform, in the order of the night.
    "nightstay.privacy",
    "nightstay.accounts",
    "nightstay.hubs",
    "nightstay.volunteers",
    "nightstay.messaging",
    "nightstay.pledges",
    "nightstay.intake",
    "nightstay.planning",
    "nightstay.dispatch",
    "nightstay.figures",
    "nightstay.network",
    "nightstay.demo",  # the demo hub of `make run`: a leaf nothing imports
    # Django and the libraries it stands on.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages travel compressed on a weak signal (with Django's "Heal The BREACH" padding).
    "django.middleware.gzip.GZipMiddleware",
    "nightstay.privacy.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "nightstay.privacy.csrf.NoReferrerCsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# security.W003 looks for Django's CSRF middleware by its name; ours subclasses it (see
# nightstay.privacy.csrf) and the nightstay.E004 check makes sure it is installed.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "nightstay.site.urls"
WSGI_APPLICATION = "nightstay.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nightstay" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "nightstay.hubs.context.hub_context",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'nightstay.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory for tests
    # Deleted is gone from the file: freed pages are zeroed (secure_delete), the write-ahead log
    # is emptied after a panic (privacy.scrub) and temporary tables never touch the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA secure_delete=ON; PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY")
# Days an application may wait for a call before ``manage.py purge`` deletes it, undecided.
PENDING_APPLICATION_DAYS = envint("PENDING_APPLICATION_DAYS", "60")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The planner runs in a worker process (`manage.py db_worker`, started by `make run`; a systemd
# unit in production, docs/deploy.md), never in a web worker: tasks wait in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Messages to volunteers (nightstay.messaging): the channels, cheapest first, and the hours
# (local, start and end) when nothing that is not about tonight is sent.
MESSAGE_CHANNELS = [c.strip() for c in os.environ.get("MESSAGE_CHANNELS", "push,email").split(",") if c.strip()]
MESSAGE_QUIET_HOURS = (envint("MESSAGE_QUIET_FROM", "22"), envint("MESSAGE_QUIET_UNTIL", "8"))
# Web push signs each push with the site's VAPID key: VAPID_PRIVATE_KEY (base64url, the raw 32
# bytes), else a key file written at first need (var/vapid-key on a laptop); the public key is
# derived from it. VAPID_SUBJECT tells push services whom to contact (a mailto: or https: URL;
# by default the site's own https address).
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_KEY_FILE = Path(os.environ.get("VAPID_KEY_FILE", VAR_DIR / "vapid-key"))
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "https://" + urlsplit(SITE_ROOT).netloc
                               if SITE_ROOT.startswith("https://") else "mailto:nightstay@localhost")
# The push services a public site may POST to (host names, their subdomains included): Google's
# FCM (Chrome, Android, Samsung, Opera, Brave), Mozilla's (Firefox), Apple's (Safari),
# Microsoft's (Edge). Any other endpoint is refused (messaging/push_endpoints.py).
PUSH_SERVICE_HOSTS = envlist("PUSH_SERVICE_HOSTS", "fcm.googleapis.com,android.googleapis.com,"
                             "push.services.mozilla.com,push.apple.com,notify.windows.com")
PLAN_TIME_LIMIT = float(os.environ.get("PLAN_TIME_LIMIT", "2.0"))  # seconds a solve may take

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["nightstay.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Sessions end with the night: a lost phone does not stay logged in for weeks.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(16 * 3600))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "nightstay.site.errors.csrf_failure"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "false") else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"  # forms still post: see nightstay.privacy.csrf
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]
# The guest ticket page also speaks these; the rest of the interface does not.
GUEST_LANGUAGES = LANGUAGES + [("ar", "العربية"), ("ti", "ትግርኛ")]
LOCALE_PATHS = [BASE_DIR / "nightstay" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
# The country a phone number written without its code is read in (ISO 3166 code).
PHONE_REGION = os.environ.get("PHONE_REGION", "BE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "nightstay" / "static"]  # the site's own css, htmx and per-feature scripts
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# On a laptop e-mails (with their password links) go to files under var/mail/, never to the
# terminal; a public host must set SMTP (the nightstay.E003 check refuses to start otherwise).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nightstay <noreply@localhost>")

# SMS through the network's own gateway: an Android phone running SMS Gateway for Android in
# local mode (nightstay.messaging.channels.sms). No URL: each SMS is written to a file under
# var/sms/, never to the terminal. Replies come back by its signed webhook (/m/sms/webhook/).
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_LOGIN = os.environ.get("SMS_GATEWAY_LOGIN", "")
SMS_GATEWAY_PASSWORD = os.environ.get("SMS_GATEWAY_PASSWORD", "")
SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")
SMS_DAILY_CAP = envint("SMS_DAILY_CAP", "100")  # per hub and day; past it, urgent messages go by the next channel
SMS_FILE_PATH = VAR_DIR / "sms"

# Field encryption keys live outside the database and its backups (see nightstay.privacy.crypto).
FIELD_KEYS = os.environ.get("NIGHTSTAY_FIELD_KEYS", "")
FIELD_KEY_FILE = Path(os.environ.get("NIGHTSTAY_FIELD_KEY_FILE", VAR_DIR / "field-keys"))
# One key per night, outside the database, destroyed by the panic and the purge
# (nightstay.privacy.night_keys). Every process of the site and the planning worker must share it.
NIGHT_KEY_DIR = Path(os.environ.get("NIGHTSTAY_NIGHT_KEY_DIR", VAR_DIR / "night-keys"))

# Logs can hold guest data: nothing but warnings from Django, no request lines with IPs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "nightstay": {"handlers": ["console"], "level": "INFO"},
        # The HTTP clients of web push and the SMS gateway log each request's URL (urllib3 at
        # DEBUG, httpx at INFO): a push endpoint's path names one phone's browser. Warnings only.
        "urllib3": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# How many exact addresses a coordinator may reveal per minute.
ADDRESS_REVEALS_PER_MINUTE = envint("ADDRESS_REVEALS_PER_MINUTE", "5")
# Failed logins before an account is locked, and for how long.
LOGIN_FAILURES_BEFORE_LOCKOUT = envint("LOGIN_FAILURES_BEFORE_LOCKOUT", "5")
LOCKOUT_MINUTES = envint("LOCKOUT_MINUTES", "15")
# Volunteer sign-ups accepted per hour from one client, and into one hub's queue.
SIGNUPS_PER_HOUR_PER_CLIENT = envint("SIGNUPS_PER_HOUR_PER_CLIENT", "10")
SIGNUPS_PER_HOUR_PER_HUB = envint("SIGNUPS_PER_HOUR_PER_HUB", "200")
# Hours after a night's window ends before its rows are purged.
NIGHT_RETENTION_HOURS = envint("NIGHT_RETENTION_HOURS", "12")

# -- Limits every worker shares; no secret in a log line; an outage answers 503 ---------------
# Rate limits and lock-outs (nightstay.accounts.throttle) count in Django's cache: Redis when
# REDIS_URL is set (production, several workers or servers), otherwise a table in the
# database (created by migrate), so a fresh clone needs nothing else. Never a worker's own
# memory (the nightstay.E007 check refuses it on a public host).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
} if REDIS_URL else {
    "BACKEND": "nightstay.accounts.counting_cache.CountingDatabaseCache", "LOCATION": "nightstay_cache",
    "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # never cull live counters to make room
}}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "nightstay")
# A kept connection is checked before each request uses it: after a database restart the
# first request gets a fresh one instead of an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
# Every log record is masked as it is made (nightstay.privacy.logs, installed by the privacy
# app): a path with a run-sheet, ticket or password-link token logs as /run/…/. During a
# database outage django.request logs one line a minute, not a traceback per request.
LOGGING["filters"] = {"outage": {"()": "nightstay.site.errors.OutageLogFilter"}}
LOGGING["loggers"]["django.request"]["filters"] = ["outage"]
