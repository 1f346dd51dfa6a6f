"""Before a scheduled activity: the day-before reminder to everyone invited."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from references.services.consents import withdrawal_footer
from refprogram.i18n import for_contact, moment

from ..choices import CandidateState
from ..models import Candidate
from .common import _link, _notify


def _meeting_line(candidate: Candidate) -> str:
    """The meeting in a line, in the active language."""
    return _("%(activity)s with %(prospect)s: %(when)s (%(minutes)s min), %(place)s") % {
        "activity": candidate.request.activity_type.name,
        "prospect": candidate.request.prospect_name,
        "when": moment(candidate.scheduled_for),
        "minutes": candidate.meeting_minutes,
        "place": candidate.meeting_details,
    }


@transaction.atomic
def meeting_reminders_send(*, today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Remind the requester, the account owner and the reference contact of every scheduled
    meeting that starts tomorrow (or later today and not reminded yet), once per start: the
    candidate records the start it was reminded of, so a second run sends nothing and a
    rescheduled meeting gets its own reminder."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    until = timezone.make_aware(datetime.combine(today + timedelta(days=2), time.min))
    due = (
        Candidate.objects.filter(
            state=CandidateState.SCHEDULED, scheduled_for__gt=now, scheduled_for__lt=until
        )
        .exclude(reminder_sent_for=F("scheduled_for"))
        .select_related(
            "request__activity_type",
            "request__requester",
            "reference__customer__account_owner",
            "reference__contact",
        )
        .order_by("scheduled_for", "pk")
    )
    sent = 0
    for candidate in due:
        claimed = (
            Candidate.objects.filter(pk=candidate.pk, scheduled_for=candidate.scheduled_for)
            .exclude(reminder_sent_for=F("scheduled_for"))
            .update(reminder_sent_for=F("scheduled_for"))
        )
        if not claimed:
            continue
        sent += 1
        _notify(
            [candidate.request.requester, candidate.reference.customer.account_owner],
            key=f"candidate:{candidate.pk}:reminder:{candidate.scheduled_for.isoformat()}",
            subject=lambda candidate=candidate: (
                _("Reminder: %(customer)s, %(when)s")
                % {"customer": candidate.reference.customer.name, "when": moment(candidate.scheduled_for)}
            ),
            body=lambda candidate=candidate: _meeting_line(candidate),
            link=_link(candidate.request),
        )
        contact = candidate.reference.contact
        if contact.email:
            with for_contact(contact):
                body = _("Hello %(name)s,\n\nA reminder of the meeting you agreed to:\n%(meeting)s\n\n") % {
                    "name": contact.name,
                    "meeting": _meeting_line(candidate),
                }
                body += _("Thank you.") + "\n"
                body += withdrawal_footer(contact=contact, now=now)
                contact_subject = _("Reminder: your reference meeting")
            transaction.on_commit(
                lambda body=body, to=contact.email, subject=contact_subject: send_mail(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [to],
                    fail_silently=True,
                )
            )
    return {"reminded": sent}
