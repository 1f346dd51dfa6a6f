"""Fulfilment captures what happened: scheduling takes a meeting (start, minutes, where) and sends
RFC 5545 invitations; completing takes notes; once the customer accepted, the requester sees the
reference's contact and the meeting; ``calendar.ics`` serves the invitation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from requests_app import services
from requests_app.models import Candidate, CandidateEvent, Request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = "2031-03-04T10:00:00+01:00"  # 09:00 UTC
START_UTC = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sender(settings):
    settings.DEFAULT_FROM_EMAIL = "RefProgram <refprogram@refprogram.example>"


@pytest.fixture
def owner(db):
    return UserFactory(username="owner1", role="sales", first_name="Olga", last_name="Owner")


@pytest.fixture
def walk(api_as, users, owner, make_profile, make_request):
    """``walk("accepted")``: a call request by the sales rep with confidential deal data, its
    reference (Acme Corp, contact ``Dana Contact``) proposed by the manager and walked up to
    the given state. Returns the candidate."""

    def make(state: str, *, activity: str = "call") -> Candidate:
        profile = make_profile(name="Acme Corp", account_owner=owner, activities=(activity,))
        contact = profile.contact
        contact.name, contact.email, contact.phone = "Dana Contact", "dana@acme.example", "+49 30 555"
        contact.save()
        request = make_request(users["sales"], activity=activity, prospect="Prospect Inc")
        Request.objects.filter(pk=request.pk).update(
            opportunity_crm_id="OPP-SECRET-7",
            opportunity_amount=987654,
            opportunity_stage="negotiation",
            notes="Board wants the secret discount",
        )
        manager = users["manager"]
        candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
        path = ["owner_approved", "asked", "accepted", "scheduled", "completed"]
        for to in path[: path.index(state) + 1] if state in path else []:
            extra = {}
            if to == "scheduled":
                extra = {"scheduled_for": datetime.fromisoformat(START), "meeting_details": "Room 4"}
            if to == "completed":
                extra = {"completion_notes": "Done."}
            if to == "owner_approved":
                extra = {"note": "Agreed by phone."}
            services.candidate_transition(candidate=candidate, to=to, actor=manager, **extra)
        return Candidate.objects.get(pk=candidate.pk)

    return make


def _transition(client, candidate, body):
    return client.post(f"/api/v1/candidates/{candidate.pk}/transition/", body, format="json")


def _ics(message) -> Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics"
    assert mimetype.startswith("text/calendar; method=")
    return Calendar.from_ical(content)


def _event(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


def _attendees(event) -> set[str]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found] if found else []
    return {str(a) for a in found}


# --- Scheduling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, errors",
    [
        (
            {},
            {
                "scheduled_for": ["Give the date and time the activity starts."],
                "meeting_details": ["Say where it happens: a video or phone link, or a place."],
            },
        ),
        (
            {"scheduled_for": "2020-01-01T10:00:00Z", "meeting_details": "Room 4"},
            {"scheduled_for": ["The start must be in the future."]},
        ),
        (
            {"scheduled_for": START, "meeting_details": "   "},
            {"meeting_details": ["Say where it happens: a video or phone link, or a place."]},
        ),
        (
            {"scheduled_for": START, "meeting_details": "Room 4\nsecond line"},
            {"meeting_details": ["Contains a line break (U+000A); use one line of plain text."]},
        ),
        (
            {"scheduled_for": START, "meeting_details": "x" * 301},
            {"meeting_details": ["Ensure this field has no more than 300 characters."]},
        ),
        (
            {"scheduled_for": START, "meeting_details": "Room 4", "duration_minutes": 3},
            {"duration_minutes": ["Ensure this value is greater than or equal to 5."]},
        ),
        (
            {"scheduled_for": START, "meeting_details": "Room 4", "duration_minutes": 721},
            {"duration_minutes": ["Ensure this value is less than or equal to 720."]},
        ),
    ],
)
def test_scheduling_without_a_valid_meeting_is_a_400_and_changes_nothing(
    api_as, manager, walk, body, errors, django_capture_on_commit_callbacks
):
    candidate = walk("accepted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(api_as(manager), candidate, {"to": "scheduled", **body})
    assert response.status_code == 400, response.content
    assert response.json() == errors
    candidate.refresh_from_db()
    assert (candidate.state, candidate.scheduled_for, candidate.calendar_sequence) == ("accepted", None, 0)
    assert mail.outbox == []


def test_a_forbidden_move_is_a_409_before_the_fields_are_checked(api_as, manager, walk):
    candidate = walk("asked")
    response = _transition(api_as(manager), candidate, {"to": "scheduled"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_the_service_refuses_a_start_without_time_zone_and_takes_its_own_now(users, walk):
    candidate = walk("accepted")
    manager = users["manager"]
    with pytest.raises(ValidationError) as refused:
        services.candidate_transition(
            candidate=candidate,
            to="scheduled",
            actor=manager,
            scheduled_for=datetime(2031, 3, 4, 10, 0),  # noqa: DTZ001 - the point of the test
            meeting_details="Room 4",
        )
    assert refused.value.message_dict == {
        "scheduled_for": ["Give the start with its time zone (e.g. 2026-12-01T10:00:00+01:00)."]
    }
    # ``now`` is the moment the move happens (the demo replays the past): a start after it is fine.
    past_start = timezone.now() - timedelta(days=30)
    moved = services.candidate_transition(
        candidate=candidate,
        to="scheduled",
        actor=manager,
        scheduled_for=past_start,
        meeting_details="Room 4",
        now=past_start - timedelta(days=2),
    )
    assert moved.scheduled_for == past_start


def test_scheduling_records_the_meeting_and_invites_requester_contact_and_owner(
    api_as, users, owner, walk, django_capture_on_commit_callbacks
):
    manager, sales = users["manager"], users["sales"]
    candidate = walk("accepted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(
            api_as(manager),
            candidate,
            {"to": "scheduled", "scheduled_for": START, "meeting_details": "https://meet.example/abc"},
        )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "scheduled"
    assert data["meeting"] == {
        "starts_at": "2031-03-04T09:00:00Z",
        "ends_at": "2031-03-04T09:30:00Z",  # a call: 30 minutes by default
        "duration_minutes": 30,
        "details": "https://meet.example/abc",
        "sequence": 0,
        "calendar_url": f"/api/v1/candidates/{candidate.pk}/calendar.ics",
    }
    candidate.refresh_from_db()
    assert (candidate.duration_minutes, candidate.scheduled_by) == (30, manager)
    assert CandidateEvent.objects.filter(candidate=candidate).last().note == (
        "04 Mar 2031 09:00 (30 min), https://meet.example/abc"
    )

    invitations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invitations) == sorted(["dana@acme.example", owner.email, sales.email])
    assert invitations[0].subject == "Reference call: Acme Corp with Prospect Inc, 04 Mar 2031 09:00 UTC"
    cal = _ics(invitations[0])
    assert str(cal["method"]) == "REQUEST"
    event = _event(cal)
    assert str(event["uid"]) == f"candidate-{candidate.pk}@refprogram.example"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == START_UTC
    assert event.decoded("dtend") == START_UTC + timedelta(minutes=30)
    assert str(event["summary"]) == "Reference call: Acme Corp with Prospect Inc"
    assert str(event["location"]) == "https://meet.example/abc"
    assert str(event["organizer"]) == f"mailto:{manager.email}"
    assert _attendees(event) == {
        f"mailto:{sales.email}",
        "mailto:dana@acme.example",
        f"mailto:{owner.email}",
    }
    # Nothing of the deal travels in the invitation.
    raw = invitations[0].attachments[0][1]
    for secret in ("OPP-SECRET-7", "987654", "negotiation", "secret discount"):
        assert secret not in raw and secret not in invitations[0].body


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(
    api_as, users, walk, django_capture_on_commit_callbacks
):
    candidate = walk("scheduled")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(
            api_as(users["manager"]),
            candidate,
            {
                "to": "scheduled",
                "scheduled_for": "2031-03-05T15:00:00Z",
                "duration_minutes": 45,
                "meeting_details": "Room 7",
                "note": "The contact is travelling",
            },
        )
    assert response.status_code == 200, response.content
    assert response.json()["meeting"]["sequence"] == 1
    assert response.json()["state"] == "scheduled"
    assert len([m for m in mail.outbox if m.attachments]) == 3
    event = _event(_ics(mail.outbox[-1]))
    assert str(event["uid"]) == f"candidate-{candidate.pk}@refprogram.example"
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == datetime(2031, 3, 5, 15, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2031, 3, 5, 15, 45, tzinfo=UTC)
    last = CandidateEvent.objects.filter(candidate=candidate).last()
    assert (last.from_state, last.to_state) == ("scheduled", "scheduled")
    assert last.note == "Rescheduled: 05 Mar 2031 15:00 (45 min), Room 7 — The contact is travelling"


def test_withdrawing_a_scheduled_candidate_cancels_the_meeting(
    api_as, users, walk, django_capture_on_commit_callbacks
):
    candidate = walk("scheduled")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _transition(api_as(users["manager"]), candidate, {"to": "withdrawn"})
    assert response.status_code == 200
    cancellations = [m for m in mail.outbox if m.attachments]
    assert len(cancellations) == 3
    cal = _ics(cancellations[0])
    assert str(cal["method"]) == "CANCEL"
    event = _event(cal)
    assert (event["sequence"], str(event["status"])) == (1, "CANCELLED")
    assert cancellations[0].subject.startswith("Cancelled: Reference call: Acme Corp with Prospect Inc")


def test_site_visit_lasts_three_hours_by_default(api_as, users, walk):
    candidate = walk("accepted", activity="site_visit")
    response = _transition(
        api_as(users["manager"]),
        candidate,
        {"to": "scheduled", "scheduled_for": START, "meeting_details": "Acme HQ, Berlin"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["meeting"]["duration_minutes"] == 180


# --- Completion -------------------------------------------------------------------------------


def test_completing_needs_notes(api_as, users, walk):
    candidate = walk("scheduled")
    response = _transition(api_as(users["manager"]), candidate, {"to": "completed", "completion_notes": "  "})
    assert response.status_code == 400
    assert response.json() == {"completion_notes": ["Say what happened."]}
    candidate.refresh_from_db()
    assert candidate.state == "scheduled"


def test_completion_records_what_happened_and_whether_it_helped(api_as, users, walk):
    candidate = walk("scheduled")
    response = _transition(
        api_as(users["manager"]),
        candidate,
        {"to": "completed", "completion_notes": "45 minutes on the migration.", "found_useful": True},
    )
    assert response.status_code == 200, response.content
    assert response.json()["completion"] == {"notes": "45 minutes on the migration.", "found_useful": True}
    # The meeting stays on the record after completion.
    assert response.json()["meeting"]["starts_at"] == "2031-03-04T09:00:00Z"
    candidate.refresh_from_db()
    assert (candidate.state, candidate.found_useful) == ("completed", True)


# --- Who sees the contact -------------------------------------------------------------------

CONTACT = {"name": "Dana Contact", "title": "VP", "email": "dana@acme.example", "phone": "+49 30 555"}


@pytest.mark.parametrize(
    "state, viewer, sees",
    [
        ("owner_approved", "requester", False),
        ("asked", "requester", False),
        ("accepted", "requester", True),
        ("scheduled", "requester", True),
        ("completed", "requester", True),
        ("withdrawn", "requester", False),
        ("asked", "owner", False),
        ("accepted", "owner", True),
        ("accepted", "executive", False),
        ("accepted", "admin", True),
        ("asked", "manager", True),
    ],
)
def test_the_contact_is_shown_once_the_customer_accepted(api_as, users, owner, walk, state, viewer, sees):
    if state == "withdrawn":
        candidate = walk("accepted")
        candidate = services.candidate_transition(candidate=candidate, to="withdrawn", actor=users["manager"])
    else:
        candidate = walk(state)
    user = {"requester": users["sales"], "owner": owner}.get(viewer) or users[viewer]
    assert candidate.contact_visible_to(user) is sees
    response = api_as(user).get(f"/api/v1/candidates/{candidate.pk}/")
    assert response.status_code == 200
    assert response.json()["contact"] == (CONTACT if sees else None)
    listed = api_as(user).get(f"/api/v1/requests/{candidate.request_id}/candidates/").json()
    assert listed[0]["contact"] == (CONTACT if sees else None)


def test_the_request_page_shows_the_requester_the_contact_and_meeting_after_acceptance(
    client_as, users, walk
):
    candidate = walk("asked")
    page = client_as(users["sales"]).get(f"/requests/{candidate.request_id}/").content.decode()
    assert "dana@acme.example" not in page and "Dana Contact" not in page
    services.candidate_transition(candidate=candidate, to="accepted", actor=users["manager"])
    services.candidate_transition(
        candidate=candidate,
        to="scheduled",
        actor=users["manager"],
        scheduled_for=datetime.fromisoformat(START),
        meeting_details="Room 4",
    )
    page = client_as(users["sales"]).get(f"/requests/{candidate.request_id}/").content.decode()
    assert 'href="mailto:dana@acme.example"' in page
    assert "Dana Contact, VP" in page and "+49 30 555" in page
    assert "Tue 04 Mar 2031 09:00 (30 min, UTC)" in page and "Room 4" in page
    assert f'href="/api/v1/candidates/{candidate.pk}/calendar.ics"' in page
    # The requester walks nothing: no transition forms.
    assert "Reschedule" not in page and 'name="completion_notes"' not in page


# --- calendar.ics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewer, status, with_contact",
    [
        ("requester", 200, True),
        ("owner", 200, True),
        ("manager", 200, True),
        ("executive", 200, False),
        ("other_sales", 404, None),
    ],
)
def test_calendar_ics_for_people_who_may_see_the_candidate(
    api_as, users, owner, walk, viewer, status, with_contact
):
    candidate = walk("scheduled")
    user = {
        "requester": users["sales"],
        "owner": owner,
        "other_sales": UserFactory(username="sales2", role="sales"),
    }.get(viewer) or users[viewer]
    response = api_as(user).get(f"/api/v1/candidates/{candidate.pk}/calendar.ics")
    assert response.status_code == status
    if status != 200:
        return
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="reference-{candidate.pk}.ics"'
    event = _event(Calendar.from_ical(response.content))
    assert str(event["uid"]) == f"candidate-{candidate.pk}@refprogram.example"
    assert event.decoded("dtstart") == START_UTC
    assert ("mailto:dana@acme.example" in _attendees(event)) is with_contact


def test_calendar_ics_is_404_until_scheduled_and_accepts_a_calendar_client(api_as, users, walk):
    candidate = walk("accepted")
    client = api_as(users["manager"])
    assert client.get(f"/api/v1/candidates/{candidate.pk}/calendar.ics").status_code == 404
    services.candidate_transition(
        candidate=candidate,
        to="scheduled",
        actor=users["manager"],
        scheduled_for=datetime.fromisoformat(START),
        meeting_details="Room 4",
    )
    response = client.get(f"/api/v1/candidates/{candidate.pk}/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


# --- The request page's forms -----------------------------------------------------------------


def test_the_page_schedules_in_the_page_time_zone_and_completes(client_as, users, walk, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    candidate = walk("accepted")
    client = client_as(users["manager"])
    url = f"/candidates/{candidate.pk}/transition/"
    page = client.get(f"/requests/{candidate.request_id}/").content.decode()
    assert 'name="scheduled_for"' in page and 'value="30"' in page  # the call's usual minutes

    response = client.post(
        url,
        {
            "to": "scheduled",
            "scheduled_for": "2031-03-04T10:00",
            "duration_minutes": "60",
            "meeting_details": "Room 4",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Candidate moved to scheduled. Calendar invitations sent." in response.content.decode()
    candidate.refresh_from_db()
    assert (candidate.state, candidate.scheduled_for, candidate.duration_minutes) == (
        "scheduled",
        START_UTC,
        60,
    )
    assert "Reschedule" in response.content.decode()

    response = client.post(
        url,
        {"to": "completed", "completion_notes": "Went well.", "found_useful": "no"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204  # the request is fulfilled: the page reloads
    candidate.refresh_from_db()
    assert (candidate.state, candidate.completion_notes, candidate.found_useful) == (
        "completed",
        "Went well.",
        False,
    )


def test_a_refused_schedule_comes_back_open_with_what_was_typed(client_as, users, walk):
    candidate = walk("accepted")
    response = client_as(users["manager"]).post(
        f"/candidates/{candidate.pk}/transition/",
        {"to": "scheduled", "scheduled_for": "2020-01-01T10:00", "meeting_details": "Room 4"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Starts: The start must be in the future." in body
    assert '<details class="step-form" open>' in body
    assert 'value="2020-01-01T10:00"' in body and 'value="Room 4"' in body
    candidate.refresh_from_db()
    assert candidate.state == "accepted"


def test_a_completion_without_notes_from_the_page_is_refused_with_a_message(client_as, users, walk):
    candidate = walk("scheduled")
    response = client_as(users["manager"]).post(
        f"/candidates/{candidate.pk}/transition/", {"to": "completed"}, follow=True
    )
    assert "What happened: Say what happened." in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.state == "scheduled"


def test_the_candidate_list_reads_a_fixed_number_of_queries(api_as, users, make_profile, walk):
    """Contact, meeting and completion come from the rows already read: no query per candidate."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    candidate = walk("scheduled")
    request = candidate.request
    client = api_as(users["sales"])
    url = f"/api/v1/requests/{request.pk}/candidates/"
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()) == 1
    for _ in range(3):
        services.candidate_propose(request=request, reference=make_profile(), actor=users["manager"])
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url).json()) == 4
    # the request (and its products), the candidates with their rows, their references' products,
    # their events
    assert len(four) == len(one) == 5


