"""Nightly check on public-use approvals: expire approvals past their term and warn the people
who watch approvals (marketing, the reference managers) 30 days before, once each."""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import User
from accounts.services import notification_send
from refprogram import i18n
from refprogram.nightly import register

from .choices import APPROVAL_TRANSITIONS, EXPIRY_WARNING_DAYS, ApprovalStatus
from .models import Approval, ApprovalEvent
from .services import subject_line


def approval_watchers():
    """Active users whose role watches approvals (``watch_approvals``)."""
    roles = [role for role, caps in perms.CAPABILITIES.items() if perms.WATCH_APPROVALS in caps]
    return User.objects.filter(role__in=roles, is_active=True)


def _expiry_values(approval: Approval) -> dict:
    return {
        "customer": approval.customer.name,
        "use": str(approval.get_use_display()).lower(),
        "date": i18n.day(approval.expires_on),
        "channels": ", ".join(approval.scope_labels()),
    }


def _expiry_subject(approval: Approval) -> str:
    """The expiry warning's subject, in the active language."""
    return subject_line(_("%(customer)s: %(use)s approval expires on %(date)s") % _expiry_values(approval))


def _expiry_body(approval: Approval) -> str:
    return _(
        "The approval to use %(customer)s's %(use)s (%(channels)s) ends on %(date)s. "
        "Ask the customer to renew it, or stop using it by then."
    ) % _expiry_values(approval)


@register("approvals_expire", order=40)
def approvals_expire(today: date) -> dict[str, int]:
    """Approved past ``expires_on`` → expired (one UPDATE and one history row each); then one
    warning per watcher for each approval ending within 30 days, keyed by its expiry date so a
    second run sends nothing."""
    now = timezone.now()
    expirable = [s for s, targets in APPROVAL_TRANSITIONS.items() if ApprovalStatus.EXPIRED in targets]
    due = Approval.objects.filter(status__in=expirable, expires_on__lt=today)
    rows = list(due.select_for_update().values_list("id", "status"))
    expired = Approval.objects.filter(id__in=[i for i, _ in rows], status__in=expirable).update(
        status=ApprovalStatus.EXPIRED, updated_at=now
    )
    ApprovalEvent.objects.bulk_create(
        ApprovalEvent(
            approval_id=approval_id,
            kind=ApprovalEvent.Kind.EXPIRED,
            from_status=status,
            to_status=ApprovalStatus.EXPIRED,
            actor_label="Nightly check",
            note=f"Past its expiry date (checked {today:%d %b %Y}).",
            created_at=now,
        )
        for approval_id, status in rows
    )

    to_warn = list(
        Approval.objects.expiring(EXPIRY_WARNING_DAYS, today)
        .exclude(expiry_warned_for=F("expires_on"))
        .select_related("customer")
        .order_by("expires_on", "id")
    )
    notifications = 0
    if to_warn:
        watchers = list(approval_watchers())
        for approval in to_warn:
            link = reverse("approval-detail", kwargs={"pk": approval.pk})
            for user in watchers:
                notifications += notification_send(
                    user=user,
                    key=f"approval-expiring:{approval.pk}:{approval.expires_on.isoformat()}",
                    subject=lambda approval=approval: _expiry_subject(approval),
                    body=lambda approval=approval: _expiry_body(approval),
                    link=link,
                )
        Approval.objects.filter(pk__in=[a.pk for a in to_warn]).update(expiry_warned_for=F("expires_on"))
    return {"expired": expired, "expiry_warnings": len(to_warn), "notifications": notifications}
