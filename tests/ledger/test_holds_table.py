"""Every kind of hold × "can this reference be proposed": one table, and every place that answers
agrees on each row (the verdict in Python and in SQL, the batch columns the match list reads, the
catalog's "Available now", the metrics' available count, the match list and the proposal, 409
``on_hold``).

The default policy: 6 points per contact and 8 per customer in 180 days, 30 days of rest after a
live activity; a reference call weighs 2 points and is live, an email 1. Automatic holds: 60 days
before a renewal, and below health 20.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import capacity, holds
from ledger.models import Hold, OverusePolicy, UsageEntry
from references.models import ActivityType, ReferenceProfile
from reporting.metrics.statements import inventory_stock
from requests_app import services as request_services
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

API = "/api/v1/"


# Each row: the hold(s) to set (a function of profile, colleague, manager, today), ledger use
# (points, days ago) of the profile, then for a call: askable, reasons in order, days until
# available_from (None: no date frees it).
ROWS = {
    "no hold": (
        lambda p, c, m, t: None,
        [],
        (True, [], None),
    ),
    "manual hold on the reference, 10 days": (
        lambda p, c, m, t: holds.hold_create(
            actor=m, reference=p, reason="Escalation open", ends_on=t + timedelta(days=10)
        ),
        [],
        (False, ["on_hold"], 11),
    ),
    "manual hold on the whole customer, 5 days (M&A quiet period)": (
        lambda p, c, m, t: holds.hold_create(
            actor=m, customer=p.customer, reason="M&A quiet period", ends_on=t + timedelta(days=5)
        ),
        [],
        (False, ["on_hold"], 6),
    ),
    "manual hold on a colleague at the same customer only": (
        lambda p, c, m, t: holds.hold_create(
            actor=m, reference=c, reason="Escalation open", ends_on=t + timedelta(days=10)
        ),
        [],
        (True, [], None),
    ),
    "manual hold that starts in 3 days": (
        lambda p, c, m, t: holds.hold_create(
            actor=m,
            reference=p,
            reason="Quiet period",
            starts_on=t + timedelta(days=3),
            ends_on=t + timedelta(days=10),
        ),
        [],
        (True, [], None),
    ),
    "manual hold ending today (its last day)": (
        lambda p, c, m, t: holds.hold_create(actor=m, reference=p, reason="Escalation open", ends_on=t),
        [],
        (False, ["on_hold"], 1),
    ),
    "manual hold that ended yesterday": (
        lambda p, c, m, t: Hold.objects.create(
            reference=p, reason="Old", starts_on=t - timedelta(days=9), ends_on=t - timedelta(days=1)
        ),
        [],
        (True, [], None),
    ),
    "manual hold ended early today": (
        lambda p, c, m, t: holds.hold_end(
            hold=holds.hold_create(actor=m, reference=p, reason="Escalation", ends_on=t + timedelta(days=9)),
            actor=m,
        ),
        [],
        (True, [], None),
    ),
    "the reference said: ask me again after 20 days": (
        lambda p, c, m, t: holds.hold_from_reference_answer(
            reference=p, until=t + timedelta(days=20), source="table:answer"
        ),
        [],
        (False, ["on_hold"], 21),
    ),
    "renewal in 30 days (automatic, until marked done)": (
        lambda p, c, m, t: _renewal(p, t, days=30),
        [],
        (False, ["on_hold"], None),
    ),
    "renewal in 90 days: not yet": (
        lambda p, c, m, t: _renewal(p, t, days=90),
        [],
        (True, [], None),
    ),
    "health 10, below 20 (automatic, until health recovers)": (
        lambda p, c, m, t: _health(p, t, score=10),
        [],
        (False, ["on_hold"], None),
    ),
    "health 20, not below 20": (
        lambda p, c, m, t: _health(p, t, score=20),
        [],
        (True, [], None),
    ),
    "two holds: the later end date frees it": (
        lambda p, c, m, t: [
            holds.hold_create(actor=m, reference=p, reason="Escalation", ends_on=t + timedelta(days=4)),
            holds.hold_create(actor=m, customer=p.customer, reason="Quiet", ends_on=t + timedelta(days=12)),
        ],
        [],
        (False, ["on_hold"], 13),
    ),
    "a dated hold and an automatic one: no date frees it": (
        lambda p, c, m, t: [
            holds.hold_create(actor=m, reference=p, reason="Escalation", ends_on=t + timedelta(days=4)),
            _renewal(p, t, days=10),
        ],
        [],
        (False, ["on_hold"], None),
    ),
    "on hold 40 days and at its cap, which frees in 80 days": (
        lambda p, c, m, t: holds.hold_create(
            actor=m, reference=p, reason="Escalation", ends_on=t + timedelta(days=40)
        ),
        [(6, 100)],
        (False, ["on_hold", "over_reference_cap"], 80),
    ),
    "on hold 40 days and at its cap, but renewal-held too": (
        lambda p, c, m, t: [
            holds.hold_create(actor=m, reference=p, reason="Escalation", ends_on=t + timedelta(days=40)),
            _renewal(p, t, days=1),
        ],
        [(6, 100)],
        (False, ["on_hold", "over_reference_cap"], None),
    ),
}


def _renewal(profile, today, *, days):
    customer = profile.customer
    customer.renewal_date = today + timedelta(days=days)
    customer.save()
    holds.holds_sync(today=today, customer_ids=[customer.pk])


def _health(profile, today, *, score):
    customer = profile.customer
    customer.health_score = score
    customer.save()
    holds.holds_sync(today=today, customer_ids=[customer.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("row", list(ROWS))
def test_every_hold_kind_against_can_it_be_proposed(row, api_as, manager, sales):
    put_on_hold, uses, (askable, reasons, frees_in) = ROWS[row]
    today, policy = timezone.localdate(), OverusePolicy.current()
    customer = CustomerFactory(health_score=50)
    profile = ReferenceProfileFactory(
        contact=ContactFactory(customer=customer),
        customer=customer,
        last_validated=today - timedelta(days=10),
        activity_types=["call", "email"],
    )
    colleague = ReferenceProfileFactory(contact=ContactFactory(customer=customer), customer=customer)
    for points, days_ago in uses:
        UsageEntry.objects.create(
            reference=profile,
            customer=customer,
            activity_type=ActivityType.objects.get(code="email"),
            status="done",
            points=points,
            occurred_on=today - timedelta(days=days_ago),
        )
    put_on_hold(profile, colleague, manager, today)
    call = ActivityType.objects.get(code="call")

    # The verdict, in Python and in SQL, over the one annotation; the batch columns agree.
    annotated = capacity.annotate(
        ReferenceProfile.objects.filter(pk=profile.pk), today=today, policy=policy, activity_type=call
    )
    columns = annotated.values(*capacity.COLUMNS).get()
    verdict = capacity.verdict(columns, policy=policy)
    expected_from = None if frees_in is None else today + timedelta(days=frees_in)
    assert (verdict.askable, list(verdict.reasons), verdict.available_from) == (
        askable,
        reasons,
        expected_from,
    )
    assert annotated.filter(capacity.askable_q(policy)).exists() is askable
    batch = capacity.columns_for([profile.pk], today=today, policy=policy, activity_type=call)
    assert {k: batch[profile.pk][k] for k in capacity.COLUMNS} == columns

    # The catalog ("Available now", for the call and for anything), the profile's capacity.
    client = api_as(manager)
    listed = client.get(f"{API}references/?available=true&activity_type=call&page_size=100").json()
    assert (profile.pk in {r["id"] for r in listed["results"]}) is askable
    detail = client.get(f"{API}references/{profile.pk}/").json()
    assert detail["capacity"]["on_hold"] is ("on_hold" in reasons)
    if not uses:  # with nothing else in the way, "for anything" is the same answer
        assert detail["capacity"]["available"] is askable
        stock = inventory_stock(
            today, policy, profiles=ReferenceProfile.objects.filter(pk=profile.pk).values("pk")
        )
        assert stock.total("available") == (1 if askable else 0)

    # The match list and the proposal.
    request, _ = request_services.request_submit(
        requester=sales,
        data={
            "activity_type": call,
            "prospect_name": "Prospect Inc",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    matches = client.get(f"{API}requests/{request.pk}/matches/?limit=100").json()
    assert {m["reference"]["id"]: m["available"] for m in matches}.get(profile.pk, False) is askable
    proposed = client.post(
        f"{API}requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json"
    )
    if askable:
        assert proposed.status_code == 201, proposed.content
    else:
        assert proposed.status_code == 409
        assert proposed.json()["code"] == reasons[0]
