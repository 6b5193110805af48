from django import forms
from django.utils.translation import gettext_lazy as _

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
