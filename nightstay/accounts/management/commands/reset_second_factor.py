"""``manage.py reset_second_factor EMAIL``: a coordinator lost their phone; the next log-in enrols a new one."""
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User


class Command(BaseCommand):
    help = "Forget an account's TOTP devices, so that its next log-in enrols a new phone."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, email, **options):
        try:
            user = User.objects.get_by_email(email)
        except User.DoesNotExist:
            raise CommandError("no account with this e-mail") from None
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"removed {count} device(s) of {user.first_name}; the next log-in enrols a new phone")
