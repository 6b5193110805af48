"""Run the outbox's clock (``messaging.clock.tick``): every ``--every`` seconds, or ``--once``.

``make run`` starts it beside ``db_worker``; in production run ``messaging_clock --once`` every
minute from cron or a systemd timer (docs/deploy.md), or this loop as a service.
"""
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from nightstay.messaging.clock import tick


class Command(BaseCommand):
    help = "Ask what is due at this hour (\"still on tonight?\") and send the messages whose time has come."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit (for cron or a timer)")
        parser.add_argument("--every", type=int, default=30, help="seconds between ticks (10 to 300)")

    def handle(self, *args, once=False, every=30, **options):
        every = min(max(every, 10), 300)
        stop = []
        if not once:
            signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        try:
            self.loop(once, every, stop, options["verbosity"])
        except KeyboardInterrupt:  # Ctrl-C in `make run`
            pass

    def loop(self, once: bool, every: int, stop: list, verbosity: int) -> None:
        while True:
            done = tick()
            if once or verbosity > 1:
                self.stdout.write(" ".join(f"{name}={n}" for name, n in done.items()))
            if once:
                return
            close_old_connections()  # a database restarted while we slept: a fresh connection next tick
            for _second in range(every):  # wake each second: a SIGTERM ends the loop at once
                if stop:
                    return
                time.sleep(1)
