"""A person's consent to public use of them, and withdrawing it as easily as it was given.

- ``consent_record``: a reference manager records a consent (scope, how it was given, the exact
  text version shown, when, until when); one record per scope and occasion, never edited.
- ``withdrawal_link_issue`` / ``withdrawal_footer``: every e-mail to a reference contact ends with a
  private link (``refprogram.links`` rules) to a small page where they withdraw any consent or leave
  the program, without logging in.
- ``consent_withdraw``: the withdrawal itself (by their link, or a manager on their word). It ends
  the consents at once and then runs the rules of the apps above that follow a person's consent
  (``consent_withdrawn_register``): the approvals that name or show them are revoked, the content
  library stops offering those assets, their open asks are withdrawn with a notice. Leaving the
  program also makes them not proposable (``ledger.capacity``: ``consent_withdrawn``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram import links
from refprogram.i18n import day

from ..choices import WITHDRAWAL_LINK_DAYS, ConsentMethod, ConsentScope
from ..models import Contact, ContactConsent, WithdrawalLink

__all__ = [
    "ConsentWithdrawal",
    "consent_record",
    "consent_withdraw",
    "consent_withdrawn_register",
    "consents_withdrawn_scopes",
    "withdrawal_by_link",
    "withdrawal_footer",
    "withdrawal_link_get",
    "withdrawal_link_issue",
    "withdrawal_url",
]

TEXT_MAX = 100


@dataclass(frozen=True)
class ConsentWithdrawal:
    """What one withdrawal ended: the scopes withdrawn, whether the person left the program, and
    what each follow-up rule changed (``{"approvals_revoked": 2, "asks_withdrawn": 1}``)."""

    contact: Contact
    scopes: tuple[str, ...]
    left_program: bool
    at: datetime
    effects: dict


# Rules of the apps above that follow a person's consent: ``hook(withdrawal)`` runs inside the
# withdrawal's transaction, so the cascade is all or nothing and happens at once.
_withdrawn_hooks: list = []


def consent_withdrawn_register(hook) -> None:
    """``hook(withdrawal: ConsentWithdrawal) -> dict`` of counts, run after every withdrawal."""
    if hook not in _withdrawn_hooks:
        _withdrawn_hooks.append(hook)


@transaction.atomic
def consent_record(
    *,
    contact: Contact,
    scope: str,
    method: str,
    text_version: str,
    given_on: date,
    method_reference: str = "",
    expires_on: date | None = None,
    by: User | None = None,
) -> ContactConsent:
    """Record a person's consent to one public use of them. Bad input is a ValidationError with
    field errors: an unknown scope or method, a contract clause without its reference, no text
    version, a consent given in the future or expiring before it was given, or a person who left
    the program (they must give it again through a manager, who first records they are back)."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)  # a withdrawal may be under way
    errors: dict[str, str] = {}
    if scope not in ConsentScope.values:
        errors["scope"] = _("Choose one of: %(valid)s.") % {"valid": ", ".join(ConsentScope.values)}
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose one of: %(valid)s.") % {"valid": ", ".join(ConsentMethod.values)}
    method_reference = (method_reference or "").strip()
    if method == ConsentMethod.CONTRACT_CLAUSE and not method_reference:
        errors["method_reference"] = _("Name the contract and clause (e.g. 'MSA 2025 §12.3').")
    text_version = (text_version or "").strip()
    if not text_version:
        errors["text_version"] = _("Say which version of the consent text the person was shown.")
    elif len(text_version) > TEXT_MAX:
        errors["text_version"] = _("At most %(limit)s characters.") % {"limit": TEXT_MAX}
    if given_on and given_on > timezone.localdate():
        errors["given_on"] = _("A consent cannot be given in the future.")
    if expires_on and given_on and expires_on < given_on:
        errors["expires_on"] = _("The consent cannot end before it was given.")
    if contact.left_program_at:
        left = timezone.localtime(contact.left_program_at)
        errors["contact"] = _("%(name)s left the reference program on %(date)s.") % {
            "name": contact.name,
            "date": day(left),
        }
    if errors:
        raise ValidationError(errors)
    return ContactConsent.objects.create(
        contact=contact,
        scope=scope,
        method=method,
        method_reference=method_reference,
        text_version=text_version,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=by,
    )


