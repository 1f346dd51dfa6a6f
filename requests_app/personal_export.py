"""The access export of a person's data (GDPR Art. 15): ``personal_export``.

One document of everything the program stores about one contact: their fields, their customer
(its name), their consent records, their reference profile(s), every time they were asked (the
request, the activity, the prospect, the state, the dates and their answers: the reason they
gave, "ask me again after", the times they offered), the feedback they gave, the usage ledger's
entries and the holds on their profiles, the approvals that name or show them, the withdrawal
links we issued them (dates only: never a token or its hash) and the change history of their
contact record (when, who, which fields).

It lives here, in the requests app, because it reads the apps below (references, ledger,
approvals) and this one; the API and the printable page both render this same document. A fixed
number of queries, however many times the person was asked.

An erased contact (Art. 17) exports only the erased placeholder: nothing of them is left to export.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from approvals.models import Approval
from ledger.models import Hold, UsageEntry
from references.models import Contact, ContactConsent, ContactNotice, ReferenceProfile, WithdrawalLink

from .models import Candidate, CandidateFeedback

__all__ = ["personal_export", "EXPORT_SECTIONS"]

# The sections of the document, in the order the printable page shows them.
EXPORT_SECTIONS = (
    "consents",
    "profiles",
    "asks",
    "feedback",
    "usage",
    "holds",
    "approvals",
    "withdrawal_links",
    "notices",
    "history",
)

# Bookkeeping columns of the contact that are not the person's data (and the history's own columns).
_HISTORY_SKIPPED = {"updated_at", "created_at"}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _who(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


def _contact_fields(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "title": contact.title,
        "seniority": contact.get_seniority_display(),
        "email": contact.email,
        "phone": contact.phone,
        "languages": [language.name for language in contact.languages.all()],
        "time_zone": contact.time_zone,
        "left_program_at": _iso(contact.left_program_at),
        "erased_at": _iso(contact.erased_at),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
    }


def _history(contact: Contact) -> list[dict[str, Any]]:
    """The contact record's change history, oldest first: when, who, which fields changed."""
    records = list(
        Contact.history.filter(id=contact.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    fields = [f for f in Contact._meta.concrete_fields if f.name not in _HISTORY_SKIPPED]
    rows, previous = [], None
    for record in records:
        if record.history_type == "+" or previous is None:
            changed = []
        else:
            changed = [
                f.name
                for f in fields
                if getattr(record, f.attname, None) != getattr(previous, f.attname, None)
            ]
        rows.append(
            {
                "date": _iso(record.history_date),
                "who": _who(record.history_user),
                "kind": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changed_fields": changed,
                "reason": record.history_change_reason or "",
            }
        )
        previous = record
    return rows


def _erased_document(contact: Contact) -> dict[str, Any]:
    return {
        "generated_at": _iso(timezone.now()),
        "erased": True,
        "contact": {"id": contact.pk, "name": contact.name, "erased_at": _iso(contact.erased_at)},
        "customer": None,
        **{section: [] for section in EXPORT_SECTIONS},
    }


def personal_export(contact: Contact) -> dict[str, Any]:
    """Everything stored about the person, as one JSON-ready document (see the module's words).
    The caller has already checked who may ask (``change_inventory``) and that the contact is
    visible to them."""
    if contact.erased_at:
        return _erased_document(contact)
    consents = ContactConsent.objects.filter(contact=contact).select_related("recorded_by")
    profiles = ReferenceProfile.objects.filter(contact=contact).order_by("id")
    candidates = (
        Candidate.objects.filter(reference__contact=contact)
        .select_related("request__activity_type")
        .order_by("created_at", "id")
    )
    feedback = (
        CandidateFeedback.objects.filter(
            candidate__reference__contact=contact, side=CandidateFeedback.Side.REFERENCE
        )
        .select_related("candidate__request")
        .order_by("created_at", "id")
    )
    usage = (
        UsageEntry.objects.filter(reference__contact=contact)
        .select_related("activity_type")
        .order_by("occurred_on", "id")
    )
    holds = Hold.objects.filter(reference__contact=contact).order_by("starts_on", "id")
    approvals = Approval.objects.filter(person=contact).order_by("created_at", "id")
    links = WithdrawalLink.objects.filter(contact=contact).order_by("created_at", "id")
    notices = ContactNotice.objects.filter(contact=contact).select_related("template")
    return {
        "generated_at": _iso(timezone.now()),
        "erased": False,
        "contact": _contact_fields(contact),
        "customer": {"name": contact.customer.name},
        "consents": [
            {
                "scope": c.get_scope_display(),
                "method": c.get_method_display(),
                "method_reference": c.method_reference,
                "text_version": c.text_version,
                "given_on": _iso(c.given_on),
                "expires_on": _iso(c.expires_on),
                "recorded_by": _who(c.recorded_by),
                "recorded_at": _iso(c.recorded_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                "withdrawn_via": c.withdrawn_via,
                "state": c.state(),
            }
            for c in consents
        ],
        "profiles": [
            {
                "id": p.pk,
                "status": p.get_status_display(),
                "headline": p.headline,
                "story": p.story,
                "outcomes": p.outcomes,
                "competitor": p.competitor,
                "private_only": p.private_only,
                "last_validated": _iso(p.last_validated),
                "created_at": _iso(p.created_at),
            }
            for p in profiles
        ],
        "asks": [
            {
                "candidate_id": c.pk,
                "request_id": c.request_id,
                "activity": c.request.activity_type.name,
                "prospect_name": c.request.prospect_name,
                "state": c.get_state_display(),
                "asked_at": _iso(c.created_at),
                "updated_at": _iso(c.updated_at),
                "scheduled_for": _iso(c.scheduled_for),
                "answer_reason": c.answer_reason,
                "ask_again_after": _iso(c.ask_again_after),
                "offered_slots": list(c.offered_slots or []),
            }
            for c in candidates
        ],
        "feedback": [
            {
                "request_id": f.candidate.request_id,
                "prospect_name": f.candidate.request.prospect_name,
                "happened": f.happened,
                "rating": f.rating,
                "comment": f.comment,
                "would_do_again": f.would_do_again,
                "too_often": f.get_too_often_display() if f.too_often else "",
                "given_at": _iso(f.created_at),
            }
            for f in feedback
        ],
        "usage": [
            {
                "profile_id": u.reference_id,
                "activity": u.activity_type.name,
                "status": u.get_status_display(),
                "occurred_on": _iso(u.occurred_on),
                "request_id": u.request_ref,
                "note": u.note,
            }
            for u in usage
        ],
        "holds": [
            {
                "profile_id": h.reference_id,
                "kind": h.get_kind_display(),
                "reason": h.reason,
                "starts_on": _iso(h.starts_on),
                "ends_on": _iso(h.ends_on),
                "lifted_on": _iso(h.lifted_on),
            }
            for h in holds
        ],
        "approvals": [
            {
                "id": a.pk,
                "use": a.get_use_display(),
                "status": a.get_status_display(),
                "title": a.title,
                "quote_text": a.quote_text,
                "scope": list(a.scope or []),
                "expires_on": _iso(a.expires_on),
                "decided_at": _iso(a.decided_at),
                "created_at": _iso(a.created_at),
            }
            for a in approvals
        ],
        "withdrawal_links": [
            {
                "issued_at": _iso(link.created_at),
                "expires_at": _iso(link.expires_at),
                "used_at": _iso(link.used_at),
                "withdrawn_at": _iso(link.withdrawn_at),
            }
            for link in links
        ],
        "notices": [
            {
                "sent_at": _iso(n.sent_at),
                "subject": n.template.subject,
                "text_version": n.template.version,
                "sent_via": n.sent_via,
            }
            for n in notices
        ],
        "history": _history(contact),
    }
