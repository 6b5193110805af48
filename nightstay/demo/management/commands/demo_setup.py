"""``make run``'s set-up: field keys, migrations, the demo hub. Safe to run again.

The demo hub is Brussels - Parc Maximilien on a normal night, drawn from the planner's demo
night (``nightstay.planner.demo.make_night("normal", SEED)``): the 120-bed dormitory Porte
d'Ulysse, a small family shelter, 100-140 homes with beds pledged tonight, about 20 drivers
and tonight's waiting parties. Every name, phone, e-mail and street is made up (e-mails end in
``.test``, a domain that cannot exist). One account per role logs in with ``DEMO_PASSWORD``.
"""
from __future__ import annotations

import random
from base64 import b32encode
import unicodedata
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from nightstay.accounts.models import User
from nightstay.figures.models import NightFigures
from nightstay.hubs.models import Hub, Membership, Night, Role, Shelter
from nightstay.intake.models import TICKET_ALPHABET, Party
from nightstay.planner import demo
from nightstay.pledges.areas import coarse
from nightstay.pledges.models import BedPledge, Home, Recurrence, SeatPledge
from nightstay.privacy.checks import LOCAL_HOSTS
from nightstay.privacy.crypto import blind_index, new_key_line
from nightstay.volunteers.models import Application

SEED = 2017
DEMO_PASSWORD = "nightstay-demo"
DEMO_DOMAIN = "demo.test"
# Fixed so that a second run (and the tester's authenticator app) keeps the same codes.
DEMO_TOTP_KEYS = {"admin": "6e6967687473746179206465 6d6f2061646d696e".replace(" ", ""),
                  "coordinator": "6e6967687473746179206465 6d6f20636f6f7264".replace(" ", "")}
ACCOUNTS = [  # e-mail name, first name, roles
    ("admin", "Adèle", [Role.ADMIN, Role.COORDINATOR]),
    ("coordinator", "Colette", [Role.COORDINATOR]),
    ("host", "Hugo", [Role.HOST]),
    ("driver", "Dara", [Role.DRIVER]),
    ("volunteer", "Pia", []),
]
FIRST_NAMES = ["Anne", "Bart", "Céline", "Dirk", "Els", "Farid", "Griet", "Hélène", "Inès", "Jan", "Karim", "Lies",
               "Marc", "Nadia", "Olivier", "Pieter", "Quentin", "Rania", "Sofie", "Thomas", "Ursula", "Vincent",
               "Wout", "Xavier", "Yasmine", "Zoé", "Amélie", "Bram", "Chloé", "David", "Emma", "Fatima", "Geert",
               "Hanne", "Ilse", "Joris", "Koen", "Laure", "Mehdi", "Nathalie", "Oscar", "Pauline", "Rik", "Sarah",
               "Tine", "Valérie", "Willem", "Youssef", "Aline", "Benoît", "Dries", "Eva", "Frédéric", "Jeroen"]
STREETS = ["Rue des Lucioles", "Avenue du Hibou", "Rue du Colibri", "Chemin des Lanternes", "Rue de la Boussole",
           "Avenue des Cerfs-Volants", "Rue du Petit Nuage", "Rue des Trois Lunes", "Clos des Hirondelles",
           "Rue de l'Étoile Filante", "Drève des Veilleurs", "Rue du Bon Accueil", "Avenue de la Couverture",
           "Rue du Thé Chaud", "Square des Voisins", "Rue de la Soupe", "Impasse du Matelas", "Rue des Bénévoles"]
AREAS = {"Schaerbeek": (50.867, 4.377), "Ixelles": (50.827, 4.372), "Saint-Gilles": (50.827, 4.345),
         "Etterbeek": (50.836, 4.389), "Anderlecht": (50.837, 4.307), "Molenbeek": (50.855, 4.323),
         "Uccle": (50.800, 4.338), "Forest": (50.810, 4.318), "Jette": (50.877, 4.328), "Evere": (50.870, 4.400),
         "Woluwe": (50.840, 4.430), "Laeken": (50.880, 4.350), "Bruxelles": (50.847, 4.357),
         **{town: spot for town, spot in demo.TOWNS.items()}}
