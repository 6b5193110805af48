"""Coordinators' hands on the proposal, decided by the database.

Two coordinators may tap at the same moment in the park (the last bed, the same party).
Every change here runs in one transaction that first locks the night's row, so the second
one waits, then sees the first one's result and is judged on it: a host is never over-full
and a party never placed twice (one placement per party is also a database constraint).

- ``pin``: keep a party where the proposal puts it, through any re-planning.
- ``unpin``: take a pin back.
- ``move_party``: put a party somewhere else (checked by the same rules as any plan); a
  moved party is pinned there.

Announcing the proposal (dispatch's ``announce``) takes the same lock.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nightstay.hubs.models import Night
from nightstay.intake.models import Party
from nightstay.planner import Violation, read_night

from . import nightfile, runs
from .models import Placement, PlanRun
from .moves import MoveRefused, move


class Refused(Exception):
    """A coordinator's action that the rules or the night's state refuse.

    Why: a message in the coordinator's language, or the planner's ``problems`` (codes and
    values) that the board says in words (``proposal.Proposal.readable``).
    """

    def __init__(self, message: str = "", problems: tuple[Violation, ...] = ()):
        super().__init__(message or "; ".join(p.message for p in problems))
        self.problems = tuple(problems)


def locked_proposal(night: Night) -> tuple[Night, PlanRun]:
    night = Night.objects.select_for_update().select_related("hub").get(pk=night.pk)
    if night.status == Night.Status.CLOSED:
        raise Refused(_("This night is closed: nothing changes it any more."))
    run = runs.proposal(night)
    if run is None:
        raise Refused(_("there is no plan yet"))
    return night, run


def _placement_in(plan: dict, ticket: str) -> dict | None:
    return next((p for p in plan["placements"] if p["party"] == ticket), None)


def _pin(night: Night, ids: nightfile.Ids, ticket: str, place_id: str) -> Placement:
    party = ids.parties.get(ticket)
    place = ids.place(place_id)
    if party is None or place is None:
        raise Refused(_("this party or place is gone since the plan was made"))
    placement = Placement.objects.filter(party=party).first()
    if placement and placement.announced and nightfile.place_id(placement) != place_id:
        # Moved after the announcement: not announced here until the next "Announce".
        placement.announced, placement.stop = False, None
    placement = placement or Placement(party=party)
    placement.night = night
    placement.pinned = True
    for field, value in ids.where(place_id).items():
        setattr(placement, field, value)
    placement.save()
    return placement


def pin(night: Night, ticket: str) -> None:
    """Keep ``ticket``'s party where the proposal puts it."""
    with transaction.atomic():
        night, run = locked_proposal(night)
        placed = _placement_in(run.plan_json, ticket)
        if placed is None:
            raise Refused(_("this party has no place in the plan to keep"))
        _pin(night, nightfile.rows(night, run.night_json), ticket, placed["place"])


def unpin(night: Night, ticket: str) -> None:
    """Take a pin back (the board's undo): the party is the planner's again at the next plan.
    A placement already announced stays announced, only no longer kept; one made by the pin
    alone goes."""
    with transaction.atomic():
        night = Night.objects.select_for_update().get(pk=night.pk)
        placement = Placement.objects.filter(night=night, party__ticket=ticket, pinned=True).first()
        if placement is None:
            return
        if placement.announced:
            placement.pinned = False
            placement.save(update_fields=["pinned"])
        else:
            placement.delete()


def move_party(night: Night, ticket: str, place_id: str | None, user) -> PlanRun:
    """A new proposal with ``ticket``'s party at ``place_id`` (None: taken out), pinned there."""
    with transaction.atomic():
        night, run = locked_proposal(night)
        ids = nightfile.rows(night, run.night_json)
        party = ids.parties.get(ticket)
        if party is None or party.status not in nightfile.IN_THE_PARK:
            raise Refused(_("this party is no longer waiting"))
        if place_id is not None:
            _check_beds(night, run, ids, party, place_id)
        # The party's own pin gives way to the coordinator's hand; every other pin still holds.
        doc = {**run.night_json, "fixed": [f for f in run.night_json.get("fixed", []) if f["party"] != ticket]}
        try:
            plan = move(read_night(doc), run.plan_json, ticket, place_id)
        except MoveRefused as exc:
            raise Refused(problems=exc.problems) from None
        if place_id is None:
            Placement.objects.filter(party=party).delete()
        else:
            _pin(night, ids, ticket, place_id)
            doc["fixed"].append({"party": ticket, "place": place_id})
        return PlanRun.objects.create(night=night, created_by=user, status=PlanRun.Status.DONE,
                                      night_json=doc, plan_json=plan)


def _check_beds(night: Night, run: PlanRun, ids: nightfile.Ids, party: Party, place_id: str) -> None:
    """The database's word on beds: pinned and announced guests already there, and this party."""
    places = (*run.night_json["hosts"], *run.night_json["shelters"])
    beds = next((p["beds"] for p in places if p["id"] == place_id), None)
    if beds is None or ids.place(place_id) is None:
        raise Refused(_("this place offers nothing tonight"))
    there = (Placement.objects.filter(night=night, **ids.where(place_id), party__status__in=nightfile.IN_THE_PARK)
             .exclude(party=party).values_list("party__size", flat=True))
    if sum(there) + party.size > beds:
        raise Refused(problems=(Violation("over_capacity", {"place": place_id, "n": sum(there) + party.size,
                                                            "beds": beds}),))
