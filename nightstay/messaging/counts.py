"""The counts a night's messages leave behind when the night is purged."""
from __future__ import annotations

from django.db.models import Count, F

from .models import Message, MessageCount


def keep_counts(night) -> None:
    """Add ``night``'s messages, by kind, channel and end state, to the hub's kept counts."""
    rows = Message.objects.filter(night=night).values("template", "channel", "state").annotate(n=Count("pk"))
    for row in rows:
        count, _ = MessageCount.objects.get_or_create(hub_id=night.hub_id, day=night.date, template=row["template"],
                                                      channel=row["channel"], state=row["state"])
        MessageCount.objects.filter(pk=count.pk).update(n=F("n") + row["n"])
