"""Reads about public-use approvals: the board per customer, a customer's approvals, the
content library of approved assets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from refprogram import i18n

from .choices import (
    APPROVAL_OPEN_STATUSES,
    EXPIRY_WARNING_DAYS,
    LIBRARY_USES,
    ApprovalStatus,
    ApprovalUse,
)
from .models import Approval, ConsentLink

__all__ = [
    "UseCell",
    "ActionRow",
    "approval_cells",
    "approval_board_rows",
    "approval_next_step",
    "approvals_needing_action",
    "approved_assets_for",
    "library_assets",
]

# How a use looks on the board, best news first.
CELL_ORDER = ("approved", "expiring", "pending", "expired", "declined", "revoked", "none")
CELL_LABELS = {
    "approved": _("Approved"),
    "expiring": _("Expiring"),
    "pending": _("Pending"),
    "expired": _("Expired"),
    "declined": _("Declined"),
    "revoked": _("Revoked"),
    "none": _("Not asked"),
}


@dataclass
class UseCell:
    """What the board shows for one customer and one use."""

    use: str
    state: str = "none"
    approval: Approval | None = None  # the approval that decides the state
    pending: Approval | None = None  # an open request next to it (e.g. a renewal)
    count: int = 0
    approvals: list[Approval] = field(default_factory=list)

    @property
    def label(self) -> str:
        return CELL_LABELS[self.state]

    @property
    def use_label(self) -> str:
        return ApprovalUse(self.use).label


def _state(approval: Approval, on: date) -> str:
    if approval.status == ApprovalStatus.APPROVED:
        if approval.expires_on and approval.expires_on < on:
            return "expired"  # the nightly check has not run yet today
        return "expiring" if approval.is_expiring(on, EXPIRY_WARNING_DAYS) else "approved"
    if approval.status in APPROVAL_OPEN_STATUSES:
        return "pending"
    return approval.status  # expired, declined, revoked


def approval_cells(approvals: list[Approval], on: date | None = None) -> dict[str, UseCell]:
    """One cell per use from one customer's approvals: the best state wins (a valid approval
    over a pending request over an expired or declined one)."""
    on = on or timezone.localdate()
    cells = {use: UseCell(use=use) for use in ApprovalUse.values}
    for approval in approvals:
        cell = cells.get(approval.use)
        if cell is None:
            continue
        state = _state(approval, on)
        cell.count += 1
        cell.approvals.append(approval)
        if state == "pending" and cell.pending is None:
            cell.pending = approval
        if CELL_ORDER.index(state) < CELL_ORDER.index(cell.state) or (
            state == cell.state
            and state in ("approved", "expiring")
            and approval.expires_on > cell.approval.expires_on
        ):
            cell.state, cell.approval = state, approval
    return cells


def approval_board_rows(*, customers: list, approvals: QuerySet, on: date | None = None) -> list[dict]:
    """The board's rows for one page of customers: ``{"customer", "cells": [UseCell…]}``, from one
    query over the approvals of exactly these customers."""
    on = on or timezone.localdate()
    by_customer: dict[int, list[Approval]] = defaultdict(list)
    ids = [c.pk for c in customers]
    for approval in approvals.filter(customer_id__in=ids).order_by("customer_id", "-created_at", "-id"):
        by_customer[approval.customer_id].append(approval)
    rows = []
    for customer in customers:
        cells = approval_cells(by_customer.get(customer.pk, []), on)
        rows.append({"customer": customer, "cells": [cells[use] for use in ApprovalUse.values]})
    return rows


def approved_assets_for(customer_ids, on: date | None = None) -> QuerySet:
    """Approved quotes, case studies, videos and logos of these customers that are valid on
    ``on``: what a requester can re-use instead of a new ask (the matching page's alternatives)."""
    on = on or timezone.localdate()
    return (
        Approval.objects.valid(on)
        .filter(customer_id__in=customer_ids, use__in=LIBRARY_USES)
        .select_related("customer__industry")
        .order_by("customer__name", "use", "-expires_on", "-id")
    )


def library_assets(base: QuerySet, *, status_given: bool, on: date | None = None) -> QuerySet:
    """The content library: approved assets (valid today unless a status filter says otherwise)."""
    on = on or timezone.localdate()
    qs = base.filter(use__in=LIBRARY_USES).select_related("customer__industry")
    if not status_given:
        qs = qs.filter(status=ApprovalStatus.APPROVED, expires_on__gte=on)
    return qs.order_by("customer__name", "use", "-expires_on", "-id")


# --- What needs action -----------------------------------------------------------------------


@dataclass
class ActionRow:
    """One approval on the board's "needs action" list: who must act next, in words."""

    approval: Approval
    who: str  # who must act next
    step: str  # what they must do, and since when
    waiting: bool  # True: a request waiting on someone; False: an approval expiring soon


def _ago(moment, now) -> str:
    days = (now - moment).days
    if days <= 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


def _in_days(day: date, on: date) -> str:
    days = (day - on).days
    if days <= 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    return ngettext("in %(days)s day", "in %(days)s days", days) % {"days": days}


def approval_next_step(approval: Approval, *, links: list, renewal: bool, now=None) -> tuple[str, str]:
    """``(who, what)`` must happen next for this approval, derived from its status and its
    consent links (newest first): the reference manager sends the link, the customer's approver
    answers it, marketing renews an approval that is ending. In the reader's language."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    latest = links[0] if links else None
    manager, customer = gettext("Reference manager"), gettext("The customer")
    if approval.status == ApprovalStatus.APPROVED:
        ends = {"when": _in_days(approval.expires_on, on), "date": i18n.day(approval.expires_on)}
        if renewal:
            return manager, gettext("a renewal is requested; this approval ends %(when)s (%(date)s)") % ends
        return gettext("Marketing"), gettext(
            "request a renewal: this approval ends %(when)s (%(date)s)"
        ) % ends
    if approval.status == ApprovalStatus.REQUESTED or latest is None:
        since = _ago(approval.created_at, now)
        if approval.status == ApprovalStatus.IN_REVIEW:
            return (
                customer,
                gettext(
                    "reviewing without a link; the reference manager records the answer (requested %(since)s)"
                )
                % {"since": since},
            )
        if approval.contact_id:
            return manager, gettext("send the consent link to %(name)s (requested %(since)s)") % {
                "name": approval.contact.name,
                "since": since,
            }
        return manager, gettext("send the consent link (requested %(since)s)") % {"since": since}
    state = latest.state(now)
    name = latest.name or gettext("the customer's approver")
    if state == "usable":
        return customer, gettext("waiting for %(name)s to answer (sent %(sent)s)") % {
            "name": name,
            "sent": _ago(latest.created_at, now),
        }
    if state == "expired":
        return (
            manager,
            gettext("the link to %(name)s expired unanswered %(when)s: resend it")
            % {"name": name, "when": _ago(latest.expires_at, now)},
        )
    if state == "withdrawn":
        return manager, gettext("the request changed after the link was sent: send a new link")
    return manager, gettext("record the customer's answer (link used %(when)s)") % {
        "when": _ago(latest.used_at, now)
    }


def approvals_needing_action(approvals: QuerySet, *, now=None) -> list[ActionRow]:
    """The board's opening list: requests waiting on someone (requested, in customer review),
    oldest first, then approvals ending within ``EXPIRY_WARNING_DAYS`` days, soonest first; each
    with who must act next. Three queries whatever the number: the approvals with their customer
    and contact, their consent links, and which expiring ones already have a renewal pending."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    renewal = Approval.objects.filter(
        customer_id=OuterRef("customer_id"), use=OuterRef("use"), status__in=APPROVAL_OPEN_STATUSES
    ).exclude(pk=OuterRef("pk"))
    rows = list(
        approvals.filter(
            Q(status__in=APPROVAL_OPEN_STATUSES)
            | Q(pk__in=Approval.objects.expiring(EXPIRY_WARNING_DAYS, on).values("pk"))
        )
        .select_related("customer", "contact")
        .annotate(renewal_pending=Exists(renewal))
        .prefetch_related(
            Prefetch("consent_links", queryset=ConsentLink.objects.order_by("-created_at", "-id"))
        )
        .order_by("created_at", "id")
    )
    waiting, ending = [], []
    for approval in rows:
        who, step = approval_next_step(
            approval, links=list(approval.consent_links.all()), renewal=approval.renewal_pending, now=now
        )
        row = ActionRow(approval=approval, who=who, step=step, waiting=approval.is_open)
        (waiting if approval.is_open else ending).append(row)
    ending.sort(key=lambda r: (r.approval.expires_on, r.approval.pk))
    return waiting + ending
