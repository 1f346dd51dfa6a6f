"""Is supply short for a request, and what else could help (nearest misses, alternatives)."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from approvals.choices import ApprovalUse, Channel
from approvals.models import Approval
from approvals.selectors import library_assets
from ledger import capacity
from ledger.models import OverusePolicy
from references.choices import ProfileStatus
from references.facets import FacetKeys, facet_key
from references.models import (
    ActivityType,
    ReferenceProfile,
)

from ..choices import UnmetReason
from .ranking import any_can_be_proposed, matches_for_request, nearest_misses
from .scoring import criterion_fields, criterion_label, criterion_q

# Alternatives to a one-to-one activity when supply is short.
ALTERNATIVE_TYPES = ("event_meeting", "case_study", "video", "quote")
# Approved content of the content library offered as alternatives (a logo is no customer voice).
CONTENT_KINDS = (ApprovalUse.QUOTE, ApprovalUse.CASE_STUDY, ApprovalUse.VIDEO)
CONTENT_PER_KIND = 5
CONTENT_TOTAL = 10
EVENT_MEETINGS = 5
EVENT_MEETING = "event_meeting"


def _nearest_first(qs, flags: dict):
    """``qs`` with the must-have flags (boolean annotations) and ``missed``, how many of them are
    false; and the ordering that puts fewest missed first (none without must-haves)."""
    if not flags:
        return qs, []
    missed = Value(0, output_field=IntegerField())
    for flag in flags:
        missed = missed + Case(
            When(**{flag: True}, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    return qs.annotate(**flags).annotate(missed=missed), [F("missed").asc()]


def _must_missed(row: dict, must: list[dict]) -> list[dict]:
    return [c for i, c in enumerate(must) if not row[f"must_{i}"]]


def _labels_read(must: list[dict], labels: dict | None) -> dict:
    """The labels of the must-haves' values, read before the rows (one read per listed field,
    whichever rows miss what), into the caller's cache."""
    labels = {} if labels is None else labels
    for c in must:
        criterion_label(c, labels)
    return labels


def _misses_note(missed: list[dict], labels: dict) -> str:
    """The must-haves missed, said by their labels (``labels``: the caller's cache, one read per
    listed field such as industry or region)."""
    if not missed:
        return "Meets every must-have."
    return "Misses the must-have " + ", ".join(criterion_label(c, labels) for c in missed) + "."


def _item(
    kind: str, name: str, *, customer: tuple[int, str], missed: list[dict], labels: dict, **extra
) -> dict:
    item = {
        "kind": kind,
        "activity_type": kind,  # the field's name before content items (compatible)
        "name": name,
        "customer": {"id": customer[0], "name": customer[1]},
        "title": "",
        "quote_text": "",
        "asset_url": "",
        "asset_file_url": "",
        "scope": [],
        "scope_labels": [],
        "expires_on": None,
        "must_missed": criterion_fields(missed),
        "must_missed_criteria": missed,
        "must_missed_labels": [criterion_label(c, labels) for c in missed],
        "approval": None,
        "reference": None,
        "contact_title": "",
        "url": "",
        "note": "",
    }
    item.update(extra)
    return item


def approved_content(
    request, *, user=None, today: date | None = None, labels: dict | None = None
) -> list[dict]:
    """Approved quotes, case studies and videos of the content library (valid today, as the
    library shows them to ``user``) from the customers nearest to the request's must-haves:
    fewest must-haves missed first (a customer meets one when any of its active or resting
    references does), then expiring latest, then newest; at most ``CONTENT_PER_KIND`` of a kind
    and ``CONTENT_TOTAL`` in all. One query (and one per listed field naming a missed must-have)."""
    today = today or timezone.localdate()
    must = list(request.must or [])
    labels = _labels_read(must, labels)
    base = Approval.objects.visible_to(user) if user is not None else Approval.objects.all()
    assets = library_assets(base, status_given=False, on=today).filter(use__in=CONTENT_KINDS)
    catalog = ReferenceProfile.objects.in_catalog().filter(customer_id=OuterRef("customer_id"))
    flags = {f"must_{i}": Exists(catalog.filter(criterion_q(c))) for i, c in enumerate(must)}
    assets, first = _nearest_first(assets, flags)
    order = [*first, F("expires_on").desc(nulls_last=True), F("created_at").desc(), F("id").desc()]
    rows = (
        assets.annotate(kind_rank=Window(RowNumber(), partition_by=[F("use")], order_by=order))
        .filter(kind_rank__lte=CONTENT_PER_KIND)
        .order_by(*order)
        .values(
            "pk",
            "use",
            "customer_id",
            "customer__name",
            "title",
            "quote_text",
            "asset_url",
            "asset_file",
            "scope",
            "expires_on",
            *flags,
        )[:CONTENT_TOTAL]
    )
    uses, channels = dict(ApprovalUse.choices), dict(Channel.choices)
    result = []
    for row in rows:
        missed = _must_missed(row, must)
        name = uses[row["use"]]
        file_url = reverse("approval-file", args=[row["pk"], "asset"]) if row["asset_file"] else ""
        until = f"{row['expires_on']:%d %b %Y}" if row["expires_on"] else "no expiry"
        scope = list(row["scope"] or [])
        result.append(
            _item(
                row["use"],
                name,
                customer=(row["customer_id"], row["customer__name"]),
                missed=missed,
                labels=labels,
                title=row["title"],
                quote_text=row["quote_text"],
                asset_url=row["asset_url"],
                asset_file_url=file_url,
                scope=scope,
                scope_labels=[channels.get(s, s) for s in scope],
                expires_on=row["expires_on"],
                approval=row["pk"],
                url=reverse("approval-detail", args=[row["pk"]]),
                note=f"Approved {name.lower()} of {row['customer__name']}, valid until {until}. "
                + _misses_note(missed, labels),
            )
        )
    return result


