"""Capacity reservations cannot be raced: 20 managers clicking at the same moment, real threads,
each with its own database connection (row locks, ``select_for_update``)."""

import threading

import pytest
from django.db import connections

from ledger import services
from ledger.models import UsageEntry
from references.models import ActivityType, ReferenceProfile
from refprogram.errors import RuleViolation
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("shipped_lists"),
]

THREADS = 20


def race(attempts):
    """Run ``attempts`` (callables) at once in real threads; return (successes, refusal codes)."""
    barrier = threading.Barrier(len(attempts))
    results, lock = [], threading.Lock()

    def run(attempt):
        try:
            barrier.wait(timeout=30)
            try:
                outcome = ("ok", attempt().pk)
            except RuleViolation as exc:
                outcome = ("refused", exc.code)
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                outcome = ("error", repr(exc))
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(attempts), "a thread did not finish"
    assert [r for r in results if r[0] == "error"] == []
    return [r[1] for r in results if r[0] == "ok"], [r[1] for r in results if r[0] == "refused"]


def test_twenty_managers_race_for_a_reference_with_room_for_two():
    manager = UserFactory(role="manager")
    profile = ReferenceProfileFactory(activity_types=["email"])
    email = ActivityType.objects.get(code="email")  # 1 point
    UsageEntry.objects.create(
        reference=profile,
        customer=profile.customer,
        activity_type=email,
        points=4,
        status="done",
        occurred_on=profile.last_validated,
    )  # 4 of 6 points used: room for exactly two emails

    attempts = [
        (
            lambda i=i: services.capacity_reserve(
                reference=profile, activity_type=email, actor=manager, source=f"race:{i}"
            )
        )
        for i in range(THREADS)
    ]
    ok, refused = race(attempts)

    assert len(ok) == 2
    assert refused == ["over_reference_cap"] * (THREADS - 2)
    assert UsageEntry.objects.filter(source__startswith="race:").count() == 2
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "resting"


def test_twenty_managers_race_for_two_contacts_of_one_customer():
    manager = UserFactory(role="manager")
    customer = CustomerFactory()
    first = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=["email"])
    second = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=["email"])
    email = ActivityType.objects.get(code="email")
    for profile in (first, second):
        UsageEntry.objects.create(
            reference=profile,
            customer=customer,
            activity_type=email,
            points=3,
            status="done",
            occurred_on=profile.last_validated,
        )  # each contact 3 of 6, the customer 6 of 8: room for exactly two emails in total

    attempts = [
        (
            lambda i=i: services.capacity_reserve(
                reference=(first, second)[i % 2], activity_type=email, actor=manager, source=f"race:{i}"
            )
        )
        for i in range(THREADS)
    ]
    ok, refused = race(attempts)

    assert len(ok) == 2
    assert refused == ["over_customer_cap"] * (THREADS - 2)
    assert UsageEntry.objects.filter(source__startswith="race:").count() == 2
    assert set(ReferenceProfile.objects.filter(customer=customer).values_list("status", flat=True)) == {
        "resting"
    }
