"""Log in with an e-mail address: the typed address is hashed to find the account.

Every attempt costs one password hash, whether the address is known, unknown or locked, so
the answer and its timing say nothing about who has an account.

The lock-out counts each attempt on the typed e-mail *before* its password is checked, in
the store every worker shares (``throttle.hit``): only the first
``LOGIN_FAILURES_BEFORE_LOCKOUT`` attempts in a window have their password checked, however
many arrive at once, and the window lasts ``LOCKOUT_MINUTES`` from the last failure. A right
password clears the count. Unknown e-mails are counted the same way, so a lock-out tells
nothing either.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from nightstay.privacy.crypto import blind_index

from . import throttle

BUCKET = "login-account"


def account_key(email: str) -> str:
    return throttle.keyed(blind_index(email))


def lift_lock_out(user) -> None:
    """Whoever chose a new password through the e-mailed link holds the inbox: let them in again."""
    throttle.forget(BUCKET, throttle.keyed(user.email_index))


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username
        if not email or password is None:
            return None
        User = get_user_model()
        key, window = account_key(email), settings.LOCKOUT_MINUTES * 60
        if throttle.hit(BUCKET, key, window) > settings.LOGIN_FAILURES_BEFORE_LOCKOUT:
            User().set_password(password)  # locked: spend the same time, check nothing
            return None
        user = User.objects.filter(email_index=blind_index(email)).first()
        if user is None:
            User().set_password(password)  # spend the same time as a real check
        elif user.check_password(password) and self.user_can_authenticate(user):
            throttle.forget(BUCKET, key)
            return user
        throttle.extend(BUCKET, key, window)  # a lock-out lasts its minutes from the last failure
        return None
