"""Public-use approvals: request, edit, review, customer consent by private link, signed
documents, and the rule that no public activity goes ahead without a valid approval.

Editing an approved quote's text is refused (409 ``new_approval_required``): the customer
approved those exact words. The pages offer "request approval for new wording", which files a
new request that ``supersedes`` the old one; the old text stays approved until its own term ends.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from references.choices import CODE_INVALID_TRANSITION
from references.models import Contact, Customer
from refprogram import events
from refprogram.errors import RuleViolation

from ..choices import (
    APPROVAL_AUTOMATIC_STATUSES,
    APPROVAL_OPEN_STATUSES,
    CODE_APPROVAL_LOCKED,
    CODE_NEW_APPROVAL_REQUIRED,
    CODE_SUPERSEDES_OTHER_CUSTOMER,
    DEFAULT_TERM_DAYS,
    ApprovalStatus,
    ApprovalUse,
    Channel,
)
from ..models import Approval, ApprovalEvent, ConsentLink

# Fields that say what will be published: changing them needs the customer to look again.
CONTENT_FIELDS = ("use", "title", "quote_text", "asset_url", "scope", "expires_on")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "contact", "notes")


def event_add(approval: Approval, kind: str, *, actor: User | None = None, **fields) -> ApprovalEvent:
    """Write one row of the approval's history (every service here writes one per change)."""
    return ApprovalEvent.objects.create(approval=approval, kind=kind, actor=actor, **fields)


def subject_line(text: str) -> str:
    """One line for an e-mail subject: a line break stored in a customer's name (or any other
    whitespace run) becomes one space, so sending never fails on a header newline."""
    return " ".join(str(text).split())


def _refuse_past_expiry(expires_on: date | None) -> None:
    """An "approved until" day already past would approve a use nobody may make: refused (the
    expiry day itself still counts, so today is fine)."""
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("“Approved until” is in the past: choose today or later.")})


def _clean_scope(scope: Any) -> list[str]:
    """Channels in a fixed order, each once; an unknown channel is a field error."""
    if scope in (None, ""):
        return []
    if isinstance(scope, str):
        scope = [scope]
    if not isinstance(scope, list | tuple | set) or not all(isinstance(c, str) for c in scope):
        raise ValidationError({"scope": _("Give a list of channels.")})
    unknown = sorted(set(scope) - set(Channel.values))
    if unknown:
        raise ValidationError(
            {
                "scope": _("Unknown channel %(unknown)s; valid channels: %(valid)s.")
                % {"unknown": ", ".join(unknown), "valid": ", ".join(Channel.values)}
            }
        )
    return [c for c in Channel.values if c in scope]


def _validate(approval: Approval) -> None:
    errors: dict[str, list[str]] = {}
    if not approval.scope:
        errors.setdefault("scope", []).append("Choose at least one channel the use is for.")
    if approval.use == ApprovalUse.QUOTE and not approval.quote_text.strip():
        errors.setdefault("quote_text", []).append("A quote approval needs the exact quote text.")
    if approval.contact_id and approval.contact.customer_id != approval.customer_id:
        errors.setdefault("contact", []).append("The contact must work at this customer.")
    try:
        approval.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def approval_request(
    *,
    customer: Customer,
    use: str,
    requested_by: User | None,
    scope: list[str],
    quote_text: str = "",
    title: str = "",
    asset_url: str = "",
    expires_on: date | None = None,
    contact: Contact | None = None,
    notes: str = "",
    supersedes: Approval | None = None,
) -> Approval:
    """Ask a customer's approval for one public use. Without an expiry date the request proposes
    the default term (a year from today); a date already past is refused.

    A request may replace (``supersedes``) an earlier approval of the same customer only: 409
    ``supersedes_other_customer`` otherwise."""
    if supersedes is not None and supersedes.customer_id != customer.pk:
        raise RuleViolation(
            CODE_SUPERSEDES_OTHER_CUSTOMER,
            _(
                "Approval #%(number)s is for another customer: a new approval can only replace "
                "one of %(customer)s's own."
            )
            % {"number": supersedes.pk, "customer": customer.name},
        )
    _refuse_past_expiry(expires_on)
    approval = Approval(
        customer=customer,
        use=use,
        status=ApprovalStatus.REQUESTED,
        scope=_clean_scope(scope),
        quote_text=(quote_text or "").strip(),
        title=(title or "").strip(),
        asset_url=asset_url or "",
        expires_on=expires_on or timezone.localdate() + timedelta(days=DEFAULT_TERM_DAYS),
        contact=contact,
        notes=notes or "",
        requested_by=requested_by,
        supersedes=supersedes,
    )
    _validate(approval)
    approval.save()
    note = f"Supersedes approval #{supersedes.pk}" if supersedes else ""
    event_add(
        approval, ApprovalEvent.Kind.REQUESTED, actor=requested_by, to_status=approval.status, note=note
    )
    return approval


def links_withdraw(approval: Approval, now: datetime) -> int:
    """Withdraw the approval's consent links not used yet: the customer must see the new version."""
    return ConsentLink.objects.filter(
        approval=approval, used_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)


