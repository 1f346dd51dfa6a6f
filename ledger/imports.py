"""Past reference activities: the spreadsheet era's asks imported into the usage ledger, all or nothing.

One CSV row is one past ask of a reference: the customer, the contact, the activity type, the day
and what became of it (and an optional note). The rows become ledger rows (``UsageEntry``) the way
the ledger's own writer makes them (``ledger.services.capacity_reserve``): the activity type's weight
as points, the customer's row locked before the reference's, one unique ``source`` per ask, and
profiles that are now at a cap rest afterwards (``services.profiles_rest_at_cap``). History is not
re-judged against the caps: what happened, happened; it simply counts from the day it happened, so
an ask older than the policy window is stored and counts for nothing.

The stages mirror the inventory import (``references.imports``): read the file, parse every row,
match it to what exists, then one transaction that re-checks the ledger under the locks and writes
with ``bulk_create``. Any bad row → nothing is written and the report names every bad row with its
physical line (the header is line 1), its column and the problem.

Identification: ``customer`` is the customer's CRM id, else its exact name; ``contact`` is the
contact's email at that customer (any case), else its exact name there. The contact must belong to
that customer and have a reference profile (the ledger counts asks of references).

Duplicates: an ask is its reference, activity type and day. A second row for the same ask in one
file is an error. A row whose ask the ledger already has (from an earlier import of the same file,
or recorded another way) is skipped when the ledger says the same outcome or one that followed it
(asked → declined or done); a ledger row that says something else is an error naming it. So
importing the same file twice writes nothing the second time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from references.imports import IMPORT_MAX_ROWS, read_csv_text
from references.models import ActivityType, Contact, Customer, ReferenceProfile
from refprogram.csvsafe import FORMULA_STARTS, csv_writer
from refprogram.validators import NUL_MESSAGE, validate_date_in_range, validate_single_line

from . import services
from .choices import USAGE_COUNTING, USAGE_TRANSITIONS, UsageStatus
from .models import OverusePolicy, UsageEntry

__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "SOURCE_PREFIX",
    "NOTE_MAX_LENGTH",
    "UsageColumn",
    "UsageImportError",
    "UsageImportReport",
    "usage_import",
    "usage_csv_template",
    "usage_report_csv",
]

SOURCE_PREFIX = "history:"
NOTE_MAX_LENGTH = 2000
# What the file's outcome says → the ledger status. Every one is something that happened, so none
# may lie in the future. "asked": the customer was asked and the answer is not known yet (the
# ledger row then waits for declined or done like any other ask).
OUTCOMES: dict[str, str] = {
    "done": UsageStatus.DONE,
    "declined": UsageStatus.DECLINED,
    "withdrawn": UsageStatus.WITHDRAWN,
    "asked": UsageStatus.ASKED,
}
_CHUNK = 2000


@dataclass(frozen=True)
class UsageColumn:
    name: str
    required: bool
    description: str
    example: str


def _n(number: int) -> str:
    """A count with the reader's thousands separator: "2,000" in English, "2.000" in German."""
    return formats.number_format(number, force_grouping=True)


_note_description = lazy(
    lambda: _("Free text, at most %(count)s characters.") % {"count": _n(NOTE_MAX_LENGTH)}, str
)


