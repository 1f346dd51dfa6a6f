"""Matching the parsed rows to the customers, contacts and references that exist, and checking
each status change with the profile lifecycle planner (``references.services.profile_transition_plan``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from refprogram.errors import RuleViolation

from ..models import (
    Contact,
    Customer,
    ReferenceProfile,
)
from ..services.custom_fields import CustomValuesInvalid, custom_definitions, custom_values_clean
from ..services.inventory import profile_transition_plan
from .columns import COLUMNS, ImportReport
from .parse import _Row

# --- Matching rows to what exists ----------------------------------------------------------


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match(rows: list[_Row], report: ImportReport) -> None:
    """Group rows by customer and contact, find duplicates in the file, and attach the
    customers, contacts and profiles that already exist."""
    # In the file: a customer is its CRM id, else its exact name; a row without a CRM id joins
    # the one customer in the file with that name and a CRM id.
    crm_by_name: dict[str, set[str]] = {}
    for row in rows:
        c = row.values["customer"]
        if c.get("crm_id"):
            crm_by_name.setdefault(c["name"], set()).add(c["crm_id"])
    for row in rows:
        c = row.values["customer"]
        if c.get("crm_id"):
            row.customer_key = ("crm", c["crm_id"])
        elif len(crm_by_name.get(c["name"], ())) == 1:
            row.customer_key = ("crm", next(iter(crm_by_name[c["name"]])))
        else:
            row.customer_key = ("name", c["name"])

    # The same customer must be described the same way on every row.
    first_row: dict[tuple, _Row] = {}
    for row in rows:
        first = first_row.setdefault(row.customer_key, row)
        if first is row:
            continue
        for name, value in row.values["customer"].items():
            if name == "crm_id" and not value:
                continue
            if name == "custom":  # the program's own fields, column by column
                other = first.values["customer"].get("custom") or {}
                for slug, cell in value.items():
                    if slug in other and other[slug] != cell:
                        report.add(
                            row.line,
                            f"custom.{slug}",
                            _(
                                "The same customer has a different %(column)s on line %(line)s; "
                                "describe a customer the same way on every row."
                            )
                            % {"column": f"custom.{slug}", "line": first.line},
                        )
                continue
            other = first.values["customer"].get(name)
            if name in first.values["customer"] and _comparable(other) != _comparable(value):
                column = next(c.name for c in COLUMNS if c.target == f"customer.{name}")
                report.add(
                    row.line,
                    column,
                    _(
                        "The same customer has a different %(column)s on line %(line)s; "
                        "describe a customer the same way on every row."
                    )
                    % {"column": column, "line": first.line},
                )

    # Duplicate rows: the same contact (by email, else name) or the same customer-only row twice.
    seen: dict[tuple, int] = {}
    for row in rows:
        contact = row.values["contact"]
        if row.has_contact:
            email = (contact.get("email") or "").lower()
            row.contact_key = ("email", email) if email else ("name", contact["name"])
        else:
            row.contact_key = ("none",)
        key = (row.customer_key, row.contact_key)
        if key in seen:
            if row.has_contact:
                text = _("Duplicate row: the same contact as line %(line)s.")
            else:
                text = _("Duplicate row: the same customer (without a contact) as line %(line)s.")
            report.add(row.line, "", text % {"line": seen[key]})
        else:
            seen[key] = row.line

    # Existing customers.
    crm_ids = sorted({k[1] for k in first_row if k[0] == "crm"})
    names = sorted({r.values["customer"]["name"] for r in rows})
    by_crm: dict[str, Customer] = {}
    by_name: dict[str, list[Customer]] = {}
    for chunk in _chunks(crm_ids):
        by_crm.update({c.crm_id: c for c in Customer.objects.filter(crm_id__in=chunk)})
    for chunk in _chunks(names):
        for c in Customer.objects.filter(name__in=chunk).order_by("pk"):
            by_name.setdefault(c.name, []).append(c)
    claimed: dict[int, int] = {}
    customers: dict[tuple, Customer | None] = {}
    for key, row in first_row.items():
        name = row.values["customer"]["name"]
        found = by_crm.get(key[1]) if key[0] == "crm" else None
        if found is None:
            same_name = by_name.get(name, [])
            if key[0] == "crm":
                same_name = [c for c in same_name if not c.crm_id]
            if len(same_name) > 1:
                report.add(
                    row.line,
                    "customer_name",
                    _("%(n)s customers are named %(name)s; add customer_crm_id to say which one.")
                    % {"n": len(same_name), "name": repr(name)},
                )
            elif same_name:
                found = same_name[0]
        if found is not None:
            if found.pk in claimed:
                report.add(
                    row.line,
                    "customer_name",
                    _("This row and line %(line)s both match the existing customer %(name)s.")
                    % {"line": claimed[found.pk], "name": repr(found.name)},
                )
            claimed[found.pk] = row.line
        customers[key] = found
    for row in rows:
        row.customer = customers.get(row.customer_key)

    # Existing contacts of those customers, and their profiles.
    customer_ids = sorted(claimed)
    contacts_by_email: dict[tuple, Contact] = {}
    contacts_by_name: dict[tuple, list[Contact]] = {}
    for chunk in _chunks(customer_ids):
        for contact in Contact.objects.filter(customer_id__in=chunk).order_by("pk"):
            if contact.email:
                contacts_by_email.setdefault((contact.customer_id, contact.email.lower()), contact)
            contacts_by_name.setdefault((contact.customer_id, contact.name), []).append(contact)
    contact_claimed: dict[int, int] = {}
    for row in rows:
        if not row.has_contact or row.customer is None:
            continue
        cid = row.customer.pk
        found = None
        if row.contact_key[0] == "email":
            found = contacts_by_email.get((cid, row.contact_key[1]))
        if found is None:
            same_name = contacts_by_name.get((cid, row.values["contact"]["name"]), [])
            if len(same_name) > 1:
                report.add(
                    row.line,
                    "contact_name",
                    _(
                        "%(n)s contacts at this customer are named %(name)s; "
                        "add contact_email to say which one."
                    )
                    % {"n": len(same_name), "name": repr(row.values["contact"]["name"])},
                )
            elif same_name:
                found = same_name[0]
        if found is not None:
            if found.pk in contact_claimed:
                report.add(
                    row.line,
                    "",
                    _("Duplicate row: the same contact as line %(line)s.")
                    % {"line": contact_claimed[found.pk]},
                )
            contact_claimed[found.pk] = row.line
        row.contact = found
    profiles: dict[int, ReferenceProfile] = {}
    for chunk in _chunks(sorted(contact_claimed)):
        profiles.update({p.contact_id: p for p in ReferenceProfile.objects.filter(contact_id__in=chunk)})
    for row in rows:
        if row.contact is not None:
            row.profile = profiles.get(row.contact.pk)
        if row.has_contact and row.contact is None and not row.values["contact"].get("seniority"):
            report.add(row.line, "contact_seniority", _("contact_seniority is required for a new contact."))
        _check_status(row, report)


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(getattr(v, "pk", v) for v in value)
    return getattr(value, "pk", value)


def _check_status(row: _Row, report: ImportReport) -> None:
    """A status change of a stored reference is a lifecycle move, planned as the page and the API
    plan it: a move the lifecycle forbids is an error on the row."""
    status = row.values["profile"].get("status")
    if row.profile is None or not status or status == row.profile.status:
        return
    try:
        profile_transition_plan(profile=row.profile, to=status, actor=None, today=timezone.localdate())
    except RuleViolation as exc:
        report.add(row.line, "status", exc.message)


def _check_custom(rows: list[_Row], report: ImportReport) -> None:
    """The program's own fields of each customer, contact and reference of the file, as they will
    be: the file's values over the stored ones, checked by ``custom_values_clean`` (a required field
    must end with a value; a new object needs its required fields in the file)."""
    definitions = custom_definitions()
    if not definitions:
        return
    for row in rows:
        owners = {"customer": row.customer}
        if row.has_contact:
            owners.update(contact=row.contact, profile=row.profile)
        for on, owner in owners.items():
            values = row.values[on].get("custom")
            if values is None and owner is not None:
                continue  # nothing of it in the file: an existing object keeps what it holds
            try:
                row.values[on]["custom"] = custom_values_clean(
                    on,
                    values or {},
                    current=owner.custom if owner is not None else {},
                    definitions=definitions,
                )
            except CustomValuesInvalid as exc:
                for slug, messages in exc.by_slug.items():
                    report.add(row.line, f"custom.{slug}", " ".join(messages))
