"""Writing a validated import: customers, contacts and reference profiles in bulk, with their
change history; status changes and new profiles through the lifecycle planner."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..choices import (
    ProfileStatus,
)
from ..models import (
    Contact,
    Customer,
    ProfileEvent,
    ReferenceProfile,
    customer_changed,
)
from ..services.inventory import profile_start_plan, profile_transition_plan, search_documents_refresh
from .columns import CHANGE_REASON, ImportReport
from .parse import _Row
from .validate import _chunks

# --- Writing -------------------------------------------------------------------------------


def _assign(instance, values: dict[str, Any]) -> tuple[list[str], dict[str, list]]:
    """Set plain fields; return the fields that changed and the many-to-many values to set."""
    changed, m2m = [], {}
    for name, value in values.items():
        if isinstance(value, list):
            m2m[name] = value
            continue
        attname = instance._meta.get_field(name).attname
        new = getattr(value, "pk", value)
        if getattr(instance, attname) != new:
            setattr(instance, name, value)
            changed.append(name)
    return changed, m2m


def _write_objects(model, new: list, existing: dict[int, tuple], actor) -> None:
    """Insert the new rows and update the changed ones, with their change history."""
    if new:
        bulk_create_with_history(
            new, model, batch_size=500, default_user=actor, default_change_reason=CHANGE_REASON
        )
    changed = [obj for obj, fields in existing.values() if fields]
    if changed:
        fields = sorted({f for _, fs in existing.values() for f in fs} | {"updated_at"})
        now = timezone.now()
        for obj in changed:
            obj.updated_at = now
        bulk_update_with_history(
            changed, model, fields, batch_size=500, default_user=actor, default_change_reason=CHANGE_REASON
        )


def _write_m2m(model, m2m_values: dict[int, dict[str, list]], existing_ids: list[int]) -> None:
    """Make each object's many-to-many sets exactly what the file says (where the file says)."""
    for name in {n for values in m2m_values.values() for n in values}:
        field_ = model._meta.get_field(name)
        through = field_.remote_field.through
        owner = field_.m2m_field_name() + "_id"
        target = field_.m2m_reverse_field_name() + "_id"
        wanted = {pk: {o.pk for o in values[name]} for pk, values in m2m_values.items() if name in values}
        current: dict[int, set] = {}
        for chunk in _chunks(sorted(pk for pk in wanted if pk in existing_ids)):
            for owner_id, target_id in through.objects.filter(**{f"{owner}__in": chunk}).values_list(
                owner, target
            ):
                current.setdefault(owner_id, set()).add(target_id)
        stale = [pk for pk, ids in wanted.items() if current.get(pk, set()) != ids and pk in current]
        for chunk in _chunks(stale):
            through.objects.filter(**{f"{owner}__in": chunk}).delete()
        rows = [
            through(**{owner: pk, target: t})
            for pk, ids in wanted.items()
            if current.get(pk, set()) != ids
            for t in sorted(ids)
        ]
        through.objects.bulk_create(rows, batch_size=2000)


