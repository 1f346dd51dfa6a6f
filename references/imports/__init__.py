"""The inventory spreadsheet: import it all or nothing, export it, hand out a template.

One CSV row describes one reference profile: the customer, the contact and the profile's
story. A row with no contact describes a customer alone. Importing validates every row
first; a file with any bad row changes nothing and the report names every bad row with its
physical line number (the header is line 1). Importing the same file twice creates nothing
the second time: customers match on their CRM id (else their exact name), contacts on their
email at that customer (else their name), profiles on their contact.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts.models import User

from .columns import _BY_NAME, COLUMN_NAMES, COLUMNS, Column, ImportReport, RowError, _counts, custom_columns
from .export import export_columns, inventory_csv_template, inventory_export_rows
from .parse import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, read_csv_text, read_rows
from .validate import _check_custom, _match
from .write import _write

__all__ = [
    "COLUMNS",
    "Column",
    "custom_columns",
    "ImportReport",
    "RowError",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "read_csv_text",
    "inventory_import",
    "inventory_csv_template",
    "export_columns",
    "inventory_export_rows",
]


def inventory_import(*, file: Any, actor: User | None) -> ImportReport:
    """Import the inventory spreadsheet all or nothing.

    ``file`` is an uploaded file, a binary or text file object, bytes or text. Every row is
    validated first; any bad row → nothing is written and the report lists every bad row.
    Otherwise customers, contacts and reference profiles are created or updated in one
    transaction. Never raises for anything in the file. The stages: ``parse`` (read and parse
    the cells), ``validate`` (match rows to what exists, plan status moves with the lifecycle
    planner), ``write`` (one transaction).
    """
    report = ImportReport()
    rows = read_rows(file, report)
    if rows is None:
        return report
    if report.errors:
        return _sorted(report)
    _match(rows, report)
    if not report.errors:
        _check_custom(rows, report)
    if report.errors:
        return _sorted(report)
    try:
        with transaction.atomic():
            _write(rows, actor, report)
    except (DatabaseError, ValidationError) as exc:
        # Something changed under us between validation and writing (e.g. the same CRM id
        # saved by someone else): the transaction is rolled back, nothing was written.
        report.created, report.updated = _counts(), _counts()
        report.add(
            0,
            "",
            _("Nothing was imported: the database refused the change (%(error)s). Try again.")
            % {"error": exc},
        )
    return _sorted(report)


def _sorted(report: ImportReport) -> ImportReport:
    if report.errors:
        report.created, report.updated = _counts(), _counts()
    report.errors.sort(key=lambda e: (e.line, COLUMN_NAMES.index(e.column) if e.column in _BY_NAME else -1))
    return report
