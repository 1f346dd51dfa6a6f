"""Erasure on the person's request (GDPR Art. 17): ``contact_erase``.

The contact row stays (the usage ledger's entries keep their customer, reference, activity and
dates, so counts and metrics do not move), but everything that identifies the person goes:

1. the withdrawal cascade first (``consent_withdraw``, leaving the program): approvals that name
   them revoked, open asks withdrawn, never proposed again (``consent_withdrawn``);
2. the files of the approvals that name or show them are deleted from storage (the apps above
   register how: ``contact_erased_register``);
3. the contact's personal fields become "Erased contact #123" (title, e-mail, phone, time zone,
   languages cleared), and their history rows are masked the same way;
4. every text column of every table (free text, history rows, notifications, links, JSON
   documents) has the person's full name, e-mail and phone replaced by the placeholder: one
   ``UPDATE … WHERE`` per column, whole words only for the name.

Irreversible. The erasure itself is recorded in the contact's history ("Erased: <reason>").
"""

from __future__ import annotations

import re
from datetime import datetime

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.errors import RuleViolation
from refprogram.i18n import day

from ..models import Contact
from .consents import consent_withdraw

__all__ = ["CODE_ALREADY_ERASED", "contact_erase", "contact_erased_register", "erased_placeholder"]

CODE_ALREADY_ERASED = "already_erased"

_erased_hooks: list = []


def contact_erased_register(hook) -> None:
    """``hook(contact)``: delete what an app above keeps of the person (files), before the sweep."""
    if hook not in _erased_hooks:
        _erased_hooks.append(hook)


def erased_placeholder(contact_id: int) -> str:
    return f"Erased contact #{contact_id}"


def _text_columns():
    """``(table, column, is_json)`` for every concrete text and JSON column of every model."""
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                kind = True
            elif isinstance(field, models.CharField | models.TextField) and not field.choices:
                kind = False
            else:
                continue
            key = (model._meta.db_table, field.column)
            if key not in seen:
                seen.add(key)
                yield model._meta.db_table, field.column, kind


def _sweep(needles: list[tuple[str, bool]], placeholder: str) -> int:
    """Replace each needle (``(text, whole_words)``) by ``placeholder`` in every text column, except
    the contacts' own rows and history (the erased person's are masked field by field; another
    person who shares a name keeps it)."""
    changed = 0
    quote = connection.ops.quote_name
    own_rows = {Contact._meta.db_table, Contact.history.model._meta.db_table}
    with connection.cursor() as cursor:
        for table, column, is_json in _text_columns():
            if table in own_rows:
                continue
            value = f"{quote(column)}::text" if is_json else quote(column)
            for needle, whole_words in needles:
                if whole_words:
                    pattern = r"\m" + re.escape(needle) + r"\M"
                    new = f"regexp_replace({value}, %s, %s, 'g')"
                    params = [pattern, placeholder, pattern]
                    where = f"{value} ~ %s"
                else:
                    new = f"replace({value}, %s, %s)"
                    params = [needle, placeholder, "%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"]
                    where = f"{value} LIKE %s"
                if is_json:
                    new = f"({new})::jsonb"
                cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = {new} WHERE {where}", params)
                changed += cursor.rowcount
    return changed


def _own_values(contact: Contact) -> list[str]:
    """The contact's e-mail and phone as needles for the sweep, without those another person still
    in the program also holds (a company switchboard, a shared mailbox): they are not this
    person's, and replacing them would damage the other contact's data."""
    values = [v.strip() for v in (contact.email, contact.phone) if v and v.strip()]
    if contact.email and contact.email.strip().lower() != contact.email.strip():
        values.append(contact.email.strip().lower())
    if not values:
        return []
    others = Contact.objects.exclude(pk=contact.pk).filter(erased_at__isnull=True)
    lowered = [v.lower() for v in values]
    held = others.annotate(email_lower=Lower("email")).filter(
        models.Q(email_lower__in=lowered) | models.Q(phone__in=values)
    )
    shared = {v.lower() for pair in held.values_list("email", "phone") for v in pair if v}
    return [v for v in values if v.lower() not in shared]


@transaction.atomic
def contact_erase(*, contact: Contact, reason: str, by: User | None, now: datetime | None = None) -> Contact:
    """Erase the person (see the module's docstring). ``reason`` is required; a contact already
    erased is refused (409 ``already_erased``): erasure is irreversible and happens once."""
    from django.core.exceptions import ValidationError

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (e.g. 'The person asked to be erased on 3 March').")})
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at:
        raise RuleViolation(
            CODE_ALREADY_ERASED,
            _("%(name)s was erased on %(date)s.") % {"name": contact.name, "date": day(contact.erased_at)},
        )
    if not contact.left_program_at:
        consent_withdraw(contact=contact, leave_program=True, via="erased on request", now=now)
        contact.refresh_from_db()
    for hook in _erased_hooks:
        hook(contact)
    placeholder = erased_placeholder(contact.pk)
    needles = [(contact.name, True)] if contact.name.strip() else []
    for value in _own_values(contact):
        needles.append((value, False))
    contact.name, contact.title, contact.email, contact.phone, contact.time_zone = placeholder, "", "", "", ""
    contact.erased_at = now
    contact._change_reason = f"Erased: {reason}"[:100]
    contact.save()
    contact.languages.clear()
    # The history rows keep when and who, not the person's values.
    contact.history.all().update(name=placeholder, title="", email="", phone="", time_zone="")
    _sweep(needles, placeholder)
    from .inventory import search_documents_refresh

    search_documents_refresh(profile_ids=contact.profiles.values_list("pk", flat=True))
    if by is not None:
        contact.history.filter(history_change_reason__startswith="Erased").update(history_user=by)
    return contact
