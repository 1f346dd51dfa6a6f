"""The inventory spreadsheet: import it all or nothing, export it, hand out a template.

One CSV row describes one reference profile: the customer, the contact and the profile's
story. A row with no contact describes a customer alone. Importing validates every row
first; a file with any bad row changes nothing and the report names every bad row with its
physical line number (the header is line 1). Importing the same file twice creates nothing
the second time: customers match on their CRM id (else their exact name), contacts on their
email at that customer (else their name), profiles on their contact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import permissions as perms
from accounts.models import User
from refprogram.csvsafe import FORMULA_STARTS, csv_writer, safe_cell
from refprogram.validators import NUL_MESSAGE, validate_date_in_range, validate_single_line

from ..choices import (
    PROFILE_TRANSITIONS,
    Deployment,
    ProfileStatus,
    RestingReason,
    Seniority,
    SizeBand,
    size_band_for,
)
from ..models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Language,
    Product,
    ProfileEvent,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)
from .inventory import search_documents_refresh

__all__ = [
    "COLUMNS",
    "Column",
    "ImportReport",
    "RowError",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "inventory_import",
    "inventory_csv_template",
    "export_columns",
    "inventory_export_rows",
]

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
LIST_SEPARATOR = ";"
CHANGE_REASON = "CSV import"
# A spreadsheet treats a cell starting with one of ``FORMULA_STARTS`` as a formula; the export
# quotes such text with a leading apostrophe (``refprogram.csvsafe``) and the import takes it
# off again.


@dataclass(frozen=True)
class Column:
    """One column of the inventory spreadsheet.

    ``required`` columns must be in the header and have a value on every row. ``target`` is
    ``"<entity>.<field>"`` (entity: customer, contact or profile); ``kind`` says how the cell
    is read.
    """

    name: str
    required: bool
    description: str
    target: str
    kind: str = "text"

    @property
    def entity(self) -> str:
        return self.target.split(".")[0]

    @property
    def field(self) -> str:
        return self.target.split(".")[1]


COLUMNS: list[Column] = [
    Column(
        "customer_crm_id",
        False,
        "The customer's id in the CRM. Matches an existing customer first; leave empty to match by name.",
        "customer.crm_id",
    ),
    Column("customer_name", True, "The customer's company name.", "customer.name"),
    Column(
        "industry",
        True,
        "Industry code from the managed list, e.g. finance.",
        "customer.industry",
        "industry",
    ),
    Column(
        "region",
        True,
        "Region code from the managed list: na, emea, apac or latam.",
        "customer.region",
        "region",
    ),
    Column("country", True, "ISO 3166-1 alpha-2 country code, e.g. DE or US.", "customer.country", "country"),
    Column(
        "size_band",
        True,
        "smb (<100 employees), midmarket (100–999), enterprise (1,000–9,999) or global (10,000+). "
        "May be left empty when employees is filled.",
        "customer.size_band",
        "size_band",
    ),
    Column(
        "employees",
        False,
        "Number of employees, a whole number such as 2500.",
        "customer.employees",
        "employees",
    ),
    Column("revenue_band", False, "Revenue band as free text, e.g. $100M–$1B.", "customer.revenue_band"),
    Column("strategic_segment", False, "Strategic segment as free text.", "customer.strategic_segment"),
    Column(
        "customer_products",
        False,
        "Products the customer owns, by name, separated by ;",
        "customer.products",
        "products",
    ),
    Column("programs", False, "Customer programs by name, separated by ;", "customer.programs", "programs"),
    Column("account_owner", False, "Username of the account owner.", "customer.account_owner", "user"),
    Column(
        "health_score", False, "Satisfaction or NPS score, -100 to 100.", "customer.health_score", "health"
    ),
    Column(
        "health_updated", False, "Date of the health score, YYYY-MM-DD.", "customer.health_updated", "date"
    ),
    Column("marquee", False, "yes or no: a marquee (logo) customer.", "customer.is_marquee", "bool"),
    Column(
        "contact_name",
        False,
        "The contact's full name. Leave the contact and reference columns empty for a customer "
        "without a reference.",
        "contact.name",
    ),
    Column("contact_title", False, "The contact's job title.", "contact.title"),
    Column(
        "contact_seniority",
        False,
        "c_level, vp, director, manager or individual. Required for a new contact.",
        "contact.seniority",
        "seniority",
    ),
    Column("contact_email", False, "The contact's email address.", "contact.email", "email"),
    Column("contact_phone", False, "The contact's phone number.", "contact.phone"),
    Column(
        "contact_languages",
        False,
        "Languages the contact speaks, ISO 639-1 codes separated by ;, e.g. de;en",
        "contact.languages",
        "languages",
    ),
    Column(
        "status",
        False,
        "nominated, vetting, active, resting or retired. Empty: nominated for a new reference, "
        "unchanged for an existing one.",
        "profile.status",
        "status",
    ),
    Column("headline", False, "The reference's story in one line.", "profile.headline"),
    Column("story", False, "The reference's story.", "profile.story"),
    Column(
        "activity_types",
        False,
        "Activity type codes the reference will do, separated by ;, e.g. call;email;case_study",
        "profile.activity_types",
        "activity_types",
    ),
    Column("products", False, "Products deployed, by name, separated by ;", "profile.products", "products"),
    Column("use_cases", False, "Use cases by name, separated by ;", "profile.use_cases", "use_cases"),
    Column("deployment", False, "cloud, on_premises or hybrid.", "profile.deployment", "deployment"),
    Column("competitor", False, "The competitor's product it replaced.", "profile.competitor"),
    Column("outcomes", False, "Measurable outcomes.", "profile.outcomes"),
    Column(
        "private_only",
        False,
        "yes or no: never offered for public (marketing) use.",
        "profile.private_only",
        "bool",
    ),
    Column(
        "last_validated",
        False,
        "Date the reference was last re-confirmed, YYYY-MM-DD.",
        "profile.last_validated",
        "date",
    ),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
_BY_NAME = {c.name: c for c in COLUMNS}
_MODELS = {"customer": Customer, "contact": Contact, "profile": ReferenceProfile}
_M2M_KINDS = {"products", "programs", "languages", "activity_types", "use_cases"}


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``line`` is the physical line in the file (the header is line 1;
    0 means the file as a whole), ``column`` the column name or empty."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


def _counts() -> dict[str, int]:
    return {"customers": 0, "contacts": 0, "references": 0}


@dataclass
class ImportReport:
    """The outcome of one import: what was created and updated, or every error found."""

    created: dict[str, int] = field(default_factory=_counts)
    updated: dict[str, int] = field(default_factory=_counts)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def add(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))


# --- Reading the file ----------------------------------------------------------------------


def _read_text(file: Any, report: ImportReport) -> str | None:
    """The file's text, or None after reporting why it cannot be read."""
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > IMPORT_MAX_BYTES:
        report.add(0, "", f"The file is {size:,} bytes; the limit is {IMPORT_MAX_BYTES:,}. Split it.")
        return None
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str):
        data = file
    elif hasattr(file, "read"):
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass
        data = file.read(IMPORT_MAX_BYTES + 1)
    else:
        report.add(0, "", "No file was given.")
        return None
    if len(data) > IMPORT_MAX_BYTES:
        report.add(0, "", f"The file is larger than {IMPORT_MAX_BYTES:,} bytes. Split it.")
        return None
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            report.add(
                line,
                "",
                f"The file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). "
                "Save it as “CSV UTF-8” and import it again.",
            )
            return None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        report.add(
            1, "", "The file is empty. Start from the template: a header line, then one row per reference."
        )
        return None
    return text


