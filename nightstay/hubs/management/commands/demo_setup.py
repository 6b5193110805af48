"""``make run``'s set-up: field keys, migrations, the demo hub. Safe to run again."""
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from nightstay.privacy.crypto import new_key_line


class Command(BaseCommand):
    help = "Create local field keys if missing, migrate, and load the demo hub (Brussels - Parc Maximilien)."

    def handle(self, *args, **options):
        path = settings.FIELD_KEY_FILE
        if not settings.FIELD_KEYS and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_key_line("k1") + "\n")
            path.chmod(0o600)
            self.stdout.write(f"wrote a new field key to {path} (keep it out of database backups)")
        call_command("migrate", verbosity=0)
        self.stdout.write("database ready")
