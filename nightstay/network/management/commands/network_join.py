"""Put hubs of this installation in a network: they see each other's counts and offers."""
from django.core.management.base import BaseCommand, CommandError

from nightstay.hubs.models import Hub
from nightstay.network.models import Member, Network


class Command(BaseCommand):
    help = "Put the hubs (slugs) in the network NAME, made if new."

    def add_arguments(self, parser):
        parser.add_argument("network", help="the network's name, e.g. 'Brussels region'")
        parser.add_argument("hubs", nargs="+", help="hub slugs")

    def handle(self, *args, network, hubs, **options):
        found = {h.slug: h for h in Hub.objects.filter(slug__in=hubs)}
        missing = [slug for slug in hubs if slug not in found]
        if missing:
            raise CommandError("\n".join(f"no hub {slug!r}" for slug in missing))
        net, _ = Network.objects.get_or_create(name=network)
        for hub in found.values():
            Member.objects.get_or_create(network=net, hub=hub)
        self.stdout.write(f"{net}: {', '.join(sorted(h.name for h in Hub.objects.filter(network_memberships__network=net)))}")
