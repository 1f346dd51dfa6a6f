"""Reads about public-use approvals: the board per customer, a customer's approvals, the
content library of approved assets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from .choices import (
    APPROVAL_OPEN_STATUSES,
    EXPIRY_WARNING_DAYS,
    LIBRARY_USES,
    ApprovalStatus,
    ApprovalUse,
)
from .models import Approval

__all__ = ["UseCell", "approval_cells", "approval_board_rows", "approved_assets_for", "library_assets"]

# How a use looks on the board, best news first.
CELL_ORDER = ("approved", "expiring", "pending", "expired", "declined", "revoked", "none")
CELL_LABELS = {
    "approved": "Approved",
    "expiring": "Expiring",
    "pending": "Pending",
    "expired": "Expired",
    "declined": "Declined",
    "revoked": "Revoked",
    "none": "None",
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
