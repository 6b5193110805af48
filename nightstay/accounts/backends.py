"""Log in with an e-mail address: the typed address is hashed to find the account."""
from django.contrib.auth.backends import ModelBackend

from nightstay.privacy.crypto import blind_index


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = email or username
        if not email or password is None:
            return None
        return super().authenticate(request, username=blind_index(email), password=password, **kwargs)
