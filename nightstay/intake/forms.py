"""Registering a party in a few taps: defaults make the common case (one man) a single tap on Save."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nightstay.pledges.languages import SPOKEN
from nightstay.privacy.text import PlainTextField
from nightstay.pledges.models import WelcomeCard

from .models import Party

SIZE_CHOICES = [(str(n), str(n)) for n in range(1, 6)] + [("6", "6+")]
NIGHTS_CHOICES = [(str(n), str(n)) for n in range(8)]
LARGEST_PARTY = 20


class PartyForm(forms.ModelForm):
    size_choice = forms.ChoiceField(label=_("People"), choices=SIZE_CHOICES, initial="1", widget=forms.RadioSelect)
    size_more = forms.IntegerField(label=_("How many, if 6 or more"), required=False, min_value=6,
                                   max_value=LARGEST_PARTY, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=SPOKEN, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    nights_outside = forms.TypedChoiceField(label=_("Nights outside, of the last 7 (from the card)"), coerce=int,
                                            choices=NIGHTS_CHOICES, initial="0", widget=forms.RadioSelect)
    nickname = PlainTextField(label=_("First name or nickname (optional)"), max_length=40, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phrase = forms.CharField(label=_("Welcome card phrase (optional)"), max_length=80, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))

    class Meta:
        model = Party
        fields = ["gender", "minor", "vulnerable_why", "nickname", "nights_outside"]
        labels = {"gender": _("Who"), "minor": _("Minors"), "vulnerable_why": _("Vulnerable")}
        widgets = {"gender": forms.RadioSelect, "vulnerable_why": forms.RadioSelect}

    def __init__(self, *args, hub, **kwargs):
        self.hub = hub
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = Party.Gender.choices
        self.fields["vulnerable_why"].choices = Party.Why.choices
        party = self.instance
        if not self.is_bound and party.pk:
            self.initial.update(size_choice=str(min(party.size, 6)), languages=party.language_list,
                                size_more=party.size if party.size >= 6 else None)
        if party.returning_to_id:
            self.fields["phrase"].help_text = _("Returning to a host: leave empty to keep it.")

    def clean(self):
        cleaned = super().clean()
        size = int(cleaned.get("size_choice") or 1)
        if size != 6:
            # "How many" shows only with 6+: what it still holds after another choice is ignored,
            # never an error the coordinator cannot see.
            self.errors.pop("size_more", None)
            cleaned["size_more"] = None
        elif cleaned.get("size_more"):
            size = cleaned["size_more"]
        elif "size_more" not in self.errors:
            self.add_error("size_more", _("6 or more: type how many people."))
        gender, why = cleaned.get("gender"), cleaned.get("vulnerable_why", "")
        if size == 1 and gender == Party.Gender.MIXED:
            self.add_error("gender", _("One person alone: choose men or women."))
        if why == Party.Why.WOMAN_ALONE and gender != Party.Gender.WOMEN:
            self.add_error("vulnerable_why", _("“Woman alone” goes with women: choose women, or another reason."))
        if why == Party.Why.MINOR and not cleaned.get("minor"):
            self.add_error("vulnerable_why", _("Tick “Minors” too, or choose another reason."))
        phrase = cleaned.get("phrase", "").strip()
        if phrase:
            home = WelcomeCard.find_home(self.hub, phrase)
            if home is None:
                self.add_error("phrase", _("No host of this hub knows this phrase. Check the card, or leave it empty."))
            self.instance.returning_to = home
        party = self.instance
        party.size, party.vulnerable = size, bool(why)
        party.languages = ",".join(code for code, _name in SPOKEN if code in cleaned.get("languages", []))
        return cleaned
