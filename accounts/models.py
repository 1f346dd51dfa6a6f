from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from .choices import Role


class User(AbstractUser):
    """A person at the company who uses RefProgram, with exactly one role.

    Customer contacts are not users: they approve public use through private links.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SALES)

    # Who changed a person's role, name or access, and when (the audit log); never the password.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def can(self, capability: str) -> bool:
        from .permissions import has_capability

        return has_capability(self, capability)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user: shown in their in-app list and sent by email.

    ``key`` makes a notification idempotent: the same key for the same user is sent once,
    so a nightly check that runs twice does not notify twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]

    def __str__(self) -> str:
        return self.subject


class ScimToken(models.Model):
    """A bearer token the company's identity provider uses to provision people over SCIM 2.0.

    ``manage.py scim_token`` prints the token once; only its sha256 hash is stored, so a leaked
    table opens nothing. A revoked token is refused at once.
    """

    label = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"SCIM token {self.pk}"
