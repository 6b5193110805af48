"""Hand the task queue the messages whose wait (quiet hours, a retry) is over.

Needed only with a task backend that cannot defer a task; the database backend that
``make run`` and production use defers them itself. Safe to run from cron every minute.
"""
from django.core.management.base import BaseCommand

from nightstay.messaging.outbox import flush_due


class Command(BaseCommand):
    help = "Queue the messages whose time to leave has come."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_due()} message(s) handed to the queue")
