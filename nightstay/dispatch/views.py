"""Tonight's board: who waits, what is pledged, who came; the proposal (planning's part); announce.

Coordinators and hub admins only (with their second factor). Every action is a POST that
answers an htmx request with the part of the board it changed, and a plain form post with
a redirect back to the board.
"""
from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs import live
from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night, Shelter
from nightstay.intake.models import Party
from nightstay.planning.models import Trip
from nightstay.planning.views import proposal_context
from nightstay.pledges import still_on
from nightstay.pledges.models import BedPledge, SeatPledge

from . import announce, links, outgoing, tell
from .models import ParkArrival


def _pledged(night: Night) -> tuple[list[BedPledge], list[SeatPledge]]:
    beds = BedPledge.objects.filter(home__hub=night.hub).select_related("home__host").open_on(night.date)
    seats = SeatPledge.objects.filter(hub=night.hub).select_related("driver").open_on(night.date)
    return beds, seats


def _volunteers(night: Night, beds, seats, marks: dict | None = None) -> list[dict]:
    """Drivers and self-pickup hosts expected at the park tonight, and whether they came. A host
    shows their area too: among fifty first names, two Oscars are told apart by where they live."""
    came = dict(ParkArrival.objects.filter(night=night).values_list("user", "at"))
    marks = still_on.marks(night, beds, seats) if marks is None else marks  # "still on tonight?": confirmed, asked, unconfirmed
    people = {}
    for p in seats:
        people.setdefault(p.driver, (_("driver"), "", marks["drivers"].get(p.driver_id)))
    for p in beds:
        if p.pickup == "self":
            people.setdefault(p.home.host, (_("picks up"), p.home.area, marks["hosts"].get(p.home.host_id)))
    return [{"user": u, "what": what, "where": where, "at": came.get(u.pk), "still": still}
            for u, (what, where, still) in people.items()]


def _hosts_at_home(beds, marks: dict) -> list[dict]:
    """Hosts whose guests a driver brings, as asked "still on tonight?" (the park list shows the others)."""
    marks = marks["hosts"]
    hosts = {p.home.host: p.home.area for p in beds if p.pickup != "self" and p.home.host_id in marks}
    return [{"user": u, "where": where, "still": marks[u.pk]} for u, where in hosts.items()]


@hub_role_required(*STAFF)
def board(request: HubRequest, proposal: dict | None = None):
    """The whole board; ``proposal`` is planning's part when a refused move re-shows its form.
    A tapped party (``?p=``) or place (``?w=``) shows what fits it; a tap from the board's own
    proposal part (htmx, aimed at it) gets that part alone."""
    night = proposal["night"] if proposal else request.hub.tonight()
    if proposal is None and (answer := live.unchanged(request, night)):
        return answer  # a poll of an open board, and nothing changed: 204, no queries more
    chosen = {"party": request.GET.get("p", "").strip().upper()[:6], "place": request.GET.get("w", "")[:40]}
    beds, seats = _pledged(night)  # the proposal's "Something happened" lists the same drivers
    ctx = proposal or proposal_context(night, seats=seats, **chosen)
    if request.htmx and request.htmx.target == "proposal" and proposal is None:
        return render(request, "planning/_proposal.html", ctx)
    waiting = Party.objects.filter(night=night, status__in=(Party.Status.WAITING, Party.Status.PLACED))
    marks = still_on.marks(night, beds, seats)
    trips = Trip.objects.filter(night=night).select_related("driver").prefetch_related("stops").order_by("depart")
    shelter_beds = Shelter.objects.open_for(night).aggregate(n=Sum("beds"))["n"] or 0  # lent beds count too
    ctx.update(waiting=waiting, people=waiting.aggregate(n=Sum("size"))["n"] or 0, beds=sum(p.beds for p in beds),
               shelter_beds=shelter_beds,
               seats=sum(p.seats for p in seats), volunteers=_volunteers(night, beds, seats, marks),
               hosts_at_home=_hosts_at_home(beds, marks),
               links=links.states(night), trips=trips,
               staying=Party.objects.filter(night=night, status=Party.Status.STAYING).aggregate(
                   parties=Count("pk"), people=Sum("size")))  # on a stay: straight to their host
    ctx["still_asked"] = ctx["hosts_at_home"] or any(v["still"] for v in ctx["volunteers"])
    ctx.update(outgoing.board(night, ctx["links"], trips))  # messages: ticks, names told apart, "message a driver"
    ctx["message_draft"] = outgoing.draft(request)
    for t in trips:
        t.driver_name = ctx["driver_names"].get(t.driver_id, t.driver.first_name)
    if ctx.get("proposal"):  # the plan lists everyone it knows: the board adds only who came since
        planned = set(ctx["proposal"].tickets)
        ctx["not_planned"] = [p for p in waiting if p.ticket not in planned]
    return render(request, "dispatch/board.html", ctx)


@hub_role_required(*STAFF)
@require_POST
def announce_plan(request: HubRequest):
    night = request.hub.tonight()
    try:
        announce.announce(night, by=request.user)
    except announce.Refused as exc:
        messages.error(request, str(exc))
    else:
        night.changed()
        tell.after_announce(night)  # hosts told the first time; then whoever a re-plan changes
        messages.success(request, _("Announced. Each driver finds their run sheet on their own page."))
    return redirect("board", hub=request.hub.slug)


@hub_role_required(*STAFF)
@require_POST
def at_park(request: HubRequest):
    """One tap: this driver or host is at the park (a second tap takes it back)."""
    night = request.hub.tonight()
    beds, seats = _pledged(night)
    expected = {str(v["user"].pk): v["user"].pk for v in _volunteers(night, beds, seats)}
    user_id = expected.get(request.POST.get("user", ""))
    if user_id is not None:
        gone, _n = ParkArrival.objects.filter(night=night, user_id=user_id).delete()
        if not gone:
            try:
                with transaction.atomic():
                    ParkArrival.objects.get_or_create(night=night, user_id=user_id)
            except IntegrityError:
                pass  # another coordinator tapped at the same moment
        night.changed()
    if request.htmx:
        return render(request, "dispatch/_volunteers.html",
                      {"volunteers": _volunteers(night, beds, seats), "hub": request.hub})
    return redirect("board", hub=request.hub.slug)
