"""Nominations: anyone proposes, the reference manager vets, accepts or rejects."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import Nomination, ReferenceProfile
from tests.factories import CustomerFactory, NominationFactory, ProductFactory, ReferenceProfileFactory

from .conftest import API, ids

pytestmark = pytest.mark.django_db


def test_sales_rep_nominates_their_account(api_as, users):
    customer = CustomerFactory(account_owner=users["sales"])
    ProductFactory(name="Alpha")
    response = api_as(users["sales"]).post(
        f"{API}nominations/",
        {
            "customer": customer.pk,
            "contact_name": "Greta Berg",
            "contact_title": "Head of IT",
            "contact_email": "greta@example.com",
            "contact_seniority": "director",
            "source": "sales",
            "reason": "Went live in 6 weeks and loves it.",
            "products": ["Alpha"],
            "account_owner": users["sales"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["nominated_by"], body["aging"], body["age_days"]) == (
        "submitted",
        users["sales"].pk,
        False,
        0,
    )
    assert "contact_email" not in body  # the rep typed it, but it is a contact's personal data
    nomination = Nomination.objects.get(pk=body["id"])
    assert nomination.contact_email == "greta@example.com"
    assert list(nomination.products.values_list("name", flat=True)) == ["Alpha"]


def test_nomination_without_contact_is_a_400(api_as, users):
    customer = CustomerFactory(account_owner=users["sales"])
    response = api_as(users["sales"]).post(
        f"{API}nominations/", {"customer": customer.pk, "source": "sales", "reason": "Great"}, format="json"
    )
    assert response.status_code == 400
    assert "contact" in response.json()
    assert not Nomination.objects.exists()


def test_nomination_list_visibility(api_as, users):
    own = NominationFactory(nominated_by=users["marketing"])
    other = NominationFactory(nominated_by=users["executive"])
    assert ids(api_as(users["marketing"]).get(f"{API}nominations/")) == {own.pk}
    assert ids(api_as(users["manager"]).get(f"{API}nominations/")) == {own.pk, other.pk}
    assert api_as(users["marketing"]).get(f"{API}nominations/{other.pk}/").status_code == 404


def test_aging_nominations(api_as, manager):
    old = NominationFactory(created_at=timezone.now() - timedelta(days=10))
    new = NominationFactory()
    client = api_as(manager)
    body = client.get(f"{API}nominations/{old.pk}/").json()
    assert (body["aging"], body["age_days"]) == (True, 10)
    assert ids(client.get(f"{API}nominations/?aging=true")) == {old.pk}
    assert ids(client.get(f"{API}nominations/?aging=false")) == {new.pk}


def test_vet_then_accept_creates_an_active_profile(api_as, manager):
    nomination = NominationFactory()
    client = api_as(manager)
    vetted = client.post(
        f"{API}nominations/{nomination.pk}/vet/",
        {"strategic_fit": True, "health_ok": True, "owner_consent": True, "vetting_notes": "Solid"},
        format="json",
    )
    assert vetted.status_code == 200, vetted.content
    assert (vetted.json()["status"], vetted.json()["owner_consent"], vetted.json()["vetting_notes"]) == (
        "vetting",
        True,
        "Solid",
    )
    accepted = client.post(
        f"{API}nominations/{nomination.pk}/accept/", {"activity_types": ["email"]}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    profile = ReferenceProfile.objects.get(pk=accepted.json()["profile"])
    assert profile.status == "active"
    assert profile.contact.name == nomination.contact_name
    # Active and doing what it agreed to at acceptance: it can be asked (ledger.capacity).
    assert client.get(f"{API}references/{profile.pk}/").json()["capacity"]["available"] is True
    again = client.post(
        f"{API}nominations/{nomination.pk}/reject/", {"reason": "Changed mind"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_accept_without_owner_consent_is_refused(api_as, manager):
    nomination = NominationFactory(owner_consent=False, status="vetting")
    response = api_as(manager).post(f"{API}nominations/{nomination.pk}/accept/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "owner_consent_missing"
    assert not ReferenceProfile.objects.exists()


def test_reject_needs_a_reason(api_as, manager):
    nomination = NominationFactory()
    client = api_as(manager)
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(f"{API}nominations/{nomination.pk}/reject/", payload, format="json")
        assert response.status_code == 400, payload
        assert "reason" in response.json()
    nomination.refresh_from_db()
    assert nomination.status == "submitted"
    rejected = client.post(
        f"{API}nominations/{nomination.pk}/reject/", {"reason": "Churn risk"}, format="json"
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "Churn risk")
    assert not ReferenceProfile.objects.exists()


def _nominate(client, customer, owner):
    return client.post(
        f"{API}nominations/",
        {
            "customer": customer.pk,
            "contact_name": "Greta Berg",
            "source": "sales",
            "reason": "Loves it.",
            "account_owner": owner.pk,
        },
        format="json",
    )


def _catalog_customer_of(owner):
    """A customer the rep can see (it has an active reference in the catalog) but does not own."""
    customer = ReferenceProfileFactory(status="active").customer
    customer.account_owner = owner
    customer.save()
    return customer


def test_a_sales_rep_names_only_themself_or_the_current_owner(api_as, users):
    """A nomination is no way to reach an arbitrary user: the rep names themself or the
    customer's owner; a vetter may name anyone active."""
    customer = _catalog_customer_of(users["executive"])
    rep = api_as(users["sales"])
    refused = _nominate(rep, customer, users["admin"])
    assert refused.status_code == 400
    assert "account_owner" in refused.json()
    assert _nominate(rep, customer, users["sales"]).status_code == 201
    assert _nominate(rep, customer, users["executive"]).status_code == 201
    assert _nominate(api_as(users["manager"]), customer, users["admin"]).status_code == 201


def test_the_nomination_form_lists_no_one_else(client_as, users):
    customer = _catalog_customer_of(users["executive"])
    page = client_as(users["sales"]).get(f"/nominations/new/?customer={customer.pk}").content.decode()
    owner_select = page.split('name="account_owner"')[1].split("</select>")[0]
    assert "sales1" in owner_select and "executive1" in owner_select
    for other in ("manager1", "marketing1", "admin1"):
        assert other not in owner_select
