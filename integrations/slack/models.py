"""Slack: where notices go (routes), who is who (the Slack id of a user), and each notice sent.

These models belong to the ``integrations`` app (``integrations/models.py`` imports them)."""

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts import permissions as perms

from .choices import CHANNEL_KINDS, NoticeKind, NoticeStatus

__all__ = ["SlackNotice", "SlackRoute", "SlackUser"]

# Which of a route's switches carries each kind of channel notice.
ROUTE_FIELDS = {
    NoticeKind.NEW_REQUEST: "new_requests",
    NoticeKind.DUE_SOON: "due_soon",
    NoticeKind.SHORT_SUPPLY: "short_supply",
}


class SlackRouteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SlackRouteQuerySet":
        """Routes are the program's wiring: people who manage integrations see all of them."""
        if perms.has_capability(user, perms.MANAGE_INTEGRATIONS):
            return self
        return self.none()

    def routing(self, kind: str) -> Callable[[str | None], list[str]]:
        """Where a notice of ``kind`` about a request of a region goes (one query): the channels
        of the region's active routes that take this kind. A region with no active route of its
        own goes to the default routes (no region) that take it; a region whose routes all leave
        this kind out hears nothing of it."""
        field = ROUTE_FIELDS[kind]
        rows = list(self.filter(is_active=True).values_list("region_id", "channel_id", field))
        covered = {region for region, _channel, _wants in rows if region is not None}
        wanted: dict[str | None, list[str]] = {}
        for region, channel, wants in rows:
            if wants:
                wanted.setdefault(region, []).append(channel)

        def channels(region_id: str | None) -> list[str]:
            return wanted.get(region_id if region_id in covered else None, [])

        return channels


class SlackRoute(models.Model):
    """A Slack channel that hears about the requests of one region (or, with no region, about
    requests of every region no route of its own covers), and which notices it wants."""

    region = models.ForeignKey(
        "references.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: the default channel, for requests of regions without a route of their own.",
    )
    channel_id = models.CharField(
        "Slack channel id", max_length=40, help_text="The channel's id (C0123…), not its name."
    )
    new_requests = models.BooleanField("new requests", default=True)
    due_soon = models.BooleanField("due within 72 hours", default=True)
    short_supply = models.BooleanField("short supply", default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SlackRouteQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "channel_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "channel_id"], name="slack_route_region_channel"),
            models.UniqueConstraint(
                fields=["channel_id"], condition=Q(region=None), name="slack_route_default_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or 'default'} → {self.channel_id}"


class SlackUser(models.Model):
    """A RefProgram user's Slack member id, found by e-mail (``users.lookupByEmail`` or, from a
    command, ``users.info``) and kept, so Slack is asked once per person."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack")
    slack_id = models.CharField(max_length=40, unique=True)
    looked_up_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} ↔ {self.slack_id}"


class SlackNotice(models.Model):
    """One message to Slack about one request: to a channel (new request, due within 72 hours,
    short supply) or to the requester (progress). ``key`` makes each announcement happen once:
    a channel notice once per request, kind and channel; a progress notice once per event."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    request = models.ForeignKey("requests_app.Request", on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=40, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What happened, for a progress notice: {"event": ..., "to": ...}; no personal data.
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    message_ts = models.CharField("Slack message ts", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in CHANNEL_KINDS], recipient=None) & ~Q(channel_id="")
                | Q(kind=NoticeKind.PROGRESS, recipient__isnull=False),
                name="slack_notice_channel_or_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.request_id} ({self.status})"