COLUMNS: list[UsageColumn] = [
    UsageColumn(
        "customer",
        True,
        gettext_lazy(
            "The customer's CRM id, or else its exact name (if two customers share the name, use the CRM id)."
        ),
        "CRM-000123",
    ),
    UsageColumn(
        "contact",
        True,
        gettext_lazy(
            "The contact's email at that customer (any case), or else the contact's exact name there. "
            "The contact must have a reference profile."
        ),
        "anna.schmidt@acme.example",
    ),
    UsageColumn(
        "activity_type",
        True,
        gettext_lazy(
            "The activity type's code (call, email, site_visit, case_study…) or its name (Reference call)."
        ),
        "call",
    ),
    UsageColumn(
        "date",
        True,
        gettext_lazy(
            "The day it happened, YYYY-MM-DD, from 2000-01-01 up to today. Older than the policy window "
            "is fine: it is stored and simply does not count against the caps."
        ),
        "2024-11-05",
    ),
    UsageColumn(
        "outcome",
        True,
        gettext_lazy(
            "What became of the ask: done, declined (counts too: asking costs goodwill), withdrawn (never "
            "asked, does not count) or asked (asked, answer not known yet; counts)."
        ),
        "done",
    ),
    UsageColumn("note", False, _note_description(), "Spoke to a bank in Lyon"),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
_BY_NAME = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class UsageImportError:
    """What is wrong, where: ``line`` is the physical line in the file (the header is line 1; 0 means
    the file as a whole), ``column`` the column name or empty, ``value`` the cell as it was read."""

    line: int
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "value": self.value, "message": self.message}


def _statuses() -> dict[str, int]:
    return {status: 0 for status in OUTCOMES.values()}


