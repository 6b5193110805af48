"""The board's proposal part: plan, poll the planner, pin a party, move one.

Coordinators and hub admins only (with their second factor). Every action is a POST that
answers an htmx request with the proposal part of the board, and a plain form post with a
redirect back to the board (which dispatch draws around this part). A tapped party or place
travels as ``?p=`` or ``?w=`` on the board's own address, so a reload shows the same.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night, Shelter
from nightstay.intake.models import Party
from nightstay.pledges.models import SeatPledge

from . import changes, events, nightfile, pins, proposal, runs
from .forms import MakeStayForm, MoveForm
from .stays import could_stay


def proposal_context(night: Night, form: MoveForm | None = None, error: str = "", party: str = "",
                     place: str = "", seats: list[SeatPledge] | None = None) -> dict:
    """What ``planning/_proposal.html`` shows: the latest run, the proposal made readable, the move
    form; once announced, what this proposal would change (``changes``) and the night's events;
    and the party or place a coordinator tapped with what fits it (one more tap moves it there).
    ``seats``: tonight's seat pledges with their drivers, when the caller (the board) read them."""
    if seats is None:
        seats = SeatPledge.objects.filter(hub_id=night.hub_id).select_related("driver").open_on(night.date)
    runs.reap(night)  # a run whose worker died says so here, within seconds
    run = night.plan_runs.order_by("-created_at").first()
    done = runs.proposal(night)
    ids = nightfile.rows(night, done.night_json) if done else None  # read once for the view and the difference
    view = proposal.build(done, ids) if done else None
    if view and form is None:
        form = MoveForm(tickets=view.tickets, places=view.choices())
    diff = changes.between(night, done, ids) if done and night.status == Night.Status.ANNOUNCED else None
    ctx = {"night": night, "run": run, "proposal": view, "move_form": form, "error": error,
           "busy": run is not None and runs.is_under_way(run), "changes": diff,
           "worker_gone": run is not None and run.error in (runs.WORKER_STOPPED, runs.NO_WORKER),
           "timeline": events.timeline(night), "alerts": events.alerts(night),
           "event_drivers": [(p.driver_id, p.driver.first_name) for p in seats],
           "event_shelters": Shelter.objects.filter(hub_id=night.hub_id, active=True).order_by("pk")}
    if view and party and view.guest(party):
        ctx.update(chosen=view.guest(party), chosen_at=view.place_of(party), fits=view.places_for(party),
                   could_stay=could_stay(night).filter(party__ticket=party).first(), stay_form=MakeStayForm())
    elif view and place:
        at = next((p for p in view.places if p.id == place), None)
        if at is not None:
            ctx.update(chosen_place=at, who_fits=view.parties_for(place)[:WHO_FITS_SHOWN])
    return ctx


WHO_FITS_SHOWN = 24  # a phone screen or two; those without a place come first


def _answer(request: HubRequest, night: Night, party: str = "", **kwargs):
    """The proposal part of the board for htmx (still showing ``party``), the whole board otherwise."""
    if request.htmx:
        return render(request, "planning/_proposal.html", proposal_context(night, party=party, **kwargs))
    if kwargs.get("error"):
        messages.error(request, kwargs["error"])
    return _to_board(request, party)


def _to_board(request: HubRequest, party: str = ""):
    url = reverse("board", kwargs={"hub": request.hub.slug})
    return redirect(f"{url}?{urlencode({'p': party})}" if party else url)


@hub_role_required(*STAFF)
@require_POST
def plan(request: HubRequest):
    night = request.hub.tonight()
    runs.start(night, request.user)
    return _answer(request, night)


@hub_role_required(*STAFF)
def plan_status(request: HubRequest):
    """What the board polls while the planner runs."""
    return render(request, "planning/_proposal.html", proposal_context(request.hub.tonight()))


@hub_role_required(*STAFF)
@require_POST
def pin(request: HubRequest):
    night, ticket = request.hub.tonight(), request.POST.get("party", "")
    try:
        pins.pin(night, ticket)
    except pins.Refused as exc:
        return _answer(request, night, party=ticket, error=str(exc))
    night.changed()
    return _answer(request, night, party=ticket)


@hub_role_required(*STAFF)
@require_POST
def unpin(request: HubRequest):
    """The undo of a pin: the party shows again, no longer kept."""
    night, ticket = request.hub.tonight(), request.POST.get("party", "")
    pins.unpin(night, ticket)
    night.changed()
    return _answer(request, night, party=ticket)


@hub_role_required(*STAFF)
@require_POST
def move(request: HubRequest):
    night = request.hub.tonight()
    done = runs.proposal(night)
    if done is None:
        return _answer(request, night, error=_("There is no plan yet."))
    view = proposal.build(done)
    form = MoveForm(request.POST, tickets=view.tickets, places=view.choices())
    ticket = request.POST.get("party", "").strip().upper()
    if not form.is_valid():
        return _refused(request, night, form, "", ticket)
    try:
        pins.move_party(night, form.cleaned_data["party"], form.cleaned_data["place"], request.user)
    except (pins.Refused, IntegrityError) as exc:
        message = view.readable(exc) if isinstance(exc, pins.Refused) else _("Someone else just changed this.")
        return _refused(request, night, form, message, ticket)
    night.changed()
    return _answer(request, night, party=ticket)


def _refused(request: HubRequest, night: Night, form: MoveForm, error: str, party: str = ""):
    """The move form again, with what was typed and why it was refused: in the proposal part
    (htmx), or on the whole board, found by its URL name like the redirects to it (the board
    is dispatch's page, drawn around this part)."""
    ctx = proposal_context(night, form=form, error=error, party=party)
    if request.htmx:
        return render(request, "planning/_proposal.html", ctx)
    if error:
        messages.error(request, error)
    board = resolve(reverse("board", kwargs={"hub": request.hub.slug})).func
    return board(request, hub=request.hub.slug, proposal=ctx)


@hub_role_required(*STAFF)
@require_POST
def night_event(request: HubRequest):
    """A coordinator's tap on what happened: a driver absent or gone home, a party left or not
    found at pickup, the dormitory full. Answers with the proposal part (its timeline, alerts)."""
    night = request.hub.tonight()
    kind, ref = request.POST.get("kind", ""), request.POST.get("ref", "")
    try:
        if kind in events.DRIVER_OUT:
            pledge = SeatPledge.objects.filter(hub=request.hub, driver_id=_uuid(ref)).select_related("driver").first()
            if pledge is None:
                raise pins.Refused(_("No such driver tonight."))
            events.driver_out(night, pledge.driver, kind, by=request.user)
        elif kind in (events.Kind.PARTY_LEFT, events.Kind.PARTY_NOT_FOUND):
            party = Party.objects.filter(night=night, ticket=ref.strip().upper(), status__in=nightfile.IN_THE_PARK).first()
            if party is None:
                raise pins.Refused(_("No party %(ticket)s waiting tonight.") % {"ticket": ref})
            events.party_gone(party, kind, by=request.user)
        elif kind == events.Kind.SHELTER_FULL:
            shelter = Shelter.objects.filter(hub=request.hub, pk=_int(ref)).first()
            if shelter is None:
                raise pins.Refused(_("No such shelter."))
            events.shelter_full(night, shelter, by=request.user)
        else:
            raise pins.Refused(_("Unknown event."))
    except pins.Refused as exc:
        return _answer(request, night, error=str(exc))
    except events.NightClosed:
        return _answer(request, night, error=_("This night is closed: nothing changes it any more."))
    return _answer(request, night)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
