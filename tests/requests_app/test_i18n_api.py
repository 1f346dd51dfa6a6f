"""The API speaks the caller's language (#19): a refused rule's ``detail`` (409) and a field error
(400) are in the language of the person's profile, whether they sign in with an API token or a
session; the ``code`` never changes (it is the contract). The calendar invitation speaks the
language of the person it is for."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from knox.models import AuthToken
from rest_framework.test import APIClient

from ledger import holds
from requests_app import services
from requests_app.models import Candidate
from tests.factories import NominationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def _german_day(day: date) -> str:
    """How a German sentence writes a day: "4. März 2031"."""
    return f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}"


def _token_client(user, language: str) -> APIClient:
    """An API client signed with the person's own token (no session: only the token names them)."""
    user.language = language
    user.save(update_fields=["language"])
    _, key = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_german_requester_reads_refusals_and_field_errors_in_german(sales, make_request):
    request = make_request(sales)
    client = _token_client(sales, "de")

    early = client.post(f"{API}requests/{request.pk}/rate/", {"rating": 5}, format="json")
    assert early.status_code == 409
    assert early.json() == {
        "detail": "Es gibt nichts zu bewerten, bis eine Referenz abgeschlossen hat.",
        "code": "not_fulfilled",
    }

    cancel = f"{API}requests/{request.pk}/cancel/"
    assert client.post(cancel, {"reason": "Deal verloren"}, format="json").status_code == 200
    again = client.post(cancel, {"reason": "noch mal"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "Diese Anfrage ist storniert.", "code": "request_closed"}


def test_a_german_manager_reads_the_ledger_and_nomination_refusals_in_german(
    manager, sales, make_profile, make_request
):
    profile = make_profile(name="Gamma GmbH")
    profile.contact.name = "Greta Gamma"
    profile.contact.save()
    ends_on = timezone.localdate() + timedelta(days=3)
    holds.hold_create(actor=manager, customer=profile.customer, reason="Eskalation offen", ends_on=ends_on)
    request = make_request(sales)
    client = _token_client(manager, "de")

    held = client.post(f"{API}requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json")
    assert held.status_code == 409
    assert held.json() == {
        "detail": f"Greta Gamma ist bis {_german_day(ends_on)} pausiert: Eskalation offen.",
        "code": "on_hold",
    }

    nomination = NominationFactory(owner_consent=False, status="vetting")
    refused = client.post(f"{API}nominations/{nomination.pk}/accept/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Der Account-Verantwortliche hat abgelehnt; lehnen Sie stattdessen die Nominierung ab.",
        "code": "owner_consent_missing",
    }

    new_customer = {"industry": "finance", "region": "emea", "country": "DE", "size_band": "smb"}
    bad_name = client.post(f"{API}customers/", {**new_customer, "name": "Evil\nCorp"}, format="json")
    assert bad_name.status_code == 400
    assert bad_name.json() == {
        "name": ["Enthält das Zeichen Zeilenumbruch (U+000A); verwenden Sie eine Zeile einfachen Text."]
    }


def test_a_session_signed_german_user_reads_german_too(sales, make_request):
    sales.language = "de"
    sales.save(update_fields=["language"])
    request = make_request(sales)
    client = Client()
    client.force_login(sales)
    answer = client.post(f"{API}requests/{request.pk}/rate/", {"rating": 5}, content_type="application/json")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Es gibt nichts zu bewerten, bis eine Referenz abgeschlossen hat."


def test_a_french_requester_reads_french_and_an_english_one_english(sales, make_request):
    request = make_request(sales)
    french = _token_client(sales, "fr").post(
        f"{API}requests/{request.pk}/rate/", {"rating": 5}, format="json"
    )
    assert french.json() == {
        "detail": "Il n’y a rien à évaluer tant qu’aucune référence n’a terminé.",
        "code": "not_fulfilled",
    }
    english = _token_client(sales, "en").post(
        f"{API}requests/{request.pk}/rate/", {"rating": 5}, format="json"
    )
    assert english.json() == {
        "detail": "There is nothing to rate until a reference has completed.",
        "code": "not_fulfilled",
    }


def test_without_a_language_of_their_own_a_person_reads_their_browsers(sales, make_request):
    request = make_request(sales)
    client = _token_client(sales, "")
    answer = client.post(
        f"{API}requests/{request.pk}/rate/", {"rating": 5}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert answer.json()["detail"] == "No hay nada que valorar hasta que una referencia haya terminado."


# --- the calendar invitation ------------------------------------------------------------------


def _ics(message) -> Calendar:
    name, content, _ = message.attachments[0]
    assert name == "invitation.ics"
    return Calendar.from_ical(content)


def test_each_invitation_speaks_the_language_of_its_reader(
    users, make_profile, make_request, django_capture_on_commit_callbacks
):
    manager, sales = users["manager"], users["sales"]
    sales.language, sales.time_zone = "de", "America/New_York"
    sales.save(update_fields=["language", "time_zone"])
    profile = make_profile(name="Acme Corp", activities=("call",))
    contact = profile.contact
    contact.email, contact.preferred_language, contact.time_zone = "dana@acme.example", "fr", "Europe/Paris"
    contact.save()
    request = make_request(sales, prospect="Prospect Inc")
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    for to in ("owner_approved", "asked", "accepted"):
        extra = {"note": "Per Telefon."} if to == "owner_approved" else {}
        services.candidate_transition(candidate=candidate, to=to, actor=manager, **extra)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_transition(
            candidate=Candidate.objects.get(pk=candidate.pk),
            to="scheduled",
            actor=manager,
            scheduled_for=datetime.fromisoformat("2031-03-04T10:00:00+01:00"),
            meeting_details="Salle 4",
        )
    invitations = {m.to[0]: m for m in mail.outbox if m.attachments}

    french = invitations["dana@acme.example"]
    # The contact reads the time in their own zone (10:00 in Paris is 09:00 UTC), named.
    assert "Quand : 4 mars 2031 à 10:00 Europe/Paris (30 min)" in french.body
    assert "Où : Salle 4" in french.body
    assert "L’invitation est jointe." in french.body
    event = next(c for c in _ics(french).walk() if c.name == "VEVENT")
    assert str(event["description"]) == "Référence : Acme Corp\nOù : Salle 4"

    german = invitations[sales.email]
    # The requester reads it in their profile's zone (09:00 UTC is 04:00 in New York in March).
    assert german.subject.endswith(", 4. März 2031, 04:00 America/New_York")
    assert "Wann: 4. März 2031, 04:00 America/New_York (30 Min.)" in german.body
    # Their notification of the meeting too, as their pages show times.
    from accounts.models import Notification

    scheduled = Notification.objects.get(user=sales, key__endswith=":scheduled:requester")
    assert "4. März 2031, 04:00" in scheduled.body
    assert "Die Einladung ist angehängt." in german.body


# --- notifications ----------------------------------------------------------------------------


def test_each_person_is_notified_in_their_own_language(users, make_profile, make_request):
    from accounts.models import Notification

    manager, sales = users["manager"], users["sales"]
    sales.language = "de"
    sales.save(update_fields=["language"])
    owner = users["marketing"]
    owner.language = "fr"
    owner.save(update_fields=["language"])
    profile = make_profile(name="Acme Corp", account_owner=owner, activities=("call",))
    request = make_request(sales, prospect="Prospect Inc")

    services.candidate_propose(request=request, reference=profile, actor=manager)

    to_requester = Notification.objects.get(user=sales)
    assert to_requester.subject == f"Für Ihre Anfrage Nr. {request.pk} wurde eine Referenz vorgeschlagen"
    to_owner = Notification.objects.get(user=owner, key__endswith=":proposed:owner")
    assert to_owner.subject == "Votre client Acme Corp a été proposé comme référence"
