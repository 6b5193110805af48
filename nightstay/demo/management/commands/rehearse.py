"""``manage.py rehearse --scenario S --seed N``: a whole night played through the platform.

Prints the night's timeline and figures; exits 0 when every invariant held, 1 with the
broken ones, 2 on bad arguments. Nothing of the rehearsal is kept (one rolled-back
transaction); with no field keys set up, a throw-away key seals the made-up volunteers.
"""
from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import override_settings

from nightstay.demo.rehearsal import Rehearsal
from nightstay.planner.demo import SCENARIOS
from nightstay.privacy.crypto import KeyError_, keyring, new_key_line


class Command(BaseCommand):
    help = "Rehearse a whole night of a demo scenario through the platform, checking what must always hold."

    def add_arguments(self, parser):
        parser.add_argument("--scenario", default="small-hub", help=f"one of {', '.join(SCENARIOS)}")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--people", type=int, default=None, help="scale the night to this many people")
        parser.add_argument("--newcomers", type=int, default=50, help="people arriving after 22:30")
        parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per plan")
        parser.add_argument("--deterministic", action="store_true",
                            help="plan on counted work (as much as --time-limit seconds, or less), not the clock: "
                                 "a busy machine does not starve the search")
        parser.add_argument("--quiet", action="store_true", help="figures and broken invariants only")

    def handle(self, *args, **options):
        problems = []
        if options["scenario"] not in SCENARIOS:
            problems.append(f"--scenario: must be one of {', '.join(SCENARIOS)}")
        if options["people"] is not None and options["people"] < 1:
            problems.append("--people: must be at least 1")
        if options["newcomers"] < 0:
            problems.append("--newcomers: must be 0 or more")
        if not 0 < options["time_limit"] <= 60:
            problems.append("--time-limit: must be between 0 and 60 seconds")
        if problems:
            for p in problems:
                self.stderr.write(p)
            sys.exit(2)
        keys = {}
        try:
            keyring()
        except KeyError_:
            keys = {"FIELD_KEYS": new_key_line("rehearsal")}  # nothing is kept: a key for this run only
        with override_settings(**keys):
            report = Rehearsal(options["scenario"], options["seed"], options["time_limit"], options["people"],
                               options["newcomers"], options["deterministic"]).play()
        if not options["quiet"]:
            for line in report.timeline:
                self.stdout.write(line)
        f = report.figures
        self.stdout.write(f"{report.scenario} seed {report.seed}: {f['sheltered']} of {f['people']} people sheltered "
                          f"(planning from scratch: {f['from_scratch']}); {f['events']} events, "
                          f"{f['announced_changed']} announced placements changed "
                          f"({f['changed_per_event']} per event); {f['driver_km']} km")
        if report.broken:
            self.stdout.write(f"{len(report.broken)} broken invariants:")
            for line in report.broken:
                self.stdout.write(f"  {line}")
            sys.exit(1)
        self.stdout.write("every invariant held")
