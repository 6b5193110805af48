"""What a hub admin sets for their hub: the hours its volunteers are asked "still on tonight?"."""
from __future__ import annotations

from django import forms

from .models import Hub


class StillOnForm(forms.ModelForm):
    class Meta:
        model = Hub
        fields = ["ask_hosts_at", "ask_drivers_at", "answer_within"]
        widgets = {"ask_hosts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "ask_drivers_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
