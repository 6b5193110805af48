"""A public site that pushes must say whom push services may contact about its pushes.

Push services (Apple's refuses outright) want a VAPID subject they can reach. The default is
the site's own address when it is ``https`` (production), ``mailto:nightstay@localhost`` on a
laptop: that one, or anything but a ``mailto:`` or ``https:`` URL, is refused when the site
answers on a public host with the push channel on.
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
