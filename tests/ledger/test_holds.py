"""Holds: the nightly checks start and end the automatic ones idempotently, a customer's change
lifts them at once, the match list explains them, and the API (``holds/``) answers 201, 400, 403,
404 and 409 as the contract says, with the number of queries pinned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger import holds
from ledger.models import Hold, OverusePolicy
from references.services import inventory
from refprogram import nightly
from requests_app import services as request_services
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory

API = "/api/v1/"
pytestmark = pytest.mark.django_db


def _reference(customer=None, **customer_fields):
    customer = customer or CustomerFactory(**{"health_score": 50, **customer_fields})
    return ReferenceProfileFactory(
        contact=ContactFactory(customer=customer),
        customer=customer,
        last_validated=timezone.localdate() - timedelta(days=5),
        activity_types=["call", "email"],
    )


def _open_holds():
    return sorted(
        Hold.objects.filter(lifted_on__isnull=True).values_list(
            "customer__name", "kind", "reason", "starts_on"
        )
    )


# --- The nightly checks ------------------------------------------------------------------------


def test_nightly_starts_and_ends_automatic_holds_and_a_second_run_changes_nothing(today):
    CustomerFactory(name="Renews in 30 days", renewal_date=today + timedelta(days=30))
    CustomerFactory(name="Renews in 60 days", renewal_date=today + timedelta(days=60))
    CustomerFactory(name="Renews in 61 days", renewal_date=today + timedelta(days=61))
    CustomerFactory(name="Renewal past, not done", renewal_date=today - timedelta(days=3))
    CustomerFactory(name="Health 19", health_score=19)
    CustomerFactory(name="Health 20", health_score=20)
    CustomerFactory(name="No health score", health_score=None)

    first = nightly.run_all(today=today, only=["automatic_holds"])
    assert first == {"automatic_holds": {"started": 4, "ended": 0}}
    after_first = _open_holds()
    assert after_first == [
        ("Health 19", "health", "Customer health 19 is below 20", today),
        (
            "Renewal past, not done",
            "renewal",
            f"Renewal on {today - timedelta(days=3)}: not asked until the renewal is done",
            today,
        ),
        (
            "Renews in 30 days",
            "renewal",
            f"Renewal on {today + timedelta(days=30)}: not asked until the renewal is done",
            today,
        ),
        (
            "Renews in 60 days",
            "renewal",
            f"Renewal on {today + timedelta(days=60)}: not asked until the renewal is done",
            today,
        ),
    ]
    history_rows = Hold.history.count()

    second = nightly.run_all(today=today, only=["automatic_holds"])
    assert second == {"automatic_holds": {"started": 0, "ended": 0}}
    assert _open_holds() == after_first
    assert Hold.history.count() == history_rows
    # The next night the 61-day renewal comes into the window: one more, and again nothing twice.
    assert nightly.run_all(today=today + timedelta(days=1), only=["automatic_holds"]) == {
        "automatic_holds": {"started": 1, "ended": 0}
    }
    assert nightly.run_all(today=today + timedelta(days=1), only=["automatic_holds"]) == {
        "automatic_holds": {"started": 0, "ended": 0}
    }


def test_renewal_done_and_health_recovered_lift_the_holds_at_once(today, manager):
    renewing = _reference(renewal_date=today + timedelta(days=10))
    unhappy = _reference(health_score=5)
    nightly.run_all(today=today, only=["automatic_holds"])
    assert Hold.objects.active_on(today).count() == 2

    holds.customer_renewal_done(
        customer=renewing.customer, actor=manager, next_renewal=today + timedelta(days=365)
    )
    renewal_hold = Hold.objects.get(customer=renewing.customer)
    assert (renewal_hold.lifted_on, renewal_hold.lifted_by, renewal_hold.lift_note) == (
        today,
        manager,
        "Renewal marked done.",
    )
    # Health updated above the threshold (the customer form, the API and the import all save
    # through the service): lifted without waiting for the night.
    inventory.customer_update(customer=unhappy.customer, actor=manager, health_score=40, health_updated=today)
    assert Hold.objects.active_on(today).count() == 0
    assert Hold.objects.get(customer=unhappy.customer).lift_note == "Customer health recovered."
    # The history keeps each hold's start and its end.
    assert Hold.history.filter(customer_id=unhappy.customer_id).count() == 2
    assert nightly.run_all(today=today, only=["automatic_holds"]) == {
        "automatic_holds": {"started": 0, "ended": 0}
    }


def test_an_automatic_hold_ended_by_hand_stays_ended_until_its_cause_changes(today, manager):
    profile = _reference(health_score=5, health_updated=today - timedelta(days=2))
    nightly.run_all(today=today, only=["automatic_holds"])
    hold = Hold.objects.get(customer=profile.customer)
    holds.hold_end(hold=hold, actor=manager, note="Spoke to them: fine for reference calls")
    assert nightly.run_all(today=today, only=["automatic_holds"]) == {
        "automatic_holds": {"started": 0, "ended": 0}
    }
    # A new low reading is a new cause.
    inventory.customer_update(customer=profile.customer, actor=manager, health_score=3, health_updated=today)
    assert Hold.objects.active_on(today).filter(customer=profile.customer, kind="health").count() == 1


def test_a_policy_without_health_holds_ends_them(today, policy):
    _reference(health_score=5)
    nightly.run_all(today=today, only=["automatic_holds"])
    OverusePolicy.objects.filter(pk=1).update(health_hold_below=None)
    assert nightly.run_all(today=today, only=["automatic_holds"]) == {
        "automatic_holds": {"started": 0, "ended": 1}
    }


def test_the_reference_answer_hold_is_idempotent_per_answer(today):
    profile = _reference()
    first = holds.hold_from_reference_answer(
        reference=profile, until=today + timedelta(days=30), source="candidate:7"
    )
    again = holds.hold_from_reference_answer(
        reference=profile, until=today + timedelta(days=30), source="candidate:7"
    )
    assert first.pk == again.pk
    assert (first.kind, first.reason, first.ends_on) == (
        "reference",
        f"Asked to be asked again after {today + timedelta(days=30)}",
        today + timedelta(days=30),
    )


# --- The match list's explanation --------------------------------------------------------------


def test_the_match_explains_the_hold(today, manager, sales, api_as):
    held = _reference()
    holds.hold_create(
        actor=manager, reference=held, reason="escalation open", ends_on=today + timedelta(days=9)
    )
    renewal = _reference(renewal_date=today + timedelta(days=20))
    nightly.run_all(today=today, only=["automatic_holds"])
    from references.models import ActivityType

    request, _ = request_services.request_submit(
        requester=sales,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Prospect Inc",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    matches = api_as(manager).get(f"{API}requests/{request.pk}/matches/?limit=100").json()
    by_id = {m["reference"]["id"]: m for m in matches}
    until = today + timedelta(days=9)
    assert (
        f"On hold until {until:%Y-%m-%d}: escalation open; cannot be proposed."
        in by_id[held.pk]["explanation"]
    )
    assert by_id[held.pk]["available"] is False
    assert (
        f"On hold until lifted: Renewal on {today + timedelta(days=20):%Y-%m-%d}: not asked until the "
        "renewal is done; cannot be proposed." in by_id[renewal.pk]["explanation"]
    )


# --- The API -------------------------------------------------------------------------------------


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role="sales")


@pytest.fixture
def owned(owner):
    return _reference(account_owner=owner, name="Owned Corp")


@pytest.fixture
def other(db):
    return _reference(name="Other Corp")


def test_a_manager_puts_a_customer_on_hold(api_as, manager, other, today):
    ends = today + timedelta(days=30)
    response = api_as(manager).post(
        f"{API}holds/",
        {"customer": other.customer_id, "reason": "M&A quiet period", "ends_on": ends.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["customer"], body["reference"], body["kind"], body["reason"]) == (
        other.customer_id,
        None,
        "manual",
        "M&A quiet period",
    )
    assert (body["starts_on"], body["ends_on"], body["active"], body["created_by"]) == (
        today.isoformat(),
        ends.isoformat(),
        True,
        manager.pk,
    )


def test_an_account_owner_holds_their_own_reference_but_not_another_account(
    api_as, owner, owned, other, today
):
    client = api_as(owner)
    data = {"reason": "Escalation open", "ends_on": (today + timedelta(days=7)).isoformat()}
    assert client.post(f"{API}holds/", {**data, "reference": owned.pk}, format="json").status_code == 201
    # The other customer is in the catalog (visible), but not theirs: 403.
    assert (
        client.post(f"{API}holds/", {**data, "customer": other.customer_id}, format="json").status_code == 403
    )


@pytest.mark.parametrize("role", ["marketing", "executive", "admin"])
def test_roles_that_do_not_run_the_program_may_not_put_holds(api_as, users, other, today, role):
    response = api_as(users[role]).post(
        f"{API}holds/",
        {"customer": other.customer_id, "reason": "x", "ends_on": (today + timedelta(days=3)).isoformat()},
        format="json",
    )
    assert response.status_code == 403


def test_nobody_signed_in_gets_401(api, other):
    assert api.get(f"{API}holds/").status_code in (401, 403)
    assert api.post(f"{API}holds/", {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"reason": "x", "ends_on": "2099-01-01"}, "customer"),  # neither customer nor reference
        ({"reason": "x"}, "ends_on"),  # no end date
        ({"ends_on": "2099-01-01"}, "reason"),
        ({"reason": "x", "ends_on": "2000-01-01"}, "ends_on"),  # in the past
        ({"reason": "x", "ends_on": "not a date"}, "ends_on"),
        ({"reason": "x", "ends_on": "2099-01-01", "colour": "red"}, "colour"),  # unknown field
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, manager, other, data, field):
    if field != "customer":
        data = {"customer": other.customer_id, **data}
    response = api_as(manager).post(f"{API}holds/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_both_customer_and_reference_is_a_400(api_as, manager, other, today):
    response = api_as(manager).post(
        f"{API}holds/",
        {"customer": other.customer_id, "reference": other.pk, "reason": "x", "ends_on": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 400


def test_an_unknown_customer_is_a_400_not_a_500(api_as, manager):
    response = api_as(manager).post(
        f"{API}holds/", {"customer": 999999, "reason": "x", "ends_on": "2099-01-01"}, format="json"
    )
    assert response.status_code == 400


def test_proposing_a_held_reference_is_409_on_hold(api_as, manager, sales, other, today):
    from references.models import ActivityType

    holds.hold_create(
        actor=manager, customer=other.customer, reason="Escalation open", ends_on=today + timedelta(days=3)
    )
    request, _ = request_services.request_submit(
        requester=sales,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Prospect Inc",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    response = api_as(manager).post(
        f"{API}requests/{request.pk}/candidates/", {"reference": other.pk}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "on_hold"
    assert "Escalation open" in body["detail"]


def test_listing_active_holds_and_who_sees_which(api_as, manager, owner, owned, other, today):
    mine = holds.hold_create(
        actor=manager, reference=owned, reason="Escalation", ends_on=today + timedelta(days=5)
    )
    theirs = holds.hold_create(
        actor=manager, customer=other.customer, reason="Quiet", ends_on=today + timedelta(days=5)
    )
    later = holds.hold_create(
        actor=manager,
        customer=other.customer,
        reason="Later",
        starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=25),
    )
    ended = holds.hold_create(
        actor=manager, reference=owned, reason="Over", ends_on=today + timedelta(days=5)
    )
    holds.hold_end(hold=ended, actor=manager)

    def ids(client, query=""):
        return {h["id"] for h in client.get(f"{API}holds/{query}").json()["results"]}

    assert ids(api_as(manager), "?active=true") == {mine.pk, theirs.pk}
    assert ids(api_as(manager), "?active=false") == {later.pk, ended.pk}
    assert ids(api_as(manager)) == {mine.pk, theirs.pk, later.pk, ended.pk}
    assert ids(api_as(manager), f"?customer={other.customer_id}") == {theirs.pk, later.pk}
    # A sales rep sees the holds of the accounts they own, nobody else's (a reason is the account's business).
    assert ids(api_as(owner)) == {mine.pk, ended.pk}
    assert api_as(owner).get(f"{API}holds/{theirs.pk}/").status_code == 404
    # Executives read them all.
    from accounts.models import User

    executive = User.objects.create(username="exec2", role="executive")
    assert ids(api_as(executive), "?active=true") == {mine.pk, theirs.pk}


def test_delete_ends_a_hold_early_and_twice_is_409(api_as, manager, owner, owned, other, today):
    hold = holds.hold_create(
        actor=manager, reference=owned, reason="Escalation", ends_on=today + timedelta(days=5)
    )
    foreign = holds.hold_create(
        actor=manager, customer=other.customer, reason="Quiet", ends_on=today + timedelta(days=5)
    )
    client = api_as(owner)
    response = client.delete(f"{API}holds/{hold.pk}/")
    assert response.status_code == 200
    assert (response.json()["lifted_on"], response.json()["active"], response.json()["lifted_by"]) == (
        today.isoformat(),
        False,
        owner.pk,
    )
    again = client.delete(f"{API}holds/{hold.pk}/")
    assert (again.status_code, again.json()["code"]) == (409, "hold_ended")
    assert client.delete(f"{API}holds/{foreign.pk}/").status_code == 404  # not theirs: not seen
    assert Hold.objects.filter(pk=hold.pk).exists()  # ended, kept as history


def test_the_list_takes_the_same_queries_at_two_sizes(api_as, manager, today, django_assert_max_num_queries):
    client = api_as(manager)

    def make(n):
        for _ in range(n):
            profile = _reference()
            holds.hold_create(actor=manager, reference=profile, reason="R", ends_on=today + timedelta(days=3))
            holds.hold_create(
                actor=manager, customer=profile.customer, reason="C", ends_on=today + timedelta(days=3)
            )

    make(2)
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}holds/?active=true").json()["count"] == 4
    make(10)
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}holds/?active=true").json()["count"] == 24
