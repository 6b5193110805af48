"""Ask the SMS gateway how far the SMS still on their way went (for a timer, when its webhook cannot reach us)."""
from django.core.management.base import BaseCommand

from nightstay.messaging.channels import sms


class Command(BaseCommand):
    help = "Ask the SMS gateway for the state of the SMS not yet delivered; a failed one goes back to the outbox."

    def handle(self, *args, **options):
        changed = sms.poll()
        self.stdout.write(f"{changed} SMS changed state")
