"""Reserving a reference's capacity: caps over the rolling window, weights, rest periods,
overrides, declined and withdrawn asks."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from ledger import services
from ledger.models import UsageEntry
from references.models import ProfileEvent, ReferenceProfile
from refprogram.errors import RuleViolation
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

TYPES = ["call", "email", "quote", "press_release", "site_visit", "award_nomination"]


@pytest.fixture
def profile(db):
    return ReferenceProfileFactory(activity_types=TYPES)


def reserve(profile, activity, actor, source, **kw):
    return services.capacity_reserve(
        reference=profile, activity_type=activity, actor=actor, source=source, **kw
    )


def refused_code(call) -> str:
    with pytest.raises(RuleViolation) as exc:
        call()
    return exc.value.code


def test_reservation_writes_one_reserved_ledger_row_with_the_weight(profile, manager, activity, today):
    entry = reserve(profile, activity("press_release"), manager, "candidate:1", request_ref=77)

    row = UsageEntry.objects.get()
    assert row.pk == entry.pk
    assert (row.status, row.points, row.occurred_on, row.request_ref) == ("reserved", 6, today, 77)
    assert (row.reference_id, row.customer_id, row.asked_by_id) == (
        profile.pk,
        profile.customer_id,
        manager.pk,
    )
    assert row.override is False


def test_same_source_twice_is_counted_once(profile, manager, activity):
    first = reserve(profile, activity("email"), manager, "candidate:9")
    again = reserve(profile, activity("email"), manager, "candidate:9")

    assert again.pk == first.pk
    assert UsageEntry.objects.count() == 1


def test_same_source_for_another_reference_is_refused(profile, manager, activity):
    reserve(profile, activity("email"), manager, "candidate:9")
    other = ReferenceProfileFactory(activity_types=TYPES)

    assert refused_code(lambda: reserve(other, activity("email"), manager, "candidate:9")) == "source_in_use"


@pytest.mark.parametrize(
    ("days_ago", "counts"),
    [(179, True), (180, False)],
    ids=["1-day-inside-window", "1-day-outside-window"],
)
def test_rolling_window_edges(profile, manager, activity, ledger, days_ago, counts):
    """The window is the last 180 days: a use 179 days ago still counts, one 180 days ago no longer."""
    ledger(profile, "press_release", days_ago=days_ago)  # 6 points: the whole contact cap

    if counts:
        code = refused_code(lambda: reserve(profile, activity("email"), manager, "s1"))
        assert code == "over_reference_cap"
        assert UsageEntry.objects.count() == 1
    else:
        reserve(profile, activity("email"), manager, "s1")
        assert UsageEntry.objects.count() == 2


def test_weights_decide_what_still_fits(profile, manager, activity, ledger):
    ledger(profile, "email", days_ago=5, points=4)  # 4 of 6 points used

    assert (
        refused_code(lambda: reserve(profile, activity("site_visit"), manager, "s1")) == "over_reference_cap"
    )
    entry = reserve(profile, activity("award_nomination"), manager, "s2")  # weight 2: exactly fits
    assert entry.points == 2
    assert refused_code(lambda: reserve(profile, activity("email"), manager, "s3")) == "over_reference_cap"


def test_new_weight_applies_to_new_asks_only(profile, manager, activity, ledger):
    old = ledger(profile, "email", days_ago=5)
    email = activity("email")
    services.activity_type_update(actor=manager, activity_type=email, weight=3)

    entry = reserve(profile, email, manager, "s1")

    old.refresh_from_db()
    assert (old.points, entry.points) == (1, 3)


def test_customer_cap_counts_all_contacts_together(manager, activity, ledger):
    customer = CustomerFactory()
    first = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=TYPES)
    second = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=TYPES)
    ledger(first, "email", days_ago=3, points=4)
    ledger(second, "email", days_ago=3, points=3)  # customer at 7 of 8

    reserve(second, activity("email"), manager, "s1")  # 8 of 8
    code = refused_code(lambda: reserve(first, activity("email"), manager, "s2"))

    assert code == "over_customer_cap"


@pytest.mark.parametrize(("days_ago", "resting"), [(29, True), (30, False)])
def test_rest_period_after_a_live_activity(profile, manager, activity, ledger, days_ago, resting):
    ledger(profile, "call", days_ago=days_ago)  # live, 2 points

    if resting:
        assert refused_code(lambda: reserve(profile, activity("email"), manager, "s1")) == "in_rest_period"
    else:
        assert reserve(profile, activity("email"), manager, "s1").status == "reserved"


def test_a_non_live_activity_starts_no_rest(profile, manager, activity, ledger):
    ledger(profile, "quote", days_ago=1)
    assert reserve(profile, activity("email"), manager, "s1").status == "reserved"


def test_declined_asks_still_count(profile, manager, activity):
    entry = reserve(profile, activity("press_release"), manager, "s1")
    services.usage_transition(entry=entry, to="asked", actor=manager)
    services.usage_transition(entry=entry, to="declined", actor=manager, note="Too busy this quarter")

    assert refused_code(lambda: reserve(profile, activity("email"), manager, "s2")) == "over_reference_cap"
    profile.refresh_from_db()
    assert profile.capacity()["used"] == 6


def test_reaching_the_cap_rests_the_reference_and_withdrawing_wakes_it(profile, manager, activity):
    entry = reserve(profile, activity("press_release"), manager, "s1")

    profile.refresh_from_db()
    assert (profile.status, profile.resting_reason) == ("resting", "cap")
    assert ProfileEvent.objects.filter(profile=profile, to_status="resting").count() == 1

    services.usage_transition(entry=entry, to="withdrawn", actor=manager)

    profile.refresh_from_db()
    assert (profile.status, profile.resting_reason) == ("active", "")
    assert (
        ProfileEvent.objects.filter(profile=profile, from_status="resting", to_status="active").count() == 1
    )
    assert reserve(profile, activity("press_release"), manager, "s2").status == "reserved"


def test_customer_cap_rests_every_contact_of_the_customer(manager, activity, ledger):
    customer = CustomerFactory()
    a = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=TYPES)
    b = ReferenceProfileFactory(contact=ContactFactory(customer=customer), activity_types=TYPES)
    elsewhere = ReferenceProfileFactory(activity_types=TYPES)
    ledger(a, "email", days_ago=3, points=2)

    reserve(b, activity("press_release"), manager, "s1")  # customer: 8 of 8

    statuses = dict(ReferenceProfile.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "resting", b.pk: "resting", elsewhere.pk: "active"}


def test_invalid_ledger_transitions_are_refused(profile, manager, activity):
    entry = reserve(profile, activity("email"), manager, "s1")

    assert refused_code(lambda: services.usage_transition(entry=entry, to="done", actor=manager)) == (
        "invalid_transition"
    )
    services.usage_transition(entry=entry, to="withdrawn", actor=manager)
    assert refused_code(lambda: services.usage_transition(entry=entry, to="asked", actor=manager)) == (
        "invalid_transition"
    )


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"status": "retired"}, "reference_unavailable"),
        ({"status": "vetting"}, "reference_unavailable"),
        ({"status": "resting", "resting_reason": "request"}, "reference_unavailable"),
        ({"last_validated_days_ago": 181}, "reference_stale"),
        ({"health_days_ago": 200}, "reference_stale"),
    ],
)
def test_references_that_cannot_be_asked(profile, manager, activity, today, setup, code):
    setup = dict(setup)
    if "last_validated_days_ago" in setup:
        profile.last_validated = today - timedelta(days=setup.pop("last_validated_days_ago"))
    if "health_days_ago" in setup:
        profile.customer.health_updated = today - timedelta(days=setup.pop("health_days_ago"))
        profile.customer.save()
    for field, value in setup.items():
        setattr(profile, field, value)
    profile.save()

    assert refused_code(lambda: reserve(profile, activity("email"), manager, "s1")) == code
    assert UsageEntry.objects.count() == 0


def test_an_activity_the_reference_does_not_do_is_refused(manager, activity):
    profile = ReferenceProfileFactory(activity_types=["call"])
    assert (
        refused_code(lambda: reserve(profile, activity("site_visit"), manager, "s1"))
        == "activity_not_offered"
    )


def test_manager_override_with_a_reason_is_recorded(profile, manager, activity, ledger):
    ledger(profile, "press_release", days_ago=10)

    entry = reserve(
        profile, activity("email"), manager, "s1", override_reason="CEO-to-CEO ask, customer agreed"
    )

    assert entry.override is True
    assert entry.override_reason == "CEO-to-CEO ask, customer agreed"
    assert UsageEntry.objects.filter(override=True).count() == 1


def test_override_also_lifts_the_rest_period_and_reaches_a_reference_resting_at_its_cap(
    profile, manager, activity, ledger, today
):
    ledger(profile, "call", days_ago=2)
    ledger(profile, "email", days_ago=2, points=4)
    services.profiles_rest_at_cap(today=today)
    profile.refresh_from_db()
    assert profile.status == "resting"

    entry = reserve(
        profile, activity("email"), manager, "s1", override_reason="Board member asked personally"
    )

    assert entry.override is True
    profile.refresh_from_db()
    assert (profile.status, profile.resting_reason) == ("resting", "cap")


def test_override_without_a_reason_is_refused(profile, manager, activity, ledger):
    ledger(profile, "press_release", days_ago=10)

    assert refused_code(lambda: reserve(profile, activity("email"), manager, "s1", override=True)) == (
        "override_reason_required"
    )
    # A blank reason is no reason: the cap applies.
    assert refused_code(lambda: reserve(profile, activity("email"), manager, "s1", override_reason="  ")) == (
        "over_reference_cap"
    )
    assert UsageEntry.objects.count() == 1


@pytest.mark.parametrize("role", ["sales", "marketing", "executive", "admin"])
def test_only_a_manager_may_override(profile, users, activity, ledger, role):
    ledger(profile, "press_release", days_ago=10)

    with pytest.raises(PermissionDenied):
        reserve(profile, activity("email"), users[role], "s1", override_reason="Please")
    assert UsageEntry.objects.count() == 1


def test_override_cannot_reach_a_retired_reference(profile, manager, activity):
    profile.status = "retired"
    profile.save()

    code = refused_code(lambda: reserve(profile, activity("email"), manager, "s1", override_reason="Urgent"))
    assert code == "reference_unavailable"


def test_an_override_nobody_needed_is_an_ordinary_ask(profile, manager, activity):
    entry = reserve(profile, activity("email"), manager, "s1", override_reason="Just in case")
    assert (entry.override, entry.override_reason) == (False, "")


def test_usage_record_books_an_ask_made_outside_a_request(profile, manager, activity):
    entry = services.usage_record(
        reference=profile, activity_type=activity("email"), actor=manager, status="declined", note="By phone"
    )
    assert entry.status == "declined"
    assert entry.source.startswith("manual:")
    assert profile.capacity()["used"] == 1
