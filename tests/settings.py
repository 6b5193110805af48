"""Test settings: the real settings, with a throw-away field key and night-key directory, a cheap hasher and mail kept in memory."""
import os

from nightstay.messaging.vapid import new_private_key as new_vapid_key
from nightstay.privacy.crypto import new_key_line

os.environ.setdefault("NIGHTSTAY_FIELD_KEYS", new_key_line("test"))
os.environ.setdefault("VAPID_PRIVATE_KEY", new_vapid_key())  # no test writes var/vapid-key
if "NIGHTSTAY_NIGHT_KEY_DIR" not in os.environ:  # one directory per test process, shared with its subprocesses
    import atexit
    import shutil
    import tempfile

    os.environ["NIGHTSTAY_NIGHT_KEY_DIR"] = tempfile.mkdtemp(prefix="nightstay-night-keys-")
    atexit.register(shutil.rmtree, os.environ["NIGHTSTAY_NIGHT_KEY_DIR"], True)

from nightstay.site.settings import *  # noqa: E402,F401,F403

FIELD_KEYS = os.environ["NIGHTSTAY_FIELD_KEYS"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_FILE_PATH = VAR_DIR / "test-sms"  # a purge in a test clears it: never the laptop's own var/sms
# Tasks run at once in the test's own thread; tests/web/test_worker.py starts a real worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
