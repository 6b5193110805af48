"""The people every web test meets, in one hub and another.

- Adele, Brussels hub admin (TOTP enrolled)
- Colette, Brussels coordinator (TOTP enrolled); Cyril, Brussels coordinator without a second factor
- Hugo, Brussels host, with a home in Ixelles
- Dara, Brussels driver; Bea, Brussels host *and* driver
- Otto, coordinator of the Liège hub: must be refused everywhere in Brussels
- Pia, an applicant whose account waits for vetting (no role anywhere)
"""
from __future__ import annotations

from datetime import date, time

from django.test import TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User
from nightstay.hubs.models import Hub, Membership, Role, Shelter
from nightstay.pledges.models import Home

PASSWORD = "correct horse battery staple"

# ``python -c MANAGE_AT_CLOCK WHEN command args...``: manage.py in a child process whose clock
# starts at WHEN and ticks (the tests that run a worker or a whole night in another process)
MANAGE_AT_CLOCK = ("import sys, time_machine\n"
                   "time_machine.travel(sys.argv[1], tick=True).start()\n"
                   "from django.core.management import execute_from_command_line\n"
                   "execute_from_command_line(['manage.py', *sys.argv[2:]])\n")


def make_user(email: str, first_name: str, hub: Hub | None = None, *roles: str, totp: bool = False) -> User:
    user = User.objects.create_user(email, PASSWORD, first_name=first_name, phone="+32 470 00 00 00")
    for role in roles:
        Membership.objects.create(user=user, hub=hub, role=role)
    if totp:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


class HubTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hub = Hub.objects.create(name="Brussels - Parc Maximilien", slug="brussels", meeting_point="Parc Maximilien",
                                     meeting_lat=50.8572, meeting_lon=4.3520, window_start=time(19), window_end=time(1))
        cls.other_hub = Hub.objects.create(name="Liège - Gare des Guillemins", slug="liege", meeting_point="Guillemins",
                                           meeting_lat=50.6245, meeting_lon=5.5668)
        cls.dormitory = Shelter.objects.create(hub=cls.hub, name="Porte d'Ulysse", lat=50.8610, lon=4.3580, beds=120,
                                               reach="walk", genders="m", minors=False)
        cls.adele = make_user("adele@example.org", "Adèle", cls.hub, Role.ADMIN, Role.COORDINATOR, totp=True)
        cls.colette = make_user("colette@example.org", "Colette", cls.hub, Role.COORDINATOR, totp=True)
        cls.cyril = make_user("cyril@example.org", "Cyril", cls.hub, Role.COORDINATOR)
        cls.hugo = make_user("hugo@example.org", "Hugo", cls.hub, Role.HOST)
        cls.dara = make_user("dara@example.org", "Dara", cls.hub, Role.DRIVER)
        cls.bea = make_user("bea@example.org", "Béa", cls.hub, Role.HOST, Role.DRIVER)
        cls.otto = make_user("otto@example.org", "Otto", cls.other_hub, Role.COORDINATOR, totp=True)
        cls.pia = make_user("pia@example.org", "Pia")
        cls.hugo_home = Home.objects.create(hub=cls.hub, host=cls.hugo, address="Rue du Trône 12, 1050 Ixelles",
                                            lat=50.8366, lon=4.3680, area="Ixelles")
        cls.bea_home = Home.objects.create(hub=cls.hub, host=cls.bea, address="Chaussée de Wavre 200, 1050 Ixelles",
                                           lat=50.8330, lon=4.3790, area="Ixelles")
        cls.today = date(2026, 11, 24)

    def log_in(self, user: User, verified: bool = True) -> None:
        """Log ``user`` in; staff who enrolled TOTP are marked as having passed the second factor."""
        self.client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if verified and device is not None:
            session = self.client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