def event_meetings(
    request, *, user=None, today: date | None = None, policy=None, labels: dict | None = None
) -> list[dict]:
    """References who would meet the prospect at an event and can be proposed for it now, one per
    customer, nearest to the must-haves first (the reference's own profile against each must-have,
    as the nearest misses read it), then the most recently validated; at most ``EVENT_MEETINGS``.
    Two queries (the activity type, the references; and one per listed field naming a missed
    must-have); none when the request is for an event meeting (its matches and nearest misses
    already are)."""
    if request.activity_type_id == EVENT_MEETING:
        return []
    activity = ActivityType.objects.filter(pk=EVENT_MEETING).first()
    if activity is None:
        return []
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    must = list(request.must or [])
    labels = _labels_read(must, labels)
    base = ReferenceProfile.objects.visible_to(user) if user is not None else ReferenceProfile.objects.all()
    qs = capacity.annotate(
        base.filter(
            FacetKeys([facet_key("activity", activity.pk)]),
            status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING),
        ),
        today=today,
        policy=policy,
        activity_type=activity,
        select=False,
    ).filter(capacity.askable_q(policy))
    flags = {
        f"must_{i}": ExpressionWrapper(criterion_q(c), output_field=BooleanField())
        for i, c in enumerate(must)
    }
    qs, first = _nearest_first(qs, flags)
    order = [*first, F("last_validated").desc(nulls_last=True), F("id").asc()]
    rows = (
        qs.annotate(customer_rank=Window(RowNumber(), partition_by=[F("customer_id")], order_by=order))
        .filter(customer_rank=1)
        .order_by(*order)
        .values("pk", "customer_id", "customer__name", "contact__title", *flags)[:EVENT_MEETINGS]
    )
    result = []
    for row in rows:
        missed = _must_missed(row, must)
        who = row["contact__title"] or "A reference"
        result.append(
            _item(
                EVENT_MEETING,
                activity.name,
                customer=(row["customer_id"], row["customer__name"]),
                missed=missed,
                labels=labels,
                title=row["contact__title"],
                contact_title=row["contact__title"],
                reference=row["pk"],
                url=reverse("profile-detail", args=[row["pk"]]),
                note=f"{who} at {row['customer__name']} would meet the prospect at an event. "
                + _misses_note(missed, labels),
            )
        )
    return result


def alternatives(request, *, user=None, today: date | None = None, policy=None) -> list[dict]:
    """Other ways to get the prospect a customer voice when supply is short, best first: approved
    content of the content library (quotes, case studies, videos, with their scope and expiry)
    from the customers nearest to the must-haves, then references who would meet the prospect at
    an event. Each item names the must-haves it misses (none: it meets them all) and links to
    the approval or the reference. ``user``: what the content library and the catalog let them
    see (``None``: everything). A fixed number of queries (three)."""
    today = today or timezone.localdate()
    labels: dict = {}  # value labels, read once per listed field for both kinds
    return [
        *approved_content(request, user=user, today=today, labels=labels),
        *event_meetings(request, user=user, today=today, policy=policy, labels=labels),
    ]


def _not_short() -> dict:
    return {"short": False, "reason": "", "message": "", "nearest_misses": [], "alternatives": []}


def supply_for_request(
    request, *, today: date | None = None, policy=None, matches: list[dict] | None = None, user=None
) -> dict:
    """Is supply short for this request? ``{"short", "reason", "message", "nearest_misses",
    "alternatives"}``. Short means no reference meets the must-haves, or none that does can be
    proposed now. ``user``: whose view of the content library and catalog the alternatives
    respect (``None``: everything)."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if matches is None:
        if any_can_be_proposed(request, policy=policy, today=today):
            return _not_short()
        matches = matches_for_request(request, today=today, policy=policy)
    if matches and any(m["available"] for m in matches):
        return _not_short()
    if not matches:
        reason = UnmetReason.NO_MATCH
        message = "No reference meets every must-have for this request."
    else:
        reason = UnmetReason.ALL_UNAVAILABLE
        message = (
            f"{len(matches)} reference(s) meet the must-haves, but every one is resting, stale or at its cap "
            "and cannot be proposed now."
        )
    return {
        "short": True,
        "reason": str(reason),
        "message": message,
        "nearest_misses": nearest_misses(request, today=today, policy=policy),
        "alternatives": alternatives(request, user=user, today=today, policy=policy),
    }
