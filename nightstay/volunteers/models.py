"""A volunteer's application, waiting in the hub's vetting queue until a coordinator calls.

Everything typed freely here (the area, the note, the coordinator's call note) is sealed like
the phone and e-mail: a street address typed in a note must not sit in clear in a dump. An
application nobody decides is deleted after ``PENDING_APPLICATION_DAYS`` (privacy.retention).
"""
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nightstay.hubs.models import Membership, Role
from nightstay.privacy.crypto import blind_index
from nightstay.privacy.fields import SealedField
from nightstay.privacy.labels import label


class Application(models.Model):
    class Offer(models.TextChoices):
        HOST = "host", _("a bed (host)")
        DRIVER = "driver", _("a car (driver)")
        BOTH = "both", _("a bed and a car")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a call")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="applications")
    first_name = models.CharField(max_length=60)
    phone = SealedField()
    email = SealedField()
    area = SealedField(help_text="town or district, not a street")
    offer = models.CharField(max_length=6, choices=Offer.choices)
    offer_note = SealedField()
    consent = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    call_note = SealedField()
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="applications")

    data_labels = {
        "id": label("technical", "application"),
        "hub": label("technical", "application"),
        "first_name": label("personal", "application"),
        "phone": label("sealed", "application"),
        "email": label("sealed", "application"),
        "area": label("sealed", "application", "typed freely: sealed, in case a street is typed there"),
        "offer": label("personal", "application"),
        "offer_note": label("sealed", "application", "free text: sealed, whatever is typed there"),
        "consent": label("technical", "application"),
        "language": label("technical", "application", "the language of the welcome e-mail"),
        "status": label("technical", "application"),
        "call_note": label("sealed", "application", "the coordinator's free text: sealed"),
        "created_at": label("technical", "application"),
        "decided_at": label("technical", "application"),
        "decided_by": label("personal", "application"),
        "user": label("technical", "application"),
    }

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.first_name} ({self.area})"

    @property
    def roles(self) -> list[str]:
        """The hub roles this application asks for."""
        return {"host": [Role.HOST], "driver": [Role.DRIVER], "both": [Role.HOST, Role.DRIVER]}[self.offer]

    def approve(self, by, note: str = ""):
        """Give the volunteer the roles offered, on their account; return the account.

        The account is found by the e-mail's blind index, so someone who signs up again (or
        offers a car after a bed) keeps one account. A new account has no password: the
        welcome e-mail carries a link to choose one. The application's phone and e-mail are
        blanked: from now on they live, sealed, on the account alone.
        """
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(email_index=blind_index(self.email)).first()
            if user is None:
                user = User.objects.create_user(self.email, first_name=self.first_name, phone=self.phone,
                                                language=self.language)
            for role in self.roles:
                Membership.objects.get_or_create(user=user, hub=self.hub, role=role)
            self.user, self.phone, self.email = user, "", ""
            self._decide(self.Status.APPROVED, by, note)
        return user

    def decline(self, by, note: str = "") -> None:
        """Close the application; its personal fields are blanked 30 days later (privacy.retention)."""
        self._decide(self.Status.DECLINED, by, note)

    def _decide(self, status: str, by, note: str) -> None:
        self.status, self.decided_by, self.decided_at = status, by, timezone.now()
        self.call_note = note
        self.save()
