"""Link one of our hubs with a hub on another installation, or rotate the keys the pair shares.

The keys come from ``NIGHTSTAY_PEER_KEYS`` (never from the command line, which ends up in
shell histories and process lists), written like the field keys: ``id:base64key``, the first
signs, all verify. Rotation: set ``new,old`` on both installations and run this again, then
``new`` alone once both sides sign with it. A new key: ``python -c "from
nightstay.privacy.crypto import new_key_line; print(new_key_line())"``, given to the other
side by a channel you trust.
"""
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from nightstay.hubs.models import Hub
from nightstay.network.models import Peer


class Command(BaseCommand):
    help = "Link HUB with REMOTE_SLUG at URL (keys from NIGHTSTAY_PEER_KEYS); run again to rotate the keys."

    def add_arguments(self, parser):
        parser.add_argument("hub", help="our hub's slug")
        parser.add_argument("remote_slug", help="the other hub's slug on its installation")
        parser.add_argument("url", help="the other installation's address, e.g. https://lille.example.org")
        parser.add_argument("--name", help="the other hub's name as our coordinators see it")

    def handle(self, *args, hub, remote_slug, url, name=None, **options):
        hub_obj = Hub.objects.filter(slug=hub).first()
        if hub_obj is None:
            raise CommandError(f"no hub {hub!r}")
        peer = Peer.objects.filter(hub=hub_obj, remote_slug=remote_slug).first() or Peer(hub=hub_obj,
                                                                                          remote_slug=remote_slug)
        peer.url, peer.name = url, name or peer.name or remote_slug
        peer.keys = os.environ.get("NIGHTSTAY_PEER_KEYS", "")
        try:
            peer.full_clean()
        except ValidationError as exc:
            raise CommandError("\n".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()))
        peer.save()
        kids = ", ".join(kid for kid, _key in peer.ring().keys)
        self.stdout.write(f"{hub_obj} <-> {peer.name} at {peer.url}: keys {kids} (the first signs)")
