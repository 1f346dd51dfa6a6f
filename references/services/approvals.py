"""Public-use approvals: request, edit, review, customer consent by private link, signed
documents, and the rule that no public activity goes ahead without a valid approval.

Editing an approved quote's text is refused (409 ``new_approval_required``): the customer
approved those exact words. The pages offer "request approval for new wording", which files a
new request that ``supersedes`` the old one; the old text stays approved until its own term ends.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.models import User
from refprogram.errors import RuleViolation

from ..approval_choices import (
    ACTIVITY_APPROVAL_USES,
    ACTIVITY_DEFAULT_CHANNEL,
    APPROVAL_AUTOMATIC_STATUSES,
    APPROVAL_OPEN_STATUSES,
    CODE_APPROVAL_DECIDED,
    CODE_APPROVAL_LOCKED,
    CODE_APPROVAL_MISSING,
    CODE_APPROVAL_NOT_OPEN,
    CODE_NEW_APPROVAL_REQUIRED,
    CODE_NO_RECIPIENT,
    CODE_PRIVATE_ONLY,
    CODE_SUPERSEDES_OTHER_CUSTOMER,
    CONSENT_LINK_DAYS,
    DEFAULT_TERM_DAYS,
    PRIVATE_ACTIVITY_TYPES,
    UNLISTED_PUBLIC_ACTIVITY_USES,
    UPLOAD_MAX_BYTES,
    ApprovalStatus,
    ApprovalUse,
    Channel,
)
from ..approval_models import Approval, ApprovalEvent, ConsentLink, channel_condition
from ..choices import CODE_INVALID_TRANSITION
from ..models import ActivityType, Contact, Customer, ReferenceProfile

__all__ = [
    "approval_request",
    "approval_update",
    "approval_transition",
    "approval_send_link",
    "approval_consent_link_get",
    "approval_consent_decide",
    "approval_file_attach",
    "approval_require_for_activity",
    "approvals_missing_for_activity",
    "approval_uses_for_activity",
    "upload_check",
    "subject_line",
    "ConsentLinkSent",
    "ConsentLinkInvalid",
]

# Fields that say what will be published: changing them needs the customer to look again.
CONTENT_FIELDS = ("use", "title", "quote_text", "asset_url", "scope", "expires_on")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "contact", "notes")


def _event(approval: Approval, kind: str, *, actor: User | None = None, **fields) -> ApprovalEvent:
    return ApprovalEvent.objects.create(approval=approval, kind=kind, actor=actor, **fields)


def subject_line(text: str) -> str:
    """One line for an e-mail subject: a line break stored in a customer's name (or any other
    whitespace run) becomes one space, so sending never fails on a header newline."""
    return " ".join(str(text).split())


def _refuse_past_expiry(expires_on: date | None) -> None:
    """An "approved until" day already past would approve a use nobody may make: refused (the
    expiry day itself still counts, so today is fine)."""
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": "“Approved until” is in the past: choose today or later."})


def _clean_scope(scope: Any) -> list[str]:
    """Channels in a fixed order, each once; an unknown channel is a field error."""
    if scope in (None, ""):
        return []
    if isinstance(scope, str):
        scope = [scope]
    if not isinstance(scope, list | tuple | set) or not all(isinstance(c, str) for c in scope):
        raise ValidationError({"scope": "Give a list of channels."})
    unknown = sorted(set(scope) - set(Channel.values))
    if unknown:
        raise ValidationError(
            {"scope": f"Unknown channel {', '.join(unknown)}; valid channels: {', '.join(Channel.values)}."}
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
            f"Approval #{supersedes.pk} is for another customer: a new approval can only replace "
            f"one of {customer.name}'s own.",
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
    _event(approval, ApprovalEvent.Kind.REQUESTED, actor=requested_by, to_status=approval.status, note=note)
    return approval


def _withdraw_links(approval: Approval, now: datetime) -> int:
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
        raise ValidationError({field: "This field cannot be changed here." for field in unknown})
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
                "The customer approved this exact wording. Request a new approval for the new text.",
            )
        raise RuleViolation(
            CODE_APPROVAL_LOCKED,
            f"This approval is {approval.get_status_display().lower()}; only open requests can be edited.",
        )
    for field, value in data.items():
        setattr(approval, field, value)
    _validate(approval)
    approval.save()
    note = ""
    if approval.status == ApprovalStatus.IN_REVIEW and set(changes) & set(CONTENT_FIELDS):
        if _withdraw_links(approval, timezone.now()):
            note = "Consent links sent earlier were withdrawn: send a new one."
    _event(approval, ApprovalEvent.Kind.EDITED, actor=by, changes=changes, note=note)
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
        raise ValidationError({"to": f"Unknown status {to!r}; valid: {', '.join(ApprovalStatus.values)}."})
    if not approval.can_transition_to(to) or (to in APPROVAL_AUTOMATIC_STATUSES and not system):
        raise RuleViolation(
            CODE_INVALID_TRANSITION,
            f"An approval that is {approval.get_status_display().lower()} cannot become "
            f"{ApprovalStatus(to).label.lower()}"
            + (" by hand: it expires on its date." if to in APPROVAL_AUTOMATIC_STATUSES else "."),
        )
    before = approval.status
    changes: dict[str, list] = {}
    if to in (ApprovalStatus.APPROVED, ApprovalStatus.DECLINED):
        if to == ApprovalStatus.APPROVED and not (approver_name or "").strip():
            raise ValidationError({"approver_name": "Say who at the customer approved."})
        if expires_on and expires_on != approval.expires_on:
            _refuse_past_expiry(expires_on)
            changes["expires_on"] = [_plain(approval.expires_on), _plain(expires_on)]
            approval.expires_on = expires_on
        if to == ApprovalStatus.APPROVED and approval.expires_on is None:
            raise ValidationError({"expires_on": "An approval needs an expiry date."})
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
        _withdraw_links(approval, timezone.now())
    _event(
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


# --- Customer consent by private link ------------------------------------------------------


@dataclass(frozen=True)
class ConsentLinkSent:
    link: ConsentLink
    url: str
    token: str


class ConsentLinkInvalid(Exception):
    """The link is unknown (or tampered with), used, withdrawn or expired; ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
            f"This approval is {approval.get_status_display().lower()}; "
            "only open requests go to the customer.",
        )
    email = (email or "").strip() or (approval.contact.email if approval.contact_id else "")
    name = (name or "").strip() or (approval.contact.name if approval.contact_id else "")
    if not email:
        raise RuleViolation(
            CODE_NO_RECIPIENT, "Choose the customer contact (with an email address) who should decide."
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
    _withdraw_links(approval, now)
    token = secrets.token_urlsafe(32)
    link = ConsentLink.objects.create(
        approval=approval,
        token_hash=_token_hash(token),
        email=email,
        name=name,
        sent_by=by,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    url = base_url.rstrip("/") + reverse("consent-page", kwargs={"token": token})
    _event(approval, ApprovalEvent.Kind.LINK_SENT, actor=by, person_name=name[:200], person_email=email)
    subject = subject_line(
        f"Your approval is requested: {approval.get_use_display()} for {approval.customer.name}"
    )
    body = (
        f"Hello {name or ''},\n\n"
        f"We would like your approval to use {approval.customer.name}'s "
        f"{approval.get_use_display().lower()} publicly. Please review exactly what we would publish "
        f"and approve or decline it here (the link works once and until "
        f"{timezone.localtime(link.expires_at):%d %B %Y}):\n\n{url}\n\nThank you."
    )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return ConsentLinkSent(link=link, url=url, token=token)


def approval_consent_link_get(*, token: str, for_update: bool = False) -> ConsentLink:
    """The usable link for this token, or ``ConsentLinkInvalid`` with the reason (a link whose
    requested term has already ended counts as expired)."""
    if not token or len(token) > 100:
        raise ConsentLinkInvalid("unknown")
    qs = ConsentLink.objects.select_related("approval__customer")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    link = qs.filter(token_hash=_token_hash(token)).first()
    if link is None:
        raise ConsentLinkInvalid("unknown")
    state = link.state()
    if state != "usable":
        raise ConsentLinkInvalid(state)
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
        raise ValidationError({"name": "Please give your name."})
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": "Please tell us why, so we can do better."})
    now = timezone.now()
    ConsentLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
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


# --- Files: signed documents and assets ----------------------------------------------------

# Accepted files: the extension and the first bytes must agree.
FILE_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}


def upload_check(upload, *, field: str = "document") -> tuple[str, str, str]:
    """Check an uploaded file: a plain file name (no path), PDF, PNG or JPEG by both extension
    and content, at most 10 MB. Returns ``(safe original name, extension, content type)``."""
    name = getattr(upload, "name", "") or ""
    if (
        not name
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name.startswith(".")
        or ".." in name
        or len(name) > 200
    ):
        raise ValidationError({field: "Give the file a plain name (no folders, no '..')."})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise ValidationError({field: "Upload a PDF, PNG or JPEG file."})
    size = getattr(upload, "size", None) or 0
    limit = getattr(settings, "APPROVAL_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES)
    if size <= 0:
        raise ValidationError({field: "The file is empty."})
    if size > limit:
        raise ValidationError({field: f"The file is larger than {limit // (1024 * 1024)} MB."})
    magic, content_type = FILE_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magic):
        raise ValidationError({field: f"The file's content is not a {ext.upper()} file."})
    return get_valid_filename(name), ext, content_type


@transaction.atomic
def approval_file_attach(*, approval: Approval, by: User | None, upload, kind: str = "document") -> Approval:
    """Attach the signed document (``kind="document"``) or the asset file (``"asset"``) while
    the approval is open (requested or in review).

    Once decided, the files are frozen (409 ``approval_decided``): the content library serves
    exactly what the customer approved, and a new file needs a new approval that supersedes
    this one. Before the decision a file may be replaced: a replaced asset file is deleted from
    storage once the change is committed; a replaced signed document stays on file as an earlier
    version, kept by the history event that attached it. Stored under a generated name below
    MEDIA_ROOT, never the uploader's name."""
    if kind not in ("document", "asset"):
        raise ValueError(kind)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.status not in APPROVAL_OPEN_STATUSES:
        raise RuleViolation(
            CODE_APPROVAL_DECIDED,
            f"This approval is {approval.get_status_display().lower()}: its files can't be changed. "
            "For a new file, request a new approval.",
        )
    original, ext, content_type = upload_check(upload, field=kind)
    file_field = "document" if kind == "document" else "asset_file"
    stored = getattr(approval, file_field)
    replaced = stored.name or ""
    stored.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    setattr(approval, f"{file_field}_name", original)
    setattr(approval, f"{file_field}_type", content_type)
    approval.save(update_fields=[file_field, f"{file_field}_name", f"{file_field}_type", "updated_at"])
    _event(
        approval,
        ApprovalEvent.Kind.DOCUMENT if kind == "document" else ApprovalEvent.Kind.ASSET,
        actor=by,
        note=original,
        file=stored.name if kind == "document" else "",
    )
    if replaced and kind == "asset":
        storage = stored.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return approval


# --- The rule: no public activity without a valid approval ---------------------------------


def approval_uses_for_activity(activity_type: str | ActivityType) -> tuple[str, ...]:
    """The approval uses a public activity type needs (``ACTIVITY_APPROVAL_USES``); none for a
    private one."""
    if isinstance(activity_type, ActivityType):
        code, public = activity_type.code, activity_type.is_public
    else:
        code, public = activity_type, None
    if code in ACTIVITY_APPROVAL_USES:
        return ACTIVITY_APPROVAL_USES[code]
    if code in PRIVATE_ACTIVITY_TYPES:
        return ()
    if public is None:
        activity = ActivityType.objects.filter(code=code).first()
        public = bool(activity and activity.is_public)
    return UNLISTED_PUBLIC_ACTIVITY_USES if public else ()


def approvals_missing_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
) -> list[str]:
    """The uses this activity needs that the customer has no valid approval for on ``on`` (in
    ``channel``, or the activity's usual channel), in the map's order. Empty: good to go."""
    uses = approval_uses_for_activity(activity_type)
    if not uses:
        return []
    on = on or timezone.localdate()
    code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
    channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
    qs = Approval.objects.valid(on).filter(customer=customer, use__in=uses)
    if channel:
        qs = qs.filter(channel_condition(channel))
    have = set(qs.values_list("use", flat=True).distinct())
    return [use for use in uses if use not in have]


def approval_require_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
    reference: ReferenceProfile | None = None,
) -> None:
    """Refuse (409 ``approval_missing``) a public activity for a customer without a valid
    approval for every use it needs; private activities pass. With ``reference``, a profile
    marked private only is refused for any public activity (``reference_private_only``)."""
    if not approval_uses_for_activity(activity_type):
        return
    if reference is not None and reference.private_only:
        raise RuleViolation(
            CODE_PRIVATE_ONLY, f"{reference.customer.name}'s reference is private only: never for public use."
        )
    missing = approvals_missing_for_activity(
        customer=customer, activity_type=activity_type, on=on, channel=channel
    )
    if missing:
        code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
        channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
        labels = dict(ApprovalUse.choices)
        what = " or ".join(labels.get(u, u).lower() for u in missing)
        where = f" for the {Channel(channel).label.lower()} channel" if channel in Channel.values else ""
        when = f" on {on:%d %b %Y}" if on else ""
        raise RuleViolation(
            CODE_APPROVAL_MISSING, f"{customer.name} has no valid {what} approval{where}{when}."
        )
