"""The approval lifecycle: the transition map, editing rules, history, re-use within scope and term."""

from datetime import timedelta

import pytest

from approvals.choices import (
    APPROVAL_AUTOMATIC_STATUSES,
    APPROVAL_TRANSITIONS,
    ApprovalStatus,
)
from approvals.models import Approval

pytestmark = pytest.mark.django_db

PAIRS = [(a, b) for a in ApprovalStatus.values for b in ApprovalStatus.values]


@pytest.mark.parametrize(("start", "to"), PAIRS)
def test_transition_map_over_every_pair(start, to, users, api_as, make_approval):
    approval = make_approval(status=start)
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{approval.pk}/transition/",
        {"to": to, "note": "checked", "approver_name": "Dana Customer"},
        format="json",
    )
    allowed = to in APPROVAL_TRANSITIONS[start] and to not in APPROVAL_AUTOMATIC_STATUSES
    approval.refresh_from_db()
    if allowed:
        assert response.status_code == 200, response.content
        assert approval.status == to
        event = approval.events.get(kind="transition")
        assert (event.from_status, event.to_status, event.actor) == (start, to, users["manager"])
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert approval.status == start
        assert not approval.events.exists()


def test_approving_needs_the_customer_side_approver(users, api_as, make_approval):
    approval = make_approval(status="in_review")
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{approval.pk}/transition/", {"to": "approved"}, format="json"
    )
    assert response.status_code == 400
    assert "approver_name" in response.json()
    approval.refresh_from_db()
    assert approval.status == "in_review"


def test_approval_records_who_approved_and_when(users, api_as, make_approval, today):
    approval = make_approval(status="in_review")
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{approval.pk}/transition/",
        {
            "to": "approved",
            "approver_name": "Dana Customer",
            "approver_title": "Head of PR",
            "approver_email": "dana@customer.example",
            "expires_on": (today + timedelta(days=200)).isoformat(),
            "note": "Signed form received",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    approval.refresh_from_db()
    assert (approval.approver_name, approval.approver_title) == ("Dana Customer", "Head of PR")
    assert approval.decided_at is not None
    assert approval.expires_on == today + timedelta(days=200)
    event = approval.events.get(kind="transition")
    assert event.changes["expires_on"][1] == (today + timedelta(days=200)).isoformat()


def test_create_validates_quote_text_scope_and_channels(users, api_as, acme):
    api = api_as(users["marketing"])
    response = api.post(
        "/api/v1/approvals/", {"customer": acme.pk, "use": "quote", "scope": ["website"]}, format="json"
    )
    assert response.status_code == 400
    assert "quote_text" in response.json()
    response = api.post(
        "/api/v1/approvals/",
        {"customer": acme.pk, "use": "logo", "scope": ["billboard"]},
        format="json",
    )
    assert response.status_code == 400
    assert "scope" in response.json()
    response = api.post(
        "/api/v1/approvals/",
        {"customer": acme.pk, "use": "quote", "scope": ["website", "press"], "quote_text": "It just works."},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    assert body["requested_by"] == users["marketing"].pk
    assert body["expires_on"]  # the default term is proposed
    assert (
        Approval.objects.get(pk=body["id"]).events.filter(kind="requested", actor=users["marketing"]).exists()
    )


def test_editing_an_approved_quote_needs_a_new_approval(users, api_as, make_approval):
    approval = make_approval(status="approved", use="quote", scope=["website"])
    api = api_as(users["marketing"])
    response = api.patch(f"/api/v1/approvals/{approval.pk}/", {"quote_text": "Better words."}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "new_approval_required"
    approval.refresh_from_db()
    assert approval.quote_text == "RefProgram halved our response time."
    response = api.patch(f"/api/v1/approvals/{approval.pk}/", {"notes": "fine"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "approval_locked"
    # The way forward: a new request for the new wording, linked to the old one.
    response = api.post(
        "/api/v1/approvals/",
        {
            "customer": approval.customer_id,
            "use": "quote",
            "scope": ["website"],
            "quote_text": "Better words.",
            "supersedes": approval.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    new = Approval.objects.get(pk=response.json()["id"])
    assert new.supersedes == approval and new.status == "requested"
    assert not new.is_valid_for("quote")  # the new wording is not approved yet
    assert approval.is_valid_for("quote")  # the old wording stays approved within its term


def test_editing_an_open_request_is_recorded_and_withdraws_sent_links(
    users, api_as, acme, make_approval, django_capture_on_commit_callbacks
):
    approval = make_approval(status="requested", use="quote", customer=acme, contact=acme.contacts.first())
    manager = api_as(users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            manager.post(f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json").status_code == 201
        )
    response = api_as(users["marketing"]).patch(
        f"/api/v1/approvals/{approval.pk}/", {"quote_text": "New words."}, format="json"
    )
    assert response.status_code == 200, response.content
    link = approval.consent_links.get()
    assert link.state() == "withdrawn"
    event = approval.events.get(kind="edited")
    assert event.actor == users["marketing"]
    assert event.changes["quote_text"] == ["RefProgram halved our response time.", "New words."]


def test_validity_within_scope_channel_and_term(make_approval, today):
    approval = make_approval(status="approved", use="logo", scope=["website", "sales_deck"], days=10)
    assert approval.is_valid_for("logo", "website", today)
    assert approval.is_valid_for("logo", None, today + timedelta(days=10))  # the last day counts
    assert not approval.is_valid_for("logo", "press", today)  # outside its scope
    assert not approval.is_valid_for("logo", "website", today + timedelta(days=11))  # past its term
    assert not approval.is_valid_for("quote", "website", today)  # another use
    assert list(Approval.objects.valid(today).for_channel("sales_deck")) == [approval]
    assert not Approval.objects.valid(today).for_channel("press").exists()
    assert not Approval.objects.valid(today + timedelta(days=11)).exists()
    assert list(Approval.objects.expiring(30, today)) == [approval]
    assert not Approval.objects.expiring(5, today).exists()
    for status in ("requested", "in_review", "declined", "revoked", "expired"):
        other = make_approval(status=status, use="logo", scope=["website"])
        assert not other.is_valid_for("logo", "website", today)
