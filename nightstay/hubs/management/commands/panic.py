"""Wipe tonight's data for a hub now: night rows, run-sheet links, every member's session."""
from django.core.management.base import BaseCommand, CommandError

from nightstay.hubs.models import Hub


class Command(BaseCommand):
    help = "Delete the hub's night rows at once (anonymous counts kept) and log out all its members."

    def add_arguments(self, parser):
        parser.add_argument("hub", help="the hub's slug, e.g. brussels")

    def handle(self, *args, hub, **options):
        try:
            hub_obj = Hub.objects.get(slug=hub)
        except Hub.DoesNotExist:
            raise CommandError(f"no hub {hub!r}; hubs: {', '.join(Hub.objects.values_list('slug', flat=True))}")
        done = hub_obj.panic()
        self.stdout.write(f"{hub_obj}: night rows deleted: {sum(done['night_rows'].values())}, "
                          f"sessions ended: {done['sessions']}")