@transaction.atomic
def approval_update(*, approval: Approval, by: User | None, data: dict[str, Any]) -> Approval:
    """Change an open request (requested or in review). A change to what will be published
    withdraws any consent link already sent: the customer must see the new version.

    Refused once decided: new wording of an approved quote needs a new approval
    (``new_approval_required``); anything else about a decided approval is ``approval_locked``.
    """
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    if "scope" in data:
        data = {**data, "scope": _clean_scope(data["scope"])}
    if "quote_text" in data:
        data = {**data, "quote_text": (data["quote_text"] or "").strip()}
    changes = {}
    for field, value in data.items():
        before = getattr(approval, field)
        if before != value:
            changes[field] = [_plain(before), _plain(value)]
    if not changes:
        return approval
    if "expires_on" in changes:
        _refuse_past_expiry(data["expires_on"])
    if approval.status not in APPROVAL_OPEN_STATUSES:
        if approval.status == ApprovalStatus.APPROVED and "quote_text" in changes:
            raise RuleViolation(
                CODE_NEW_APPROVAL_REQUIRED,
                _("The customer approved this exact wording. Request a new approval for the new text."),
            )
        raise RuleViolation(
            CODE_APPROVAL_LOCKED,
            _("This approval is %(status)s; only open requests can be edited.")
            % {"status": approval.get_status_display().lower()},
        )
    for field, value in data.items():
        setattr(approval, field, value)
    _validate(approval)
    approval.save()
    note = ""
    if approval.status == ApprovalStatus.IN_REVIEW and set(changes) & set(CONTENT_FIELDS):
        if links_withdraw(approval, timezone.now()):
            note = "Consent links sent earlier were withdrawn: send a new one."
    event_add(approval, ApprovalEvent.Kind.EDITED, actor=by, changes=changes, note=note)
    return approval


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def approval_transition(
    *,
    approval: Approval,
    to: str,
    by: User | None,
    note: str = "",
    approver_name: str = "",
    approver_title: str = "",
    approver_email: str = "",
    decided_at: datetime | None = None,
    expires_on: date | None = None,
    actor_label: str = "",
    person: dict[str, str] | None = None,
    system: bool = False,
) -> Approval:
    """Move an approval along its lifecycle (``APPROVAL_TRANSITIONS``) and record it.

    Approving records who on the customer's side approved (name required) and when, until a day
    not yet past; expiry is the nightly check's job (``system=True``), not a person's.
    ``person`` (``name``, ``title``, ``email``) is the customer's person who decided through the
    consent link: kept in the history's own fields, never in its text.
    """
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if to not in ApprovalStatus.values:
        raise ValidationError(
            {
                "to": _("Unknown status “%(to)s”; valid: %(valid)s.")
                % {"to": to, "valid": ", ".join(ApprovalStatus.values)}
            }
        )
    if not approval.can_transition_to(to) or (to in APPROVAL_AUTOMATIC_STATUSES and not system):
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            (
                _("An approval that is %(status)s cannot become %(to)s by hand: it expires on its date.")
                if to in APPROVAL_AUTOMATIC_STATUSES
                else _("An approval that is %(status)s cannot become %(to)s.")
            )
            % {"status": approval.get_status_display().lower(), "to": ApprovalStatus(to).label.lower()},
        )
    before = approval.status
    changes: dict[str, list] = {}
    if to in (ApprovalStatus.APPROVED, ApprovalStatus.DECLINED):
        if to == ApprovalStatus.APPROVED and not (approver_name or "").strip():
            raise ValidationError({"approver_name": _("Say who at the customer approved.")})
        if expires_on and expires_on != approval.expires_on:
            _refuse_past_expiry(expires_on)
            changes["expires_on"] = [_plain(approval.expires_on), _plain(expires_on)]
            approval.expires_on = expires_on
        if to == ApprovalStatus.APPROVED and approval.expires_on is None:
            raise ValidationError({"expires_on": _("An approval needs an expiry date.")})
        if to == ApprovalStatus.APPROVED:
            _refuse_past_expiry(approval.expires_on)
        approval.approver_name = (approver_name or "").strip()
        approval.approver_title = (approver_title or "").strip()
        approval.approver_email = approver_email or ""
        approval.decided_at = decided_at or timezone.now()
        approval.decision_comment = note or ""
    approval.status = to
    _validate(approval)
    approval.save()
    if to not in APPROVAL_OPEN_STATUSES:
        links_withdraw(approval, timezone.now())
    if to in (ApprovalStatus.APPROVED, ApprovalStatus.DECLINED):
        events.publish(
            events.APPROVAL_DECIDED,
            {"approval": approval.pk, "customer": approval.customer_id, "use": approval.use, "status": to},
        )
    event_add(
        approval,
        ApprovalEvent.Kind.TRANSITION,
        actor=by,
        actor_label=actor_label,
        from_status=before,
        to_status=to,
        note=note or "",
        changes=changes,
        person_name=(person or {}).get("name", "")[:200],
        person_title=(person or {}).get("title", "")[:200],
        person_email=(person or {}).get("email", ""),
    )
    return approval
