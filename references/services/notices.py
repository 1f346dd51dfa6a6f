"""The Art. 14 notice: telling people whose details we did not get from them (a CSV import, the CRM
sync) who holds their data, why, on what legal basis, for how long, their rights, and how to
withdraw or leave (GDPR Art. 14).

- ``notice_template_current`` / ``notice_template_save``: the notice's text, edited on the notice
  page; every save adds the next version (the shipped default is version 1), so each record names
  the exact text that was sent.
- ``notices_due``: contacts who arrived from an import or the CRM, have not been sent the notice,
  are not erased and have not left the program.
- ``notice_send`` / ``notices_send``: send it, once per person, with their private "withdraw or
  leave" link (``withdrawal_url``, the one home of that link), and record when, which version and
  by whom (a manager) or what (the nightly check ``art14_notices`` when the policy's
  ``notice_auto_send`` is on). A person without an e-mail is counted and left for later, not an
  error.
"""

from __future__ import annotations

import string
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.errors import RuleViolation
from refprogram.i18n import day, for_contact

from ..imports.columns import CHANGE_REASON as IMPORT_CHANGE_REASON
from ..models import Contact, ContactNotice, NoticeTemplate, Retention, program_policy
from .consents import withdrawal_url
from .erasure import CODE_ALREADY_ERASED

__all__ = [
    "CODE_NO_EMAIL",
    "CODE_NOTICE_SENT",
    "NOTICE_DEFAULTS",
    "NOTICE_PLACEHOLDERS",
    "notice_render",
    "notice_send",
    "notice_template_current",
    "notice_template_save",
    "notices_due",
    "notices_send",
]

CODE_NOTICE_SENT = "notice_already_sent"
CODE_NO_EMAIL = "no_email"
CODE_LEFT_PROGRAM = "consent_withdrawn"

# What the subject and the body may name, in braces: ``{name}``, ``{withdrawal_link}``…
NOTICE_PLACEHOLDERS: dict[str, str] = {
    "name": "the person's name",
    "company": "their company (the customer)",
    "purpose": "the purpose text below",
    "legal_basis": "the legal basis text below",
    "retention": "how long we keep their details (from the policy's retention settings)",
    "rights": "the rights text below",
    "withdrawal_link": "their private link to withdraw any consent or leave the program (required)",
}

NOTICE_DEFAULTS: dict[str, str] = {
    "subject": "How we use your details in our customer reference program",
    "body": (
        "Hello {name},\n\n"
        "We hold your name, job title and business contact details, which we received from our account "
        "records for {company} (an import by our account team or our CRM), not from you. This note "
        "tells you what we do with them.\n\n"
        "Why we hold them: {purpose}\n\n"
        "Legal basis: {legal_basis}\n\n"
        "How long we keep them: {retention}\n\n"
        "Your rights: {rights}\n\n"
        "You can withdraw any consent or leave the reference program at any time, without logging in, "
        "with this private link:\n{withdrawal_link}\n"
    ),
    "purpose": (
        "to ask you, now and then, whether you would speak with a prospective customer or take part in "
        "a case study, and to make sure nobody asks you too often."
    ),
    "legal_basis": (
        "our legitimate interest in running a customer reference program (GDPR Art. 6(1)(f)). Any "
        "public use of your name, words or image needs your separate consent (Art. 6(1)(a)), which "
        "you may withdraw at any time."
    ),
    "rights": (
        "you may ask us for a copy of everything we hold about you (Art. 15), to correct it (Art. 16), "
        "to erase it (Art. 17), to restrict or object to its use (Art. 18 and 21), and you may complain "
        "to your data protection authority. Reply to this e-mail to use any of them."
    ),
}

_TEXT_FIELDS = ("subject", "body", "purpose", "legal_basis", "rights")


def _placeholders(text: str, field: str) -> set[str]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise ValidationError({field: _("Unbalanced braces: write {{ and }} for a brace itself.")}) from None
    unknown = sorted(n for n in names if n not in NOTICE_PLACEHOLDERS)
    if unknown:
        raise ValidationError(
            {
                field: _("Unknown placeholder %(unknown)s; use %(valid)s.")
                % {
                    "unknown": ", ".join("{" + n + "}" for n in unknown),
                    "valid": ", ".join("{" + n + "}" for n in NOTICE_PLACEHOLDERS),
                }
            }
        )
    return names


def notice_template_current() -> NoticeTemplate:
    """The notice's latest version (the shipped default, as version 1, until someone edits it)."""
    template = NoticeTemplate.objects.order_by("-version").first()
    if template is None:
        try:
            with transaction.atomic():
                template = NoticeTemplate.objects.create(version=1, **NOTICE_DEFAULTS)
        except IntegrityError:  # created at the same moment by another request
            template = NoticeTemplate.objects.get(version=1)
    return template


