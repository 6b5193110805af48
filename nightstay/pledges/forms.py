"""A host's home, bed pledges and seat pledges: what a volunteer types, checked with clear messages."""
from __future__ import annotations

from datetime import date, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from nightstay.hubs.models import Gender, Night, gender_list
from nightstay.planner.night import crow_km
from nightstay.privacy.text import PlainTextField

from . import areas
from .languages import SPOKEN
from .models import BedPledge, Recurrence, SeatPledge

# What a host takes, said of many guests ("families", where a party is "a family").
HOST_TAKES = [(g.value, _("families / mixed") if g == Gender.MIXED else g.label) for g in Gender]
MAX_DAYS_AHEAD = 120  # a pattern runs at most about four months; then the volunteer renews it
MAX_KM_FROM_HUB = 150


def area_choices():
    return [("", _("choose…"))] + [(a.name, a.name) for a in areas.areas()]


def evening_minutes(t: time) -> int:
    """Minutes since noon: 21:00 comes before 00:30 in the night's order."""
    return ((t.hour - 12) % 24) * 60 + t.minute


class LocationFields(forms.Form):
    """Where something is, without an address: the phone's location (rounded) or a listed area."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo-lat": ""}))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput(attrs={"data-geo-lon": ""}))
    area = forms.ChoiceField(label=_("Or choose the area"), required=False, choices=area_choices)
    decimals = 3

    def __init__(self, *args, hub, **kwargs):
        self.hub = hub
        super().__init__(*args, **kwargs)

    def clean_location(self, cleaned):
        lat, lon, area_name = cleaned.get("lat"), cleaned.get("lon"), cleaned.get("area")
        if lat is not None and lon is not None:
            if crow_km(lat, lon, self.hub.meeting_lat, self.hub.meeting_lon) > MAX_KM_FROM_HUB:
                raise forms.ValidationError(_("This phone's location is far from the hub. Choose the area instead."))
            lat, lon = round(lat, self.decimals), round(lon, self.decimals)
            return lat, lon, areas.nearest(lat, lon).name
        if area_name:
            area = areas.by_name(area_name)
            return round(area.lat, self.decimals), round(area.lon, self.decimals), area.name
        raise forms.ValidationError(_("Use this phone's location, or choose the area."))


class HomeForm(LocationFields):
    address = PlainTextField(label=_("Street address"), max_length=200, required=False, multiline=True,
                              widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
                              help_text=_("Sealed. Shown only to the driver bringing guests, only that night."))

    def __init__(self, *args, home=None, **kwargs):
        super().__init__(*args, initial={"area": home.area} if home else None, **kwargs)
        self.home = home
        if home and not areas.by_name(home.area):
            self.fields["area"].choices = [*area_choices(), (home.area, home.area)]
        if home:
            self.fields["address"].help_text = _("We have it, sealed. Type it again only if it changed.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("address", "").strip() and not self.home:
            self.add_error("address", _("Type the street address, so a driver can find the door."))
        located = cleaned.get("lat") is not None and cleaned.get("lon") is not None
        if self.home and not located and cleaned.get("area") == self.home.area:
            # Nothing new about where: keep the location we have (it may be finer than the area's centre).
            cleaned["lat"], cleaned["lon"], cleaned["area"] = self.home.lat, self.home.lon, self.home.area
            return cleaned
        try:
            cleaned["lat"], cleaned["lon"], cleaned["area"] = self.clean_location(cleaned)
        except forms.ValidationError as e:
            self.add_error("area", e)
        return cleaned


class RecurringForm(forms.ModelForm):
    """The dates of a pledge: one night, every week, every n weeks, or every night until a date."""

    recurrence_fields = ["recurrence", "first_date", "every_weeks", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = Night.day_of()
        self.fields["recurrence"].widget = forms.RadioSelect(choices=Recurrence.choices)
        self.fields["recurrence"].label = _("When")
        self.fields["first_date"].label = _("First night")
        self.fields["first_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["until"].label = _("Until (the last night)")
        self.fields["until"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["every_weeks"].label = _("Every how many weeks")
        self.fields["every_weeks"].widget.attrs.update(min=2, max=8)
        self.fields["every_weeks"].required = False
        if not self.is_bound and self.instance._state.adding:
            evening = Night.coming_evening()  # not ``today``: before noon that is last night
            self.initial["first_date"] = evening
            self.initial["until"] = end_of_month(evening)  # "every night this month"
            if (self.initial.get("every_weeks") or 1) < 2:
                self.initial["every_weeks"] = 2

    def clean(self):
        cleaned = super().clean()
        first, until, kind = cleaned.get("first_date"), cleaned.get("until"), cleaned.get("recurrence")
        if first and first < self.today and "first_date" in self.changed_data:
            self.add_error("first_date", _("This night has passed: choose tonight or a later night."))
        if kind == Recurrence.ONCE:
            cleaned["until"], cleaned["every_weeks"] = None, 1
        elif kind == Recurrence.DAILY and not until:
            self.add_error("until", _("Say until which night."))
        if kind == Recurrence.EVERY_N_WEEKS and not 2 <= (cleaned.get("every_weeks") or 0) <= 8:
            self.add_error("every_weeks", _("Choose between 2 and 8 weeks."))
        elif kind != Recurrence.EVERY_N_WEEKS:
            cleaned["every_weeks"] = 1
        until = cleaned.get("until")
        if first and until:
            if until < first:
                self.add_error("until", _("The last night comes after the first one."))
            elif until > first + timedelta(days=MAX_DAYS_AHEAD):
                self.add_error("until", _("At most four months ahead: you can renew it later."))
        return cleaned


def end_of_month(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class EveningTimes:
    """Two times of one evening, the second possibly after midnight."""

    def check_order(self, cleaned, first: str, last: str, message):
        if cleaned.get(first) and cleaned.get(last):
            if evening_minutes(cleaned[last]) <= evening_minutes(cleaned[first]):
                self.add_error(last, message)


class BedPledgeForm(EveningTimes, RecurringForm):
    genders = forms.MultipleChoiceField(label=_("Who you can take"), choices=HOST_TAKES,
                                        widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages you speak"), choices=SPOKEN, required=False,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = BedPledge
        fields = RecurringForm.recurrence_fields + ["beds", "max_party", "genders", "minors", "pickup", "languages",
                                                    "ready_from", "latest_arrival", "welcomes_back"]
        labels = {
            "beds": _("Beds"),
            "max_party": _("Largest group you can take together"),
            "minors": _("I can take minors (with their family or alone)"),
            "pickup": _("Getting there"),
            "ready_from": _("Ready from"),
            "latest_arrival": _("Latest arrival"),
            "welcomes_back": _("Guests may come back to me (welcome cards)"),
        }
        widgets = {
            "pickup": forms.RadioSelect,
            "ready_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "latest_arrival": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "beds": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "max_party": forms.NumberInput(attrs={"min": 1, "max": 30}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pickup"].choices = BedPledge._meta.get_field("pickup").choices
        for name in ("genders", "languages"):  # the model keeps comma lists; the form ticks boxes
            if isinstance(self.initial.get(name), str):
                self.initial[name] = [code for code in self.initial[name].split(",") if code]

    def clean(self):
        cleaned = super().clean()
        beds, largest = cleaned.get("beds"), cleaned.get("max_party")
        if beds is not None and not 1 <= beds <= 30:
            self.add_error("beds", _("Between 1 and 30 beds."))
        if largest is not None and beds and not 1 <= largest <= beds:
            self.add_error("max_party", _("The largest group fits in your beds: at most %(beds)s.") % {"beds": beds})
        self.check_order(cleaned, "ready_from", "latest_arrival", _("The latest arrival comes after you are ready."))
        cleaned["genders"] = ",".join(gender_list(",".join(cleaned.get("genders", []))))
        cleaned["languages"] = ",".join(code for code, _name in SPOKEN if code in cleaned.get("languages", []))
        return cleaned


class SeatPledgeForm(EveningTimes, RecurringForm):
    lat = LocationFields.base_fields["lat"]
    lon = LocationFields.base_fields["lon"]
    area = forms.ChoiceField(label=_("Where your night ends (your area)"), required=False, choices=area_choices)

    class Meta:
        model = SeatPledge
        fields = RecurringForm.recurrence_fields + ["seats", "available_from", "available_until"]
        labels = {"seats": _("Seats for guests"), "available_from": _("At the park from"),
                  "available_until": _("Free until")}
        widgets = {
            "seats": forms.NumberInput(attrs={"min": 1, "max": 8}),
            "available_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "available_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, hub, **kwargs):
        self.hub = hub
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        seats = cleaned.get("seats")
        if seats is not None and not 1 <= seats <= 8:
            self.add_error("seats", _("Between 1 and 8 seats."))
        self.check_order(cleaned, "available_from", "available_until", _("Free until comes after the start."))
        locator = LocationFields(hub=self.hub)
        locator.decimals = 2
        try:
            cleaned["lat"], cleaned["lon"], cleaned["area"] = locator.clean_location(cleaned)
            self.instance.home_lat, self.instance.home_lon = cleaned["lat"], cleaned["lon"]
        except forms.ValidationError as e:
            self.add_error("area", e)
        return cleaned
