"""Pages: the usage ledger, the policy, stale profiles, and the account owner's re-confirmation."""

from datetime import timedelta

import pytest

from ledger import services
from ledger.models import OverusePolicy, UsageEntry
from references.models import (
    ActivityType,
    Customer,
    ProfileEvent,
    ReferenceProfile,
)
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ReferenceProfileFactory,
    UsageEntryFactory,
    UserFactory,
)

ROLES = ["manager", "admin", "executive", "marketing", "sales"]

PAGES = [
    ("/usage/", {"manager", "admin", "executive"}),
    ("/policy/", {"manager", "admin", "executive", "marketing"}),
    ("/stale/", {"manager", "admin"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_page_permissions_by_role(client_as, users, role, url, allowed):
    response = client_as(users[role]).get(url)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_pages_send_anonymous_users_to_login(client, db, url, allowed):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_nav_shows_overuse_links_by_capability(client_as, users):
    manager_page = client_as(users["manager"]).get("/usage/").content.decode()
    sales_page = client_as(users["sales"]).get("/").content.decode()

    for link in ('href="/usage/"', 'href="/policy/"', 'href="/stale/"'):
        assert link in manager_page
        assert link not in sales_page


def test_ledger_page_lists_and_filters(client_as, manager):
    declined = UsageEntryFactory(status="declined", override=True, override_reason="Board asked")
    done = UsageEntryFactory(status="done")

    page = client_as(manager).get("/usage/").content.decode()
    filtered = client_as(manager).get("/usage/?status=declined").content.decode()

    assert declined.reference.contact.name in page and done.reference.contact.name in page
    assert "Board asked" in page
    assert declined.reference.contact.name in filtered
    assert done.reference.contact.name not in filtered


def test_ledger_page_bad_filter_is_shown_not_a_500(client_as, manager):
    UsageEntryFactory()
    response = client_as(manager).get("/usage/?since=not-a-date")
    assert response.status_code == 200
    assert "msg-error" in response.content.decode()


def test_ledger_page_records_what_happened(client_as, manager):
    profile = ReferenceProfileFactory()
    entry = services.capacity_reserve(
        reference=profile, activity_type=ActivityType.objects.get(code="email"), actor=manager, source="c:1"
    )
    client = client_as(manager)

    ok = client.post(
        f"/usage/{entry.pk}/transition/", {"to": "asked", "note": "Left a voicemail"}, follow=True
    )
    refused = client.post(f"/usage/{entry.pk}/transition/", {"to": "withdrawn"}, follow=True)

    entry.refresh_from_db()
    assert entry.status == "asked"
    assert "now asked" in ok.content.decode()
    assert "cannot become withdrawn" in refused.content.decode()


def test_executives_read_the_ledger_but_cannot_change_it(client_as, users):
    entry = UsageEntryFactory(status="asked")
    client = client_as(users["executive"])

    assert f"/usage/{entry.pk}/transition/" not in client.get("/usage/").content.decode()
    assert client.post(f"/usage/{entry.pk}/transition/", {"to": "done"}).status_code == 403
    entry.refresh_from_db()
    assert entry.status == "asked"


@pytest.mark.parametrize("rows", [3, 13])
def test_ledger_page_query_count(client_as, manager, rows, django_assert_num_queries):
    UsageEntryFactory.create_batch(rows)
    client = client_as(manager)
    client.get("/usage/")  # warm the session
    # session + user + unread notifications + count + page (joined) + activity types for the filter
    # + one grouped count per facet (activity, status)
    with django_assert_num_queries(8):
        response = client.get("/usage/")
    assert response.status_code == 200


def test_manager_sets_the_policy_and_weights_on_one_page(client_as, manager):
    client = client_as(manager)
    page = client.get("/policy/")
    formset = page.context["formset"]
    data = {
        "window_days": 90,
        "reference_cap": 5,
        "customer_cap": 9,
        "rest_days": 14,
        "stale_after_days": 120,
        "near_cap_ratio": "0.80",
        "detractor_below": -10,
        "c_level_protected_below": "vp",
        "types-TOTAL_FORMS": len(formset.forms),
        "types-INITIAL_FORMS": len(formset.forms),
    }
    for i, sub in enumerate(formset.forms):
        data[f"types-{i}-code"] = sub.instance.pk
        data[f"types-{i}-weight"] = 5 if sub.instance.code == "call" else sub.instance.weight
        data[f"types-{i}-lead_time_days"] = sub.instance.lead_time_days
        if sub.instance.live:
            data[f"types-{i}-live"] = "on"

    response = client.post("/policy/", data)

    assert response.status_code == 302
    policy = OverusePolicy.current()
    assert (policy.window_days, policy.reference_cap, policy.customer_cap, policy.rest_days) == (90, 5, 9, 14)
    assert (policy.detractor_below, policy.c_level_protected_below) == (-10, "vp")
    assert policy.updated_by == manager
    assert ActivityType.objects.get(code="call").weight == 5
    assert ActivityType.objects.get(code="email").weight == 1


def test_policy_page_rerenders_bad_input_with_messages(client_as, manager):
    response = client_as(manager).post(
        "/policy/", {"window_days": 0, "types-TOTAL_FORMS": 0, "types-INITIAL_FORMS": 0}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert OverusePolicy.current().window_days == 180


def test_policy_page_is_read_only_without_set_policy(client_as, users):
    client = client_as(users["executive"])
    page = client.get("/policy/").content.decode()
    assert "Save the policy" not in page
    assert "one reference call per quarter" in page  # the defaults' rationale
    assert client.post("/policy/", {"window_days": 30}).status_code == 403


# --- Staleness and re-confirmation ------------------------------------------------------------


@pytest.fixture
def owned_stale(db, sales, today):
    customer = CustomerFactory(account_owner=sales, health_updated=today - timedelta(days=300))
    return ReferenceProfileFactory(contact=ContactFactory(customer=customer))


def test_stale_profiles_are_flagged_and_never_available(owned_stale, today):
    assert ReferenceProfile.objects.stale(today).filter(pk=owned_stale.pk).exists()
    assert not ReferenceProfile.objects.available(today).filter(pk=owned_stale.pk).exists()
    capacity = owned_stale.capacity(today=today)
    assert (capacity["available"], capacity["available_from"]) == (False, None)


def test_account_owner_sees_the_task_and_reconfirms(client_as, sales, owned_stale, today):
    client = client_as(sales)

    home = client.get("/").content.decode()
    assert "Re-confirm your references" in home
    assert f"/references/{owned_stale.pk}/reconfirm/" in home

    response = client.post(f"/references/{owned_stale.pk}/reconfirm/", {"next": "/"}, follow=True)

    assert response.status_code == 200
    owned_stale.refresh_from_db()
    assert (owned_stale.last_validated, owned_stale.validated_by) == (today, sales)
    # The customer's health date was the stale part: re-confirming is the health check.
    assert Customer.objects.get(pk=owned_stale.customer_id).health_updated == today
    assert ReferenceProfile.objects.fresh(today).filter(pk=owned_stale.pk).exists()
    assert ProfileEvent.objects.filter(profile=owned_stale, kind="revalidated", actor=sales).count() == 1
    assert "Re-confirm your references" not in response.content.decode()


def test_reconfirm_keeps_a_fresh_health_date(client_as, manager, today):
    customer = CustomerFactory(health_updated=today - timedelta(days=20))
    profile = ReferenceProfileFactory(contact=ContactFactory(customer=customer), last_validated=None)

    client_as(manager).post(f"/references/{profile.pk}/reconfirm/")

    customer.refresh_from_db()
    assert customer.health_updated == today - timedelta(days=20)
    profile.refresh_from_db()
    assert profile.last_validated == today


@pytest.mark.parametrize("who", ["other_sales", "marketing", "executive"])
def test_only_the_owner_or_a_manager_may_reconfirm(client_as, users, owned_stale, who):
    user = UserFactory(username="other", role="sales") if who == "other_sales" else users[who]

    response = client_as(user).post(f"/references/{owned_stale.pk}/reconfirm/")

    assert response.status_code in (403, 404)
    owned_stale.refresh_from_db()
    assert owned_stale.validated_by is None


def test_reconfirm_is_post_only_and_rejects_a_bad_score(client_as, sales, owned_stale):
    client = client_as(sales)
    assert client.get(f"/references/{owned_stale.pk}/reconfirm/").status_code == 405
    response = client.post(f"/references/{owned_stale.pk}/reconfirm/", {"health_score": "great"}, follow=True)
    assert "whole number" in response.content.decode()
    response = client.post(f"/references/{owned_stale.pk}/reconfirm/", {"health_score": "500"}, follow=True)
    assert response.status_code == 200
    assert Customer.objects.get(pk=owned_stale.customer_id).health_score == 50


def test_stale_page_lists_stale_profiles_for_managers(client_as, manager, owned_stale):
    fresh = ReferenceProfileFactory()
    page = client_as(manager).get("/stale/").content.decode()
    assert owned_stale.contact.name in page
    assert fresh.contact.name not in page


def test_home_tasks_query_count_does_not_grow(client_as, sales, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory(account_owner=sales, health_updated=today - timedelta(days=300))
    client = client_as(sales)
    counts = []
    for rows in (3, 13):
        while ReferenceProfile.objects.filter(customer=customer).count() < rows:
            ReferenceProfileFactory(contact=ContactFactory(customer=customer))
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/").content.decode()
        assert page.count("/reconfirm/") == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_withdrawn_and_declined_on_the_ledger_page(client_as, manager):
    profile = ReferenceProfileFactory(activity_types=["press_release"])
    entry = services.capacity_reserve(
        reference=profile,
        activity_type=ActivityType.objects.get(code="press_release"),
        actor=manager,
        source="c:1",
    )
    client_as(manager).post(f"/usage/{entry.pk}/transition/", {"to": "withdrawn"})

    assert UsageEntry.objects.get(pk=entry.pk).status == "withdrawn"
    assert ReferenceProfile.objects.get(pk=profile.pk).status == "active"
