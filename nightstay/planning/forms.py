from django import forms
from django.utils.translation import gettext_lazy as _

from nightstay.hubs.models import Gender
from nightstay.intake.models import Party
from nightstay.pledges.languages import SPOKEN
from nightstay.pledges.models import Home
from nightstay.privacy.text import PlainTextField

from .models import Stay

OUTSIDE = "-"


class MoveForm(forms.Form):
    """Move one party of the proposal to another place (or out of it)."""

    party = forms.CharField(label=_("Ticket"), max_length=6)
    place = forms.ChoiceField(label=_("To"))

    def __init__(self, *args, tickets=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tickets = set(tickets)
        self.fields["place"].choices = [(OUTSIDE, _("no place tonight")), *places]

    def clean_party(self):
        ticket = self.cleaned_data["party"].strip().upper()
        if ticket not in self.tickets:
            raise forms.ValidationError(_("No party with this ticket in the plan."))
        return ticket

    def clean_place(self):
        place = self.cleaned_data["place"]
        return None if place == OUTSIDE else place


class MakeStayForm(forms.Form):
    """Tonight's guest in a home stays there: how many nights more, and how they get there."""

    more = forms.TypedChoiceField(label=_("Nights more"), coerce=int, initial=2,
                                  choices=[(n, str(n)) for n in range(1, 14)])
    pickup = forms.ChoiceField(label=_("On the next nights"), choices=(), initial="direct", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "stay_%s")  # beside the booking form on the stays page: ids of its own
        super().__init__(*args, **kwargs)
        self.fields["pickup"].choices = Stay.Pickup.choices


class BookStayForm(forms.Form):
    """A stay booked ahead: a host, the nights, and the least about the guest each night needs."""

    home = forms.ChoiceField(label=_("Host"))
    first_night = forms.DateField(label=_("First night"), widget=forms.DateInput(attrs={"type": "date"}))
    nights = forms.IntegerField(label=_("Nights"), min_value=1, max_value=14, initial=2)
    size = forms.IntegerField(label=_("People"), min_value=1, max_value=20, initial=1)
    gender = forms.ChoiceField(label=_("Who"), widget=forms.RadioSelect)
    minor = forms.BooleanField(label=_("Minors"), required=False)
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple)
    nickname = PlainTextField(label=_("First name or nickname (optional)"), max_length=40, required=False)
    pickup = forms.ChoiceField(label=_("Each night"), initial="direct", widget=forms.RadioSelect)

    def __init__(self, *args, hub, **kwargs):
        kwargs.setdefault("auto_id", "book_%s")
        super().__init__(*args, **kwargs)
        self.homes = {str(h.pk): h for h in Home.objects.filter(hub=hub).select_related("host").order_by("area", "pk")}
        self.fields["home"].choices = [(pk, f"{h.host.first_name} · {h.area}") for pk, h in self.homes.items()]
        self.fields["gender"].choices = Gender.choices
        self.fields["gender"].initial = Gender.MEN
        self.fields["languages"].choices = SPOKEN
        self.fields["pickup"].choices = Stay.Pickup.choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("size") == 1 and cleaned.get("gender") == "mixed":
            self.add_error("gender", _("One person alone: choose men or women."))
        return cleaned

    def party(self):
        """The guest as an unsaved party (what ``stays.book`` copies)."""
        d = self.cleaned_data
        return Party(size=d["size"], gender=d["gender"], minor=d["minor"], languages=",".join(d["languages"]),
                     nickname=d["nickname"].strip())
