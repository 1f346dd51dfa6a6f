"""The inventory spreadsheet going out: the template and the export (same columns as the import)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts import permissions as perms
from accounts.models import User
from refprogram.csvsafe import csv_writer, safe_cell

from ..models import (
    CONTACT_PII_FIELDS,
    Customer,
    CustomField,
    Industry,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)
from ..services.custom_fields import custom_definitions, custom_value_to_text
from .columns import COLUMN_NAMES, LIST_SEPARATOR

# --- Template and export -------------------------------------------------------------------


def inventory_csv_template() -> str:
    """The header and one example row that imports cleanly on this installation."""
    product = Product.objects.order_by("name").values_list("name", flat=True).first() or ""
    use_case = UseCase.objects.order_by("name").values_list("name", flat=True).first() or ""
    program = Program.objects.order_by("name").values_list("name", flat=True).first() or ""
    industry = (
        Industry.objects.filter(code="manufacturing").first() or Industry.objects.order_by("code").first()
    )
    region = Region.objects.filter(code="emea").first() or Region.objects.order_by("code").first()
    example = {
        "customer_crm_id": "CRM-000123",
        "customer_name": "Example Maschinenbau GmbH",
        "industry": industry.code if industry else "",
        "region": region.code if region else "",
        "country": "DE",
        "size_band": "enterprise",
        "employees": "2400",
        "revenue_band": "€100M–€1B",
        "strategic_segment": "",
        "customer_products": product,
        "programs": program,
        "account_owner": "",
        "health_score": "60",
        "health_updated": timezone.localdate().isoformat(),
        "renewal_date": "",
        "marquee": "no",
        "contact_name": "Anna Beispiel",
        "contact_title": "VP of IT Operations",
        "contact_seniority": "vp",
        "contact_email": "anna.beispiel@example.com",
        "contact_phone": "'+49 30 1234567",
        "contact_languages": "de;en",
        "status": "active",
        "headline": "Patching time cut from weeks to days",
        "story": "Replaced scripts and spreadsheets across 40 plants.",
        "activity_types": "call;email",
        "products": product,
        "use_cases": use_case,
        "deployment": "hybrid",
        "competitor": "Legacy Patch Tool",
        "outcomes": "70% less time spent on patching",
        "private_only": "no",
        "last_validated": timezone.localdate().isoformat(),
    }
    definitions = custom_definitions()
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES + [d.key for d in definitions])
    writer.writerow([example[name] for name in COLUMN_NAMES] + [_custom_example(d) for d in definitions])
    return out.getvalue()


def _custom_example(field: CustomField) -> str:
    """An example value of the program's own field that imports cleanly."""
    kind = CustomField.Kind
    if field.kind in (kind.ONE_OF, kind.SEVERAL_OF):
        return field.choice_values()[0] if field.choices else ""
    return {
        kind.YES_NO: "yes",
        kind.NUMBER: "1",
        kind.DATE: timezone.localdate().isoformat(),
        kind.TEXT: field.label_en if field.required else "",
    }[field.kind]


def _custom_cells(definitions: list[CustomField], customer, contact, profile) -> list:
    """The cells of the program's own fields (``custom.<slug>`` columns, after the built-in ones)."""
    owners = {"customer": customer, "contact": contact, "profile": profile}
    cells = []
    for d in definitions:
        owner = owners[d.on]
        value = (owner.custom or {}).get(d.slug) if owner is not None else None
        text = custom_value_to_text(d, value)
        cells.append(value if d.kind == CustomField.Kind.NUMBER and isinstance(value, int) else text)
    return cells


