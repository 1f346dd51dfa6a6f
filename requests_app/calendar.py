"""Calendar invitations (RFC 5545) for a scheduled candidate: the ``.ics`` itself and the e-mail
that carries it to the requester, the reference's contact and the account owner.

One invitation per candidate: its UID never changes, its SEQUENCE is the candidate's
``calendar_sequence`` (one more at each reschedule), so a calendar moves the meeting instead of
adding a second one; a withdrawal sends METHOD:CANCEL with the next sequence.

What the invitation says is what every attendee may read: the activity, the reference's
customer, the prospect's company, the time and the meeting details. Nothing of the deal (the
opportunity's amount, stage or CRM id, the request's notes) goes into it. The reference's contact
appears as an attendee only for a viewer who may see the contact
(``Candidate.contact_visible_to``); the e-mailed invitation goes to people who all may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from refprogram.i18n import as_reader, contact_language, default_language, moment, user_language, zone_name

from .models import Candidate

PRODID = "-//RefProgram//Reference activities//EN"
METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: str  # RFC 5545 ROLE: CHAIR (the organizer), REQ-PARTICIPANT, OPT-PARTICIPANT
    language: str = ""  # what their e-mailed invitation speaks (blank: the company's language)
    time_zone: str = ""  # the zone their e-mail states the time in (blank: the company's)


def _uid_host() -> str:
    sender = settings.DEFAULT_FROM_EMAIL or ""
    host = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else ""
    return host or "refprogram.invalid"


def candidate_uid(candidate: Candidate) -> str:
    """Stable for the candidate's whole life: reschedules and cancellations update the same event."""
    return f"candidate-{candidate.pk}@{_uid_host()}"


def _user_person(user, role: str) -> Person | None:
    if user is None or not user.email:
        return None
    return Person(
        name=user.get_full_name() or user.username,
        email=user.email,
        role=role,
        language=user_language(user),
        time_zone=user.time_zone,
    )


def organizer(candidate: Candidate) -> Person | None:
    """The reference manager who scheduled it (the assignee when not recorded)."""
    user = candidate.scheduled_by or candidate.request.assignee
    return _user_person(user, "CHAIR")


def attendees(candidate: Candidate, *, with_contact: bool = True) -> list[Person]:
    """Requester, the reference's contact and the customer's account owner, each once."""
    request = candidate.request
    contact = candidate.reference.contact
    people = [
        _user_person(request.requester, "REQ-PARTICIPANT"),
        Person(
            name=contact.name,
            email=contact.email,
            role="REQ-PARTICIPANT",
            language=contact_language(contact),
            time_zone=contact.time_zone,
        )
        if with_contact and contact.email
        else None,
        _user_person(candidate.reference.customer.account_owner, "OPT-PARTICIPANT"),
    ]
    seen: set[str] = set()
    result = []
    for person in people:
        if person is None or person.email.lower() in seen:
            continue
        seen.add(person.email.lower())
        result.append(person)
    return result


def summary(candidate: Candidate) -> str:
    """The meeting's title, in the active language."""
    request = candidate.request
    return _("%(activity)s: %(customer)s with %(prospect)s") % {
        "activity": request.activity_type.name,
        "customer": candidate.reference.customer.name,
        "prospect": request.prospect_name,
    }


def _address(person: Person, *, organizer: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    if not organizer:
        address.params["ROLE"] = vText(person.role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def invitation(candidate: Candidate, *, method: str = METHOD_REQUEST, with_contact: bool = True) -> bytes:
    """The candidate's meeting as an RFC 5545 calendar (one VEVENT). ``candidate`` must have a
    meeting (``scheduled_for``); ``with_contact=False`` leaves the reference's contact out of the
    attendees (for a viewer who may not see the contact). Its words are in the active language."""
    if candidate.scheduled_for is None:
        raise ValueError("The candidate has no meeting to put in a calendar.")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = Event()
    event.add("uid", candidate_uid(candidate))
    event.add("sequence", candidate.calendar_sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", candidate.scheduled_for.astimezone(UTC))
    event.add("dtend", candidate.ends_at.astimezone(UTC))
    event.add("summary", summary(candidate))
    if candidate.meeting_details:
        event.add("location", candidate.meeting_details)
    description = [_("Reference: %(customer)s") % {"customer": candidate.reference.customer.name}]
    if candidate.meeting_details:
        description.append(_("Where: %(place)s") % {"place": candidate.meeting_details})
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if method == METHOD_CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    chair = organizer(candidate)
    if chair is not None:
        event.add("organizer", _address(chair, organizer=True))
    for person in attendees(candidate, with_contact=with_contact):
        event.add("attendee", _address(person), encode=0)
    cal.add_component(event)
    return cal.to_ical()


def invitation_send(candidate: Candidate, *, method: str = METHOD_REQUEST, link: str = "") -> list[str]:
    """E-mail the invitation (after commit) to each attendee with an address; returns them.

    Every recipient may see the contact (requester and account owner once the customer
    accepted; the contact is the contact), so each gets the full invitation, in their own language:
    the contact's (``refprogram.i18n.contact_language``), the requester's and the account owner's
    from their profile (else the company's)."""
    people = attendees(candidate)
    if not people:
        return []
    messages = []
    for person in people:
        with as_reader(person.language or default_language(), person.time_zone):
            subject, body, ics = _invitation_mail(candidate, method=method, link=link)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        message.attach("invitation.ics", ics, f"text/calendar; method={method}; charset=UTF-8")
        messages.append(message)

    def send() -> None:
        for message in messages:
            message.send(fail_silently=True)

    transaction.on_commit(send)
    return [p.email for p in people]


def _invitation_mail(candidate: Candidate, *, method: str, link: str) -> tuple[str, str, bytes]:
    """The invitation e-mail's subject, body and ``.ics``, in the active language."""
    ics = invitation(candidate, method=method)
    title = summary(candidate)
    when = f"{moment(candidate.scheduled_for)} {zone_name()}"  # in the reader's zone, named
    if method == METHOD_CANCEL:
        subject = _("Cancelled: %(title)s, %(when)s") % {"title": title, "when": when}
    else:
        subject = _("%(title)s, %(when)s") % {"title": title, "when": when}
    lines = [
        title,
        _("When: %(when)s (%(minutes)s min)") % {"when": when, "minutes": candidate.meeting_minutes},
    ]
    if candidate.meeting_details:
        lines.append(_("Where: %(place)s") % {"place": candidate.meeting_details})
    lines += [
        "",
        _("This meeting is cancelled.") if method == METHOD_CANCEL else _("The invitation is attached."),
    ]
    if link:
        lines += ["", link]
    return " ".join(subject.split()), "\n".join(lines) + "\n", ics


def request_link(candidate: Candidate) -> str:
    return reverse("requests:detail", args=[candidate.request_id])
