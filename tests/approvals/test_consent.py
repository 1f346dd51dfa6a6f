"""The customer's consent link: shows exactly what will be published, works once, expires,
refuses tampered tokens, and reveals nothing else."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from approvals.models import ConsentLink
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

QUOTE = "RefProgram halved our incident response time across 40 sites."


@pytest.fixture
def sent(users, api_as, acme, make_approval, django_capture_on_commit_callbacks):
    """A quote approval requested of Acme, sent to its contact by the manager; returns (approval, path)."""
    approval = make_approval(
        status="requested",
        use="quote",
        customer=acme,
        quote_text=QUOTE,
        scope=["website", "press"],
        contact=acme.contacts.get(),
        notes="INTERNAL: the CEO wants this before the summit",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(users["manager"]).post(
            f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json"
        )
    assert response.status_code == 201, response.content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@acme.example"]
    url = re.search(r"http://testserver(/consent/\S+/)", message.body).group(1)
    approval.refresh_from_db()
    return approval, url


def test_sending_the_link_puts_the_request_in_review(sent):
    approval, url = sent
    assert approval.status == "in_review"
    link = approval.consent_links.get()
    token = url.split("/")[2]
    assert token not in link.token_hash  # only a hash is stored
    assert link.expires_at - link.created_at == timedelta(days=14)
    assert approval.events.filter(kind="link_sent").exists()


def test_the_page_shows_exactly_what_will_be_published_and_nothing_else(client, sent, make_approval):
    approval, url = sent
    other = CustomerFactory(name="Globex Secret Account")
    make_approval(status="approved", customer=other, use="logo")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Acme Corp", QUOTE, "Website, Press", approval.expires_on.strftime("%-d %B %Y"), "Quote"):
        assert shown in html
    for hidden in (
        "Globex",
        "INTERNAL",
        "+1 555 0100",
        "manager1",
        "/approvals/",
        "/inventory",
        "Log out",
        "<nav",
    ):
        assert hidden not in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_approve_once_then_the_link_is_spent(client, sent):
    approval, url = sent
    response = client.post(
        url, {"name": "Dana Decider", "title": "CMO", "comment": "Go ahead", "decision": "approve"}
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "approved"
    assert (approval.approver_name, approval.approver_title, approval.approver_email) == (
        "Dana Decider",
        "CMO",
        "dana@acme.example",
    )
    assert approval.decision_comment == "Go ahead"
    event = approval.events.get(kind="transition", to_status="approved")
    assert event.actor is None and event.who.startswith("Customer: Dana Decider, CMO")
    # Second use: refused, and nothing changes.
    assert client.get(url).status_code == 410
    response = client.post(url, {"name": "Mallory", "comment": "no", "decision": "decline"})
    assert response.status_code == 410
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.approver_name == "Dana Decider"


def test_decline_needs_a_comment_and_records_it(client, sent):
    approval, url = sent
    response = client.post(url, {"name": "Dana Decider", "decision": "decline"})
    assert response.status_code == 400
    assert "tell us why" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "in_review"
    response = client.post(url, {"name": "Dana Decider", "decision": "decline", "comment": "Not this year"})
    assert response.status_code == 200
    approval.refresh_from_db()
    assert approval.status == "declined" and approval.decision_comment == "Not this year"


def test_an_expired_link_is_refused(client, sent):
    approval, url = sent
    ConsentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 410
    response = client.post(url, {"name": "Dana", "decision": "approve"})
    assert response.status_code == 410
    approval.refresh_from_db()
    assert approval.status == "in_review"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[1:],
        lambda t: t + "x",
        lambda t: "x" * 200,
    ],
)
def test_a_tampered_token_is_refused(client, sent, tamper):
    approval, url = sent
    token = url.split("/")[2]
    bad = f"/consent/{tamper(token)}/"
    response = client.get(bad)
    assert response.status_code == 404
    assert QUOTE not in response.content.decode()
    assert client.post(bad, {"name": "Eve", "decision": "approve"}).status_code == 404
    approval.refresh_from_db()
    assert approval.status == "in_review"


def test_a_newer_link_withdraws_the_older_one(
    client, users, api_as, sent, django_capture_on_commit_callbacks
):
    approval, first = sent
    with django_capture_on_commit_callbacks(execute=True):
        api_as(users["manager"]).post(f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json")
    second = re.search(r"http://testserver(/consent/\S+/)", mail.outbox[-1].body).group(1)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_a_link_needs_an_open_request_and_a_recipient(users, api_as, make_approval):
    api = api_as(users["manager"])
    decided = make_approval(status="approved")
    response = api.post(f"/api/v1/approvals/{decided.pk}/send-link/", {"email": "x@y.example"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "approval_not_open")
    nobody = make_approval(status="requested")
    response = api.post(f"/api/v1/approvals/{nobody.pk}/send-link/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "consent_recipient_missing")
    response = api.post(f"/api/v1/approvals/{nobody.pk}/send-link/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert not mail.outbox
