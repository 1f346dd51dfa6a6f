"""Codes of the Slack integration."""

from django.db import models


class NoticeKind(models.TextChoices):
    """What a Slack notice announces. The first three go to channels, by route; progress goes to
    the requester as a direct message."""

    NEW_REQUEST = "new_request", "New request"
    DUE_SOON = "due_soon", "Due within 72 hours"
    SHORT_SUPPLY = "short_supply", "Short supply"
    PROGRESS = "progress", "Progress of a request (to its requester)"


CHANNEL_KINDS = (NoticeKind.NEW_REQUEST, NoticeKind.DUE_SOON, NoticeKind.SHORT_SUPPLY)


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (the requester has no Slack account)"
