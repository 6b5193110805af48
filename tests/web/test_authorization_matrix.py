"""Who may open what: every URL the site has, for every kind of visitor, by GET and by POST,
against the policy declared below.

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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nightstay.planning import runs
from nightstay.dispatch.models import RunSheetGrant
from nightstay.planning.models import PlanRun, Stop, Trip
from nightstay.hubs.models import Night, Role
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, SeatPledge
from nightstay.volunteers.models import Application

from .base import HubTestCase, make_user
from .scripted_night import script_night

TONIGHT = datetime(2026, 11, 24, 21, 0, tzinfo=ZoneInfo("Europe/Brussels"))

ROLES = ("anonymous", "pia", "hugo", "dara", "dino", "colette", "cyril", "otto", "adele")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
NOBODY = frozenset()
STAFF = frozenset({"colette", "adele"})  # coordinators of this hub who passed the second factor, and its admin
HOSTS = frozenset({"hugo"})
DRIVERS = frozenset({"dara", "dino"})  # on duty tonight, and off duty


@dataclass(frozen=True)
class Rule:
    """Who may succeed on one URL by GET and by POST; ``data`` is what the POST sends."""

    get: frozenset
    post: frozenset
    data: dict = field(default_factory=dict)
    logs_out: bool = False  # its success *is* a redirect to the log-in page
    refused_as: int | None = None  # the one status a refusal must have (410 gone, 404 never was)...
    answers: tuple = ("GET", "POST")  # ...by the methods the URL answers (others get 405)


def post_only(who, refused_as=None, **data) -> Rule:
    return Rule(get=NOBODY, post=frozenset(who), data=data, refused_as=refused_as, answers=("POST",))


def both(who, refused_as=None, **data) -> Rule:
    return Rule(get=frozenset(who), post=frozenset(who), data=data, refused_as=refused_as)


GONE, NEVER_WAS, OTHER_PHONE, NOT_THIS_STOP = 410, 404, 403, 409


# URL name -> its rule, or {variant: rule} when the same URL is tried with several arguments
# (a live link and a dead one, one's own pledge and someone else's); their arguments are set in
# ``make_night``. A URL without arguments there takes the hub's slug, or nothing.
POLICY = {
    # The front page and accounts.
    "home": both(LOGGED_IN),
    "login": both(EVERYONE),
    "logout": Rule(get=NOBODY, post=EVERYONE, logs_out=True),
    "two_factor": both(LOGGED_IN),
    "password_reset": both(EVERYONE),
    "password_reset_sent": both(EVERYONE),
    "password_set": both(EVERYONE),  # the link's secret is the check; an old link shows "expired"
    "password_set_done": both(EVERYONE),
    # Sign-up (public) and vetting (staff).
    "volunteer_join": both(EVERYONE),
    "volunteer_thanks": both(EVERYONE),
    "volunteer_privacy": both(EVERYONE),
    "vetting_queue": both(STAFF),
    "vetting_decide": post_only(STAFF, decision="approve", call_note="called"),
    # Pledges: each volunteer their own; coordinators only tonight's totals.
    "pledges:mine": both(HOSTS | DRIVERS),
    "pledges:home": both(HOSTS),
    "pledges:new_beds": both(HOSTS),
    "pledges:new_seats": both(DRIVERS),
    "pledges:edit": {"own beds": both(HOSTS), "own seats": both({"dara"})},
    "pledges:cancel_night": {"own beds": post_only(HOSTS), "own seats": post_only({"dara"})},
    "pledges:withdraw": {"own beds": post_only(HOSTS), "own seats": post_only({"dara"})},
    "pledges:cards": both(HOSTS),
    "pledges:tonight": both(STAFF),
    # Intake (staff) and the guest's ticket (whoever holds its link, while the night lasts).
    "intake:set_language": both(EVERYONE),  # Django's own view: sets the language cookie and goes back
    "intake:ticket": {"live": both(EVERYONE), "purged night": both(NOBODY, GONE), "garbage": both(NOBODY, NEVER_WAS)},
    "intake:ticket_in": {"live": both(EVERYONE), "unknown language": both(NOBODY, NEVER_WAS)},
    "intake:intake": both(STAFF),
    "intake:edit": {"this hub": both(STAFF), "other hub's party": both(NOBODY)},
    "intake:left": {"this hub": post_only(STAFF), "other hub's party": post_only(NOBODY)},
    "intake:guest_link": both(STAFF),
    "intake:sw": Rule(get=EVERYONE, post=NOBODY, answers=("GET",)),  # the service worker: a script, nobody's data
    # Tonight's board (staff).
    "board": both(STAFF),
    "plan": post_only(STAFF),
    "plan_status": both(STAFF),
    "pin": post_only(STAFF),
    "unpin": post_only(STAFF),
    "move": post_only(STAFF),
    "night_event": post_only(STAFF),
    "announce": post_only(STAFF),
    "at_park": post_only(STAFF),
    "new_link": {"live": post_only(STAFF), "revoked": post_only(NOBODY)},
    "send_links": post_only(STAFF),  # messages from the board (dispatch.outgoing)
    "message_driver": post_only(STAFF),
    "message_road": post_only(STAFF),
    # A link's QR code: shown once, by a coordinator; never again, never for a dead link.
    "show_link_code": {"live": post_only(STAFF), "shown already": post_only(NOBODY), "revoked": post_only(NOBODY)},
    # Hosts' and drivers' own pages.
    "host_tonight": both(HOSTS),
    "host_arrived": post_only(HOSTS),
    "undo_arrived": post_only(HOSTS),
    "driver_tonight": both(DRIVERS),
    # The run sheet: whoever holds the live link, on the first phone that opens it (each cell is
    # that first phone); gone once it expired, was revoked or purged; never there for a link the
    # site did not make; refused on any phone but the one it opened on. "Dropped" only for the
    # stop the driver is at (the trip has departed).
    "run_sheet": {"live": both(EVERYONE), "revoked": both(NOBODY, GONE), "expired": both(NOBODY, GONE),
                  "purged": both(NOBODY, GONE), "garbage": both(NOBODY, NEVER_WAS),
                  "open on another phone": both(NOBODY, OTHER_PHONE)},
    "departed": {"live": post_only(EVERYONE), "revoked": post_only(NOBODY, GONE),
                 "expired": post_only(NOBODY, GONE), "purged": post_only(NOBODY, GONE),
                 "garbage": post_only(NOBODY, NEVER_WAS), "another driver's trip": post_only(NOBODY, NEVER_WAS),
                 "open on another phone": post_only(NOBODY, OTHER_PHONE)},
    "dropped": {"live": post_only(EVERYONE), "revoked": post_only(NOBODY, GONE),
                "expired": post_only(NOBODY, GONE), "purged": post_only(NOBODY, GONE),
                "garbage": post_only(NOBODY, NEVER_WAS), "another driver's stop": post_only(NOBODY, NEVER_WAS),
                "open on another phone": post_only(NOBODY, OTHER_PHONE),
                "a stop further on": post_only(NOBODY, NOT_THIS_STOP)},
    "running_late": {"live": post_only(EVERYONE, minutes="10"), "revoked": post_only(NOBODY, GONE, minutes="10"),
                     "expired": post_only(NOBODY, GONE, minutes="10"), "purged": post_only(NOBODY, GONE, minutes="10"),
                     "garbage": post_only(NOBODY, NEVER_WAS, minutes="10"),
                     "open on another phone": post_only(NOBODY, OTHER_PHONE, minutes="10")},
    # Their undo: the same doors (the ten seconds are dispatch's test_undo's).
    "undo_departed": {"live": post_only(EVERYONE), "revoked": post_only(NOBODY, GONE),
                      "garbage": post_only(NOBODY, NEVER_WAS), "another driver's trip": post_only(NOBODY, NEVER_WAS),
                      "open on another phone": post_only(NOBODY, OTHER_PHONE)},
    "undo_dropped": {"live": post_only(EVERYONE), "revoked": post_only(NOBODY, GONE),
                     "garbage": post_only(NOBODY, NEVER_WAS), "another driver's stop": post_only(NOBODY, NEVER_WAS),
                     "open on another phone": post_only(NOBODY, OTHER_PHONE)},
    # Close, figures, files (staff); panic (the hub admin alone).
    "figures": both(STAFF),
    "night_close": both(STAFF),
    "close_night": post_only(STAFF),
    "night_file": both(STAFF),
    "plan_file": both(STAFF),
    "panic": both({"adele"}, confirm="wipe"),
    "figures_csv": both(STAFF),
    "figures_publish": post_only({"adele"}, show="1"),
    # The public counts: only for a hub that chose to show them (off by default: as if no page).
    "figures_public": {"not shown": Rule(get=NOBODY, post=NOBODY, refused_as=NEVER_WAS, answers=("GET",)),
                       "shown": Rule(get=EVERYONE, post=NOBODY, answers=("GET",))},
    # The network: staff of the hub; the API only for requests a peer signed (none here).
    "network": both(STAFF),
    "network_offer": post_only(STAFF, beds="1"),
    "network_accept": post_only(STAFF),
    "network_withdraw": post_only(STAFF),
    "network_accept_remote": post_only(STAFF),
    "network_openapi": Rule(get=EVERYONE, post=NOBODY, answers=("GET",)),
    "network_api_counts": both(NOBODY, 403),
    "network_api_offers": both(NOBODY, 403),
    "network_api_accept": both(NOBODY, 403),
}


def url_names(patterns=None, namespace: str = ""):
    """Every URL pattern's qualified name, walking included URLconfs and their namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        else:
            yield namespace + pattern.name if pattern.name else f"(unnamed) {namespace}{pattern.pattern}"


def variants(name: str) -> dict[str, Rule]:
    rule = POLICY[name]
    return rule if isinstance(rule, dict) else {"": rule}


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
