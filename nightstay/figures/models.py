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
    closed_at = models.DateTimeField(auto_now=True)

    data_labels = {name: label("operational", "counts") for name in (
        "id", "hub", "date", "people", "sheltered_dormitory", "sheltered_hosts", "left_waiting", "vulnerable",
        "vulnerable_sheltered", "hosts", "drivers", "driver_km", "closed_at")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "date"], name="one_figures_per_hub_and_date")]
        ordering = ["-date"]

    @property
    def sheltered(self) -> int:
        """Nights of accommodation given this night: one per person sheltered."""
        return self.sheltered_dormitory + self.sheltered_hosts