def _cell(value: Any) -> Any:
    """A value as the import reads it. Whole numbers stay numbers (a health score of -20 is
    not a formula); text is escaped for the whole row in ``inventory_export_rows``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return str(value)


def _names(objects: Iterable, attr: str = "name") -> str:
    return LIST_SEPARATOR.join(sorted(str(getattr(o, attr)) for o in objects))


def _customer_cells(c: Customer) -> list:
    return [
        _cell(c.crm_id),
        _cell(c.name),
        c.industry_id,
        c.region_id,
        c.country,
        c.size_band,
        _cell(c.employees),
        _cell(c.revenue_band),
        _cell(c.strategic_segment),
        _names(c.products.all()),
        _names(c.programs.all()),
        c.account_owner.username if c.account_owner_id else "",
        _cell(c.health_score),
        _cell(c.health_updated),
        _cell(c.renewal_date),
        _cell(c.is_marquee),
    ]


def _profile_cells(p: ReferenceProfile) -> list:
    contact = p.contact
    return [
        _cell(contact.name),
        _cell(contact.title),
        contact.seniority,
        _cell(contact.email),
        _cell(contact.phone),
        _names(contact.languages.all(), "code"),
        p.status,
        _cell(p.headline),
        _cell(p.story),
        _names(p.activity_types.all(), "code"),
        _names(p.products.all()),
        _names(p.use_cases.all()),
        p.deployment,
        _cell(p.competitor),
        _cell(p.outcomes),
        _cell(p.private_only),
        _cell(p.last_validated),
    ]


EXPORT_CHUNK = 2000
# A contact's personal data: in the file only for a viewer who may see contacts' email and
# phone; for anyone else these columns are not in it at all.
CONTACT_DATA_COLUMNS = tuple(f"contact_{name}" for name in CONTACT_PII_FIELDS)


def export_columns(viewer: User) -> list[str]:
    """The columns ``viewer`` gets in an inventory export: every import column, less the
    contact's email and phone for a role without ``view_contact_pii`` (the API hides the same
    fields by the same capability)."""
    return _export_columns(viewer, custom_definitions())


def _export_columns(viewer: User, definitions: list[CustomField]) -> list[str]:
    names = COLUMN_NAMES + [d.key for d in definitions]
    if perms.has_capability(viewer, perms.VIEW_CONTACT_PII):
        return names
    return [name for name in names if name not in CONTACT_DATA_COLUMNS]


def inventory_export_rows(queryset: QuerySet, *, viewer: User) -> Iterator[list]:
    """The inventory as spreadsheet rows, header first, in the import's columns (an export
    with every column imports again unchanged), as ``viewer`` may see it: see
    :func:`export_columns`. Text that a spreadsheet would run as a formula is escaped
    (``refprogram.csvsafe.safe_cell``).

    ``queryset`` is reference profiles (one row each) or customers (one row per profile, and
    one row for each customer without a profile). Streams in chunks with a fixed number of
    queries per chunk, so a large export neither loads everything nor queries per row.
    """
    definitions = custom_definitions()  # the program's own fields: a column each, after the others
    columns = _export_columns(viewer, definitions)
    all_names = COLUMN_NAMES + [d.key for d in definitions]
    kept = [all_names.index(name) for name in columns]

    def shown(cells: list) -> list:
        return [safe_cell(cells[i]) for i in kept]

    yield columns
    customer_related = ("customer__industry", "customer__region", "customer__account_owner")
    if queryset.model is Customer:
        customers = queryset.select_related("account_owner").prefetch_related(
            "products",
            "programs",
            _profiles_prefetch(),
        )
        for customer in customers.iterator(chunk_size=EXPORT_CHUNK):
            cells = _customer_cells(customer)
            profiles = customer.export_profiles
            if not profiles:
                blank = [""] * (len(COLUMN_NAMES) - len(cells))
                yield shown(cells + blank + _custom_cells(definitions, customer, None, None))
            for profile in profiles:
                custom = _custom_cells(definitions, customer, profile.contact, profile)
                yield shown(cells + _profile_cells(profile) + custom)
        return
    profiles = queryset.select_related(*customer_related, "contact").prefetch_related(
        "customer__products",
        "customer__programs",
        "contact__languages",
        "activity_types",
        "products",
        "use_cases",
    )
    for profile in profiles.iterator(chunk_size=EXPORT_CHUNK):
        custom = _custom_cells(definitions, profile.customer, profile.contact, profile)
        yield shown(_customer_cells(profile.customer) + _profile_cells(profile) + custom)


def _profiles_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "profiles",
        queryset=ReferenceProfile.objects.select_related("contact")
        .prefetch_related("contact__languages", "activity_types", "products", "use_cases")
        .order_by("contact__name", "id"),
        to_attr="export_profiles",
    )
