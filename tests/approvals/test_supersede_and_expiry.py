"""A new approval replaces only one of the same customer's, and no one sets "approved until" to
a day already past: on the page, in the API and in the service they both call."""

from datetime import timedelta

import pytest

from approvals import services
from approvals.models import Approval
from refprogram.errors import RuleViolation
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


# --- Superseding ---------------------------------------------------------------------------


def test_the_api_refuses_to_supersede_another_customers_approval(users, api_as, acme, make_approval):
    globex = CustomerFactory(name="Globex")
    theirs = make_approval(status="approved", use="quote", customer=globex)
    response = api_as(users["marketing"]).post(
        "/api/v1/approvals/",
        {"customer": acme.pk, "use": "logo", "scope": ["website"], "supersedes": theirs.pk},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "supersedes_other_customer"
    assert list(Approval.objects.filter(customer=acme)) == []


def test_the_api_supersedes_an_approval_of_the_same_customer(users, api_as, acme, make_approval):
    ours = make_approval(status="approved", use="quote", customer=acme)
    response = api_as(users["marketing"]).post(
        "/api/v1/approvals/",
        {
            "customer": acme.pk,
            "use": "quote",
            "quote_text": "New words.",
            "scope": ["website"],
            "supersedes": ours.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["supersedes"] == ours.pk


def test_the_service_is_the_one_home_of_the_rule(users, acme, make_approval):
    theirs = make_approval(status="approved", customer=CustomerFactory(name="Globex"))
    with pytest.raises(RuleViolation) as refused:
        services.approval_request(
            customer=acme, use="logo", requested_by=users["marketing"], scope=["website"], supersedes=theirs
        )
    assert refused.value.code == "supersedes_other_customer"


# --- Approved until ------------------------------------------------------------------------


def _approve(api, approval, **extra):
    return api.post(
        f"/api/v1/approvals/{approval.pk}/transition/",
        {"to": "approved", "approver_name": "Dana Customer", **extra},
        format="json",
    )


def test_approving_until_yesterday_is_refused(users, api_as, make_approval, today):
    approval = make_approval(status="in_review")
    response = _approve(api_as(users["manager"]), approval, expires_on=str(today - timedelta(days=1)))
    assert response.status_code == 400
    assert list(response.json()) == ["expires_on"]
    approval.refresh_from_db()
    assert (approval.status, approval.expires_on) == ("in_review", today + timedelta(days=90))


def test_approving_a_request_whose_term_has_passed_needs_a_new_date(users, api_as, make_approval, today):
    approval = make_approval(status="in_review", days=-3)
    api = api_as(users["manager"])
    response = _approve(api, approval)
    assert response.status_code == 400
    assert "expires_on" in response.json()
    response = _approve(api, approval, expires_on=str(today))  # the expiry day itself still counts
    assert response.status_code == 200, response.content
    approval.refresh_from_db()
    assert (approval.status, approval.expires_on) == ("approved", today)


def test_requesting_or_editing_with_a_past_date_is_refused(users, api_as, acme, make_approval, today):
    api = api_as(users["marketing"])
    yesterday = str(today - timedelta(days=1))
    response = api.post(
        "/api/v1/approvals/",
        {"customer": acme.pk, "use": "logo", "scope": ["website"], "expires_on": yesterday},
        format="json",
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()
    assert not Approval.objects.filter(customer=acme).exists()
    approval = make_approval(status="requested", customer=acme)
    response = api.patch(f"/api/v1/approvals/{approval.pk}/", {"expires_on": yesterday}, format="json")
    assert response.status_code == 400
    assert "expires_on" in response.json()
    approval.refresh_from_db()
    assert approval.expires_on == today + timedelta(days=90)


def test_the_page_shows_the_field_error_when_approving_until_a_past_day(
    users, client_as, make_approval, today
):
    approval = make_approval(status="in_review")
    response = client_as(users["manager"]).post(
        f"/approvals/{approval.pk}/transition/",
        {"to": "approved", "approver_name": "Dana Customer", "expires_on": str(today - timedelta(days=1))},
    )
    assert response.status_code == 400
    assert "“Approved until” is in the past" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "in_review"


def test_the_request_page_refuses_a_past_date(users, client_as, acme, today):
    response = client_as(users["marketing"]).post(
        f"/approvals/customer/{acme.pk}/request/",
        {"use": "logo", "scope": ["website"], "expires_on": str(today - timedelta(days=1))},
    )
    assert response.status_code == 200
    assert "“Approved until” is in the past" in response.content.decode()
    assert not Approval.objects.exists()


def test_a_consent_link_for_a_term_that_has_ended_is_expired(client, users, acme, make_approval):
    approval = make_approval(status="requested", customer=acme, contact=acme.contacts.get())
    sent = services.approval_send_link(approval=approval, by=users["manager"], base_url="http://testserver/")
    Approval.objects.filter(pk=approval.pk).update(expires_on=approval.expires_on - timedelta(days=91))
    assert client.get(f"/consent/{sent.token}/").status_code == 410
    response = client.post(f"/consent/{sent.token}/", {"name": "Dana Decider", "decision": "approve"})
    assert response.status_code == 410
    approval.refresh_from_db()
    assert approval.status == "in_review"
