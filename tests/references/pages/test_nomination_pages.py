"""Nomination pages: submit, the vetting queue with aging, vet, accept, reject."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from references.models import Nomination, ReferenceProfile
from tests.factories import NominationFactory, ProductFactory


def test_sales_rep_nominates_a_customer_with_a_new_contact(world, users, client_as):
    client = client_as(users["sales"])
    url = reverse("nomination-new")
    page = client.get(url, {"q": "Acme"}).content.decode()
    assert f"?customer={world.customer.pk}" in page
    response = client.post(
        url,
        {
            "customer": world.customer.pk,
            "contact_name": "Nico Nominee",
            "contact_title": "Head of IT",
            "contact_seniority": "director",
            "source": "sales",
            "reason": "Went live in record time",
            "products": [world.product.pk],
            "account_owner": users["sales"].pk,
        },
    )
    nomination = Nomination.objects.get(contact_name="Nico Nominee")
    assert response.status_code == 302
    assert response["Location"] == reverse("nomination-detail", args=[nomination.pk])
    assert (nomination.nominated_by, nomination.status) == (users["sales"], "submitted")
    assert list(nomination.products.all()) == [world.product]
    assert "Nico Nominee" in client.get(reverse("nomination-list")).content.decode()


def test_nomination_without_contact_or_reason_re_renders_with_errors(world, users, client_as):
    before = Nomination.objects.count()
    response = client_as(users["sales"]).post(
        reverse("nomination-new"), {"customer": world.customer.pk, "source": "nowhere", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose an existing contact" in page
    assert page.count('class="errorlist') >= 3
    assert Nomination.objects.count() == before


def test_existing_contact_with_a_profile_is_refused(world, users, client_as):
    response = client_as(users["manager"]).post(
        reverse("nomination-new"),
        {"customer": world.customer.pk, "contact": world.contact.pk, "source": "sales", "reason": "x"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    page = client_as(users["manager"]).get(reverse("nomination-new"), {"customer": world.customer.pk})
    assert f'<option value="{world.spare_contact.pk}">Sam Spare' in page.content.decode()
    assert "Dana Active" not in page.content.decode()


def test_queue_shows_open_first_and_highlights_aging(world, old_nomination, users, client_as):
    world.nomination.status = "rejected"
    world.nomination.rejection_reason = "Not now"
    world.nomination.save()
    page = client_as(users["manager"]).get(reverse("nomination-list")).content.decode()
    assert 'class="aging"' in page
    assert "10 days waiting" in page
    rows = page.split("<tbody>")[1]
    assert rows.index("Slow Inc") < rows.index("Rejected")
    filtered = client_as(users["manager"]).get(reverse("nomination-list"), {"status": "rejected"})
    assert "Slow Inc" not in filtered.content.decode()
    aging_only = (
        client_as(users["manager"]).get(reverse("nomination-list"), {"aging": "true"}).content.decode()
    )
    assert "Slow Inc" in aging_only and "Acme" not in aging_only.split("<tbody>")[1]


def test_others_see_only_their_own_nominations(world, old_nomination, users, client_as):
    page = client_as(users["marketing"]).get(reverse("nomination-list")).content.decode()
    assert "No nominations here" in page
    page = client_as(users["sales"]).get(reverse("nomination-list")).content.decode()
    assert "Slow Inc" in page
    assert f"/nominations/{world.nomination.pk}/" not in page


def test_vet_then_accept_creates_an_active_profile(world, users, client_as):
    client = client_as(users["manager"])
    nomination = world.nomination
    response = client.post(
        reverse("nomination-vet", args=[nomination.pk]),
        {"strategic_fit": "True", "health_ok": "True", "owner_consent": "True", "vetting_notes": "Fine"},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.status, nomination.owner_consent, nomination.vetting_notes) == (
        "vetting",
        True,
        "Fine",
    )
    response = client.post(reverse("nomination-accept", args=[nomination.pk]), {"activity_types": ["call"]})
    nomination.refresh_from_db()
    profile = ReferenceProfile.objects.get(pk=nomination.profile_id)
    assert response["Location"] == reverse("profile-detail", args=[profile.pk])
    assert (nomination.status, profile.status, profile.contact.name) == (
        "accepted",
        "active",
        nomination.contact_name,
    )
    again = client.post(
        reverse("nomination-accept", args=[nomination.pk]), {"activity_types": ["call"]}, follow=True
    )
    assert "already accepted" in again.content.decode()


def test_accept_refused_when_owner_declined(world, users, client_as):
    world.nomination.owner_consent = False
    world.nomination.save()
    response = client_as(users["manager"]).post(
        reverse("nomination-accept", args=[world.nomination.pk]), follow=True
    )
    assert "account owner declined" in response.content.decode()
    world.nomination.refresh_from_db()
    assert world.nomination.status == "submitted"


def test_reject_needs_a_reason(world, users, client_as):
    client = client_as(users["manager"])
    url = reverse("nomination-reject", args=[world.nomination.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    world.nomination.refresh_from_db()
    assert world.nomination.status == "submitted"
    response = client.post(url, {"reason": "Customer health is poor"})
    assert response.status_code == 302
    world.nomination.refresh_from_db()
    assert (world.nomination.status, world.nomination.rejection_reason) == (
        "rejected",
        "Customer health is poor",
    )


@pytest.mark.parametrize("role", ["manager", "sales"])
def test_nomination_queue_has_a_fixed_number_of_queries(users, client_as, role):
    client = client_as(users[role])
    url = reverse("nomination-list")
    product = ProductFactory()

    def make(n):
        for _ in range(n):
            NominationFactory(nominated_by=users["sales"]).products.set([product])

    make(3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make(10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count('href="/nominations/') >= 13