@transaction.atomic
def notice_template_save(
    *, subject: str, body: str, purpose: str, legal_basis: str, rights: str, by: User | None
) -> NoticeTemplate:
    """Save an edit of the notice as its next version (the versions sent stay as they were). The
    subject may not name the link, the body must; only the listed placeholders. Saving the same
    text again adds nothing and returns the current version."""
    values = {
        "subject": subject,
        "body": body,
        "purpose": purpose,
        "legal_basis": legal_basis,
        "rights": rights,
    }
    errors = {}
    for field in _TEXT_FIELDS:
        values[field] = (values[field] or "").strip()
        if not values[field]:
            errors[field] = _("Required.")
    if " ".join(values["subject"].split()) != values["subject"]:
        errors.setdefault("subject", "One line.")
    if errors:
        raise ValidationError(errors)
    subject_names = _placeholders(values["subject"], "subject")
    if "withdrawal_link" in subject_names:
        raise ValidationError({"subject": _("The withdrawal link belongs in the body.")})
    if "withdrawal_link" not in _placeholders(values["body"], "body"):
        raise ValidationError({"body": _("The body must carry the person's {withdrawal_link}.")})
    for field in ("purpose", "legal_basis", "rights"):
        if _placeholders(values[field], field):
            raise ValidationError({field: _("Plain text here: placeholders go in the subject and the body.")})
    current = notice_template_current()
    if all(getattr(current, f) == values[f] for f in _TEXT_FIELDS):
        return current
    # Locks the latest version so two edits at the same moment get consecutive numbers.
    NoticeTemplate.objects.select_for_update().filter(pk=current.pk).exists()
    version = (NoticeTemplate.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    return NoticeTemplate.objects.create(version=version, created_by=by, **values)


def retention_words(policy: Retention) -> str:
    """The retention placeholder: what the policy's settings mean for the person."""
    return _(
        "for as long as you take part in the reference program. When we have had no contact with you "
        "and hold no valid consent from you for %(months)s months, we review your details and erase "
        "them %(days)s days later unless there is a reason to keep them."
    ) % {"months": policy.retention_months, "days": policy.retention_grace_days}


def notice_render(
    *, template: NoticeTemplate, contact: Contact, link: str, policy: Retention
) -> tuple[str, str]:
    """The notice's subject and body for one person."""
    values = {
        "name": contact.name,
        "company": contact.customer.name,
        "purpose": template.purpose,
        "legal_basis": template.legal_basis,
        "retention": retention_words(policy),
        "rights": template.rights,
        "withdrawal_link": link,
    }
    subject = " ".join(template.subject.format_map(values).split())
    return subject[:200], template.body.format_map(values)


def notices_due() -> QuerySet[Contact]:
    """Contacts who arrived from an import or the CRM and have no notice yet; never erased ones or
    those who left the program."""
    imported = Contact.history.model.objects.filter(
        id=OuterRef("pk"), history_type="+", history_change_reason=IMPORT_CHANGE_REASON
    )
    return (
        Contact.objects.filter(erased_at__isnull=True, left_program_at__isnull=True, notice__isnull=True)
        .filter(Q(crm_id__isnull=False) | Exists(imported))
        .select_related("customer")
        .order_by("customer__name", "name", "id")
    )


@transaction.atomic
def notice_send(
    *,
    contact: Contact,
    by: User | None,
    via: str,
    base_url: str = "",
    now: datetime | None = None,
    template: NoticeTemplate | None = None,
    policy: Retention | None = None,
) -> ContactNotice:
    """Send one person the notice (their e-mail after commit) and record it. Refused (409): an
    erased person (``already_erased``), one who left the program (``consent_withdrawn``), one
    already sent it (``notice_already_sent``), one without an e-mail (``no_email``)."""
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    if contact.erased_at:
        raise RuleViolation(
            CODE_ALREADY_ERASED, _("This contact was erased on %(date)s.") % {"date": day(contact.erased_at)}
        )
    if contact.left_program_at:
        raise RuleViolation(
            CODE_LEFT_PROGRAM,
            _("%(name)s left the program on %(date)s.")
            % {"name": contact.name, "date": day(contact.left_program_at)},
        )
    sent = ContactNotice.objects.filter(contact=contact).first()
    if sent is not None:
        raise RuleViolation(
            CODE_NOTICE_SENT,
            _("%(name)s was sent the notice on %(date)s.")
            % {"name": contact.name, "date": day(sent.sent_at)},
        )
    if not contact.email:
        raise RuleViolation(
            CODE_NO_EMAIL,
            _("%(name)s has no e-mail address: add one to send the notice.") % {"name": contact.name},
        )
    template = template or notice_template_current()
    link = withdrawal_url(contact=contact, base_url=base_url, now=now)
    with for_contact(contact):  # the edited template stays as written; the fixed words follow the contact
        subject, body = notice_render(
            template=template, contact=contact, link=link, policy=policy or program_policy()
        )
    notice = ContactNotice.objects.create(
        contact=contact, template=template, sent_at=now, sent_by=by, sent_via=via[:100]
    )
    address = contact.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
    )
    return notice


@transaction.atomic
def notices_send(
    *, by: User | None, via: str, contact_ids: list[int] | None = None, base_url: str = ""
) -> dict[str, int]:
    """Send the notice to every contact due one (or those of ``contact_ids`` that are): one
    e-mail each. Returns ``{"notices_sent": …, "notices_no_email": …}``; people without an
    e-mail are counted, not refused."""
    due = notices_due()
    if contact_ids is not None:
        due = due.filter(pk__in=contact_ids)
    template = notice_template_current()
    policy = program_policy()
    sent = no_email = 0
    for contact in due.select_for_update(of=("self",), skip_locked=True):
        if not contact.email:
            no_email += 1
            continue
        notice_send(contact=contact, by=by, via=via, base_url=base_url, template=template, policy=policy)
        sent += 1
    return {"notices_sent": sent, "notices_no_email": no_email}


def notices_check(*, today=None) -> dict[str, int]:
    """The nightly check ``art14_notices``: when the policy's ``notice_auto_send`` is on, send the
    notice to everyone due one. Reports only what it sent (people without an e-mail are on the
    notices page and in the morning digest), so a second run reports nothing."""
    if not program_policy().notice_auto_send:
        return {"notices_sent": 0}
    return {"notices_sent": notices_send(by=None, via="nightly check")["notices_sent"]}
