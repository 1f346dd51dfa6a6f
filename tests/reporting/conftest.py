"""A small hand-made program whose right answers are worked out by hand in the tests.

The period under test is March 2025 (``from=2025-03-01&to=2025-03-31``, 31 days); the previous
period is 2025-01-29 … 2025-02-28. Timestamps are set explicitly (UTC). Inventory figures that
depend on "today" (stale, near or at cap, approvals expiring) are set relative to today.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from approvals.models import Approval
from ledger.models import UsageEntry
from references.models import ActivityType, Industry, ProfileEvent, Region
from reporting.models import StrategicTarget
from requests_app.models import Candidate, Request, UnmetDemand
from tests.factories import (
    CustomerFactory,
    NominationFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UserFactory,
)

MARCH = "from=2025-03-01&to=2025-03-31"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(y, m, d, h=0, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def make_request(
    requester,
    *,
    created,
    status="submitted",
    closed=None,
    needed_by=None,
    activity="call",
    industry=None,
    region=None,
    reason="",
    products=(),
    **extra,
) -> Request:
    """A request straight into the table, with explicit timestamps."""
    activity_type = ActivityType.objects.get(code=activity)
    needed_by = needed_by or created + timedelta(days=30)
    if status in ("cancelled", "unfulfilled") and not reason:
        reason = "Closed in the test."
    request = Request.objects.create(
        requester=requester,
        activity_type=activity_type,
        prospect_name="Prospect",
        prospect_industry=Industry.objects.get(code=industry) if industry else None,
        prospect_region=Region.objects.get(code=region) if region else None,
        needed_by=needed_by,
        start_by=needed_by - timedelta(days=activity_type.lead_time_days),
        status=status,
        closed_at=closed,
        closed_reason=reason,
        created_at=created,
        **extra,
    )
    if products:
        request.products.set(products)
    return request


def ledger(profile, day, *, points=2, activity="call", status="done", override=False) -> UsageEntry:
    return UsageEntry.objects.create(
        reference=profile,
        customer=profile.customer,
        activity_type=ActivityType.objects.get(code=activity),
        points=points,
        status=status,
        occurred_on=day,
        override=override,
        override_reason="Board asked for it." if override else "",
    )


@pytest.fixture
def program(db, users):
    today = timezone.localdate()
    sales = users["sales"]
    finance, healthcare, retail = (
        CustomerFactory(industry=Industry.objects.get(code=c)) for c in ("finance", "healthcare", "retail")
    )
    console = ProductFactory(name="Console", product_line="Management")
    sentinel = ProductFactory(name="Sentinel", product_line="Security")

    # Inventory: P1, P2 finance (fresh, active), P3 healthcare (active but stale), P4 retail
    # (active), P5 finance resting at its cap, P6 retired, P7 nominated. All in EMEA.
    p1 = ReferenceProfileFactory(contact__customer=finance, products=[console])
    p2 = ReferenceProfileFactory(
        contact__customer=CustomerFactory(industry=Industry.objects.get(code="finance"))
    )
    p3 = ReferenceProfileFactory(contact__customer=healthcare, last_validated=today - timedelta(days=400))
    p4 = ReferenceProfileFactory(contact__customer=retail)
    p5 = ReferenceProfileFactory(
        contact__customer=CustomerFactory(industry=Industry.objects.get(code="finance")),
        status="resting",
        resting_reason="cap",
    )
    p6 = ReferenceProfileFactory(status="retired")
    ReferenceProfileFactory(status="nominated")

    # Requests (see test_metrics.py for the sums).
    r1 = make_request(
        sales,
        created=at(2025, 3, 2, 10),
        status="fulfilled",
        closed=at(2025, 3, 4, 10),
        needed_by=at(2025, 3, 5),
        industry="finance",
        rating=5,
        outcome_result="won",
        outcome_amount=Decimal("100000"),
        outcome_reported_at=at(2025, 3, 10),
    )
    r2 = make_request(
        sales,
        created=at(2025, 3, 5),
        status="fulfilled",
        closed=at(2025, 3, 9),
        needed_by=at(2025, 3, 8),
        industry="finance",
        rating=3,
        outcome_result="lost",
        outcome_reported_at=at(2025, 3, 12),
    )
    r3 = make_request(
        sales,
        created=at(2025, 3, 10),
        status="fulfilled",
        closed=at(2025, 3, 20),
        needed_by=at(2025, 3, 25),
        industry="finance",
        rating=4,
        outcome_result="won",
        opportunity_amount=Decimal("50000"),
        outcome_reported_at=at(2025, 3, 25),
    )
    r4 = make_request(
        sales,
        created=at(2025, 3, 1),
        status="fulfilled",
        closed=at(2025, 3, 31, 12),
        needed_by=at(2025, 4, 30),
        activity="case_study",
        industry="healthcare",
        outcome_result="won",
        outcome_amount=Decimal("20000"),
        outcome_reported_at=at(2025, 4, 5),
    )
    # Received in the previous period, fulfilled in this one.
    make_request(
        sales, created=at(2025, 2, 20), status="fulfilled", closed=at(2025, 3, 3), needed_by=at(2025, 3, 1)
    )
    r6 = make_request(
        sales,
        created=at(2025, 3, 12),
        status="unfulfilled",
        closed=at(2025, 3, 15),
        industry="healthcare",
        region="emea",
        products=[sentinel],
        rating=1,
        outcome_result="won",
        outcome_amount=Decimal("999999"),
        outcome_reported_at=at(2025, 3, 20),
    )
    UnmetDemand.objects.create(
        request=r6,
        activity_type_id="call",
        industry_id="healthcare",
        region_id="emea",
        product=sentinel,
        reason="no_match",
        created_at=at(2025, 3, 14),
    )
    make_request(sales, created=at(2025, 3, 13), status="unfulfilled", closed=at(2025, 3, 16))
    make_request(sales, created=at(2025, 3, 14), status="cancelled", closed=at(2025, 3, 15))
    # Received in this period, fulfilled in the next.
    r9 = make_request(sales, created=at(2025, 3, 30), status="fulfilled", closed=at(2025, 4, 2), rating=2)
    make_request(sales, created=at(2025, 3, 20))
    for r in (r1, r2, r3, r4):
        Candidate.objects.create(request=r, reference=p1, state="completed")

    # The ledger in March: P1 reaches its cap of 6 points on the 9th, is asked again on the 10th
    # with an override (8 points) and on the 11th without one (10 points: an over-ask).
    for day in (3, 5, 9):
        ledger(p1, date(2025, 3, day))
    ledger(p1, date(2025, 3, 10), override=True)
    ledger(p1, date(2025, 3, 11))
    ledger(p1, date(2025, 3, 12), status="withdrawn")
    ledger(p2, date(2025, 3, 15))
    ledger(p2, date(2025, 2, 10))
    # Today's capacity: P2 at its cap (3 × 2 points), P4 near it (5 of 6 points).
    for back in (5, 6, 7):
        ledger(p2, today - timedelta(days=back), activity="email")
    ledger(p4, today - timedelta(days=3), activity="email", points=5)

    ProfileEvent.objects.create(
        profile=p1, from_status="vetting", to_status="active", created_at=at(2025, 3, 3)
    )
    ProfileEvent.objects.create(
        profile=p6, from_status="active", to_status="retired", created_at=at(2025, 3, 20)
    )
    ProfileEvent.objects.create(
        profile=p4, from_status="vetting", to_status="active", created_at=at(2025, 2, 15)
    )

    nominator = UserFactory(username="nominator", role="sales")
    for source, status, when in (
        ("sales", "submitted", at(2025, 3, 5)),
        ("sales", "accepted", at(2025, 3, 6)),
        ("community", "rejected", at(2025, 3, 7)),
        ("community", "vetting", at(2025, 3, 8)),
        ("sales", "submitted", at(2025, 1, 15)),
    ):
        NominationFactory(
            source=source,
            status=status,
            created_at=when,
            nominated_by=nominator,
            rejection_reason="Not a fit." if status == "rejected" else "",
        )

    for status, expires, decided in (
        ("requested", None, None),
        ("in_review", None, None),
        ("approved", today + timedelta(days=10), None),
        ("approved", today + timedelta(days=100), None),
        ("declined", None, at(2025, 3, 10)),
        ("declined", None, at(2025, 5, 1)),
    ):
        Approval.objects.create(
            customer=finance, use="logo", status=status, expires_on=expires, decided_at=decided
        )

    StrategicTarget.objects.create(dimension="industry", value="finance", target_share=Decimal("50"))
    StrategicTarget.objects.create(dimension="product_line", value="Management", target_share=Decimal("75"))
    StrategicTarget.objects.create(dimension="region", value="apac", target_share=Decimal("10"))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "r9": r9}
