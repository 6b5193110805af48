"""Re-seal every sealed value with the current (first) field key, and re-key the blind indexes.

Rotation: put a new key first in the key list, run this command, remove the old key, run it
once more (the second run re-computes the e-mail index, which is keyed from the oldest key).
"""
from django.core.management.base import BaseCommand

from nightstay.privacy import night_keys
from nightstay.privacy.crypto import blind_index
from nightstay.privacy.fields import SealedField, reseal
from nightstay.privacy.retention import platform_models

# A blind index and the sealed field it is computed from.
BLIND_INDEXES = {"accounts.User": ("email_index", "email")}


class Command(BaseCommand):
    help = "Re-encrypt every sealed field with the current key; re-compute the e-mail blind index."

    def handle(self, *args, **options):
        resealed = reindexed = 0
        for model in platform_models():
            sealed = [f.name for f in model._meta.concrete_fields if isinstance(f, SealedField)]
            index = BLIND_INDEXES.get(model._meta.label)
            if not sealed:
                continue
            columns = sealed + ([index[0]] if index else [])
            for row in model.objects.only("pk", *columns).iterator(chunk_size=500):
                changed = {f: row.__dict__[f] for f in sealed if reseal(row, f)}
                resealed += len(changed)
                if index:
                    fresh = blind_index(getattr(row, index[1]))
                    if fresh != getattr(row, index[0]):
                        changed[index[0]] = fresh
                        reindexed += 1
                if changed:
                    model.objects.filter(pk=row.pk).update(**changed)
        nights = night_keys.reseal_all()  # the nights' keys are sealed under the field keys too
        self.stdout.write(f"values re-sealed: {resealed}, index entries re-computed: {reindexed}, "
                          f"night keys re-sealed: {nights}")
