"""The customer's consent by private link: send it (only a hash of its token is kept), read it
back from the token, and record the customer's decision. Works once, ends on its expiry date,
and is withdrawn when a newer link is sent or the request changes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram import links
from refprogram.errors import RuleViolation
from refprogram.i18n import contact_language, language_for_country

from ..choices import (
    APPROVAL_OPEN_STATUSES,
    CODE_APPROVAL_NOT_OPEN,
    CODE_NO_RECIPIENT,
    CONSENT_LINK_DAYS,
    ApprovalStatus,
)
from ..models import Approval, ApprovalEvent, ConsentLink
from .lifecycle import approval_transition, event_add, links_withdraw, subject_line


@dataclass(frozen=True)
class ConsentLinkSent:
    link: ConsentLink
    url: str
    token: str


class ConsentLinkInvalid(links.LinkInvalid):
    """The link is unknown (or tampered with), used, withdrawn or expired; ``reason`` says which
    (the token rules are ``refprogram.links``'s)."""


@transaction.atomic
def approval_send_link(
    *,
    approval: Approval,
    by: User | None,
    base_url: str,
    email: str = "",
    name: str = "",
    valid_days: int = CONSENT_LINK_DAYS,
) -> ConsentLinkSent:
    """Email the customer contact a private link to approve or decline, valid ``valid_days``
    days and once. Sending it puts a fresh request into customer review; a newer link withdraws
    the older ones. Only a hash of the token is kept."""
    approval = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("customer", "contact")
        .get(pk=approval.pk)
    )
    if approval.status not in APPROVAL_OPEN_STATUSES:
        raise RuleViolation(
            CODE_APPROVAL_NOT_OPEN,
            _("This approval is %(status)s; only open requests go to the customer.")
            % {"status": approval.get_status_display().lower()},
        )
    email = (email or "").strip() or (approval.contact.email if approval.contact_id else "")
    name = (name or "").strip() or (approval.contact.name if approval.contact_id else "")
    if not email:
        raise RuleViolation(
            CODE_NO_RECIPIENT, _("Choose the customer contact (with an email address) who should decide.")
        )
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    if approval.status == ApprovalStatus.REQUESTED:
        approval_transition(
            approval=approval, to=ApprovalStatus.IN_REVIEW, by=by, note="Sent to the customer"
        )
        approval.refresh_from_db()
    now = timezone.now()
    links_withdraw(approval, now)
    issued = links.link_issue(
        ConsentLink,
        supersedes=None,  # withdrawn just above, with the approval's other changes
        valid_days=valid_days,
        now=now,
        approval=approval,
        email=email,
        name=name,
        sent_by=by,
    )
    link, token = issued.link, issued.token
    url = base_url.rstrip("/") + reverse("consent-page", kwargs={"token": token})
    event_add(approval, ApprovalEvent.Kind.LINK_SENT, actor=by, person_name=name[:200], person_email=email)
    with translation.override(consent_language(approval)):
        use = approval.get_use_display()
        subject = subject_line(
            _("Your approval is requested: %(use)s for %(customer)s")
            % {"use": use, "customer": approval.customer.name}
        )
        body = _(
            "Hello %(name)s,\n\n"
            "We would like your approval to use %(customer)s's %(use)s publicly. Please review "
            "exactly what we would publish and approve or decline it here (the link works once "
            "and until %(until)s):\n\n%(url)s\n\nThank you."
        ) % {
            "name": name or "",
            "customer": approval.customer.name,
            "use": str(use).lower(),
            "until": date_format(timezone.localtime(link.expires_at), "d F Y"),
            "url": url,
        }
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return ConsentLinkSent(link=link, url=url, token=token)


def consent_language(approval: Approval) -> str:
    """The language the consent e-mail and page speak: the deciding contact's, else that of the
    customer's country (``refprogram.i18n``)."""
    if approval.contact_id:
        return contact_language(approval.contact)
    return language_for_country(approval.customer.country)


def approval_consent_link_get(*, token: str, for_update: bool = False) -> ConsentLink:
    """The usable link for this token, or ``ConsentLinkInvalid`` with the reason (a link whose
    requested term has already ended counts as expired)."""
    try:
        link = links.link_get(
            ConsentLink.objects.select_related("approval__customer"), token, for_update=for_update
        )
    except links.LinkInvalid as exc:
        raise ConsentLinkInvalid(exc.reason) from None
    if link.approval.status != ApprovalStatus.IN_REVIEW:
        raise ConsentLinkInvalid("withdrawn")
    if link.approval.expires_on is not None and link.approval.expires_on < timezone.localdate():
        raise ConsentLinkInvalid("expired")  # the term asked for has ended: it needs a new date
    return link


@transaction.atomic
def approval_consent_decide(
    *, token: str, approve: bool, name: str, title: str = "", comment: str = ""
) -> Approval:
    """The customer contact approves or declines through the link; the link is spent."""
    link = approval_consent_link_get(token=token, for_update=True)
    name = (name or "").strip()[:200]
    if not name:
        raise ValidationError({"name": _("Please give your name.")})
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": _("Please tell us why, so we can do better.")})
    now = timezone.now()
    links.link_spend(link, now)
    return approval_transition(
        approval=link.approval,
        to=ApprovalStatus.APPROVED if approve else ApprovalStatus.DECLINED,
        by=None,
        actor_label="Customer",
        person={"name": name, "title": (title or "").strip()[:200], "email": link.email},
        note=(comment or "").strip(),
        approver_name=name,
        approver_title=(title or "").strip()[:200],
        approver_email=link.email,
        decided_at=now,
    )