def _write(rows: list[_Row], actor, report: ImportReport) -> None:
    existing_ids = {"customer": set(), "contact": set(), "profile": set()}
    # Customers: one object per customer key.
    customers: dict[tuple, Customer] = {}
    new_customers, changed_customers, customer_m2m = [], {}, {}
    for row in rows:
        if row.customer_key in customers:
            continue
        customer = row.customer or Customer()
        values = dict(row.values["customer"])
        if not values.get("crm_id"):
            values.pop("crm_id", None)  # an empty CRM id never clears a stored one
        fields, m2m = _assign(customer, values)
        if customer.pk:
            changed_customers[customer.pk] = (customer, fields)
            existing_ids["customer"].add(customer.pk)
            report.updated["customers"] += 1
        else:
            if customer.crm_id == "":
                customer.crm_id = None
            new_customers.append(customer)
            report.created["customers"] += 1
        customers[row.customer_key] = customer
        customer_m2m[id(customer)] = m2m
    _write_objects(Customer, new_customers, changed_customers, actor)
    _write_m2m(Customer, {c.pk: customer_m2m[id(c)] for c in customers.values()}, existing_ids["customer"])
    # Renewal dates and health scores just imported: the automatic holds follow (one pass over them).
    customer_changed(
        [c.pk for c in new_customers]
        + [
            pk
            for pk, (_, fields) in changed_customers.items()
            if {"renewal_date", "health_score"} & set(fields)
        ]
    )

    # Contacts and their profiles.
    new_contacts, changed_contacts, contact_m2m = [], {}, {}
    contact_rows = [row for row in rows if row.has_contact]
    for row in contact_rows:
        contact = row.contact or Contact(customer=customers[row.customer_key])
        fields, m2m = _assign(contact, row.values["contact"])
        if contact.pk:
            changed_contacts[contact.pk] = (contact, fields)
            existing_ids["contact"].add(contact.pk)
            report.updated["contacts"] += 1
        else:
            new_contacts.append(contact)
            report.created["contacts"] += 1
        row.contact = contact
        contact_m2m[id(contact)] = m2m
    _write_objects(Contact, new_contacts, changed_contacts, actor)
    _write_m2m(
        Contact, {r.contact.pk: contact_m2m[id(r.contact)] for r in contact_rows}, existing_ids["contact"]
    )

    new_profiles, changed_profiles, profile_m2m, events = [], {}, {}, []
    today = timezone.localdate()
    for row in contact_rows:
        values = dict(row.values["profile"])
        status = values.pop("status", None)
        if row.profile is None:
            profile = ReferenceProfile(customer=row.contact.customer, contact=row.contact)
            before = ""
            fields, m2m = _assign(profile, values)
            # The file loads the program's existing records, so a new row may start in any status
            # (a spreadsheet of the program has resting and retired references too); otherwise it
            # starts as ``profile_create`` starts a profile.
            plan = profile_start_plan(
                status=status or ProfileStatus.NOMINATED,
                last_validated=profile.last_validated,
                actor=actor,
                today=today,
                allowed=ProfileStatus.values,
            )
        else:
            profile = row.profile
            before = profile.status
            fields, m2m = _assign(profile, values)
            plan = {}
            if status and status != profile.status:  # checked in _match: the lifecycle allows it
                plan = profile_transition_plan(profile=profile, to=status, actor=actor, today=today)
        fields += [f for f in _assign(profile, plan)[0] if f not in fields]
        if "last_validated" in fields and profile.last_validated and "validated_by" not in fields:
            profile.validated_by = actor
            fields.append("validated_by")
        if profile.pk:
            changed_profiles[profile.pk] = (profile, fields)
            existing_ids["profile"].add(profile.pk)
            report.updated["references"] += 1
        else:
            new_profiles.append(profile)
            report.created["references"] += 1
        if before != profile.status:
            events.append((profile, before))
        row.profile = profile
        profile_m2m[id(profile)] = m2m
    _write_objects(ReferenceProfile, new_profiles, changed_profiles, actor)
    _write_m2m(
        ReferenceProfile,
        {r.profile.pk: profile_m2m[id(r.profile)] for r in contact_rows},
        existing_ids["profile"],
    )
    ProfileEvent.objects.bulk_create(
        [
            ProfileEvent(
                profile=p,
                from_status=before,
                to_status=p.status,
                actor=actor,
                note="Created by CSV import" if not before else "Changed by CSV import",
            )
            for p, before in events
        ],
        batch_size=1000,
    )
    # Every profile of a customer in the file: a customer's or contact's change shows in its search text.
    customer_ids = sorted(c.pk for c in customers.values())
    for chunk in _chunks(customer_ids):
        ids = list(ReferenceProfile.objects.filter(customer_id__in=chunk).values_list("pk", flat=True))
        for ids_chunk in _chunks(ids):
            search_documents_refresh(profile_ids=ids_chunk)
