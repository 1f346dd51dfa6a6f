"""The reference's ask link: moving a candidate to "customer asked" e-mails the reference
contact a private link; the page shows what is asked and nothing of anyone else; the
reference accepts, declines ("ask me again after") or offers times, through the same service
as the manager's buttons."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from ledger.models import Hold, UsageEntry
from references.models import Industry
from requests_app import services
from requests_app.models import Candidate, CandidateLink, Request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(manager, sales, make_profile, make_request, django_capture_on_commit_callbacks):
    """``ask(deal_shared=False)`` → (candidate, path of the reference's link)."""

    def make(deal_shared=False):
        owner = UserFactory(username="owner1", role="sales", email="owner1@example.com")
        profile = make_profile(name="Nordbank", account_owner=owner)
        profile.contact.email = "ada@nordbank.example"
        profile.contact.save()
        request = make_request(
            sales, prospect="Globex Corp", size_band="enterprise", seniority="c_level", industry="retail"
        )
        Request.objects.filter(pk=request.pk).update(
            opportunity_amount=987654,
            opportunity_stage="Negotiation",
            prospect_contact_title="Chief Risk Officer",
        )
        candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
        services.candidate_transition(
            candidate=candidate, to="owner_approved", actor=manager, note="By phone"
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.candidate_transition(
                candidate=candidate,
                to="asked",
                actor=manager,
                deal_shared=deal_shared,
                base_url="http://testserver/",
            )
        sent = [m for m in mail.outbox if m.to == ["ada@nordbank.example"]]
        assert len(sent) == 1
        path = re.search(r"http://testserver(/answer/\S+/)", sent[0].body).group(1)
        return Candidate.objects.get(pk=candidate.pk), path

    return make


def _future(days: int, hour: int = 10) -> str:
    day = timezone.localdate() + timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def test_the_page_shows_what_is_asked_and_nobody_elses_details(client, ask, sales):
    candidate, path = ask()
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    retail = Industry.objects.get(code="retail").name
    for shown in ("Reference call", retail, "Enterprise", "Chief Risk Officer", "about 30 minutes"):
        assert shown in html, shown
    # Never the deal, the requester or the account owner unless the manager shares the deal.
    for hidden in ("Globex Corp", "987", "Negotiation", sales.email, sales.username, "owner1"):
        assert hidden not in html, hidden
    assert response["Referrer-Policy"] == "same-origin"
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"  # a GET decides nothing


def test_the_deal_shows_only_when_the_manager_shared_it(client, ask):
    candidate, path = ask(deal_shared=True)
    html = client.get(path).content.decode()
    assert "Globex Corp" in html and "Negotiation" in html
    assert "987" not in html  # the amount is never the reference's business


def test_accepting_moves_the_candidate_and_tells_everyone(client, ask):
    candidate, path = ask()
    done = client.post(path, {"answer": "accept"})
    assert done.status_code == 200
    candidate.refresh_from_db()
    assert candidate.state == "accepted"
    event = candidate.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.actor) == ("asked", "accepted", None)
    assert UsageEntry.objects.get(source=f"candidate:{candidate.pk}").status == "asked"
    for who in ("manager", "requester", "owner"):
        assert Notification.objects.filter(key=f"candidate:{candidate.pk}:accepted:{who}").exists(), who


def test_declining_with_ask_me_again_after_records_the_date(client, api_as, manager, ask):
    candidate, path = ask()
    after = timezone.localdate() + timedelta(days=60)
    client.post(path, {"answer": "decline", "reason": "Busy quarter", "ask_again_after": f"{after:%Y-%m-%d}"})
    candidate.refresh_from_db()
    assert candidate.state == "declined"
    assert (candidate.answer_reason, candidate.ask_again_after) == ("Busy quarter", after)
    assert UsageEntry.objects.get(source=f"candidate:{candidate.pk}").status == "declined"
    body = api_as(manager).get(f"/api/v1/candidates/{candidate.pk}/").json()
    assert body["ask_again_after"] == f"{after:%Y-%m-%d}"
    manager_note = Notification.objects.get(key=f"candidate:{candidate.pk}:declined:manager")
    assert f"Ask again after {after:%d %b %Y}" in manager_note.body
    # The reference is on hold until then (ledger's holds).
    hold = Hold.objects.get(source=f"candidate:{candidate.pk}")
    assert (hold.reference_id, hold.kind, hold.ends_on) == (candidate.reference_id, "reference", after)


def test_ask_me_again_after_more_than_two_years_is_refused_and_nothing_changes(client, ask):
    candidate, path = ask()
    far = timezone.localdate() + timedelta(days=800)
    refused = client.post(path, {"answer": "decline", "ask_again_after": f"{far:%Y-%m-%d}"})
    assert refused.status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"
    assert not Hold.objects.exists()


def test_ask_me_again_after_must_be_in_the_future(client, ask):
    candidate, path = ask()
    past = timezone.localdate() - timedelta(days=1)
    refused = client.post(path, {"answer": "decline", "ask_again_after": f"{past:%Y-%m-%d}"})
    assert refused.status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"


def test_offering_two_times_waits_for_the_requester(client, ask):
    candidate, path = ask()
    done = client.post(path, {"answer": "slots", "slot_1": _future(5), "slot_2": _future(6, 14)})
    assert done.status_code == 200
    candidate.refresh_from_db()
    assert candidate.state == "offered_times"
    assert [timezone.localtime(s).strftime("%Y-%m-%dT%H:%M") for s in candidate.slots] == [
        _future(5),
        _future(6, 14),
    ]
    requester_note = Notification.objects.get(key=f"candidate:{candidate.pk}:offered_times:requester")
    assert "Pick one on the request page" in requester_note.body


@pytest.mark.parametrize(
    "slots",
    [
        {"slot_1": "2031-03-04T10:00"},  # one time is not a choice
        {"slot_1": "2031-03-04T10:00", "slot_2": "2031-03-04T10:00"},  # the same time twice
        {"slot_1": "2020-03-04T10:00", "slot_2": "2031-03-04T10:00"},  # one in the past
    ],
)
def test_offering_times_needs_two_or_three_distinct_future_ones(client, ask, slots):
    candidate, path = ask()
    refused = client.post(path, {"answer": "slots", **slots})
    assert refused.status_code == 400
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"
    assert CandidateLink.objects.get(candidate=candidate, purpose="ask").used_at is None  # still works


def test_the_link_works_once_expires_and_refuses_tampering(client, ask):
    candidate, path = ask()
    token = path.split("/")[2]
    assert client.get(f"/answer/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/").status_code == 404
    assert client.post(path, {"answer": "accept"}).status_code == 200
    assert client.get(path).status_code == 410
    assert client.post(path, {"answer": "decline"}).status_code == 410
    assert Candidate.objects.get(pk=candidate.pk).state == "accepted"


def test_an_expired_link_is_gone(client, ask):
    candidate, path = ask()
    CandidateLink.objects.filter(candidate=candidate).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 410
    assert client.post(path, {"answer": "accept"}).status_code == 410
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"


def test_a_manager_move_or_a_newer_link_withdraws_it(client, manager, ask):
    candidate, path = ask()
    newer = services.answers.ask_link_send(candidate=candidate, by=manager)
    assert client.get(path).status_code == 410
    assert client.get(f"/answer/{newer.token}/").status_code == 200
    services.candidate_transition(candidate=candidate, to="accepted", actor=manager)
    assert client.get(f"/answer/{newer.token}/").status_code == 410


def test_the_answer_needs_the_csrf_token(ask):
    candidate, path = ask()
    assert Client(enforce_csrf_checks=True).post(path, {"answer": "accept"}).status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"


def test_an_owner_link_does_not_answer_an_ask(client, ask):
    """Each link does one thing: the owner's token is unknown to the ask's service."""
    candidate, _ = ask()
    owner_token = services.answers.owner_link_send(candidate=candidate, by=None).token
    with pytest.raises(services.answers.links.LinkInvalid) as refused:
        services.candidate_ask_answer(token=owner_token, answer="accept")
    assert refused.value.reason == "unknown"