def _read_header(header: list[str], report: ImportReport) -> list[str] | None:
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and LIST_SEPARATOR in names[0]:
        report.add(1, "", "The header has one column only: separate the columns with commas, not semicolons.")
        return None
    seen: set[str] = set()
    for name in names:
        if not name:
            report.add(1, "", "The header has an empty column name.")
        elif name not in _BY_NAME:
            report.add(1, name, f"Unknown column {name!r}. Valid columns: {', '.join(COLUMN_NAMES)}.")
        elif name in seen:
            report.add(1, name, f"Column {name!r} appears twice in the header.")
        seen.add(name)
    for column in COLUMNS:
        if column.required and column.name not in seen:
            report.add(1, column.name, f"Required column {column.name!r} is missing from the header.")
    return None if report.errors else names


def _unquote(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]


def _valid(names: Iterable[str], limit: int = 40) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "") if names else "(none yet)"


# --- Parsing cells -------------------------------------------------------------------------


class _Lookups:
    """The managed lists and users the file refers to, loaded once."""

    def __init__(self, usernames: set[str]):
        self.industries = {i.code: i for i in Industry.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.products = {p.name.lower(): p for p in Product.objects.all()}
        self.programs = {p.name.lower(): p for p in Program.objects.all()}
        self.use_cases = {u.name.lower(): u for u in UseCase.objects.all()}
        self.languages = {lang.code: lang for lang in Language.objects.all()}
        self.activity_types = {a.code: a for a in ActivityType.objects.all()}
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}


