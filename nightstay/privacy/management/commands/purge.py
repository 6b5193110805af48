"""Delete what is due: nights 12 hours after their window, decided applications after 30 days,
undecided ones after 60 (``PENDING_APPLICATION_DAYS``), audit rows after 90 days, expired
sessions, stays whose last night is over; then clear the deleted rows from the database's files. A timer runs it every 15
minutes (see README)."""
from django.core.management.base import BaseCommand

from nightstay.privacy.retention import purge


class Command(BaseCommand):
    help = "Purge night-scoped rows and everything else past its retention; prints what it deleted."

    def handle(self, *args, **options):
        done = purge()
        rows = done["night_rows"]
        self.stdout.write(f"nights purged: {done['nights']}, night rows deleted: {sum(rows.values())}")
        for name, count in sorted(rows.items()):
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(f"applications blanked: {done['applications']}, "
                          f"undecided applications deleted: {done['undecided']}, "
                          f"audit rows deleted: {sum(done['audit'].values())}, sessions ended: {done['sessions']}, "
                          f"stays over deleted: {done['ended']}")
