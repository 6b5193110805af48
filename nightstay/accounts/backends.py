"""Log in with an e-mail address: the typed address is hashed to find the account.

Every attempt costs one password hash, whether the address is known, unknown or locked, so
the answer and its timing say nothing about who has an account. Failed attempts count
towards the lock-out (``User.note_failed_login``); a success resets the count.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from nightstay.privacy.crypto import blind_index


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username
        if not email or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(email_index=blind_index(email)).first()
        if user is None:
            User().set_password(password)  # spend the same time as a real check
            return None
        right = user.check_password(password)
        if user.is_locked():
            return None
        if right and self.user_can_authenticate(user):
            if user.failed_logins:
                user.failed_logins = 0
                user.save(update_fields=["failed_logins"])
            return user
        user.note_failed_login()
        return None
