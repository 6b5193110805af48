"""A host's home and bed pledges, a driver's seat pledges, welcome cards, and tonight's totals.

Hosts and drivers see and change only their own pledges; coordinators see tonight's totals,
never a list of who pledged.
"""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nightstay.hubs.access import HubRequest, hub_role_required
from nightstay.hubs.models import STAFF, Gender, Night, Role, Shelter

from . import areas, hooks
from .forms import BedPledgeForm, HomeForm, SeatPledgeForm
from .models import BedPledge, Home, SeatPledge, WelcomeCard

UPCOMING_DAYS = 14
GEOLOCATION_ALLOWED = "geolocation=(self), camera=(), microphone=()"


def _my_home(request: HubRequest) -> Home | None:
    return Home.objects.filter(hub=request.hub, host=request.user).first()


def _my_pledge(request: HubRequest, kind: str, pledge_id) -> BedPledge | SeatPledge:
    """One of the user's own pledges in this hub; anyone else's is a 404."""
    if kind == "beds":
        return get_object_or_404(BedPledge, pk=pledge_id, home__hub=request.hub, home__host=request.user)
    if kind == "seats":
        return get_object_or_404(SeatPledge, pk=pledge_id, hub=request.hub, driver=request.user)
    raise Http404("no such pledge")


def _with_nights(pledges, today: date):
    for pledge in pledges:
        pledge.nights = pledge.open_nights(today, UPCOMING_DAYS)
        pledge.open_tonight = bool(pledge.nights) and pledge.nights[0] == today
    return pledges


@hub_role_required(Role.HOST, Role.DRIVER)
def mine(request: HubRequest):
    today = Night.day_of()
    home = _my_home(request) if Role.HOST in request.roles else None
    beds = BedPledge.objects.filter(home=home).order_by("first_date") if home else []
    beds = [p for p in beds if not p.is_over(today)]
    seats = [p for p in SeatPledge.objects.filter(hub=request.hub, driver=request.user).order_by("first_date")
             if not p.is_over(today)] if Role.DRIVER in request.roles else []
    return render(request, "pledges/mine.html", {
        "home": home, "today": today,
        "bed_pledges": _with_nights(beds, today), "seat_pledges": _with_nights(seats, today),
        "is_host": Role.HOST in request.roles, "is_driver": Role.DRIVER in request.roles,
        "cards": home.welcome_cards.count() if home else 0,
    })


@hub_role_required(Role.HOST)
def home(request: HubRequest):
    existing = _my_home(request)
    form = HomeForm(request.POST or None, hub=request.hub, home=existing)
    if request.method == "POST" and form.is_valid():
        home = existing or Home(hub=request.hub, host=request.user)
        home.lat, home.lon, home.area = form.cleaned_data["lat"], form.cleaned_data["lon"], form.cleaned_data["area"]
        if form.cleaned_data["address"].strip():
            home.address = form.cleaned_data["address"].strip()
        home.save()
        messages.success(request, _("Your home is saved. Its address stays sealed."))
        return redirect("pledges:mine", hub=request.hub.slug)
    response = render(request, "pledges/home.html", {"form": form, "existing": existing})
    response["Permissions-Policy"] = GEOLOCATION_ALLOWED  # the "use this phone's location" button
    return response


@hub_role_required(Role.HOST)
def new_beds(request: HubRequest):
    home = _my_home(request)
    if home is None:
        messages.info(request, _("First say where your home is."))
        return redirect("pledges:home", hub=request.hub.slug)
    last = BedPledge.objects.filter(home=home).order_by("-first_date").first()
    form = BedPledgeForm(request.POST or None, instance=BedPledge(home=home), initial=_repeat(last, BedPledge))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Thank you. Your beds are pledged."))
        return redirect("pledges:mine", hub=request.hub.slug)
    return render(request, "pledges/pledge_form.html", {"form": form, "title": _("Pledge beds")})


