"""Every product event a webhook can subscribe to reaches it exactly once per occurrence."""

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from approvals.models import Approval
from approvals.services import approval_transition
from integrations.models import WebhookSubscription
from requests_app import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_EVENTS = [
    "request.submitted",
    "request.fulfilled",
    "candidate.transitioned",
    "approval.decided",
    "reference.status_changed",
]


def events_received(receiver) -> Counter:
    return Counter(json.loads(hit["body"])["event"] for hit in receiver.received)


def test_a_request_walked_to_fulfilment_announces_each_step_once(
    users, make_profile, make_request, receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    WebhookSubscription.objects.create(url=receiver.url, events=ALL_EVENTS, secret="s" * 20)
    owner = UserFactory(username="owner1", role="sales")
    profile = make_profile(name="Acme Corp", account_owner=owner)
    manager = users["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request(users["sales"], activity="call")
    assert events_received(receiver) == Counter({"request.submitted": 1})
    submitted = json.loads(receiver.received[0]["body"])
    assert submitted["data"] == {"request": request.pk, "activity_type": "call"}

    with django_capture_on_commit_callbacks(execute=True):
        candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
        for to, extra in [
            ("owner_approved", {"note": "Agreed by phone."}),
            ("asked", {}),
            ("accepted", {}),
            (
                "scheduled",
                {
                    "scheduled_for": datetime.fromisoformat("2031-03-04T10:00:00+01:00"),
                    "meeting_details": "Room 4",
                },
            ),
            ("completed", {"completion_notes": "Done."}),
        ]:
            services.candidate_transition(candidate=candidate, to=to, actor=manager, **extra)

    # Five moves after the proposal, then the request is fulfilled (one reference was needed).
    assert events_received(receiver) == Counter(
        {"request.submitted": 1, "candidate.transitioned": 5, "request.fulfilled": 1}
    )
    moves = [
        json.loads(h["body"])["data"] for h in receiver.received if b"candidate.transitioned" in h["body"]
    ]
    assert [(m["from"], m["to"]) for m in moves] == [
        ("proposed", "owner_approved"),
        ("owner_approved", "asked"),
        ("asked", "accepted"),
        ("accepted", "scheduled"),
        ("scheduled", "completed"),
    ]
    fulfilled = [json.loads(h["body"]) for h in receiver.received if b"request.fulfilled" in h["body"]]
    assert fulfilled[0]["data"] == {"request": request.pk, "completed": 1}


def test_an_approval_decision_is_announced(
    users, make_profile, receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    WebhookSubscription.objects.create(url=receiver.url, events=["approval.decided"], secret="s" * 20)
    customer = make_profile(name="Globex").customer
    approval = Approval.objects.create(
        customer=customer,
        use="logo",
        scope=["website"],
        status="in_review",
        expires_on=timezone.localdate() + timedelta(days=365),
    )
    with django_capture_on_commit_callbacks(execute=True):
        approval_transition(
            approval=approval, to="approved", by=users["manager"], approver_name="Pat Approver"
        )
    assert len(receiver.received) == 1
    body = json.loads(receiver.received[0]["body"])
    assert body["event"] == "approval.decided"
    assert body["data"] == {
        "approval": approval.pk,
        "customer": customer.pk,
        "use": "logo",
        "status": "approved",
    }
