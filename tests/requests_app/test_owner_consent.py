"""The account owner consents (or declines, with a reason) on the request page or with the
one-click link e-mailed to them; the manager's "owner consents" is an override needing a note."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from ledger.models import UsageEntry
from refprogram.errors import RuleViolation
from requests_app import services
from requests_app.models import Candidate, CandidateLink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="owner1", role="sales", email="owner1@example.com")


@pytest.fixture
def proposed(manager, sales, owner, make_profile, make_request, django_capture_on_commit_callbacks):
    """A candidate proposed by the manager; returns (candidate, path of the owner's link)."""
    profile = make_profile(name="Nordbank", account_owner=owner)
    request = make_request(sales, prospect="Globex Corp")
    with django_capture_on_commit_callbacks(execute=True):
        candidate = services.candidate_propose(
            request=request, reference=profile, actor=manager, base_url="http://testserver/"
        )
    links = [m for m in mail.outbox if m.to == ["owner1@example.com"] and "/answer/" in m.body]
    assert len(links) == 1
    path = re.search(r"http://testserver(/answer/\S+/)", links[0].body).group(1)
    return candidate, path


def _state(candidate) -> str:
    return Candidate.objects.get(pk=candidate.pk).state


def test_the_owner_consents_on_the_request_page(client_as, owner, proposed):
    candidate, _ = proposed
    client = client_as(owner)
    page = client.get(f"/requests/{candidate.request_id}/").content.decode()
    assert 'data-action="owner-consent"' in page

    response = client.post(f"/candidates/{candidate.pk}/owner/", {"decision": "consent"})

    assert response.status_code == 302
    assert _state(candidate) == "owner_approved"
    event = candidate.events.order_by("-id").first()
    assert (event.to_state, event.actor) == ("owner_approved", owner)
    # The manager (the request's assignee) hears who answered.
    manager_note = Notification.objects.get(key=f"candidate:{candidate.pk}:owner_approved:manager")
    assert "account owner" in manager_note.subject
    # The owner's link is spent by any answer: it now says so.
    assert CandidateLink.objects.get(candidate=candidate).withdrawn_at is not None


def test_declining_needs_a_reason_then_withdraws_and_releases_the_reservation(client_as, owner, proposed):
    candidate, _ = proposed
    client = client_as(owner)
    client.post(f"/candidates/{candidate.pk}/owner/", {"decision": "decline", "reason": "  "})
    assert _state(candidate) == "proposed"

    client.post(f"/candidates/{candidate.pk}/owner/", {"decision": "decline", "reason": "Escalation open"})

    candidate.refresh_from_db()
    assert candidate.state == "withdrawn"
    assert candidate.answer_reason == "Escalation open"
    assert UsageEntry.objects.get(source=f"candidate:{candidate.pk}").status == "withdrawn"
    requester_note = Notification.objects.get(key=f"candidate:{candidate.pk}:withdrawn:requester")
    assert "Escalation open" in requester_note.body
    assert Notification.objects.filter(key=f"candidate:{candidate.pk}:withdrawn:manager").exists()


def test_nobody_but_the_account_owner_answers_for_them(client_as, sales, proposed):
    candidate, _ = proposed
    page = client_as(sales).get(f"/requests/{candidate.request_id}/").content.decode()
    assert 'data-action="owner-consent"' not in page  # the requester sees no consent buttons
    client_as(sales).post(f"/candidates/{candidate.pk}/owner/", {"decision": "consent"})
    assert _state(candidate) == "proposed"
    with pytest.raises(RuleViolation) as refused:
        services.candidate_owner_decide(candidate=candidate, actor=sales, consent=True)
    assert refused.value.code == "not_account_owner"


def test_the_managers_owner_consent_is_an_override_that_needs_a_note(api_as, manager, proposed):
    candidate, _ = proposed
    client = api_as(manager)
    bare = client.post(
        f"/api/v1/candidates/{candidate.pk}/transition/", {"to": "owner_approved"}, format="json"
    )
    assert bare.status_code == 400
    assert "note" in bare.json()
    ok = client.post(
        f"/api/v1/candidates/{candidate.pk}/transition/",
        {"to": "owner_approved", "note": "Agreed by phone"},
        format="json",
    )
    assert ok.status_code == 200
    assert candidate.events.order_by("-id").first().note == "Agreed by phone"


def test_the_link_page_changes_nothing_on_get_and_consents_on_post_once(client, proposed):
    candidate, path = proposed
    shown = client.get(path)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Nordbank" in html and "Globex Corp" in html
    assert shown["Cache-Control"].startswith("private") and shown["X-Robots-Tag"] == "noindex, nofollow"
    assert _state(candidate) == "proposed"  # a mail scanner's GET decides nothing

    done = client.post(path, {"decision": "consent"})

    assert done.status_code == 200 and "Your consent is recorded" in done.content.decode()
    assert _state(candidate) == "owner_approved"
    assert client.get(path).status_code == 410
    assert client.post(path, {"decision": "consent"}).status_code == 410


def test_declining_by_link_needs_a_reason(client, proposed):
    candidate, path = proposed
    refused = client.post(path, {"decision": "decline", "reason": ""})
    assert refused.status_code == 400
    assert _state(candidate) == "proposed"
    assert client.post(path, {"decision": "decline", "reason": "M&A quiet period"}).status_code == 200
    candidate.refresh_from_db()
    assert (candidate.state, candidate.answer_reason) == ("withdrawn", "M&A quiet period")


def test_a_tampered_token_is_404_and_an_expired_link_410(client, proposed):
    candidate, path = proposed
    token = path.split("/")[2]
    assert client.get(f"/answer/{token[:-2]}xy/").status_code == 404
    assert client.get("/answer/" + "a" * 200 + "/").status_code == 404
    CandidateLink.objects.filter(candidate=candidate).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 410
    assert client.post(path, {"decision": "consent"}).status_code == 410
    assert _state(candidate) == "proposed"


def test_only_a_hash_is_stored_and_a_newer_link_withdraws_the_older(client, manager, proposed):
    candidate, path = proposed
    token = path.split("/")[2]
    link = CandidateLink.objects.get(candidate=candidate)
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert link.expires_at - link.created_at == timedelta(days=7)
    newer = services.answers.owner_link_send(candidate=candidate, by=manager)
    assert client.get(path).status_code == 410
    assert client.get(f"/answer/{newer.token}/").status_code == 200


def test_the_link_post_needs_the_csrf_token(proposed):
    candidate, path = proposed
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path, {"decision": "consent"}).status_code == 403
    assert _state(candidate) == "proposed"


def test_a_changed_account_owner_withdraws_the_link(client, proposed):
    candidate, path = proposed
    customer = candidate.reference.customer
    customer.account_owner = UserFactory(username="owner2", role="sales")
    customer.save()
    assert client.get(path).status_code == 410
