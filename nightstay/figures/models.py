"""Anonymous figures of a closed night: what is kept after the purge, forever."""
from django.db import models

from nightstay.privacy.labels import label


class NightFigures(models.Model):
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="figures")
    date = models.DateField()
    people = models.PositiveIntegerField(default=0)
    sheltered_dormitory = models.PositiveIntegerField(default=0)
    sheltered_hosts = models.PositiveIntegerField(default=0)
    left_waiting = models.PositiveIntegerField(default=0)
    vulnerable = models.PositiveIntegerField(default=0)
    vulnerable_sheltered = models.PositiveIntegerField(default=0)
    hosts = models.PositiveIntegerField(default=0)
    drivers = models.PositiveIntegerField(default=0)
    driver_km = models.FloatField(default=0)
    stay_nights = models.PositiveIntegerField(default=0, help_text="of those with hosts, people on a stay")
    closed_at = models.DateTimeField(auto_now=True)

    data_labels = {name: label("operational", "counts") for name in (
        "id", "hub", "date", "people", "sheltered_dormitory", "sheltered_hosts", "left_waiting", "vulnerable",
        "vulnerable_sheltered", "hosts", "drivers", "driver_km", "stay_nights", "closed_at")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "date"], name="one_figures_per_hub_and_date")]
        ordering = ["-date"]

    @property
    def sheltered(self) -> int:
        """Nights of accommodation given this night: one per person sheltered."""
        return self.sheltered_dormitory + self.sheltered_hosts

    @classmethod
    def count(cls, night) -> dict:
        """The night's anonymous counts, read from its rows before they are purged.

        Sheltered means placed (in a shelter or a home); everyone else who came to the meeting
        point tonight counts as left waiting. A guest on a stay (who went straight to the host,
        or whose placement tonight began the stay) is sheltered with a host, and counted again
        in ``stay_nights``. Nothing here can name a guest, host or driver.
        """
        from django.db.models import Count, Q, Sum

        from nightstay.intake.models import Party
        from nightstay.planning.models import Trip

        placed, vulnerable = Q(placement__isnull=False), Q(vulnerable=True)
        wanted = {  # prefixed: an aggregate may not share a name with a field it filters on
            "n_people": Sum("size"),
            "n_sheltered_dormitory": Sum("size", filter=Q(placement__shelter__isnull=False)),
            "n_sheltered_hosts": Sum("size", filter=Q(placement__home__isnull=False)),
            "n_left_waiting": Sum("size", filter=~placed),
            "n_vulnerable": Sum("size", filter=vulnerable),
            "n_vulnerable_sheltered": Sum("size", filter=vulnerable & placed),
            "n_hosts": Count("placement__home", distinct=True),
            "n_stay_nights": Sum("size", filter=Q(status=Party.Status.STAYING) | Q(placement__stay__isnull=False)),
        }
        counts = Party.objects.filter(night=night).aggregate(**wanted)
        trips = Trip.objects.filter(night=night).aggregate(km=Sum("km"), drivers=Count("driver", distinct=True))
        counts = {name[2:]: value or 0 for name, value in counts.items()}
        counts.update(drivers=trips["drivers"] or 0, driver_km=round(trips["km"] or 0, 1))
        return counts

    @classmethod
    def keep(cls, night) -> "NightFigures":
        """The counts of a night about to be purged, unless a close kept them already."""
        return cls.record(night, replace=False)

    @classmethod
    def record(cls, night, *, replace: bool = True) -> "NightFigures":
        """Store the night's counts; with ``replace=False`` counts kept earlier (a close) win."""
        if not replace:
            kept = cls.objects.filter(hub_id=night.hub_id, date=night.date).first()
            if kept is not None:
                return kept
        figures, _ = cls.objects.update_or_create(hub_id=night.hub_id, date=night.date, defaults=cls.count(night))
        return figures