def test_the_page_reschedules_a_scheduled_meeting(client_as, users, walk, django_capture_on_commit_callbacks):
    candidate = walk("scheduled")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(users["manager"]).post(
            f"/candidates/{candidate.pk}/transition/",
            {"to": "scheduled", "scheduled_for": "2031-03-06T08:30", "meeting_details": "Room 9"},
            HTTP_HX_REQUEST="true",
        )
    assert "Meeting rescheduled. Updated calendar invitations sent." in response.content.decode()
    candidate.refresh_from_db()
    assert (candidate.scheduled_for, candidate.meeting_details, candidate.calendar_sequence) == (
        datetime(2031, 3, 6, 8, 30, tzinfo=UTC),
        "Room 9",
        1,
    )
    assert len([m for m in mail.outbox if m.attachments]) == 3


def test_cancelling_the_request_cancels_its_meeting(api_as, users, walk, django_capture_on_commit_callbacks):
    candidate = walk("scheduled")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(users["sales"]).post(
            f"/api/v1/requests/{candidate.request_id}/cancel/", {"reason": "Deal lost"}, format="json"
        )
    assert response.status_code == 200, response.content
    cancellations = [m for m in mail.outbox if m.attachments]
    assert len(cancellations) == 3
    event = _event(_ics(cancellations[0]))
    assert (event["sequence"], str(event["status"])) == (1, "CANCELLED")
