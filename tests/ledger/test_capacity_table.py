"""One table over every case of "can this reference be asked now, for this activity"
(ledger.capacity), and proof that every place that answers it agrees on each row: the verdict in
Python, the same verdict in SQL, the catalog's "Available now" filter (page and API share the
FilterSet), the metrics' count of available references, the match list's ``available`` and the
reservation under lock.

The default policy: a contact may spend 6 points and a customer 8 in a 180-day window, 30 days of
rest after a live activity, stale after 180 days. A reference call weighs 2 points and is live; an
email weighs 1 and is not; a quote (public) weighs 1.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import capacity, services
from ledger.models import OverusePolicy, UsageEntry
from references.models import ActivityType, ReferenceProfile
from refprogram.errors import RuleViolation
from reporting.metrics.statements import inventory_stock
from requests_app import services as request_services
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

API = "/api/v1/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Each row: how the profile and its ledger look, the activity asked for, then the expected verdict
# for that activity (askable, reason codes in order, days until available_from or None) and
# whether it could be asked for anything it does (the catalog's "Available now" with no activity
# chosen, and the profile's ``capacity.available``).
#   ledger rows: (whose: "self" | "colleague", activity, points, days ago)
ROWS = {
    "active and fresh": (
        {},
        [],
        "call",
        (True, [], None),
        True,
    ),
    "resting on request": (
        {"status": "resting", "resting_reason": "request"},
        [],
        "call",
        (False, ["reference_unavailable"], None),
        False,
    ),
    "resting at its cap, the window has freed it": (
        {"status": "resting", "resting_reason": "cap"},
        [("self", "email", 6, 200)],
        "call",
        (True, [], None),
        True,
    ),
    "stale: validated 200 days ago": (
        {"validated_days_ago": 200},
        [],
        "call",
        (False, ["reference_stale"], None),
        False,
    ),
    "stale: customer health checked 200 days ago": (
        {"health_days_ago": 200},
        [],
        "call",
        (False, ["reference_stale"], None),
        False,
    ),
    "stale: never validated": (
        {"validated_days_ago": None},
        [],
        "call",
        (False, ["reference_stale"], None),
        False,
    ),
    "resting at its cap: 6 of 6 points used 10 days ago": (
        {"status": "resting", "resting_reason": "cap"},
        [("self", "email", 6, 10)],
        "call",
        # frees when the use leaves the 180-day window: 180 - 10 = 170 days from today
        (False, ["over_reference_cap"], 170),
        False,
    ),
    "customer at its cap through another contact": (
        {},
        [("colleague", "email", 8, 20)],
        "call",
        # 8 of 8 customer points; frees 180 - 20 = 160 days from today
        (False, ["over_customer_cap"], 160),
        False,
    ),
    "in the rest period after a live call 10 days ago": (
        {},
        [("self", "call", 2, 10)],
        "call",
        # 30 days of rest: 30 - 10 = 20 days from today
        (False, ["in_rest_period"], 20),
        False,  # the rest is from every ask, not only live ones: an email waits too
    ),
    "a call (2 points) is too heavy for the 1 point left": (
        {},
        [("self", "email", 5, 20)],
        "call",
        # 5 + 2 > 6; frees 180 - 20 = 160 days from today
        (False, ["over_reference_cap"], 160),
        True,  # an email (1 point) still fits: 5 + 1 <= 6
    ),
    "private only, asked for a public quote": (
        {"private_only": True, "activities": ["quote", "email"]},
        [],
        "quote",
        (False, ["private_only"], None),
        True,  # the email is private use
    ),
    "activity not offered": (
        {"activities": ["email"]},
        [],
        "call",
        (False, ["activity_not_offered"], None),
        True,
    ),
    "retired": (
        {"status": "retired"},
        [],
        "call",
        (False, ["reference_unavailable"], None),
        False,
    ),
    "vetting": (
        {"status": "vetting"},
        [],
        "call",
        (False, ["reference_unavailable"], None),
        False,
    ),
    "detractor: customer health -20": (
        {"health_score": -20},
        [],
        "call",
        (False, ["customer_detractor"], None),
        False,
    ),
    "health exactly 0: lukewarm, not a detractor": (
        {"health_score": 0},
        [],
        "call",
        (True, [], None),
        True,
    ),
    "no health score recorded: not a detractor": (
        {"health_score": None},
        [],
        "call",
        (True, [], None),
        True,
    ),
    "detractor in its rest period: no date frees it": (
        {"health_score": -1},
        [("self", "call", 2, 5)],
        "email",
        (False, ["customer_detractor", "in_rest_period"], None),
        False,
    ),
    "stale and in the rest period: both reasons, stale first": (
        {"validated_days_ago": 300},
        [("self", "call", 2, 5)],
        "call",
        (False, ["reference_stale", "in_rest_period"], None),
        False,
    ),
    "the person left the program (withdrew consent): asked for nothing, no date frees it": (
        {"left_program": True},
        [],
        "email",
        (False, ["consent_withdrawn"], None),
        False,
    ),
    "left the program and over its cap: both reasons, still no date": (
        {"left_program": True},
        [("self", "email", 6, 10)],
        "email",
        (False, ["consent_withdrawn", "over_reference_cap"], None),
        False,
    ),
}


def _profile(
    *,
    status="active",
    resting_reason="",
    validated_days_ago=10,
    health_days_ago=10,
    private_only=False,
    activities=("call", "email"),
    health_score=50,
    left_program=False,
):
    today = timezone.localdate()
    customer = CustomerFactory(
        health_updated=today - timedelta(days=health_days_ago), health_score=health_score
    )
    profile = ReferenceProfileFactory(
        contact=ContactFactory(customer=customer),
        customer=customer,
        status=status,
        resting_reason=resting_reason,
        private_only=private_only,
        last_validated=None if validated_days_ago is None else today - timedelta(days=validated_days_ago),
        activity_types=list(activities),
    )
    if left_program:  # their own "withdraw or leave" link (references.services.consent_withdraw)
        type(profile.contact).objects.filter(pk=profile.contact_id).update(left_program_at=timezone.now())
    return profile


def _use(profile, code, points, days_ago):
    UsageEntry.objects.create(
        reference=profile,
        customer_id=profile.customer_id,
        activity_type=ActivityType.objects.get(code=code),
        status="done",
        points=points,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("row", list(ROWS))
def test_every_answer_to_can_it_be_asked_agrees(row, api_as, manager, sales):
    setup, uses, code, (askable, reasons, frees_in), for_anything = ROWS[row]
    today, policy = timezone.localdate(), OverusePolicy.current()
    profile = _profile(**setup)
    colleague = None
    for whose, activity, points, days_ago in uses:
        if whose == "colleague" and colleague is None:
            colleague = ReferenceProfileFactory(
                contact=ContactFactory(customer=profile.customer), customer=profile.customer
            )
        _use(profile if whose == "self" else colleague, activity, points, days_ago)
    activity_type = ActivityType.objects.get(code=code)
    client = api_as(manager)

    # The verdict, in Python and in SQL, over the one annotation.
    annotated = capacity.annotate(
        ReferenceProfile.objects.filter(pk=profile.pk),
        today=today,
        policy=policy,
        activity_type=activity_type,
    )
    verdict = capacity.verdict(annotated.values(*capacity.COLUMNS).get(), policy=policy)
    expected_from = None if frees_in is None else today + timedelta(days=frees_in)
    assert (verdict.askable, list(verdict.reasons), verdict.available_from) == (
        askable,
        reasons,
        expected_from,
    )
    assert annotated.filter(capacity.askable_q(policy)).exists() is askable
    # The same columns read for a batch at once (grouped over the ledger), as the match list does.
    batch = capacity.columns_for([profile.pk], today=today, policy=policy, activity_type=activity_type)
    assert {k: batch[profile.pk][k] for k in capacity.COLUMNS} == annotated.values(*capacity.COLUMNS).get()

    # The catalog: "Available now" for this activity, and for anything it does.
    listed = client.get(f"{API}references/?available=true&activity_type={code}&page_size=100").json()
    assert (profile.pk in {r["id"] for r in listed["results"]}) is askable
    listed = client.get(f"{API}references/?available=false&page_size=100").json()
    assert (profile.pk in {r["id"] for r in listed["results"]}) is not for_anything
    listed = client.get(f"{API}references/?available=true&page_size=100").json()
    assert (profile.pk in {r["id"] for r in listed["results"]}) is for_anything
    detail = client.get(f"{API}references/{profile.pk}/").json()
    assert detail["capacity"]["available"] is for_anything
    # The program metrics count it among the available inventory (their one statement).
    stock = inventory_stock(
        today, policy, profiles=ReferenceProfile.objects.filter(pk=profile.pk).values("pk")
    )
    assert stock.total("available") == (1 if for_anything else 0)

    # The match list of a request for this activity (a reference it does not list is not available).
    request, _ = request_services.request_submit(
        requester=sales,
        data={
            "activity_type": activity_type,
            "prospect_name": "Prospect Inc",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    matches = client.get(f"{API}requests/{request.pk}/matches/?limit=100").json()
    in_matches = {m["reference"]["id"]: m["available"] for m in matches}
    assert in_matches.get(profile.pk, False) is askable
    for match in matches:  # the reference's capacity in a match is for the request's activity
        assert match["reference"]["capacity"]["available"] is match["available"]

    # The reservation, under lock: succeeds, or refuses with the first reason.
    try:
        entry = services.capacity_reserve(
            reference=profile, activity_type=activity_type, actor=manager, source=f"table:{profile.pk}"
        )
    except RuleViolation as refused:
        assert not askable and refused.code == reasons[0]
    else:
        assert askable and entry.points == activity_type.weight