class _CellError(Exception):
    pass


def _max_length(column: Column) -> int | None:
    model = _MODELS[column.entity]
    return getattr(model._meta.get_field(column.field), "max_length", None)


def _parse_date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _CellError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2025-03-31.") from None
    try:
        validate_date_in_range(day)
    except ValidationError as exc:
        raise _CellError(f"{value}: {exc.messages[0]}") from None
    return day


def _parse_int(value: str, low: int, high: int | None, example: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _CellError(f"{value!r} is not a whole number (e.g. {example}).") from None
    if number < low or (high is not None and number > high):
        bound = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise _CellError(f"{number} is out of range: use a number {bound}.")
    return number


def _parse_list(value: str, table: dict, by_code: bool) -> list:
    found, unknown = [], []
    for item in _split(_unquote(value)):
        obj = table.get(item.lower())
        if obj is None:
            unknown.append(item)
        elif obj not in found:
            found.append(obj)
    if unknown:
        valid = sorted(str(o.pk) if by_code else o.name for o in table.values())
        raise _CellError(f"Unknown {', '.join(repr(u) for u in unknown)}. Valid values: {_valid(valid)}.")
    return found


def _parse_code(value: str, valid: Iterable[str]) -> str:
    code = value.strip().lower()
    valid = list(valid)
    if code not in valid:
        raise _CellError(f"Unknown value {value!r}. Valid values: {', '.join(valid)}.")
    return code


def _parse_cell(column: Column, raw: str, lookups: _Lookups) -> Any:
    """The cell's value for the model, or raise ``_CellError``. ``raw`` is stripped and not empty."""
    kind = column.kind
    if kind == "text" or kind == "email":
        value = _unquote(raw)
        limit = _max_length(column)
        if limit and len(value) > limit:
            raise _CellError(f"Too long: {len(value)} characters, at most {limit}.")
        if limit:
            # A one-line column (a name, a title…; the model's text fields keep their line breaks).
            try:
                validate_single_line(value)
            except ValidationError as exc:
                raise _CellError(exc.messages[0]) from None
        if kind == "email":
            try:
                validate_email(value)
            except ValidationError:
                raise _CellError(f"{value!r} is not an email address.") from None
        return value
    if kind == "industry":
        code = raw.lower()
        if code not in lookups.industries:
            raise _CellError(f"Unknown industry {raw!r}. Valid codes: {_valid(sorted(lookups.industries))}.")
        return lookups.industries[code]
    if kind == "region":
        code = raw.lower()
        if code not in lookups.regions:
            raise _CellError(f"Unknown region {raw!r}. Valid codes: {_valid(sorted(lookups.regions))}.")
        return lookups.regions[code]
    if kind == "country":
        code = raw.upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise _CellError(f"{raw!r} is not an ISO 3166-1 alpha-2 country code such as DE or US.")
        return code
    if kind == "size_band":
        return _parse_code(raw, SizeBand.values)
    if kind == "seniority":
        return _parse_code(raw, Seniority.values)
    if kind == "status":
        return _parse_code(raw, ProfileStatus.values)
    if kind == "deployment":
        return _parse_code(raw, Deployment.values)
    if kind == "employees":
        return _parse_int(raw, 0, 10_000_000, "2500")
    if kind == "health":
        return _parse_int(raw, -100, 100, "45")
    if kind == "date":
        return _parse_date(raw)
    if kind == "bool":
        word = raw.lower()
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        raise _CellError(f"{raw!r}: use yes or no.")
    if kind == "user":
        user = lookups.users.get(_unquote(raw))
        if user is None:
            raise _CellError(f"No active user with the username {raw!r}.")
        return user
    if kind == "products":
        return _parse_list(raw, lookups.products, by_code=False)
    if kind == "programs":
        return _parse_list(raw, lookups.programs, by_code=False)
    if kind == "use_cases":
        return _parse_list(raw, lookups.use_cases, by_code=False)
    if kind == "languages":
        return _parse_list(raw, lookups.languages, by_code=True)
    if kind == "activity_types":
        return _parse_list(raw, lookups.activity_types, by_code=True)
    raise AssertionError(kind)  # pragma: no cover - a column with an unknown kind is a bug


def _empty_value(column: Column) -> Any:
    """What an empty cell sets: nothing, no items, or no."""
    if column.kind in _M2M_KINDS:
        return []
    if column.kind == "bool":
        return False
    if column.kind in ("text", "email", "deployment"):
        return ""
    return None


@dataclass
class _Row:
    line: int
    values: dict[str, dict[str, Any]]  # entity → field → value (only the file's columns)
    customer_key: tuple = ()
    contact_key: tuple = ()
    has_contact: bool = False
    customer: Customer | None = None
    contact: Contact | None = None
    profile: ReferenceProfile | None = None


def _parse_row(line: int, cells: dict[str, str], lookups: _Lookups, report: ImportReport) -> _Row | None:
    values: dict[str, dict[str, Any]] = {"customer": {}, "contact": {}, "profile": {}}
    bad = False
    for name, raw in cells.items():
        column = _BY_NAME[name]
        if "\x00" in raw:  # PostgreSQL cannot store it, and it is in no valid value
            report.add(line, name, NUL_MESSAGE)
            bad = True
            continue
        raw = raw.strip()
        if not raw:
            if column.required and name != "size_band":
                report.add(line, name, f"{name} is required.")
                bad = True
            elif column.kind not in ("status", "seniority", "size_band"):
                # An empty status or seniority keeps what is stored (new ones get a default or an error).
                values[column.entity][column.field] = _empty_value(column)
            continue
        try:
            values[column.entity][column.field] = _parse_cell(column, raw, lookups)
        except _CellError as exc:
            report.add(line, name, str(exc))
            bad = True
    customer = values["customer"]
    if not bad:
        employees = customer.get("employees")
        band = customer.get("size_band")
        derived = size_band_for(employees)
        if not band and not derived:
            report.add(line, "size_band", "size_band is required (or fill employees).")
            bad = True
        elif not band:
            customer["size_band"] = derived
    has_contact = bool(values["contact"].get("name"))
    if not has_contact and not cells.get("contact_name", "").strip():  # (a bad name is reported above)
        filled = [
            c.name
            for c in COLUMNS
            if c.entity != "customer" and c.name != "contact_name" and cells.get(c.name, "").strip()
        ]
        if filled:
            report.add(
                line,
                "contact_name",
                "contact_name is required when contact or reference columns are filled "
                f"({', '.join(filled)}).",
            )
            bad = True
    if bad:
        return None
    return _Row(line=line, values=values, has_contact=has_contact)


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
            other = first.values["customer"].get(name)
            if name in first.values["customer"] and _comparable(other) != _comparable(value):
                column = next(c.name for c in COLUMNS if c.target == f"customer.{name}")
                report.add(
                    row.line,
                    column,
                    f"The same customer has a different {column} on line {first.line}; "
                    "describe a customer the same way on every row.",
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
            what = "contact" if row.has_contact else "customer (without a contact)"
            report.add(row.line, "", f"Duplicate row: the same {what} as line {seen[key]}.")
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
                    f"{len(same_name)} customers are named {name!r}; add customer_crm_id to say which one.",
                )
            elif same_name:
                found = same_name[0]
        if found is not None:
            if found.pk in claimed:
                report.add(
                    row.line,
                    "customer_name",
                    f"This row and line {claimed[found.pk]} both match the existing customer {found.name!r}.",
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
                    f"{len(same_name)} contacts at this customer are named "
                    f"{row.values['contact']['name']!r}; add contact_email to say which one.",
                )
            elif same_name:
                found = same_name[0]
        if found is not None:
            if found.pk in contact_claimed:
                report.add(
                    row.line, "", f"Duplicate row: the same contact as line {contact_claimed[found.pk]}."
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
            report.add(row.line, "contact_seniority", "contact_seniority is required for a new contact.")
        _check_status(row, report)


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(getattr(v, "pk", v) for v in value)
    return getattr(value, "pk", value)


def _check_status(row: _Row, report: ImportReport) -> None:
    status = row.values["profile"].get("status")
    if row.profile is None or not status or status == row.profile.status:
        return
    if status not in PROFILE_TRANSITIONS.get(row.profile.status, set()):
        allowed = ", ".join(sorted(PROFILE_TRANSITIONS.get(row.profile.status, set()))) or "none"
        report.add(
            row.line,
            "status",
            f"A {row.profile.status} reference cannot become {status}; allowed: {allowed}.",
        )


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
    for row in contact_rows:
        profile = row.profile or ReferenceProfile(
            customer=row.contact.customer, contact=row.contact, status=ProfileStatus.NOMINATED
        )
        values = dict(row.values["profile"])
        before = profile.status if profile.pk else ""
        if not values.get("status"):
            values.pop("status", None)
        fields, m2m = _assign(profile, values)
        if profile.status == ProfileStatus.RESTING:
            if not profile.resting_reason:
                profile.resting_reason = RestingReason.REQUEST
                fields.append("resting_reason")
        elif profile.resting_reason:
            profile.resting_reason = ""
            fields.append("resting_reason")
        if "last_validated" in fields and profile.last_validated:
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


def inventory_import(*, file: Any, actor: User | None) -> ImportReport:
    """Import the inventory spreadsheet all or nothing.

    ``file`` is an uploaded file, a binary or text file object, bytes or text. Every row is
    validated first; any bad row → nothing is written and the report lists every bad row.
    Otherwise customers, contacts and reference profiles are created or updated in one
    transaction. Never raises for anything in the file.
    """
    report = ImportReport()
    text = _read_text(file, report)
    if text is None:
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)  # blank lines before the header
        if header is None:
            report.add(1, "", "The file is empty.")
            return report
        names = _read_header(header, report)
        if names is None:
            return report
        usernames: set[str] = set()
        raw_rows: list[tuple[int, dict[str, str]]] = []
        previous_end = reader.line_num
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(raw_rows) >= IMPORT_MAX_ROWS:
                report.add(
                    line, "", f"The file has more than {IMPORT_MAX_ROWS:,} rows; split it into smaller files."
                )
                return report
            if len(cells) > len(names) and not any(c.strip() for c in cells[len(names) :]):
                cells = cells[: len(names)]
            if len(cells) != len(names):
                report.add(
                    line, "", f"This row has {len(cells)} values; the header has {len(names)} columns."
                )
                continue
            row = dict(zip(names, cells, strict=True))
            owner = _unquote(row.get("account_owner", "").strip())
            if owner and "\x00" not in owner:  # a cell with NUL is reported by _parse_row
                usernames.add(owner)
            raw_rows.append((line, row))
    except csv.Error as exc:
        report.add(reader.line_num, "", f"The file is not valid CSV: {exc}.")
        return report
    if not raw_rows and not report.errors:
        report.add(2, "", "The file has a header but no rows.")
        return report
    report.rows = len(raw_rows)
    lookups = _Lookups(usernames)
    rows = [r for r in (_parse_row(line, cells, lookups, report) for line, cells in raw_rows) if r]
    if report.errors:
        return _sorted(report)
    _match(rows, report)
    if report.errors:
        return _sorted(report)
    try:
        with transaction.atomic():
            _write(rows, actor, report)
    except (DatabaseError, ValidationError) as exc:
        # Something changed under us between validation and writing (e.g. the same CRM id
        # saved by someone else): the transaction is rolled back, nothing was written.
        report.created, report.updated = _counts(), _counts()
        report.add(0, "", f"Nothing was imported: the database refused the change ({exc}). Try again.")
    return _sorted(report)


def _sorted(report: ImportReport) -> ImportReport:
    if report.errors:
        report.created, report.updated = _counts(), _counts()
    report.errors.sort(key=lambda e: (e.line, COLUMN_NAMES.index(e.column) if e.column in _BY_NAME else -1))
    return report


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
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([example[name] for name in COLUMN_NAMES])
    return out.getvalue()


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
CONTACT_DATA_COLUMNS = ("contact_email", "contact_phone")


def export_columns(viewer: User) -> list[str]:
    """The columns ``viewer`` gets in an inventory export: every import column, less the
    contact's email and phone for a role without ``view_contact_pii`` (the API hides the same
    fields by the same capability)."""
    if perms.has_capability(viewer, perms.VIEW_CONTACT_PII):
        return list(COLUMN_NAMES)
    return [name for name in COLUMN_NAMES if name not in CONTACT_DATA_COLUMNS]


def inventory_export_rows(queryset: QuerySet, *, viewer: User) -> Iterator[list]:
    """The inventory as spreadsheet rows, header first, in the import's columns (an export
    with every column imports again unchanged), as ``viewer`` may see it: see
    :func:`export_columns`. Text that a spreadsheet would run as a formula is escaped
    (``refprogram.csvsafe.safe_cell``).

    ``queryset`` is reference profiles (one row each) or customers (one row per profile, and
    one row for each customer without a profile). Streams in chunks with a fixed number of
    queries per chunk, so a large export neither loads everything nor queries per row.
    """
    columns = export_columns(viewer)
    kept = [COLUMN_NAMES.index(name) for name in columns]

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
                yield shown(cells + [""] * (len(COLUMN_NAMES) - len(cells)))
            for profile in profiles:
                yield shown(cells + _profile_cells(profile))
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
        yield shown(_customer_cells(profile.customer) + _profile_cells(profile))


def _profiles_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "profiles",
        queryset=ReferenceProfile.objects.select_related("contact")
        .prefetch_related("contact__languages", "activity_types", "products", "use_cases")
        .order_by("contact__name", "id"),
        to_attr="export_profiles",
    )