@dataclass
class UsageImportReport:
    """The outcome of one import: the rows read, written (by status) and skipped, or every error."""

    rows: int = 0
    created: int = 0
    by_status: dict[str, int] = field(default_factory=_statuses)
    counting_now: int = 0  # created rows that count against the caps today (inside the window)
    skipped_lines: list[int] = field(default_factory=list)
    errors: list[UsageImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def add(self, line: int, column: str, message: str, value: str = "") -> None:
        self.errors.append(UsageImportError(line, column, message, value[:200]))

    def as_dict(self) -> dict[str, Any]:
        """The API's body: counts when written, the errors when not."""
        if self.errors:
            return {"rows": self.rows, "errors": [e.as_dict() for e in self.errors]}
        return {
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "skipped_lines": self.skipped_lines,
            "by_status": self.by_status,
            "counting_now": self.counting_now,
        }


# --- The template and the report as CSV ------------------------------------------------------


def usage_csv_template() -> str:
    """The header and one example row (made spreadsheet-safe like every CSV the product writes)."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()


def usage_report_csv(report: UsageImportReport) -> str:
    """The error report as a spreadsheet-safe CSV: line, column, value, problem."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["line", "column", "value", "problem"])
    for error in report.errors:
        writer.writerow([error.line, error.column, error.value, error.message])
    return out.getvalue()


# --- Reading the file ------------------------------------------------------------------------


def _read_header(header: list[str], report: UsageImportReport) -> list[str] | None:
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and ";" in names[0]:
        report.add(
            1, "", _("The header has one column only: separate the columns with commas, not semicolons.")
        )
        return None
    seen: set[str] = set()
    for name in names:
        if not name:
            report.add(1, "", _("The header has an empty column name."))
        elif name not in _BY_NAME:
            report.add(
                1,
                name[:80],
                _("Unknown column %(name)s. Valid columns: %(columns)s.")
                % {"name": repr(name[:80]), "columns": ", ".join(COLUMN_NAMES)},
                name,
            )
        elif name in seen:
            report.add(1, name, _("Column %(name)s appears twice in the header.") % {"name": repr(name)})
        seen.add(name)
    for column in COLUMNS:
        if column.required and column.name not in seen:
            report.add(
                1,
                column.name,
                _("Required column %(name)s is missing from the header.") % {"name": repr(column.name)},
            )
    return None if report.errors else names


def _raw_rows(text: str, report: UsageImportReport) -> list[tuple[int, dict[str, str]]] | None:
    """(line, {column: cell}) for every non-blank row; None when the file is not a usable CSV."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        if header is None:
            report.add(1, "", _("The file is empty."))
            return None
        names = _read_header(header, report)
        if names is None:
            return None
        previous_end = reader.line_num
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            report.rows += 1
            if report.rows > IMPORT_MAX_ROWS:
                report.add(
                    line,
                    "",
                    _("The file has more than %(count)s rows; split it.") % {"count": _n(IMPORT_MAX_ROWS)},
                )
                return None
            if len(cells) > len(names) and not any(c.strip() for c in cells[len(names) :]):
                cells = cells[: len(names)]
            if len(cells) != len(names):
                report.add(
                    line,
                    "",
                    _("This row has %(values)s values; the header has %(columns)s columns.")
                    % {"values": len(cells), "columns": len(names)},
                )
                continue
            rows.append((line, dict(zip(names, cells, strict=True))))
    except csv.Error as exc:
        report.add(reader.line_num, "", _("The file is not valid CSV: %(error)s.") % {"error": exc})
        return None
    if not rows and not report.errors:
        report.add(2, "", _("The file has a header but no rows."))
        return None
    return rows


def _unquote(value: str) -> str:
    """Take off the apostrophe the product's CSVs put before a formula character (``csvsafe``)."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


# --- Parsing and matching --------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    customer: Customer | None = None
    profile_id: int | None = None
    activity_type: ActivityType | None = None
    day: date | None = None
    status: str = ""
    note: str = ""
    bad: set[str] = field(default_factory=set)  # the columns whose cell is wrong

    @property
    def key(self) -> tuple[int, str, date]:
        return (self.profile_id, self.activity_type.pk, self.day)

    @property
    def source(self) -> str:
        # At most 8 + 19 + 1 + 10 + 1 + 40 = 79 characters: the ledger's source holds 80.
        return f"{SOURCE_PREFIX}{self.profile_id}:{self.day.isoformat()}:{self.activity_type.pk}"


def _q(value: str, limit: int = 80) -> str:
    """The cell quoted for a message, cut short when long (the report shows the cell too)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _listed(names: Iterable[str], limit: int = 30) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    if not names:
        return _("(none)")
    if len(names) > limit:
        return _("%(names)s … (%(count)s in all)") % {"names": shown, "count": len(names)}
    return shown


def _parse_cells(row: _Row, today: date, types: dict[str, ActivityType], report: UsageImportReport) -> bool:
    """Check each cell and read the activity type, the day, the outcome and the note. False if a cell
    is bad (its column is in ``row.bad``)."""
    for name, raw in row.cells.items():
        if "\x00" in raw:
            report.add(row.line, name, NUL_MESSAGE, raw.replace("\x00", ""))
            row.bad.add(name)
            continue
        value = _unquote(raw.strip())
        row.cells[name] = value
        column = _BY_NAME[name]
        if not value:
            if column.required:
                report.add(row.line, name, _("%(column)s is required.") % {"column": name})
                row.bad.add(name)
            continue
        if name == "note":
            if len(value) > NOTE_MAX_LENGTH:
                report.add(
                    row.line,
                    name,
                    _("Too long: %(length)s characters, at most %(limit)s.")
                    % {"length": _n(len(value)), "limit": _n(NOTE_MAX_LENGTH)},
                )
                row.bad.add(name)
            continue
        try:
            validate_single_line(value)
        except ValidationError as exc:
            report.add(row.line, name, exc.messages[0], value)
            row.bad.add(name)
            continue
        if name == "activity_type":
            row.activity_type = types.get(value.lower())
            if row.activity_type is None:
                valid = sorted({t.pk for t in types.values()})
                report.add(
                    row.line,
                    name,
                    _("Unknown activity type %(value)s. Valid codes: %(codes)s.")
                    % {"value": _q(value), "codes": _listed(valid)},
                    value,
                )
                row.bad.add(name)
        elif name == "date":
            try:
                row.day = date.fromisoformat(value)
                validate_date_in_range(row.day)
            except ValueError:
                report.add(
                    row.line,
                    name,
                    _("%(value)s is not a date; use YYYY-MM-DD, e.g. 2024-11-05.") % {"value": _q(value)},
                    value,
                )
                row.bad.add(name)
            except ValidationError as exc:
                report.add(
                    row.line,
                    name,
                    _("%(value)s: %(problem)s") % {"value": value, "problem": exc.messages[0]},
                    value,
                )
                row.bad.add(name)
            else:
                if row.day > today:
                    report.add(
                        row.line,
                        name,
                        _(
                            "%(value)s is in the future: this import records asks that already happened "
                            "(a future ask is reserved from its request)."
                        )
                        % {"value": value},
                        value,
                    )
                    row.bad.add(name)
        elif name == "outcome":
            row.status = OUTCOMES.get(value.lower(), "")
            if not row.status:
                report.add(
                    row.line,
                    name,
                    _("Unknown outcome %(value)s. Valid outcomes: %(outcomes)s.")
                    % {"value": _q(value), "outcomes": ", ".join(OUTCOMES)},
                    value,
                )
                row.bad.add(name)
    row.note = row.cells.get("note", "")
    return not row.bad


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_customers(rows: list[_Row], report: UsageImportReport) -> None:
    """Each row's customer: by CRM id, else by exact name (refused when the name is not unique)."""
    rows = [r for r in rows if "customer" not in r.bad]
    values = sorted({r.cells["customer"] for r in rows})
    by_crm: dict[str, Customer] = {}
    by_name: dict[str, list[Customer]] = {}
    for chunk in _chunks(values):
        by_crm.update({c.crm_id: c for c in Customer.objects.filter(crm_id__in=chunk)})
        for c in Customer.objects.filter(name__in=chunk).order_by("pk"):
            by_name.setdefault(c.name, []).append(c)
    for row in rows:
        value = row.cells["customer"]
        row.customer = by_crm.get(value)
        if row.customer is not None:
            continue
        named = by_name.get(value, [])
        if len(named) == 1:
            row.customer = named[0]
        elif named:
            report.add(
                row.line,
                "customer",
                _("%(count)s customers are named %(value)s; use the CRM id to say which one.")
                % {"count": len(named), "value": _q(value)},
                value,
            )
        else:
            report.add(
                row.line,
                "customer",
                _("No customer has the CRM id or the name %(value)s.") % {"value": _q(value)},
                value,
            )


def _match_contacts(rows: list[_Row], report: UsageImportReport) -> None:
    """Each row's reference: the contact (email, else name) at the row's customer, and its profile."""
    rows = [r for r in rows if r.customer is not None and "contact" not in r.bad]
    customer_ids = sorted({r.customer.pk for r in rows})
    by_email: dict[tuple[int, str], list[dict]] = {}
    by_name: dict[tuple[int, str], list[dict]] = {}
    for chunk in _chunks(customer_ids):
        contacts = (
            Contact.objects.filter(customer_id__in=chunk)
            .annotate(email_lower=Lower("email"))
            .order_by("pk")
            .values("pk", "customer_id", "name", "email_lower")
        )
        for contact in contacts:
            if contact["email_lower"]:
                by_email.setdefault((contact["customer_id"], contact["email_lower"]), []).append(contact)
            by_name.setdefault((contact["customer_id"], contact["name"]), []).append(contact)
    unmatched: list[_Row] = []
    contact_of: dict[int, dict] = {}  # row line → the contact's pk and name
    for row in rows:
        value = row.cells["contact"]
        cid = row.customer.pk
        found = by_email.get((cid, value.lower()), []) if "@" in value else []
        if not found:
            found = by_name.get((cid, value), [])
        if len(found) > 1:
            facts = {"count": len(found), "customer": row.customer.name, "value": _q(value)}
            if "@" in value:
                message = _("%(count)s contacts of %(customer)s have the email %(value)s.") % facts
            else:
                message = (
                    _(
                        "%(count)s contacts of %(customer)s have the name %(value)s; "
                        "use the contact's email to say which one."
                    )
                    % facts
                )
            report.add(row.line, "contact", message, value)
        elif found:
            contact_of[row.line] = found[0]
        else:
            unmatched.append(row)
    _report_unmatched(unmatched, report)

    contact_ids = sorted({c["pk"] for c in contact_of.values()})
    profiles: dict[int, int] = {}
    for chunk in _chunks(contact_ids):
        profiles.update(
            dict(ReferenceProfile.objects.filter(contact_id__in=chunk).values_list("contact_id", "pk"))
        )
    for row in rows:
        contact = contact_of.get(row.line)
        if contact is None:
            continue
        row.profile_id = profiles.get(contact["pk"])
        if row.profile_id is None:
            report.add(
                row.line,
                "contact",
                _(
                    "%(contact)s (%(customer)s) has no reference profile: the ledger counts "
                    "asks of references. Create the profile first (it may be retired), then import again."
                )
                % {"contact": contact["name"], "customer": row.customer.name},
                row.cells["contact"],
            )


def _report_unmatched(rows: list[_Row], report: UsageImportReport) -> None:
    """A contact not found at its row's customer: say so, and name the customer it belongs to if any."""
    emails = sorted({r.cells["contact"].lower() for r in rows if "@" in r.cells["contact"]})
    names = sorted({r.cells["contact"] for r in rows})
    elsewhere: dict[str, set[str]] = {}
    for chunk in _chunks(emails):
        for email, customer in (
            Contact.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", "customer__name")
        ):
            elsewhere.setdefault(email, set()).add(customer)
    for chunk in _chunks(names):
        for name, customer in Contact.objects.filter(name__in=chunk).values_list("name", "customer__name"):
            elsewhere.setdefault(name, set()).add(customer)
    for row in rows:
        value = row.cells["contact"]
        others = sorted(elsewhere.get(value.lower() if "@" in value else value, set()))
        if not others and "@" in value:
            others = sorted(elsewhere.get(value, set()))
        if others:
            report.add(
                row.line,
                "contact",
                _(
                    "%(value)s is not a contact of %(customer)s; it is a contact of "
                    "%(others)s. A contact's asks count for its own customer."
                )
                % {"value": _q(value), "customer": row.customer.name, "others": _listed(others, 3)},
                value,
            )
        else:
            report.add(
                row.line,
                "contact",
                _("%(customer)s has no contact with the email or name %(value)s.")
                % {"customer": row.customer.name, "value": _q(value)},
                value,
            )


def _in_file_duplicates(rows: list[_Row], report: UsageImportReport) -> None:
    first: dict[tuple, int] = {}
    for row in rows:
        line = first.setdefault(row.key, row.line)
        if line != row.line:
            report.add(
                row.line,
                "",
                _("Duplicate row: the same ask (contact, activity type and date) as line %(line)s.")
                % {"line": line},
            )


def _reachable(status: str) -> set[str]:
    """The statuses an ask can move on to from ``status`` (the ledger's own transitions)."""
    seen, todo = {status}, [status]
    while todo:
        for nxt in USAGE_TRANSITIONS.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _against_ledger(rows: list[_Row], report: UsageImportReport) -> list[_Row]:
    """The rows the ledger does not have yet. A row whose ask is in the ledger with the same outcome,
    or one that followed it, is skipped; with another outcome it is an error."""
    existing: dict[tuple, list[dict]] = {}
    if not rows:
        return []
    profile_ids = sorted({r.profile_id for r in rows})
    low, high = min(r.day for r in rows), max(r.day for r in rows)
    for chunk in _chunks(profile_ids):
        for entry in (
            UsageEntry.objects.filter(reference_id__in=chunk, occurred_on__range=(low, high))
            .order_by("pk")
            .values("pk", "reference_id", "activity_type_id", "occurred_on", "status")
        ):
            key = (entry["reference_id"], entry["activity_type_id"], entry["occurred_on"])
            existing.setdefault(key, []).append(entry)
    new: list[_Row] = []
    for row in rows:
        entries = existing.get(row.key)
        if not entries:
            new.append(row)
        elif any(e["status"] in _reachable(row.status) for e in entries):
            report.skipped_lines.append(row.line)
        else:
            entry = entries[0]
            report.add(
                row.line,
                "outcome",
                _(
                    "The ledger already has this ask (#%(number)s) as %(status)s, not %(outcome)s. "
                    "Correct the file, or change the ask on the ledger page."
                )
                % {"number": entry["pk"], "status": entry["status"], "outcome": row.cells["outcome"].lower()},
                row.cells["outcome"],
            )
    return new


# --- The import ------------------------------------------------------------------------------


def usage_import(*, file: Any, actor: User | None, today: date | None = None) -> UsageImportReport:
    """Import past reference activities into the usage ledger, all or nothing.

    ``file`` is an uploaded file, a binary or text file object, bytes or text. Every row is checked
    first; any bad row → nothing is written and the report lists every problem. Otherwise the new
    asks are written with ``bulk_create`` in one transaction (asks already in the ledger are skipped),
    and profiles now at a cap rest. Never raises for anything in the file. ``actor`` is the person
    importing, for the callers' symmetry with the inventory import: a ledger row's ``asked_by`` is who
    asked the customer, which the spreadsheet does not say, so it stays empty.
    """
    today = today or timezone.localdate()
    report = UsageImportReport()
    text = read_csv_text(file, report, one_row_per="ask")
    if text is None:
        return report
    raw = _raw_rows(text, report)
    if raw is None:
        return _done(report)
    types: dict[str, ActivityType] = {}
    for activity_type in ActivityType.objects.all():
        types[activity_type.pk.lower()] = activity_type
        types.setdefault(activity_type.name.lower(), activity_type)
    rows = [_Row(line, cells) for line, cells in raw]
    for row in rows:
        _parse_cells(row, today, types, report)
    # Every row is matched whose customer (and contact) cell could be read, so a row's report is whole.
    _match_customers(rows, report)
    _match_contacts(rows, report)
    bad = set(report.bad_lines)
    rows = [r for r in rows if r.profile_id is not None and r.line not in bad]
    _in_file_duplicates(rows, report)
    if report.errors:
        return _done(report)
    try:
        with transaction.atomic():
            _write(rows, today, report)
            if report.errors:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        report.add(
            0,
            "",
            _("Nothing was imported: the database refused the change (%(error)s). Try again.")
            % {"error": exc},
        )
    return _done(report)


def _write(rows: list[_Row], today: date, report: UsageImportReport) -> None:
    """Lock, re-read the ledger, write the new asks in bulk, rest profiles now at a cap."""
    customer_ids = sorted({r.customer.pk for r in rows})
    profile_ids = sorted({r.profile_id for r in rows})
    # The ledger's lock order (ledger.services): customers, then references. A reservation for the
    # same customer waits for this import and then sees its rows.
    for chunk in _chunks(customer_ids):
        list(Customer.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
    for chunk in _chunks(profile_ids):
        list(
            ReferenceProfile.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk")
        )
    new = _against_ledger(rows, report)
    if report.errors:
        return
    policy = OverusePolicy.current()
    window_start = policy.window_start(today)
    now = timezone.now()
    entries = [
        UsageEntry(
            reference_id=row.profile_id,
            customer_id=row.customer.pk,
            activity_type=row.activity_type,
            status=row.status,
            points=row.activity_type.weight,  # the weight when it is recorded, as every ledger writer
            occurred_on=row.day,
            source=row.source,
            note=row.note,
            created_at=now,
        )
        for row in new
    ]
    UsageEntry.objects.bulk_create(entries, batch_size=500)
    report.created = len(entries)
    for entry in entries:
        report.by_status[entry.status] += 1
        if entry.status in USAGE_COUNTING and entry.occurred_on > window_start:
            report.counting_now += 1
    touched = sorted({e.customer_id for e in entries if e.status in USAGE_COUNTING})
    if touched:
        services.profiles_rest_at_cap(today=today, customer_ids=touched, policy=policy)


def _done(report: UsageImportReport) -> UsageImportReport:
    if report.errors:
        report.created, report.by_status, report.counting_now = 0, _statuses(), 0
        report.skipped_lines = []
        order = {name: i for i, name in enumerate(COLUMN_NAMES)}
        report.errors.sort(key=lambda e: (e.line, order.get(e.column, -1)))
    return report
