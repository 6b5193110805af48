"""Placeholder settings: replaced by the platform's real settings module."""
SECRET_KEY = "placeholder"
INSTALLED_APPS = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
