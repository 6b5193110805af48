"""Who may open what: every URL the site has, for every kind of visitor, by GET and by POST,
against the policy declared in ``authorization_policy.py``.

The URLs come from the resolver, so a new page fails this test until its line is added to
``POLICY``. Each cell runs in a transaction that is rolled back (panic, close, announce and
log-out change nothing for the next cell) with an empty cache (no rate limit carries over).

A cell is *refused* when the answer is 403, 404, 405, 409 or 410, or a redirect to the log-in or
second-factor page; anything else under 500 is a *success* (a page, a redirect elsewhere, a
form shown again with its errors). A 500 is always a failure. Both an unexpected success and
an unexpected refusal fail the test. Every answer is also checked for the privacy headers.
"""
from __future__ import annotations

import uuid
from copy import deepcopy
from dataclasses import replace
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nightstay.planning import runs
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import Placement, PlanRun, Stay, Stop, Trip
from nightstay.hubs.models import Night, Role
from nightstay.intake.models import Party
from nightstay.messaging.models import Message
from nightstay.pledges.models import BedPledge, Home, SeatPledge
from nightstay.volunteers.models import Application

from .base import HubTestCase, make_user
from .scripted_night import script_night

TONIGHT = datetime(2026, 11, 24, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))

from .authorization_policy import POLICY, ROLES, Rule, url_names, variants



