"""Tonight's board: who waits, what is pledged, who came; plan, adjust, announce.

Coordinators and hub admins only (with their second factor). Every action is a POST that
answers an htmx request with the part of the board it changed, and a plain form post with
a redirect back to the board.
"""
from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import Night, Role, Shelter
from nightstay.intake.models import Party
from nightstay.pledges.models import BedPledge, SeatPledge

from . import announce as decide
from . import links, planning, proposal
from .forms import MoveForm
from .nightfile import open_on
from .models import ParkArrival, Trip

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


def _pledged(night: Night) -> tuple[list[BedPledge], list[SeatPledge]]:
    beds = [p for p in open_on(BedPledge.objects.filter(home__hub=night.hub), night.date).select_related("home__host")
            if p.is_open_on(night.date)]
    seats = [p for p in open_on(SeatPledge.objects.filter(hub=night.hub), night.date).select_related("driver")
             if p.is_open_on(night.date)]
    return beds, seats


def _volunteers(night: Night, beds, seats) -> list[dict]:
    """Drivers and self-pickup hosts expected at the park tonight, and whether they came. A host
    shows their area too: among fifty first names, two Oscars are told apart by where they live."""
    came = dict(ParkArrival.objects.filter(night=night).values_list("user", "at"))
    people = {}
    for p in seats:
        people.setdefault(p.driver, (_("driver"), ""))
    for p in beds:
        if p.pickup == "self":
            people.setdefault(p.home.host, (_("picks up"), p.home.area))
    return [{"user": u, "what": what, "where": where, "at": came.get(u.pk)} for u, (what, where) in people.items()]


def _proposal_context(night: Night, form: MoveForm | None = None, error: str = "") -> dict:
    run = night.plan_runs.order_by("-created_at").first()
    done = planning.proposal(night)
    view = proposal.build(done) if done else None
    if view and form is None:
        form = MoveForm(tickets=view.tickets, places=view.choices())
    return {"night": night, "run": run, "proposal": view, "move_form": form, "error": error,
            "busy": run is not None and planning.is_under_way(run)}


@hub_role_required(*COORDINATORS)
def board(request: HubRequest):
    return _board(request, _proposal_context(request.hub.tonight()))


def _board(request: HubRequest, ctx: dict):
    night = ctx["night"]
    beds, seats = _pledged(night)
    waiting = Party.objects.filter(night=night, status__in=(Party.Status.WAITING, Party.Status.PLACED))
    trips = Trip.objects.filter(night=night).select_related("driver").prefetch_related("stops").order_by("depart")
    shelter_beds = Shelter.objects.filter(hub=night.hub, active=True).aggregate(n=Sum("beds"))["n"] or 0
    ctx.update(waiting=waiting, people=waiting.aggregate(n=Sum("size"))["n"] or 0, beds=sum(p.beds for p in beds),
               shelter_beds=shelter_beds,
               seats=sum(p.seats for p in seats), volunteers=_volunteers(night, beds, seats),
               links=links.states(night), trips=trips)
    return render(request, "dispatch/board.html", ctx)


def _answer(request: HubRequest, night: Night, **kwargs):
    """The proposal part of the board for htmx, the whole board otherwise."""
    if request.htmx:
        return render(request, "dispatch/_proposal.html", _proposal_context(night, **kwargs))
    if kwargs.get("error"):
        messages.error(request, kwargs["error"])
    return redirect("board", hub=request.hub.slug)


@hub_role_required(*COORDINATORS)
@require_POST
def plan(request: HubRequest):
    night = request.hub.tonight()
    planning.start(night, request.user)
    return _answer(request, night)


@hub_role_required(*COORDINATORS)
def plan_status(request: HubRequest):
    """What the board polls while the planner runs."""
    return render(request, "dispatch/_proposal.html", _proposal_context(request.hub.tonight()))


@hub_role_required(*COORDINATORS)
@require_POST
def pin(request: HubRequest):
    night = request.hub.tonight()
    try:
        decide.pin(night, request.POST.get("party", ""))
    except decide.Refused as exc:
        return _answer(request, night, error=str(exc))
    return _answer(request, night)


@hub_role_required(*COORDINATORS)
@require_POST
def move(request: HubRequest):
    night = request.hub.tonight()
    done = planning.proposal(night)
    if done is None:
        return _answer(request, night, error=_("There is no plan yet."))
    view = proposal.build(done)
    form = MoveForm(request.POST, tickets=view.tickets, places=view.choices())
    if not form.is_valid():
        return _refused(request, night, form, "")
    try:
        decide.move_party(night, form.cleaned_data["party"], form.cleaned_data["place"], request.user)
    except (decide.Refused, IntegrityError) as exc:
        message = view.readable(str(exc)) if isinstance(exc, decide.Refused) else _("Someone else just changed this.")
        return _refused(request, night, form, message)
    return _answer(request, night)


def _refused(request: HubRequest, night: Night, form: MoveForm, error: str):
    """The move form again, with what was typed and why it was refused."""
    ctx = _proposal_context(night, form=form, error=error)
    if request.htmx:
        return render(request, "dispatch/_proposal.html", ctx)
    if error:
        messages.error(request, error)
    return _board(request, ctx)


@hub_role_required(*COORDINATORS)
@require_POST
def announce(request: HubRequest):
    night = request.hub.tonight()
    try:
        decide.announce(night)
    except decide.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Announced. Each driver finds their run sheet on their own page."))
    return redirect("board", hub=request.hub.slug)


@hub_role_required(*COORDINATORS)
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
    if request.htmx:
        return render(request, "dispatch/_volunteers.html",
                      {"volunteers": _volunteers(night, beds, seats), "hub": request.hub})
    return redirect("board", hub=request.hub.slug)
