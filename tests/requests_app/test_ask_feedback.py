"""After the activity: a day after the meeting the requester and the reference each get a
feedback link; "did not happen" makes the candidate missed (the ask counts, not the use); the
reference is thanked when the activity is completed."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from ledger.models import UsageEntry
from requests_app import services
from requests_app.models import Candidate, CandidateFeedback
from requests_app.services.feedback import feedback_links_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def met(manager, sales, make_profile, make_request):
    """A call scheduled for tomorrow 10:00 (moved back in time by the tests that need it)."""
    owner = UserFactory(username="owner1", role="sales", email="owner1@example.com")
    profile = make_profile(name="Nordbank", account_owner=owner)
    request = make_request(sales, prospect="Globex Corp")
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    for to in ("owner_approved", "asked", "accepted"):
        services.candidate_transition(candidate=candidate, to=to, actor=manager, note="By phone")
    return services.candidate_transition(
        candidate=candidate,
        to="scheduled",
        actor=manager,
        scheduled_for=timezone.now() + timedelta(days=1),
        meeting_details="Room 1",
    )


def _links(met, now, capture) -> dict[str, str]:
    """Send the feedback links at ``now``; returns {recipient: path}."""
    mail.outbox.clear()
    with capture(execute=True):
        feedback_links_send(now=now, base_url="http://testserver/")
    return {
        m.to[0]: re.search(r"http://testserver(/answer/\S+/)", m.body).group(1)
        for m in mail.outbox
        if "/answer/" in m.body
    }


def test_the_links_go_a_day_after_the_meeting_once(met, sales, django_capture_on_commit_callbacks):
    start = met.scheduled_for
    # The call lasts 30 minutes: it ends at start + 30 min; a day later is start + 24 h 30 min.
    assert _links(met, start + timedelta(hours=24, minutes=29), django_capture_on_commit_callbacks) == {}
    sent = _links(met, start + timedelta(hours=24, minutes=30), django_capture_on_commit_callbacks)
    assert sorted(sent) == sorted([sales.email, met.reference.contact.email])
    assert _links(met, start + timedelta(days=3), django_capture_on_commit_callbacks) == {}  # once


def test_did_not_happen_makes_it_missed_the_ask_still_counts(client, met, django_capture_on_commit_callbacks):
    paths = _links(met, met.scheduled_for + timedelta(days=2), django_capture_on_commit_callbacks)
    reference_path = paths[met.reference.contact.email]
    page = client.get(reference_path).content.decode()
    assert "How often is too often?" in page and "Would you do it again?" in page

    done = client.post(reference_path, {"happened": "no", "comment": "Nobody joined."})

    assert done.status_code == 200
    candidate = Candidate.objects.get(pk=met.pk)
    assert candidate.state == "missed"
    assert UsageEntry.objects.get(source=f"candidate:{met.pk}").status == "asked"
    assert candidate.request.status == "in_progress"  # not a completed use
    note = Notification.objects.get(key=f"candidate:{met.pk}:missed:manager")
    assert "Nobody joined." in note.body
    assert client.get(reference_path).status_code == 410


def test_the_requester_rates_it_and_the_request_page_shows_it(
    client, client_as, manager, sales, met, django_capture_on_commit_callbacks
):
    path = _links(met, met.scheduled_for + timedelta(days=2), django_capture_on_commit_callbacks)[sales.email]
    page = client.get(path).content.decode()
    assert "How often is too often?" not in page  # a question for the reference only
    assert client.post(path, {"happened": "yes"}).status_code == 400  # a rating is needed
    assert client.post(path, {"happened": "yes", "rating": "4", "comment": "Very useful"}).status_code == 200

    feedback = CandidateFeedback.objects.get(candidate=met)
    assert (feedback.side, feedback.happened, feedback.rating, feedback.comment) == (
        "requester",
        True,
        4,
        "Very useful",
    )
    assert Candidate.objects.get(pk=met.pk).state == "scheduled"
    html = client_as(manager).get(f"/requests/{met.request_id}/").content.decode()
    assert "Happened, rated 4/5" in html and "Very useful" in html


def test_the_feedback_link_refuses_tampering_and_needs_csrf(
    client, sales, met, django_capture_on_commit_callbacks
):
    path = _links(met, met.scheduled_for + timedelta(days=2), django_capture_on_commit_callbacks)[sales.email]
    token = path.split("/")[2]
    assert client.get(f"/answer/{token[::-1]}/").status_code == 404
    assert Client(enforce_csrf_checks=True).post(path, {"happened": "no"}).status_code == 403
    assert Candidate.objects.get(pk=met.pk).state == "scheduled"


def test_completing_thanks_the_reference(manager, met, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(candidate=met, to="completed", actor=manager, completion_notes="Done.")
    thanks = [m for m in mail.outbox if m.subject == "Thank you for being a reference"]
    assert [m.to for m in thanks] == [[met.reference.contact.email]]


def test_the_profile_shows_what_both_sides_said(met, client_as, manager):
    """The profile's usage history (requests served) carries the feedback of both sides."""
    CandidateFeedback.objects.create(
        candidate=met, side="requester", happened=True, rating=4, comment="Clear and candid "
    )
    CandidateFeedback.objects.create(
        candidate=met, side="reference", happened=True, rating=5, would_do_again=True
    )
    html = client_as(manager).get(f"/references/{met.reference_id}/usage/").content.decode()
    assert "Requester: 4 of 5, “Clear and candid”; Reference: 5 of 5, would do it again" in html


def test_a_meeting_that_did_not_happen_says_so_on_the_profile(met, client_as, manager):
    CandidateFeedback.objects.create(candidate=met, side="requester", happened=False)
    html = client_as(manager).get(f"/references/{met.reference_id}/usage/").content.decode()
    assert "Requester: did not happen" in html
