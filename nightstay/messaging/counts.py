"""The counts a night's messages leave behind when the night is purged, and what goes with them."""
from __future__ import annotations

from django.apps import apps
from django.db.models import Count, F

from .models import Message, MessageCount
from .outbox import deliver


def forget_tasks(night) -> None:
    """The task queue's rows for ``night``'s messages (each names a message's id, its end state
    and times) go with them: a copy of the database must not count who was told what, when."""
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    ids = {str(pk) for pk in Message.objects.filter(night=night).values_list("pk", flat=True)}
    rows = DBTaskResult.objects.filter(task_path=deliver.module_path).values_list("pk", "args_kwargs")
    DBTaskResult.objects.filter(pk__in=[pk for pk, call in rows if set(map(str, call.get("args", []))) & ids]).delete()


def keep_counts(night) -> None:
    """Add ``night``'s messages, by kind, channel and end state, to the hub's kept counts."""
    rows = Message.objects.filter(night=night).values("template", "channel", "state").annotate(n=Count("pk"))
    for row in rows:
        count, _ = MessageCount.objects.get_or_create(hub_id=night.hub_id, day=night.date, template=row["template"],
                                                      channel=row["channel"], state=row["state"])
        MessageCount.objects.filter(pk=count.pk).update(n=F("n") + row["n"])