def consents_withdrawn_scopes(contact: Contact, on: date | None = None) -> set[str]:
    """The scopes the person withdrew and has not given again since (all of them once they left)."""
    if contact.left_program_at:
        return set(ConsentScope.values)
    withdrawn = set(contact.consents.filter(withdrawn_at__isnull=False).values_list("scope", flat=True))
    return withdrawn - set(contact.consents.valid(on).values_list("scope", flat=True))


@transaction.atomic
def consent_withdraw(
    *,
    contact: Contact,
    scopes: list[str] | tuple[str, ...] = (),
    leave_program: bool = False,
    via: str,
    now: datetime | None = None,
) -> ConsentWithdrawal:
    """The person withdraws consents (``scopes``) or leaves the program (every consent ends and
    they are never proposed again). Takes effect at once: the consent records are marked
    withdrawn, then every registered rule follows (approvals revoked, library assets withdrawn,
    open asks withdrawn with a notice to the manager and requester)."""
    now = now or timezone.now()
    unknown = [s for s in scopes if s not in ConsentScope.values]
    if unknown:
        raise ValidationError({"scopes": _("Unknown: %(unknown)s.") % {"unknown": ", ".join(unknown)}})
    if not scopes and not leave_program:
        raise ValidationError({"scopes": _("Choose what to withdraw, or leave the program.")})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    ended = tuple(ConsentScope.values) if leave_program else tuple(dict.fromkeys(scopes))
    ContactConsent.objects.filter(contact=contact, scope__in=ended, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_via=via[:100]
    )
    if leave_program and not contact.left_program_at:
        contact.left_program_at = now
        contact._change_reason = f"Left the reference program ({via})."
        contact.save(update_fields=["left_program_at", "updated_at"])
    withdrawal = ConsentWithdrawal(
        contact=contact, scopes=ended, left_program=leave_program, at=now, effects={}
    )
    for hook in _withdrawn_hooks:
        withdrawal.effects.update(hook(withdrawal) or {})
    return withdrawal


# --- The private link in every e-mail ---------------------------------------------------------


def withdrawal_link_issue(*, contact: Contact, now: datetime | None = None) -> links.IssuedLink:
    """A new link for this e-mail (the older ones stay usable: each e-mail's link must work)."""
    return links.link_issue(
        WithdrawalLink, supersedes=None, valid_days=WITHDRAWAL_LINK_DAYS, now=now, contact=contact
    )


def withdrawal_url(*, contact: Contact, base_url: str = "", now: datetime | None = None) -> str:
    """A new private "withdraw or leave" link for one e-mail, as its full address. Call inside the
    transaction that sends the e-mail."""
    issued = withdrawal_link_issue(contact=contact, now=now)
    base = (base_url or getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return base + reverse("consent-withdrawal", kwargs={"token": issued.token})


def withdrawal_footer(*, contact: Contact, base_url: str = "", now: datetime | None = None) -> str:
    """The lines every e-mail to a reference contact ends with: their private "withdraw or leave"
    link. Call inside the transaction that sends the e-mail."""
    url = withdrawal_url(contact=contact, base_url=base_url, now=now)
    return "\n--\n" + _(
        "To withdraw any consent you gave us, or to leave the reference program, use this "
        "private link (no log-in needed):\n%(url)s\n"
    ) % {"url": url}


def withdrawal_link_get(*, token: str) -> WithdrawalLink:
    """The usable link for ``token`` (``links.LinkInvalid`` otherwise), with its contact."""
    return links.link_get(WithdrawalLink.objects.select_related("contact__customer"), token)


@transaction.atomic
def withdrawal_by_link(
    *, token: str, scopes: list[str] | tuple[str, ...] = (), leave_program: bool = False
) -> ConsentWithdrawal:
    """The person's own withdrawal through their link: the link is spent and the withdrawal made."""
    link = links.link_get(WithdrawalLink.objects.select_related("contact"), token, for_update=True)
    withdrawal = consent_withdraw(
        contact=link.contact, scopes=scopes, leave_program=leave_program, via="their private link"
    )
    links.link_spend(link, withdrawal.at)
    return withdrawal
