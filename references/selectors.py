"""Reads of the reference inventory that cross relations: a profile's change history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from accounts import permissions as perms
from accounts.models import User

from .models import (
    CONTACT_PII_FIELDS,
    ActivityType,
    Contact,
    Customer,
    Industry,
    Language,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)

__all__ = ["profile_history", "PII_FIELDS", "SAME_EDIT_SECONDS"]

# Contact fields only ``view_contact_pii`` may see, in pages, the API and change history.
PII_FIELDS = frozenset(CONTACT_PII_FIELDS)

# A save and its many-to-many updates are one edit, recorded by django-simple-history as several
# rows a moment apart: one history line when they are this close.
SAME_EDIT_SECONDS = 5

# Never shown as edits: timestamps, and the profile's status moves (they are the lifecycle events,
# with their note) and the nightly staleness bookkeeping.
ALWAYS_HIDDEN = ("updated_at", "created_at")
PROFILE_SHOWN_ELSEWHERE = ("status", "resting_reason", "stale_notified_on")

KIND_LABELS = {
    "created": "created",
    "changed": "changed",
    "deleted": "deleted",
    "transition": "status change",
    "revalidated": "re-confirmed",
}


def _display(field, value, lookups: dict) -> str | None:
    """A stored value as a person reads it: names, not ids; labels, not codes; ``None`` for empty."""
    if value in (None, "") or (field.many_to_many and not value):
        return None
    if isinstance(value, dict):  # the program's own fields: {"<slug>": value}
        return ", ".join(f"{slug}: {v}" for slug, v in sorted(value.items())) or None
    if field.many_to_many:
        names = lookups.get(field.related_model, {})
        target = field.m2m_reverse_field_name()
        ids = [row.get(target) if isinstance(row, dict) else row for row in value]
        return ", ".join(sorted(names.get(i, str(i)) for i in ids)) or None
    if field.is_relation:
        return lookups.get(field.related_model, {}).get(value, str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _username(user) -> str | None:
    return user.username if user is not None else None


def _records(records, what: str, hidden: set[str], lookups: dict, shown_elsewhere=()) -> list[dict]:
    """One entry per edit of one object, oldest first: who changed which fields from what to what.
    Fields in ``shown_elsewhere`` are left out (an edit of nothing else is no entry); ``hidden``
    fields show that they changed, not their values."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    entries: list[dict] = []
    previous = None
    for record in records:
        who = _username(record.history_user)
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=[*ALWAYS_HIDDEN, *shown_elsewhere])
            changes = []
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                label = str(field.verbose_name)
                if change.field in hidden:
                    changes.append({"field": change.field, "label": label, "old": "…", "new": "(hidden)"})
                    continue
                old, new = _display(field, change.old, lookups), _display(field, change.new, lookups)
                if old == new:  # a many-to-many set rewritten with the same members
                    continue
                changes.append({"field": change.field, "label": label, "old": old, "new": new})
            if changes:
                meta = record.instance_type._meta
                m2m_only = all(meta.get_field(c["field"]).many_to_many for c in changes)
                _add_changes(entries, what, record.history_date, who, changes, m2m_only=m2m_only)
        else:
            kind = "deleted" if record.history_type == "-" else "created"
            entries.append(_entry(when=record.history_date, who=who, what=what, kind=kind))
        previous = record
    return entries


def _entry(*, when, who, what: str, kind: str, changes=None, **extra) -> dict[str, Any]:
    return {
        "when": when,
        "who": who,
        "what": what,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "changes": changes or [],
        "from_status": "",
        "to_status": "",
        "note": "",
        **extra,
    }


def _add_changes(entries: list[dict], what: str, when, who, changes: list[dict], *, m2m_only: bool) -> None:
    """Append an edit. A change of many-to-many fields alone, by the same person a moment after
    the previous line, is the second half of that save (the sets are written after the row) and
    is folded into it."""
    last = entries[-1] if entries else None
    if (
        m2m_only
        and last
        and last["kind"] in ("created", "changed")
        and last["who"] == who
        and (when - last["when"]).total_seconds() < SAME_EDIT_SECONDS
    ):
        by_field = {c["field"]: c for c in last["changes"]}
        for change in changes:
            if change["field"] in by_field:
                by_field[change["field"]]["new"] = change["new"]
            else:
                last["changes"].append(change)
        return
    entries.append(_entry(when=when, who=who, what=what, kind="changed", changes=changes))


def _lookups(profile: ReferenceProfile) -> dict:
    def names(model) -> dict:
        return {obj.pk: str(obj) for obj in model.objects.all()}

    return {
        ActivityType: names(ActivityType),
        Product: names(Product),
        UseCase: names(UseCase),
        Program: names(Program),
        Language: names(Language),
        Industry: names(Industry),
        Region: names(Region),
        get_user_model(): dict(get_user_model().objects.values_list("pk", "username")),
        Customer: {profile.customer_id: profile.customer.name},
        Contact: {profile.contact_id: profile.contact.name},
    }


def profile_history(profile: ReferenceProfile, viewer: User) -> list[dict]:
    """Who changed what and when about one reference, newest first: edits of the profile, its
    customer and its contact (contact email and phone only for ``view_contact_pii``), and the
    lifecycle events (status moves and re-confirmations, with their note).

    Each entry: ``when``, ``who`` (a username, or None for the system), ``what`` (Reference profile,
    Customer, Contact or Lifecycle), ``kind`` (created, changed, deleted, transition, revalidated),
    ``changes`` (``field``, ``label``, ``old``, ``new`` as people read them), ``from_status``,
    ``to_status`` and ``note``. The page and the API both show this list.
    """
    lookups = _lookups(profile)
    hidden = set() if perms.has_capability(viewer, perms.VIEW_CONTACT_PII) else PII_FIELDS
    profile_entries = _records(
        profile.history.select_related("history_user"),
        "Reference profile",
        set(),
        lookups,
        shown_elsewhere=PROFILE_SHOWN_ELSEWHERE,
    )
    entries = (
        profile_entries
        + _records(profile.customer.history.select_related("history_user"), "Customer", set(), lookups)
        + _records(profile.contact.history.select_related("history_user"), "Contact", hidden, lookups)
    )
    created = any(e["kind"] == "created" for e in profile_entries)
    statuses = dict(ReferenceProfile._meta.get_field("status").flatchoices)
    for event in profile.events.select_related("actor"):
        if event.from_status == "" and created:
            continue  # the profile's creation is already a line
        moved = event.from_status != event.to_status
        entries.append(
            _entry(
                when=event.created_at,
                who=_username(event.actor),
                what="Lifecycle",
                kind="revalidated" if event.kind == event.Kind.REVALIDATED else "transition",
                changes=[
                    {
                        "field": "status",
                        "label": "status",
                        "old": statuses.get(event.from_status),
                        "new": statuses.get(event.to_status),
                    }
                ]
                if moved
                else [],
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
            )
        )
    return sorted(entries, key=lambda e: e["when"], reverse=True)
