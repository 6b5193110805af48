"""The board's proposal part: plan, poll the planner, pin a party, move one.

Coordinators and hub admins only (with their second factor). Every action is a POST that
answers an htmx request with the proposal part of the board, and a plain form post with a
redirect back to the board (which dispatch draws around this part). A tapped party or place
travels as ``?p=`` or ``?w=`` on the board's own address, so a reload shows the same.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night

from . import pins, proposal, runs
from .forms import MoveForm


def proposal_context(night: Night, form: MoveForm | None = None, error: str = "", party: str = "",
                     place: str = "") -> dict:
    """What ``planning/_proposal.html`` shows: the latest run, the proposal made readable, and
    the party or place a coordinator tapped with what fits it (one more tap moves it there)."""
    run = night.plan_runs.order_by("-created_at").first()
    done = runs.proposal(night)
    view = proposal.build(done) if done else None
    ctx = {"night": night, "run": run, "proposal": view, "move_form": form, "error": error,
           "busy": run is not None and runs.is_under_way(run)}
    if view and party and view.guest(party):
        ctx.update(chosen=view.guest(party), chosen_at=view.place_of(party), fits=view.places_for(party))
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
    return _answer(request, night, party=ticket)


@hub_role_required(*STAFF)
@require_POST
def unpin(request: HubRequest):
    """The undo of a pin: the party shows again, no longer kept."""
    night, ticket = request.hub.tonight(), request.POST.get("party", "")
    pins.unpin(night, ticket)
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
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _answer(request, night, party=ticket, error=errors)
    try:
        pins.move_party(night, form.cleaned_data["party"], form.cleaned_data["place"], request.user)
    except (pins.Refused, IntegrityError) as exc:
        message = view.readable(exc) if isinstance(exc, pins.Refused) else _("Someone else just changed this.")
        return _answer(request, night, party=ticket, error=message)
    return _answer(request, night, party=ticket)
