"""One use case, one behaviour: the page and the API re-confirm, create and show history alike.

Each use case is run through the HTML page and through the API on twin data, and the results are
compared with each other and with values written here by hand.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from references import services
from references.models import ProfileEvent, ReferenceProfile
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def _stale_profile(name: str) -> ReferenceProfile:
    """Active, last re-confirmed 400 days ago, at a customer whose health was checked 300 days ago
    (the default policy calls anything older than 180 days stale)."""
    today = timezone.localdate()
    customer = CustomerFactory(name=name, health_updated=today - timedelta(days=300))
    return ReferenceProfileFactory(
        contact=ContactFactory(customer=customer, name=f"Pat {name}"),
        status="active",
        last_validated=today - timedelta(days=400),
    )


# --- Re-confirm ----------------------------------------------------------------------------------


@pytest.mark.parametrize("api_action", ["revalidate", "reconfirm"])
def test_api_and_page_reconfirm_a_stale_profile_identically(api_as, client_as, manager, api_action):
    today = timezone.localdate()
    by_api, by_page = _stale_profile("Api Corp"), _stale_profile("Page Corp")
    api = api_as(manager)
    assert api.get(f"{API}references/{by_api.pk}/").json()["is_stale"] is True
    assert api.get(f"{API}references/{by_page.pk}/").json()["is_stale"] is True

    response = api.post(f"{API}references/{by_api.pk}/{api_action}/", {"note": "Still happy"}, format="json")
    assert response.status_code == 200, response.content
    page = client_as(manager).post(reverse("profile-reconfirm", args=[by_page.pk]), {"note": "Still happy"})
    assert page.status_code == 302

    results = []
    for profile in (by_api, by_page):
        profile.refresh_from_db()
        profile.customer.refresh_from_db()
        body = api.get(f"{API}references/{profile.pk}/").json()
        event = ProfileEvent.objects.get(profile=profile, kind="revalidated")
        results.append(
            (
                profile.last_validated,
                profile.validated_by,
                profile.customer.health_updated,
                body["is_stale"],
                body["last_validated"],
                (event.actor, event.note, event.from_status, event.to_status),
            )
        )
    expected = (today, manager, today, False, today.isoformat(), (manager, "Still happy", "active", "active"))
    assert results == [expected, expected]


def test_api_reconfirm_by_another_sales_rep_changes_nothing(api_as, users):
    profile = _stale_profile("Owned Corp")
    profile.customer.account_owner = users["sales"]
    profile.customer.save()
    other = type(users["sales"]).objects.create_user(username="sales9", password="x", role="sales")

    response = api_as(other).post(f"{API}references/{profile.pk}/reconfirm/", {}, format="json")

    assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.last_validated == timezone.localdate() - timedelta(days=400)
    assert not ProfileEvent.objects.filter(profile=profile, kind="revalidated").exists()


# --- Creation statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status_code"),
    [
        ({"status": "retired"}, 400),
        ({"status": "resting"}, 400),  # and no reason: resting is never where a reference starts
        ({"status": "nominated"}, 201),
        ({"status": "vetting"}, 201),
        ({"status": "active"}, 201),
        ({}, 201),  # nominated
    ],
)
def test_api_new_profile_starts_nominated_vetting_or_active(api_as, manager, payload, status_code):
    contact = ContactFactory()

    response = api_as(manager).post(f"{API}references/", {"contact": contact.pk, **payload}, format="json")

    assert response.status_code == status_code, response.content
    if status_code == 400:
        assert list(response.json()) == ["status"]
        assert "nominated, vetting, active" in response.json()["status"][0]
        assert not ReferenceProfile.objects.filter(contact=contact).exists()
    else:
        assert response.json()["status"] == payload.get("status", "nominated")


def test_a_profile_created_active_is_validated_today_and_not_stale(api_as, manager):
    contact = ContactFactory()
    response = api_as(manager).post(
        f"{API}references/", {"contact": contact.pk, "status": "active"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["last_validated"], response.json()["is_stale"]) == (
        timezone.localdate().isoformat(),
        False,
    )
    assert ReferenceProfile.objects.get(contact=contact).validated_by == manager


@pytest.mark.parametrize("status", ["retired", "resting"])
def test_page_new_profile_refuses_the_same_statuses(client_as, manager, status):
    contact = ContactFactory()
    response = client_as(manager).post(
        reverse("profile-new", args=[contact.customer_id]),
        {"contact": contact.pk, "status": status, "activity_types": ["call"]},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "status" in response.context["form"].errors
    assert not ReferenceProfile.objects.filter(contact=contact).exists()


@pytest.mark.parametrize("status", ["retired", "resting"])
def test_the_service_is_where_creation_statuses_are_refused(manager, status):
    with pytest.raises(ValidationError) as refused:
        services.profile_create(actor=manager, contact=ContactFactory(), status=status)
    assert list(refused.value.message_dict) == ["status"]


# --- History -------------------------------------------------------------------------------------


def test_page_and_api_show_the_same_history(api_as, client_as, manager):
    today = timezone.localdate()
    profile = ReferenceProfileFactory(
        competitor="Legacy Monitor",
        status="active",
        last_validated=today - timedelta(days=30),
        validated_by=None,
        activity_types=["call"],
    )
    api = api_as(manager)
    api.patch(f"{API}references/{profile.pk}/", {"competitor": "Rival"}, format="json")
    api.patch(f"{API}customers/{profile.customer_id}/", {"name": "Renamed Customer"}, format="json")
    api.post(f"{API}references/{profile.pk}/transition/", {"to": "resting", "note": "Pause"}, format="json")
    api.post(f"{API}references/{profile.pk}/reconfirm/", {"note": "Checked"}, format="json")

    entries = api.get(f"{API}references/{profile.pk}/history/").json()
    page = client_as(manager).get(reverse("profile-detail", args=[profile.pk]))

    def key(e):
        changes = [(c["field"], c["old"], c["new"]) for c in e["changes"]]
        return (e["what"], e["kind"], e["who"], e["note"], changes)

    from_api = [key(e) for e in entries]
    from_page = [key(e) for e in page.context["history"]]
    assert from_api == from_page
    # Newest first; the customer's rename and the profile's edit are both there.
    assert from_api[:5] == [
        ("Lifecycle", "revalidated", "manager1", "Checked", []),
        (
            "Reference profile",
            "changed",
            "manager1",
            "",
            [
                ("last_validated", (today - timedelta(days=30)).isoformat(), today.isoformat()),
                ("validated_by", None, "manager1"),
            ],
        ),
        ("Lifecycle", "transition", "manager1", "Pause", [("status", "Active", "Resting")]),
        ("Customer", "changed", "manager1", "", [("name", profile.customer.name, "Renamed Customer")]),
        ("Reference profile", "changed", "manager1", "", [("competitor", "Legacy Monitor", "Rival")]),
    ]
    assert from_api[5:] == [
        ("Reference profile", "created", None, "", [("activity_types", None, "Reference call")]),
        ("Contact", "created", None, "", []),
        ("Customer", "created", None, "", []),
    ]
    html = page.content.decode()
    assert "Renamed Customer" in html and "Rival" in html and "Checked" in html


def test_a_health_score_given_on_reconfirm_is_recorded_alike(api_as, client_as, manager):
    today = timezone.localdate()
    by_api, by_page = _stale_profile("Api Score"), _stale_profile("Page Score")

    response = api_as(manager).post(
        f"{API}references/{by_api.pk}/reconfirm/", {"health_score": 70}, format="json"
    )
    assert response.status_code == 200, response.content
    client_as(manager).post(reverse("profile-reconfirm", args=[by_page.pk]), {"health_score": "70"})

    for profile in (by_api, by_page):
        profile.customer.refresh_from_db()
        assert (profile.customer.health_score, profile.customer.health_updated) == (70, today)
    url = f"{API}references/{by_api.pk}/reconfirm/"
    bad = api_as(manager).post(url, {"health_score": 101}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["health_score"]
