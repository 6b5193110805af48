"""A volunteer's account. The e-mail and phone are sealed; log-in finds the account through
an HMAC blind index, so the user table of a seized database names nobody's inbox."""
from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from nightstay.privacy.crypto import blind_index
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


class UserManager(BaseUserManager):
    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email_index=blind_index(email), **fields)
        user.email = email.strip()
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_email(self, email: str):
        return self.get(email_index=blind_index(email))


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email_index = models.CharField(max_length=64, unique=True)
    email = SealedField()
    first_name = models.CharField(max_length=60)
    phone = SealedField()
    language = models.CharField(max_length=8, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email_index"
    REQUIRED_FIELDS: list[str] = []

    data_labels = {
        "id": label("technical", "account"),
        "password": label("technical", "account", "Argon2 hash"),
        "last_login": label("technical", "account"),
        "is_superuser": label("technical", "account"),
        "email_index": label("technical", "account", "HMAC of the e-mail, keyed outside the database"),
        "email": label("sealed", "account"),
        "first_name": label("personal", "account", "how guests and drivers call a volunteer"),
        "phone": label("sealed", "account"),
        "language": label("technical", "account"),
        "is_active": label("technical", "account"),
        "is_staff": label("technical", "account"),
        "date_joined": label("technical", "account"),
    }

    def __str__(self):
        return self.first_name or "volunteer"