@hub_role_required(Role.DRIVER)
def new_seats(request: HubRequest):
    last = SeatPledge.objects.filter(hub=request.hub, driver=request.user).order_by("-first_date").first()
    initial = _repeat(last, SeatPledge)
    if last is not None:
        initial["area"] = areas.nearest(last.home_lat, last.home_lon).name
    elif (home := _my_home(request)) and areas.by_name(home.area):
        initial["area"] = home.area
    pledge = SeatPledge(hub=request.hub, driver=request.user)
    form = SeatPledgeForm(request.POST or None, hub=request.hub, instance=pledge, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Thank you. Your seats are pledged."))
        return redirect("pledges:mine", hub=request.hub.slug)
    response = render(request, "pledges/pledge_form.html", {"form": form, "title": _("Pledge seats"), "locate": True})
    response["Permissions-Policy"] = GEOLOCATION_ALLOWED
    return response


def _repeat(last, model) -> dict:
    """Last pledge's answers as the new form's defaults: the second pledge is two taps."""
    if last is None:
        return {}
    skip = {"id", "home", "hub", "driver", "first_date", "until", "cancelled_dates", "withdrawn", "recurrence"}
    values = {f.name: getattr(last, f.name) for f in model._meta.concrete_fields if f.name not in skip}
    if model is BedPledge:
        values["genders"], values["languages"] = last.accepts_list, last.language_list
    return values


@hub_role_required(Role.HOST, Role.DRIVER)
def edit(request: HubRequest, kind: str, pledge_id):
    """Change one's own pledge: the same form, the same checks."""
    pledge = _my_pledge(request, kind, pledge_id)
    if kind == "beds":
        form = BedPledgeForm(request.POST or None, instance=pledge)
    else:
        form = SeatPledgeForm(request.POST or None, hub=request.hub, instance=pledge,
                              initial={"area": areas.nearest(pledge.home_lat, pledge.home_lon).name})
    if request.method == "POST" and form.is_valid():
        form.save()
        hooks.nights_taken_back(pledge, Night.day_of())  # fewer nights now: a stay on one of them ends there
        messages.success(request, _("Your pledge is changed."))
        return redirect("pledges:mine", hub=request.hub.slug)
    response = render(request, "pledges/pledge_form.html", {"form": form, "title": pledge.describe(),
                                                            "locate": kind == "seats"})
    response["Permissions-Policy"] = GEOLOCATION_ALLOWED
    return response


@require_POST
@hub_role_required(Role.HOST, Role.DRIVER)
def cancel_night(request: HubRequest, kind: str, pledge_id):
    pledge = _my_pledge(request, kind, pledge_id)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = Night.day_of()
    counted = pledge.call_off(day)
    note = _("Cancelled for the night of %(day)s.") % {"day": date_format(day, "D j M")}
    if counted:
        note += " " + _("The coordinators are told at once: who you expected will be placed elsewhere.")
    return _pledge_changed(request, pledge, kind, note)


@require_POST
@hub_role_required(Role.HOST, Role.DRIVER)
def withdraw(request: HubRequest, kind: str, pledge_id):
    pledge = _my_pledge(request, kind, pledge_id)
    pledge.tell_the_night(Night.day_of())  # tonight's plan counted on it: the board must know
    pledge.withdraw()
    request.hub.tonight().changed()
    return _pledge_changed(request, pledge, kind, _("Withdrawn. Thank you for what you gave."))


def _pledge_changed(request: HubRequest, pledge, kind: str, note: str, refused: bool = False):
    if request.htmx:
        today = Night.day_of()
        _with_nights([pledge], today)
        return render(request, "pledges/_pledge.html", {"pledge": pledge, "kind": kind, "today": today, "note": note,
                                                        "refused": refused})
    (messages.error if refused else messages.success)(request, note)
    return redirect("pledges:mine", hub=request.hub.slug)


@hub_role_required(Role.HOST)
def cards(request: HubRequest):
    """Welcome cards: a phrase the host gives a guest, shown once, printable."""
    home = _my_home(request)
    if home is None:
        return redirect("pledges:home", hub=request.hub.slug)
    welcomes = BedPledge.objects.filter(home=home, withdrawn=False, welcomes_back=True).exists()
    phrase = None
    if request.method == "POST" and welcomes:
        if request.POST.get("action") == "withdraw_all":
            home.welcome_cards.all().delete()
            messages.success(request, _("All your welcome cards are withdrawn: their phrases no longer work."))
            return redirect("pledges:cards", hub=request.hub.slug)
        _card, phrase = WelcomeCard.issue(home)
    return render(request, "pledges/cards.html", {
        "welcomes": welcomes, "phrase": phrase, "count": home.welcome_cards.count()})


@hub_role_required(*STAFF)
def tonight(request: HubRequest):
    """Tonight's totals for coordinators: how many beds and seats, never who."""
    today = Night.day_of()
    beds = BedPledge.objects.filter(home__hub=request.hub).open_on(today)
    seats = SeatPledge.objects.filter(hub=request.hub).open_on(today)
    by_gender = {g: sum(p.beds for p in beds if g in p.accepts_list) for g in Gender.values}
    totals = {
        "beds": sum(p.beds for p in beds),
        "homes": len({p.home_id for p in beds}),
        "beds_self": sum(p.beds for p in beds if p.pickup == "self"),
        "beds_driver": sum(p.beds for p in beds if p.pickup == "driver"),
        "beds_minors": sum(p.beds for p in beds if p.minors),
        "by_gender": by_gender,
        "seats": sum(p.seats for p in seats),
        "drivers": len({p.driver_id for p in seats}),
        "dormitory": Shelter.objects.filter(hub=request.hub, active=True, night__isnull=True).aggregate(n=Sum("beds"))["n"] or 0,
    }
    return render(request, "pledges/tonight.html", {"t": totals, "today": today})
