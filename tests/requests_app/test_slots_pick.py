"""Picking a time: the requester sees the times the reference offered on the request page and
picks one; the candidate is scheduled and everyone gets the invitation; a reminder goes out
the day before, once per meeting start."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from refprogram.errors import RuleViolation
from requests_app import services
from requests_app.models import Candidate
from requests_app.services.meetings import meeting_reminders_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


@pytest.fixture
def offered(manager, sales, make_profile, make_request):
    """A candidate whose reference offered two times (in 5 days at 10:00, in 6 days at 14:00)."""
    owner = UserFactory(username="owner1", role="sales", email="owner1@example.com")
    profile = make_profile(name="Nordbank", account_owner=owner)
    request = make_request(sales, prospect="Globex Corp")
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    services.candidate_transition(candidate=candidate, to="owner_approved", actor=manager, note="By phone")
    services.candidate_transition(candidate=candidate, to="asked", actor=manager)
    token = services.answers.ask_link_send(candidate=candidate, by=manager).token
    return services.candidate_ask_answer(token=token, answer="slots", slots=[_at(5, 10), _at(6, 14)])


def test_the_requester_sees_the_offered_times_and_picks_one(
    client_as, sales, offered, django_capture_on_commit_callbacks
):
    client = client_as(sales)
    page = client.get(f"/requests/{offered.request_id}/").content.decode()
    first, second = _at(5, 10), _at(6, 14)
    assert first.isoformat() in page and second.isoformat() in page
    assert 'data-action="pick"' in page
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/candidates/{offered.pk}/pick/",
            {"slot": second.isoformat(), "meeting_details": "https://meet/x"},
        )

    assert response.status_code == 302
    candidate = Candidate.objects.get(pk=offered.pk)
    assert candidate.state == "scheduled"
    assert candidate.scheduled_for == second
    assert (candidate.meeting_details, candidate.duration_minutes, candidate.scheduled_by) == (
        "https://meet/x",
        30,  # a call's usual length
        sales,
    )
    invited = sorted(m.to[0] for m in mail.outbox if m.attachments)
    assert invited == sorted([sales.email, candidate.reference.contact.email, "owner1@example.com"])
    ics = next(m for m in mail.outbox if m.attachments).attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"DTSTART:{second.astimezone(UTC):%Y%m%dT%H%M%S}Z" in ics
    assert "LOCATION:https://meet/x" in ics


def test_a_time_the_reference_did_not_offer_is_refused(sales, offered):
    with pytest.raises(RuleViolation) as refused:
        services.candidate_slot_pick(candidate=offered, actor=sales, slot=_at(7, 9), meeting_details="Room 1")
    assert refused.value.code == "slot_not_offered"
    assert Candidate.objects.get(pk=offered.pk).state == "offered_times"


def test_picking_needs_where_it_happens(client_as, sales, offered):
    client_as(sales).post(f"/candidates/{offered.pk}/pick/", {"slot": _at(5, 10).isoformat()})
    assert Candidate.objects.get(pk=offered.pk).state == "offered_times"


def test_someone_who_cannot_see_the_request_gets_404(client_as, offered):
    stranger = UserFactory(username="sales2", role="sales")
    response = client_as(stranger).post(
        f"/candidates/{offered.pk}/pick/", {"slot": _at(5, 10).isoformat(), "meeting_details": "x"}
    )
    assert response.status_code == 404
    assert Candidate.objects.get(pk=offered.pk).state == "offered_times"


def test_the_account_owner_sees_the_times_but_does_not_pick(client_as, offered):
    owner = offered.reference.customer.account_owner
    page = client_as(owner).get(f"/requests/{offered.request_id}/").content.decode()
    assert "Times offered by the reference" in page and 'data-action="pick"' not in page


def test_the_reminder_goes_once_the_day_before_and_again_after_a_reschedule(
    manager, sales, offered, django_capture_on_commit_callbacks
):
    services.candidate_slot_pick(candidate=offered, actor=sales, slot=_at(5, 10), meeting_details="Room 1")
    four_days_on = timezone.localdate() + timedelta(days=4)
    assert meeting_reminders_send(today=four_days_on - timedelta(days=1), now=_at(3, 2)) == {"reminded": 0}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = meeting_reminders_send(today=four_days_on, now=_at(4, 2))
    assert first == {"reminded": 1}
    assert Notification.objects.filter(key__startswith=f"candidate:{offered.pk}:reminder:").count() == 2
    assert [m.to for m in mail.outbox if m.subject == "Reminder: your reference meeting"] == [
        [offered.reference.contact.email]
    ]
    assert meeting_reminders_send(today=four_days_on, now=_at(4, 3)) == {"reminded": 0}  # idempotent

    services.candidate_transition(
        candidate=offered, to="scheduled", actor=manager, scheduled_for=_at(5, 16), meeting_details="Room 2"
    )
    assert meeting_reminders_send(today=four_days_on, now=_at(4, 4)) == {"reminded": 1}
