"""Who may open each page of the site, by GET and by POST: the policy the authorization matrix
(``test_authorization_matrix.py``) checks every URL against, for every kind of visitor."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLResolver, get_resolver

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
    # Web push: any volunteer may have messages come to their phone; the worker is a script, nobody's data.
    "messaging:push_sw": Rule(get=EVERYONE, post=NOBODY, answers=("GET",)),
    "messaging:push_subscribe": post_only(LOGGED_IN),
    "messaging:push_unsubscribe": post_only(LOGGED_IN),
    # One's own way to be reached (any account); the SMS gateway's webhook only when signed (nobody here).
    "messaging:contact": both(LOGGED_IN),
    "messaging:sms_webhook": post_only(NOBODY, 403),
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
    "stays": both(STAFF),  # stays: the coordinators' page; made or ended by staff, or by its own host
    "book_stay": post_only(STAFF),
    "make_stay": {"own guest": post_only(STAFF | HOSTS, more="1", pickup="direct"),
                  "another hub's guest": post_only(NOBODY, more="1", pickup="direct")},
    "end_stay": {"this hub": post_only(STAFF | HOSTS), "another hub's stay": post_only(NOBODY)},
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
    # A message's one-tap answer: whoever holds its link (the token is the key); nothing else.
    "messaging:answer": {"live": both(EVERYONE, answer="yes"), "garbage": both(NOBODY, NEVER_WAS)},
    # Close, figures, files (staff); panic (the hub admin alone).
    "figures": both(STAFF),
    "night_close": both(STAFF),
    "close_night": post_only(STAFF),
    "night_file": both(STAFF),
    "plan_file": both(STAFF),
    "panic": both({"adele"}, confirm="wipe"),
    "hub_settings": both({"adele"}, ask_hosts_at="17:00", ask_drivers_at="19:30", answer_within="60"),
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
