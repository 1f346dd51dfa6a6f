"""The rule that no public activity goes ahead without a valid approval: which uses an activity
type needs, which of them a customer lacks on a day and channel, and the 409 that refuses it."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from references.models import ActivityType, Customer, ReferenceProfile
from refprogram.errors import RuleViolation

from ..choices import (
    ACTIVITY_APPROVAL_USES,
    ACTIVITY_DEFAULT_CHANNEL,
    CODE_APPROVAL_MISSING,
    CODE_PRIVATE_ONLY,
    PRIVATE_ACTIVITY_TYPES,
    UNLISTED_PUBLIC_ACTIVITY_USES,
    ApprovalUse,
    Channel,
)
from ..models import Approval, channel_condition


def approval_uses_for_activity(activity_type: str | ActivityType) -> tuple[str, ...]:
    """The approval uses a public activity type needs (``ACTIVITY_APPROVAL_USES``); none for a
    private one."""
    if isinstance(activity_type, ActivityType):
        code, public = activity_type.code, activity_type.is_public
    else:
        code, public = activity_type, None
    if code in ACTIVITY_APPROVAL_USES:
        return ACTIVITY_APPROVAL_USES[code]
    if code in PRIVATE_ACTIVITY_TYPES:
        return ()
    if public is None:
        activity = ActivityType.objects.filter(code=code).first()
        public = bool(activity and activity.is_public)
    return UNLISTED_PUBLIC_ACTIVITY_USES if public else ()


def approvals_missing_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
) -> list[str]:
    """The uses this activity needs that the customer has no valid approval for on ``on`` (in
    ``channel``, or the activity's usual channel), in the map's order. Empty: good to go."""
    uses = approval_uses_for_activity(activity_type)
    if not uses:
        return []
    on = on or timezone.localdate()
    code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
    channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
    qs = Approval.objects.valid(on).filter(customer=customer, use__in=uses)
    if channel:
        qs = qs.filter(channel_condition(channel))
    have = set(qs.values_list("use", flat=True).distinct())
    return [use for use in uses if use not in have]


def approval_require_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
    reference: ReferenceProfile | None = None,
) -> None:
    """Refuse (409 ``approval_missing``) a public activity for a customer without a valid
    approval for every use it needs; private activities pass. With ``reference``, a profile
    marked private only is refused for any public activity (``reference_private_only``)."""
    if not approval_uses_for_activity(activity_type):
        return
    if reference is not None and reference.private_only:
        raise RuleViolation(
            CODE_PRIVATE_ONLY, f"{reference.customer.name}'s reference is private only: never for public use."
        )
    missing = approvals_missing_for_activity(
        customer=customer, activity_type=activity_type, on=on, channel=channel
    )
    if missing:
        code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
        channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
        labels = dict(ApprovalUse.choices)
        what = " or ".join(labels.get(u, u).lower() for u in missing)
        where = f" for the {Channel(channel).label.lower()} channel" if channel in Channel.values else ""
        when = f" on {on:%d %b %Y}" if on else ""
        raise RuleViolation(
            CODE_APPROVAL_MISSING, f"{customer.name} has no valid {what} approval{where}{when}."
        )
