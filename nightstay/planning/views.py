"""The board's proposal part: plan, poll the planner, pin a party, move one.

Coordinators and hub admins only (with their second factor). Every action is a POST that
answers an htmx request with the proposal part of the board, and a plain form post with a
redirect back to the board (which dispatch draws around this part).
"""
from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Night

from . import pins, proposal, runs
from .forms import MoveForm


def proposal_context(night: Night, form: MoveForm | None = None, error: str = "") -> dict:
    """What ``planning/_proposal.html`` shows: the latest run, the proposal made readable, the move form."""
    runs.reap(night)  # a run whose worker died says so here, within seconds
    run = night.plan_runs.order_by("-created_at").first()
    done = runs.proposal(night)
    view = proposal.build(done) if done else None
    if view and form is None:
        form = MoveForm(tickets=view.tickets, places=view.choices())
    return {"night": night, "run": run, "proposal": view, "move_form": form, "error": error,
            "busy": run is not None and runs.is_under_way(run),
            "worker_gone": run is not None and run.error in (runs.WORKER_STOPPED, runs.NO_WORKER)}


def _answer(request: HubRequest, night: Night, **kwargs):
    """The proposal part of the board for htmx, the whole board otherwise."""
    if request.htmx:
        return render(request, "planning/_proposal.html", proposal_context(night, **kwargs))
    if kwargs.get("error"):
        messages.error(request, kwargs["error"])
    return redirect("board", hub=request.hub.slug)


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
    night = request.hub.tonight()
    try:
        pins.pin(night, request.POST.get("party", ""))
    except pins.Refused as exc:
        return _answer(request, night, error=str(exc))
    night.changed()
    return _answer(request, night)


@hub_role_required(*STAFF)
@require_POST
def move(request: HubRequest):
    night = request.hub.tonight()
    done = runs.proposal(night)
    if done is None:
        return _answer(request, night, error=_("There is no plan yet."))
    view = proposal.build(done)
    form = MoveForm(request.POST, tickets=view.tickets, places=view.choices())
    if not form.is_valid():
        return _refused(request, night, form, "")
    try:
        pins.move_party(night, form.cleaned_data["party"], form.cleaned_data["place"], request.user)
    except (pins.Refused, IntegrityError) as exc:
        message = view.readable(exc) if isinstance(exc, pins.Refused) else _("Someone else just changed this.")
        return _refused(request, night, form, message)
    night.changed()
    return _answer(request, night)


def _refused(request: HubRequest, night: Night, form: MoveForm, error: str):
    """The move form again, with what was typed and why it was refused: in the proposal part
    (htmx), or on the whole board, found by its URL name like the redirects to it (the board
    is dispatch's page, drawn around this part)."""
    ctx = proposal_context(night, form=form, error=error)
    if request.htmx:
        return render(request, "planning/_proposal.html", ctx)
    if error:
        messages.error(request, error)
    board = resolve(reverse("board", kwargs={"hub": request.hub.slug})).func
    return board(request, hub=request.hub.slug, proposal=ctx)
