"""Refuse a messaging set-up that would leak, or go deaf, on a public host.

Push services (Apple's refuses outright) want a VAPID subject they can reach. The default is
the site's own address when it is ``https`` (production), ``mailto:nightstay@localhost`` on a
laptop: that one, or anything but a ``mailto:`` or ``https:`` URL, is refused when the site
answers on a public host with the push channel on.

Without a gateway URL an SMS (with its number and, for a phone check, its code) is written to
a file under ``var/sms/``: fine on a laptop, refused where volunteers are real. Without a
webhook signing key every reply by SMS is refused: a warning, the links still work.
"""
from django.conf import settings
from django.core import checks

from nightstay.privacy.checks import public_hosts


@checks.register(checks.Tags.security)
def check_vapid_subject(app_configs, **kwargs):
    subject = settings.VAPID_SUBJECT
    if public_hosts() and "push" in settings.MESSAGE_CHANNELS and (
            "@localhost" in subject or not subject.startswith(("mailto:", "https://"))):
        return [checks.Error(f"VAPID_SUBJECT is {subject!r}: push services need a way to reach the site's operator",
                             hint="set VAPID_SUBJECT=mailto:you@your-domain (and VAPID_PRIVATE_KEY, docs/deploy.md)",
                             id="nightstay.E008")]
    return []


@checks.register(checks.Tags.security)
def check_sms(app_configs, **kwargs):
    if not public_hosts() or "sms" not in settings.MESSAGE_CHANNELS:
        return []
    problems = []
    if not settings.SMS_GATEWAY_URL:
        problems.append(checks.Error("SMS (with phone numbers and codes) would be written to files in var/sms/",
                                     hint="set SMS_GATEWAY_URL, SMS_GATEWAY_LOGIN and SMS_GATEWAY_PASSWORD",
                                     id="nightstay.E010"))
    if not settings.SMS_WEBHOOK_SECRET:
        problems.append(checks.Warning("replies by SMS will all be refused: no webhook signing key",
                                       hint="set SMS_WEBHOOK_SECRET to the signing key set in the gateway app",
                                       id="nightstay.W010"))
    return problems
