"""Which push endpoints the site may POST to: a browser vendor's push service, nothing else.

A subscription's endpoint is a URL the phone's browser gave, posted to us by a logged-in
volunteer's page; every message the volunteer is sent is then POSTed to it by the worker.
An infiltrator's script can post any URL instead: ``https://169.254.169.254/...`` (a cloud
server's metadata), ``https://10.0.0.5/admin``, the SMS gateway phone on the local network,
another site to flood. So on a public host an endpoint must be ``https`` on port 443 of a
host under one of ``settings.PUSH_SERVICE_HOSTS`` (Google's FCM for Chrome, Android,
Samsung, Opera, Brave; Mozilla's for Firefox; Apple's for Safari; Microsoft's for Edge),
never an IP address and never with a user or password in it. On a laptop (no public host)
any ``https`` host is taken, and ``http`` on this machine (the tests' own push service).
The worker asks again before each push: a row stored under older rules is dropped, not used.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from nightstay.privacy.checks import public_hosts

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_LENGTH = 1000


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def problem(endpoint: str) -> str | None:
    """Why the site must not POST to ``endpoint`` (a short reason), or None when it may."""
    try:
        url = urlsplit(endpoint)
        port = url.port
    except ValueError:
        return "not a URL"
    host = (url.hostname or "").rstrip(".").lower()
    if not host or len(endpoint) > MAX_LENGTH or url.username is not None or url.password is not None:
        return "not a push service's address"
    if not public_hosts():
        if url.scheme == "https" or (url.scheme == "http" and host in LOOPBACK):
            return None
        return "the endpoint is not a push service's https address"
    if url.scheme != "https" or port not in (None, 443) or _is_ip(host):
        return "the endpoint is not a push service's https address"
    if not any(host == known or host.endswith("." + known) for known in settings.PUSH_SERVICE_HOSTS):
        return "the endpoint is not a known push service"
    return None
