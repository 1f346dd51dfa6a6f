"""Reads of the usage ledger that cross relations or aggregate: one reference profile's usage
history (its asks, its capacity month by month, the requests it was asked for)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from accounts import permissions as perms
from references.models import ReferenceProfile

from .choices import UsageStatus
from .models import OverusePolicy, UsageEntry

# The profile page shows the newest asks; the ledger, filtered to the profile, has them all.
HISTORY_ENTRIES = 50
HISTORY_MONTHS = 12

# What the request workflow (requests_app, above this app) says about the requests a reference
# was asked for: ``provider(request_ids, viewer, reference_id) -> {request_id: {"prospect": str,
# "outcome": str, "feedback": str}}``, only for requests the viewer may see, in two queries.
# Handed in when Django starts, the way the ledger hands capacity down to references; without it
# the history shows the ledger's own facts.
RequestFactsProvider = Callable[..., dict[int, dict[str, str]]]
_request_facts_provider: RequestFactsProvider | None = None


def request_facts_provider_register(provider: RequestFactsProvider | None) -> None:
    """``RequestsAppConfig.ready`` hands in the reader of a request's prospect and outcome."""
    global _request_facts_provider
    _request_facts_provider = provider


@dataclass(frozen=True)
class MonthUse:
    """One month of a reference's capacity: points of the asks dated in the month, and the points
    counting against the cap in the rolling window that ends on ``as_of`` (the month's last day;
    today in the current month, where reservations for later days count too, as in ``capacity``)."""

    month: date
    as_of: date
    in_month: int
    in_window: int
    cap: int

    @property
    def at_cap(self) -> bool:
        return self.in_window >= self.cap


@dataclass(frozen=True)
class ServedRequest:
    """A request the reference was asked for (a ledger row that names a request)."""

    request_id: int
    occurred_on: date
    activity: str
    status: str
    status_label: str
    prospect: str = ""
    outcome: str = ""
    feedback: str = ""


@dataclass
class ProfileUsage:
    entries: list[UsageEntry]
    more_entries: bool
    months: list[MonthUse]
    served: list[ServedRequest] = field(default_factory=list)
    policy: OverusePolicy | None = None


def _month_ends(today: date, months: int) -> list[tuple[date, date, date]]:
    """(first day, last day, as-of day) of the last ``months`` months, oldest first."""
    result = []
    year, month = today.year, today.month
    for _ in range(months):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        result.append((first, last, min(last, today)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def profile_usage(
    *,
    profile: ReferenceProfile,
    viewer,
    today: date | None = None,
    policy: OverusePolicy | None = None,
) -> ProfileUsage:
    """One profile's usage as ``viewer`` may see it (nothing without ``view_usage``), in a fixed
    number of queries: the newest asks, twelve months of capacity in one aggregate, the requests
    it was asked for, and their prospect and outcome from the request workflow."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    visible = UsageEntry.objects.visible_to(viewer).filter(reference=profile)

    newest = visible.select_related("activity_type").order_by("-occurred_on", "-id")
    rows = list(newest[: HISTORY_ENTRIES + 1])  # one more than shown: are there older ones?

    spans = _month_ends(today, HISTORY_MONTHS)
    sums = {}
    for i, (first, last, as_of) in enumerate(spans):
        window = Q(occurred_on__gt=policy.window_start(as_of))
        if as_of < today:
            window &= Q(occurred_on__lte=as_of)
        sums[f"m{i}"] = Sum("points", filter=Q(occurred_on__gte=first, occurred_on__lte=last), default=0)
        sums[f"w{i}"] = Sum("points", filter=window, default=0)
    oldest = policy.window_start(spans[0][2])
    totals = visible.counting().filter(occurred_on__gt=min(oldest, spans[0][0] - timedelta(days=1)))
    totals = totals.aggregate(**sums) if rows else dict.fromkeys(sums, 0)
    months = [
        MonthUse(
            month=first,
            as_of=as_of,
            in_month=totals[f"m{i}"],
            in_window=totals[f"w{i}"],
            cap=policy.reference_cap,
        )
        for i, (first, _last, as_of) in enumerate(spans)
    ]

    served_rows = (
        list(
            visible.filter(request_ref__isnull=False)
            .exclude(status=UsageStatus.WITHDRAWN)
            .select_related("activity_type")
            .order_by("-occurred_on", "-id")[:HISTORY_ENTRIES]
        )
        if rows
        else []
    )
    facts: dict[int, dict[str, str]] = {}
    if served_rows and _request_facts_provider is not None:
        facts = _request_facts_provider(
            [row.request_ref for row in served_rows], viewer, reference_id=profile.pk
        )
    served = [
        ServedRequest(
            request_id=row.request_ref,
            occurred_on=row.occurred_on,
            activity=row.activity_type.name,
            status=row.status,
            status_label=row.get_status_display(),
            prospect=facts.get(row.request_ref, {}).get("prospect", ""),
            outcome=facts.get(row.request_ref, {}).get("outcome", ""),
            feedback=facts.get(row.request_ref, {}).get("feedback", ""),
        )
        for row in served_rows
    ]
    return ProfileUsage(
        entries=rows[:HISTORY_ENTRIES],
        more_entries=len(rows) > HISTORY_ENTRIES,
        months=months,
        served=served,
        policy=policy,
    )


# --- A customer's asks, in their words (the account owner's view before a renewal call) ---------

# What the request workflow says about each ask of a customer (by its ledger row):
# ``provider(usage_ids, viewer) -> {usage_id: {"request_id", "requester", "prospect", "state",
# "answer", "feedback"}}`` in a fixed number of queries; the prospect only for requests the viewer
# may see. Handed in by ``RequestsAppConfig.ready``; without it the page shows the ledger's facts.
AskFactsProvider = Callable[[Iterable[int], object], dict[int, dict]]
_ask_facts_provider: AskFactsProvider | None = None


def ask_facts_provider_register(provider: AskFactsProvider | None) -> None:
    global _ask_facts_provider
    _ask_facts_provider = provider


def may_see_customer_asks(viewer, customer) -> bool:
    """The ledger's readers (managers, admins, executives) and the customer's account owner."""
    if perms.has_capability(viewer, perms.VIEW_USAGE):
        return True
    return bool(customer.account_owner_id) and customer.account_owner_id == getattr(viewer, "pk", None)


@dataclass(frozen=True)
class CustomerAsk:
    """One ask of the customer: when, which contact, for what, who asked, what they answered and
    what was said afterwards."""

    entry: UsageEntry
    request_id: int | None = None
    requester: str = ""
    prospect: str = ""
    state: str = ""
    answer: str = ""
    feedback: tuple[str, ...] = ()


CUSTOMER_ASKS_LIMIT = 200


def customer_asks(*, customer, viewer, limit: int = CUSTOMER_ASKS_LIMIT) -> list[CustomerAsk]:
    """Everything asked of ``customer`` through any of its contacts, newest first (at most
    ``limit``), withdrawn proposals left out (the customer never heard of them). Three queries: the
    ledger rows and, from the request workflow, the requests' and candidates' facts."""
    rows = list(
        UsageEntry.objects.filter(customer=customer)
        .exclude(status=UsageStatus.WITHDRAWN)
        .select_related("reference__contact", "activity_type", "asked_by")
        .order_by("-occurred_on", "-id")[:limit]
    )
    facts: dict[int, dict] = {}
    if rows and _ask_facts_provider is not None:
        facts = _ask_facts_provider([row.pk for row in rows], viewer)
    return [CustomerAsk(entry=row, **facts.get(row.pk, {})) for row in rows]
