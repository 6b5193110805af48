"""Print the current second-factor code of an account's phone: for the demo and development only."""
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.privacy.crypto import blind_index


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (…@demo.test), to pass the second factor in the demo."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not email.strip().lower().endswith("@demo.test"):
            raise CommandError("only demo accounts (…@demo.test) have codes printed here")
        device = TOTPDevice.objects.filter(user__email_index=blind_index(email), confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no confirmed authenticator")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
