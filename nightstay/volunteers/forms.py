"""The public sign-up form (short, for a phone) and the coordinator's decision after the call."""
import re

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from nightstay.privacy.text import PlainTextField

from .models import Application

OFFERS = [("host", _("A bed (host)")), ("driver", _("A car (driver)")), ("both", _("Both"))]


class ApplicationForm(forms.ModelForm):
    first_name = PlainTextField(label=_("First name"), max_length=60,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    phone = forms.CharField(label=_("Phone"), max_length=30, help_text=_("A coordinator calls you on it."),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    area = PlainTextField(label=_("Town or district"), max_length=80, help_text=_("Not your street."))
    offer = forms.ChoiceField(label=_("You offer"), choices=OFFERS, widget=forms.RadioSelect)
    offer_note = PlainTextField(label=_("Anything to add? (optional)"), max_length=300, required=False, multiline=True,
                                 help_text=_("For example: 2 beds on weekends, a car with 4 seats."),
                                 widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(label=_("I have read the privacy notice and agree."),
                                 error_messages={"required": _("We need your consent to keep these details.")})

    class Meta:
        model = Application
        fields = ["first_name", "phone", "email", "area", "offer", "offer_note", "consent"]

    def clean_phone(self):
        """Any way people write their number ("0470 12 34 56", "+32 (0)470/12.34.56"), stored in one
        form (E.164, "+32470123456") that a phone dials from anywhere; a number without a country
        code is read as one of the hub's country (``PHONE_REGION``)."""
        try:
            number = phonenumbers.parse(self.cleaned_data["phone"], settings.PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(_("Write a phone number, like +32 470 12 34 56."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_area(self):
        area = self.cleaned_data["area"].strip()
        if re.search(r"(?<!\d)\d{1,3}[a-zA-Z]?(?!\d)", area):  # a house number; a 4-digit postcode is fine
            raise forms.ValidationError(_("Just the town or district, please: no street or house number."))
        return area


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    call_note = PlainTextField(label=_("Call note"), max_length=300, required=False, multiline=True,
                                widget=forms.Textarea(attrs={"rows": 2}))