NICKNAMES = ["Abdi", "Aman", "Bilal", "Daniel", "Eyob", "Filmon", "Hamid", "Issa", "Jamal", "Kidane", "Mussie",
             "Nahom", "Omar", "Robel", "Samuel", "Tedros", "Yonas", "Zaid", "Merhawi", "Saleh"]
POSTCODES = ["1000", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1140", "1180", "1190", "1200"]


def ascii_lower(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def nearest_area(loc: dict) -> str:
    return min(AREAS, key=lambda a: (AREAS[a][0] - loc["lat"]) ** 2 + (AREAS[a][1] - loc["lon"]) ** 2)


def clock(iso: str) -> time:
    return datetime.fromisoformat(iso).time().replace(second=0, microsecond=0)


class Command(BaseCommand):
    help = "Create local field keys if missing, migrate, and load the demo hub (Brussels - Parc Maximilien)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the site will be served")

    def handle(self, *args, **options):
        path = settings.FIELD_KEY_FILE
        if not settings.FIELD_KEYS and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_key_line("k1") + "\n")
            path.chmod(0o600)
            self.stdout.write(f"wrote a new field key to {path} (keep it out of database backups)")
        call_command("migrate", verbosity=0)
        self.stdout.write("database ready")
        public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
        if public:  # demo accounts with a printed password must never reach a public server
            self.stdout.write(f"not loading the demo hub: this site answers to {', '.join(public)}")
            return
        with transaction.atomic():
            made = self.load_demo()
        self.stdout.write(made)
        self.print_accounts(options["url"])

    # -- the demo hub ---------------------------------------------------------------------------

    def load_demo(self) -> str:
        night_doc = demo.make_night("normal", SEED)
        hub, created = Hub.objects.get_or_create(slug="brussels", defaults={
            "name": "Brussels - Parc Maximilien", "meeting_point": "Parc Maximilien",
            "meeting_lat": demo.MAXIMILIEN_PARK[0], "meeting_lon": demo.MAXIMILIEN_PARK[1],
            # Open until noon, when "tonight" turns to the coming evening (Hub.tonight): whatever the
            # hour someone tries the demo, tonight's run-sheet links are live rather than expired.
            "window_start": time(19, 0), "window_end": time(12, 0)})
        if created:
            self.make_shelters(hub, night_doc)
        self.make_accounts(hub)
        rng = random.Random(SEED)
        tonight = hub.tonight()
        homes = self.make_hosts(hub, night_doc, rng, tonight.date)
        self.make_drivers(hub, night_doc, rng, tonight.date)
        self.make_applications(hub)
        parties = self.make_parties(tonight, night_doc, rng, homes)
        self.make_past_figures(hub, tonight.date)
        return (f"demo hub {hub.name}: {Home.objects.filter(hub=hub).count()} homes, "
                f"{SeatPledge.objects.filter(hub=hub).count()} drivers, tonight ({tonight.date}) "
                f"{parties} parties waiting")

    def make_shelters(self, hub: Hub, doc: dict) -> None:
        for s in doc["shelters"]:
            walk = s["reach"] == "walk"
            Shelter.objects.create(
                hub=hub, name="Porte d'Ulysse" if walk else "Maison des Familles", lat=s["location"]["lat"],
                lon=s["location"]["lon"], beds=s["beds"], reach=s["reach"], genders=",".join(s["accepts"]["genders"]),
                minors=s["accepts"]["minors"])

    def make_accounts(self, hub: Hub) -> None:
        for name, first_name, roles in ACCOUNTS:
            email = f"{name}@{DEMO_DOMAIN}"
            if User.objects.filter(email_index=blind_index(email)).exists():
                continue
            user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first_name, phone="+32 470 00 00 00")
            Membership.objects.bulk_create([Membership(user=user, hub=hub, role=r) for r in roles])
            if name in DEMO_TOTP_KEYS:
                TOTPDevice.objects.create(user=user, name="demo phone", key=DEMO_TOTP_KEYS[name], confirmed=True)
            if not roles:
                Application.objects.create(hub=hub, user=user, first_name=first_name, phone="+32 470 00 00 01",
                                           email=email, area="Saint-Gilles", offer="host", consent=True)

    def volunteer(self, rng: random.Random, n: int, kind: str) -> User:
        name = rng.choice(FIRST_NAMES)
        email = f"{ascii_lower(name)}.{kind}{n}@{DEMO_DOMAIN}"
        user = User(email_index=blind_index(email), first_name=name, email=email,
                    phone=f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    password=self.unusable)
        return user

    @property
    def unusable(self) -> str:
        return make_password(None)

    def make_hosts(self, hub: Hub, doc: dict, rng: random.Random, day) -> dict[str, Home]:
        """One volunteer, home and bed pledge for each host of the demo night, open tonight."""
        host_user = User.objects.get_by_email(f"host@{DEMO_DOMAIN}")
        if Home.objects.filter(hub=hub).exists():
            return {}  # already loaded: a later night's parties simply return to nobody
        users, homes, pledges, members, by_id = [], [], [], [], {}
        patterns = [(50, Recurrence.DAILY), (25, Recurrence.WEEKLY), (10, Recurrence.EVERY_N_WEEKS),
                    (15, Recurrence.ONCE)]
        for i, h in enumerate(doc["hosts"]):
            user = host_user if i == 0 else self.volunteer(rng, i, "host")
            if i:
                users.append(user)
                members.append(Membership(user=user, hub=hub, role=Role.HOST))
            area = nearest_area(h["location"])
            postcode = rng.choice(POSTCODES) if area in AREAS and area not in demo.TOWNS else "3000"
            lat, lon = coarse(h["location"]["lat"], h["location"]["lon"], hub.meeting_lat, hub.meeting_lon)
            home = Home(hub=hub, host=user, lat=lat, lon=lon, area=area,
                        address=f"{rng.choice(STREETS)} {rng.randint(1, 180)}, {postcode} {area}")
            homes.append(home)
            by_id[h["id"]] = home
            recurrence = demo._pick(rng, patterns)
            first = {Recurrence.DAILY: day - timedelta(days=rng.randint(0, 20)),
                     Recurrence.WEEKLY: day - timedelta(weeks=rng.randint(0, 6)),
                     Recurrence.EVERY_N_WEEKS: day - timedelta(weeks=2 * rng.randint(0, 3)),
                     Recurrence.ONCE: day}[recurrence]
            pledges.append(BedPledge(
                home=home, beds=h["beds"], pickup=h["pickup"], genders=",".join(h["accepts"]["genders"]),
                minors=h["accepts"]["minors"], max_party=h["accepts"]["max_party"], languages=",".join(h["languages"]),
                ready_from=clock(h["ready_from"]), latest_arrival=clock(h["latest_arrival"]),
                welcomes_back=h["welcomes_back"], recurrence=recurrence, first_date=first,
                every_weeks=2 if recurrence == Recurrence.EVERY_N_WEEKS else 1,
                until=day + timedelta(days=60) if recurrence == Recurrence.DAILY else None))
        User.objects.bulk_create(users)
        Membership.objects.bulk_create(members)
        Home.objects.bulk_create(homes)
        BedPledge.objects.bulk_create(pledges)
        return by_id

    def make_drivers(self, hub: Hub, doc: dict, rng: random.Random, day) -> None:
        if SeatPledge.objects.filter(hub=hub).exists():
            return
        driver_user = User.objects.get_by_email(f"driver@{DEMO_DOMAIN}")
        users, members, pledges = [], [], []
        for i, d in enumerate(doc["drivers"]):
            user = driver_user if i == 0 else self.volunteer(rng, i, "driver")
            if i:
                users.append(user)
                members.append(Membership(user=user, hub=hub, role=Role.DRIVER))
            weekly = rng.random() < 0.4
            pledges.append(SeatPledge(
                hub=hub, driver=user, seats=d["seats"], available_from=clock(d["available_from"]),
                available_until=clock(d["available_until"]), home_lat=round(d["home"]["lat"], 2),
                home_lon=round(d["home"]["lon"], 2), recurrence=Recurrence.WEEKLY if weekly else Recurrence.DAILY,
                first_date=day - timedelta(weeks=rng.randint(0, 4)) if weekly else day - timedelta(days=3),
                until=None if weekly else day + timedelta(days=30)))
        User.objects.bulk_create(users)
        Membership.objects.bulk_create(members)
        SeatPledge.objects.bulk_create(pledges)

    def make_applications(self, hub: Hub) -> None:
        if Application.objects.filter(hub=hub, user__isnull=True).exists():
            return
        rng = random.Random(SEED + 1)
        Application.objects.bulk_create([
            Application(hub=hub, first_name=name, phone=f"+32 48{i} 12 34 5{i}", email=f"{ascii_lower(name)}@{DEMO_DOMAIN}",
                        area=rng.choice(["Schaerbeek", "Ixelles", "Leuven", "Uccle"]), offer=offer, consent=True)
            for i, (name, offer) in enumerate([("Lotte", "host"), ("Samir", "driver"), ("Brigitte", "both")])])

    def make_parties(self, night, doc: dict, rng: random.Random, homes: dict[str, Home]) -> int:
        """Tonight's waiting parties, the demo night's people at tonight's date."""
        if Party.objects.filter(night=night).exists():
            return Party.objects.filter(night=night).count()
        tz = timezone.get_current_timezone()
        tickets: set[str] = set()
        parties = []
        for p in doc["parties"]:
            ticket = "".join(rng.choice(TICKET_ALPHABET) for _ in range(4))
            while ticket in tickets:
                ticket = "".join(rng.choice(TICKET_ALPHABET) for _ in range(4))
            tickets.add(ticket)
            arrived = datetime.fromisoformat(p["waiting_since"])
            day = night.date + (arrived.date() - Night.day_of(arrived))  # after midnight in the drawn night too
            why = ("minor" if p["minor"] else "woman" if p["gender"] == "f" else "medical" if p["gender"] == "m"
                   else "") if p["vulnerable"] else ""
            parties.append(Party(
                night=night, ticket=ticket, size=p["size"], gender=p["gender"], minor=p["minor"],
                vulnerable=p["vulnerable"], vulnerable_why=why, languages=",".join(p["languages"]),
                nickname=rng.choice(NICKNAMES) if rng.random() < 0.3 else "",
                nights_outside=p["nights_outside"], returning_to=homes.get(p["returning_to"] or ""),
                waiting_since=timezone.make_aware(datetime.combine(day, arrived.time()), tz)))
        Party.objects.bulk_create(parties)
        return len(parties)

    def make_past_figures(self, hub: Hub, day) -> None:
        """The anonymous counts of the 120 nights before tonight, so the figures page has a history."""
        if NightFigures.objects.filter(hub=hub, date__lt=day).exists():
            return
        rng = random.Random(SEED + 2)
        rows = []
        for back in range(120, 0, -1):
            people = rng.randint(400, 550)
            hosts = rng.randint(100, 150)
            sheltered_hosts = min(people - 120, round(hosts * rng.uniform(2.4, 3.0)))
            vulnerable = rng.randint(20, 45)
            rows.append(NightFigures(
                hub=hub, date=day - timedelta(days=back), people=people, sheltered_dormitory=120,
                sheltered_hosts=sheltered_hosts, left_waiting=people - 120 - sheltered_hosts, vulnerable=vulnerable,
                vulnerable_sheltered=vulnerable, hosts=hosts, drivers=rng.randint(17, 23),
                driver_km=round(rng.uniform(280, 520), 1)))
        NightFigures.objects.bulk_create(rows)

    def print_accounts(self, url: str) -> None:
        self.stdout.write(f"\nOpen {url} and log in as:")
        for name, first_name, roles in ACCOUNTS:
            what = ", ".join(roles) or "a volunteer waiting for a call"
            self.stdout.write(f"  {name + '@' + DEMO_DOMAIN:<22} {first_name:<8} ({what})")
        self.stdout.write(f"password for all: {DEMO_PASSWORD}")
        self.stdout.write("the admin and the coordinator need a code from an authenticator app; add one of these:")
        for name, key in DEMO_TOTP_KEYS.items():
            secret = b32encode(bytes.fromhex(key)).decode()
            self.stdout.write(f"  {name}: otpauth://totp/nightstay:{name}%40{DEMO_DOMAIN}?secret={secret}"
                              f"&issuer=nightstay  (secret {secret})")
        self.stdout.write("or print the current code: .venv/bin/python manage.py totp_code admin@demo.test")
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":  # never a link in a terminal
            settings.EMAIL_FILE_PATH.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.stdout.write(f"e-mails the site sends (welcome, password links) are files in {settings.EMAIL_FILE_PATH}/")
