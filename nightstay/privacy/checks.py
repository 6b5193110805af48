"""System checks that refuse to run a server in production with development secrets."""
from django.conf import settings
from django.core import checks

from . import crypto

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


@checks.register(checks.Tags.security, deploy=True)
def check_secrets(app_configs, **kwargs):
    errors = []
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if public and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(checks.Error("SECRET_KEY is the development default while ALLOWED_HOSTS is public",
                                   hint="set SECRET_KEY in the environment", id="nightstay.E001"))
    try:
        crypto.keyring()
    except crypto.KeyError_ as e:
        errors.append(checks.Error(f"field encryption keys: {e}", id="nightstay.E002"))
    return errors