@time_machine.travel(TONIGHT, tick=False)
@override_settings(PLAN_TIME_LIMIT=0.1)
class AuthorizationMatrixTests(HubTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with time_machine.travel(TONIGHT, tick=False), override_settings(
                                                                          PLAN_TIME_LIMIT=0.1):
            cls.make_night()

    @classmethod
    def make_night(cls):
        cls.dino = make_user("dino@example.org", "Dino", cls.hub, Role.DRIVER)  # a driver off duty tonight
        night = cls.hub.tonight()
        cls.bed_pledge = BedPledge.objects.create(home=cls.hugo_home, beds=3, pickup="driver",
                                                  first_date=night.date, genders="m,f,mixed")
        cls.seat_pledge = SeatPledge.objects.create(hub=cls.hub, driver=cls.dara, seats=3, first_date=night.date,
                                                    home_lat=50.84, home_lon=4.36)
        rows = script_night(cls, night)
        rows["placements"][2].announced = True  # Hugo's guest tonight, announced
        rows["placements"][2].save()
        rows["run"].delete()  # a real plan of this night instead of the script's stand-in
        runs.start(night, cls.colette)
        assert PlanRun.objects.get(night=night).status == PlanRun.Status.DONE
        cls.token = rows["token"]
        revoked, cls.revoked_token = RunSheetGrant.issue(night, cls.dara)
        revoked.revoked_at = timezone.now()
        revoked.save()
        expired, cls.expired_token = RunSheetGrant.issue(night, cls.dara)
        expired.expires_at = timezone.now() - timedelta(minutes=1)
        expired.save()
        bound, cls.bound_token = RunSheetGrant.issue(night, cls.dara)
        bound.bind("the secret of a phone no cell holds")
        shown, _token = RunSheetGrant.issue(night, cls.dara)
        shown.show_once(cls.colette)
        rows["trip"].departed_at = night.start  # Dara is on the road, at his first stop
        rows["trip"].save()
        further = Stop.objects.create(trip=rows["trip"], order=2, home=cls.bea_home, arrive=night.start)
        bea_trip = Trip.objects.create(night=night, driver=cls.bea, seq=1, depart=night.start, end="home",
                                       end_at=night.start + timedelta(hours=1))
        bea_stop = Stop.objects.create(trip=bea_trip, order=1, home=cls.hugo_home, arrive=night.start)
        old = Night.for_date(cls.hub, date(2026, 11, 20))
        old.purged_at = timezone.now()
        old.save()
        old_party = Party.objects.create(night=old, ticket="OLD1", waiting_since=old.start)
        liege_party = Party.objects.create(night=cls.other_hub.tonight(), ticket="LGE1",
                                           waiting_since=timezone.now())
        application = Application.objects.create(hub=cls.hub, first_name="Noor", phone="+32 470 11 22 33",
                                                 email="noor@example.org", area="Schaerbeek", offer="both",
                                                 consent=True)
        party, trip, stop = rows["parties"][0], rows["trip"], rows["stop"]
        stay = Stay.objects.create(hub=cls.hub, home=cls.hugo_home, first_night=night.date, last_night=night.date)
        liege = Home.objects.create(hub=cls.other_hub, host=cls.otto, lat=50.62, lon=5.57, area="Guillemins")
        liege_stay = Stay.objects.create(hub=cls.other_hub, home=liege, first_night=night.date, last_night=night.date)
        # The placement a stay is made from travels in the POST (the stays page picks it from a list).
        cls.post_data = {("make_stay", "own guest"): {"placement": rows["placements"][2].pk},
                         ("make_stay", "another hub's guest"): {"placement": Placement.objects.create(
                             night=liege_party.night, party=liege_party, home=liege, announced=True).pk}}
        hub = {"hub": cls.hub.slug}
        beds = {**hub, "kind": "beds", "pledge_id": cls.bed_pledge.pk}
        seats = {**hub, "kind": "seats", "pledge_id": cls.seat_pledge.pk}
        live = rows["grant"]
        cls.kwargs = {
            "password_set": {"uidb64": urlsafe_base64_encode(force_bytes(cls.pia.pk)),
                             "token": default_token_generator.make_token(cls.pia)},
            "vetting_decide": {**hub, "pk": application.pk},
            "pledges:edit": {"own beds": beds, "own seats": seats},
            "pledges:cancel_night": {"own beds": beds, "own seats": seats},
            "pledges:withdraw": {"own beds": beds, "own seats": seats},
            "intake:ticket": {"live": {"token": party.guest_token()},
                              "purged night": {"token": old_party.guest_token()},
                              "garbage": {"token": "not-a-ticket"}},
            "intake:ticket_in": {"live": {"token": party.guest_token(), "lang": "ar"},
                                 "unknown language": {"token": party.guest_token(), "lang": "xx"}},
            "intake:edit": {"this hub": {**hub, "party_id": party.pk},
                            "other hub's party": {**hub, "party_id": liege_party.pk}},
            "intake:left": {"this hub": {**hub, "party_id": party.pk},
                            "other hub's party": {**hub, "party_id": liege_party.pk}},
            "intake:guest_link": {**hub, "party_id": party.pk},
            "new_link": {"live": {**hub, "grant": live.pk}, "revoked": {**hub, "grant": revoked.pk}},
            "show_link_code": {"live": {**hub, "grant": live.pk}, "shown already": {**hub, "grant": shown.pk},
                               "revoked": {**hub, "grant": revoked.pk}},
            "host_arrived": {**hub, "placement": rows["placements"][2].pk},
            "end_stay": {"this hub": {**hub, "stay": stay.pk}, "another hub's stay": {**hub, "stay": liege_stay.pk}},
            "undo_arrived": {**hub, "placement": rows["placements"][2].pk},
        }
        tokens = {"live": cls.token, "revoked": cls.revoked_token, "expired": cls.expired_token,
                  "purged": RunSheetGrant.token_for(uuid.uuid4()), "garbage": f"{uuid.uuid4().hex}.{'x' * 43}",
                  "open on another phone": cls.bound_token}
        cls.other_hub.shows_figures = True
        cls.other_hub.save()
        cls.kwargs["figures_public"] = {"not shown": hub, "shown": {"hub": cls.other_hub.slug}}
        for name in ("network_accept", "network_withdraw", "network_api_accept"):
            cls.kwargs[name] = {**hub, "offer": uuid.uuid4()}
        cls.kwargs["network_accept_remote"] = {**hub, "peer": uuid.uuid4(), "offer": uuid.uuid4()}
        cls.kwargs["run_sheet"] = {k: {"token": t} for k, t in tokens.items()}
        cls.kwargs["running_late"] = {k: {"token": t} for k, t in tokens.items()}
        cls.kwargs["departed"] = {k: {"token": t, "trip": trip.pk} for k, t in tokens.items()}
        cls.kwargs["departed"]["another driver's trip"] = {"token": cls.token, "trip": bea_trip.pk}
        cls.kwargs["dropped"] = {k: {"token": t, "stop": stop.pk} for k, t in tokens.items()}
        cls.kwargs["dropped"]["another driver's stop"] = {"token": cls.token, "stop": bea_stop.pk}
        cls.kwargs["dropped"]["a stop further on"] = {"token": cls.token, "stop": further.pk}
        question = Message(hub=cls.hub, night=night, recipient=cls.hugo, template="still_on",
                           about=str(cls.bed_pledge.pk), subject="?", body="?", reply_code="4821")
        question_token = question.new_token()
        question.save()
        cls.kwargs["messaging:answer"] = {"live": {"token": question_token}, "garbage": {"token": "not-a-token"}}
        cls.kwargs["undo_departed"] = {**cls.kwargs["departed"]}
        cls.kwargs["undo_dropped"] = {**cls.kwargs["dropped"]}

    def url(self, name: str, variant: str) -> str:
        """The URL to try: its declared arguments, else the hub alone, else none."""
        kwargs = self.kwargs.get(name)
        if kwargs is not None:
            return reverse(name, kwargs=kwargs[variant] if variant else kwargs)
        try:
            return reverse(name, kwargs={"hub": self.hub.slug})
        except NoReverseMatch:
            return reverse(name)

    def setUp(self):
        """One session per role, logged in once: each cell's rollback puts its row back as it was."""
        self.cookies = {"anonymous": SimpleCookie()}
        for role in ROLES[1:]:
            self.client = Client()
            self.log_in(getattr(self, role))
            self.cookies[role] = deepcopy(self.client.cookies)
        self.client = Client()

    def test_every_url_is_declared(self):
        names = set(url_names())
        self.assertEqual(sorted(names - set(POLICY)), [], "pages with no line in POLICY: declare who may open them")
        self.assertEqual(sorted(set(POLICY) - names), [], "POLICY names pages that no longer exist")

    def test_the_matrix(self):
        login, two_factor = reverse("login"), reverse("two_factor")
        cells, failures, unexpected_successes, unexpected_refusals = 0, [], 0, 0
        for name in sorted(set(url_names())):
            for variant, rule in variants(name).items():
                url = self.url(name, variant)
                rule = replace(rule, data={**rule.data, **self.post_data.get((name, variant), {})})
                for role in ROLES:
                    for method, allowed in (("GET", rule.get), ("POST", rule.post)):
                        cells += 1
                        status, location, problems = self.cell(url, role, method, rule)
                        where = location.split("?")[0]
                        refused = status in (403, 404, 405, 409, 410) or (
                            status in (301, 302) and where in (login, two_factor) and not rule.logs_out)
                        label = f"{name}{f' [{variant}]' if variant else ''} {role} {method}: {status}"
                        label += f" -> {location}" if location else ""
                        if status >= 500:
                            failures.append(f"{label} (server error)")
                        elif refused and role in allowed:
                            unexpected_refusals += 1
                            failures.append(f"{label} (refused, but the policy allows it)")
                        elif not refused and role not in allowed:
                            unexpected_successes += 1
                            failures.append(f"{label} (succeeded, but the policy refuses it)")
                        elif refused and rule.refused_as and method in rule.answers and status != rule.refused_as:
                            failures.append(f"{label} (refused, but {rule.refused_as} expected)")
                        failures += [f"{label}: {p}" for p in problems]
        summary = (f"authorization matrix: {cells} cells checked, {unexpected_successes} unexpected successes, "
                   f"{unexpected_refusals} unexpected refusals")
        print(summary)
        if failures:
            self.fail(summary + "\n" + "\n".join(failures))
        self.assertGreater(cells, 500, summary)

    def cell(self, url: str, role: str, method: str, rule: Rule) -> tuple[int, str, list[str]]:
        """One request as ``role``, in a transaction rolled back afterwards."""
        cache.clear()
        self.client.cookies = deepcopy(self.cookies[role])  # a log-out in an earlier cell dropped them
        with transaction.atomic():
            try:
                if method == "GET":
                    response = self.client.get(url)
                else:
                    response = self.client.post(url, rule.data)
            except Exception as exc:  # the test client re-raises a view's exception: a 500
                transaction.set_rollback(True)
                return 500, "", [f"{type(exc).__name__}: {exc}"]
            transaction.set_rollback(True)
        # A log-out's answer goes to someone no longer logged in: it may be cached like any public page.
        problems = self.header_problems(response, logged_in=role != "anonymous" and not rule.logs_out)
        return response.status_code, response.get("Location", ""), problems

    @staticmethod
    def header_problems(response, logged_in: bool) -> list[str]:
        problems = []
        if response.get("Content-Type", "").startswith("text/html"):
            csp = response.get("Content-Security-Policy", "")
            script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
            if not csp or not script_src:
                problems.append("no Content-Security-Policy with a script-src")
            elif "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
                problems.append(f"script-src allows inline script: {script_src.strip()}")
            if response.get("Referrer-Policy") != "no-referrer":
                problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
        if logged_in and "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"Cache-Control is {response.get('Cache-Control')!r} for a logged-in user")
        return problems
