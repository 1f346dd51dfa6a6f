from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import Role


class User(AbstractUser):
    """A person at the company who uses RefProgram, with exactly one role.

    Customer contacts are not users: they approve public use through private links.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SALES)

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
