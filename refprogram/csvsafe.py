"""Spreadsheet-safe CSV: every CSV the product writes goes through here.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, after a leading tab or carriage return) as a formula: a product, a customer or a
user named ``=HYPERLINK("http://evil.example", "Click")`` would become a live link, or worse,
on the machine of whoever opens the export. Following the OWASP guidance on CSV injection,
such a text cell is written with a leading apostrophe, which spreadsheets show as plain text.

Numbers are left alone so numeric columns stay numeric: the *number* ``Decimal("-5")``,
``-5`` or ``-5.5`` is written as ``-5`` (a negative number is data, not a formula), while the
*text* ``"-5"`` is escaped to ``'-5`` (text comes from people, and ``-5+A1`` is text too).
A joined list is one text cell: ``"Acme;=cmd"`` is safe (a spreadsheet only evaluates a cell
that *starts* with a formula character) and ``"=cmd;Acme"`` is escaped as a whole.

The inventory import reads an export back: it takes the apostrophe off again before a
formula character (``references.imports``), so an export imports unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

# A text cell starting with one of these is a formula (or becomes one) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should receive it: numbers unchanged, ``None`` empty, and
    text starting with a formula character prefixed with an apostrophe.

    Escaping twice changes nothing (an escaped cell starts with the apostrophe)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return ESCAPE + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **fmtparams) -> SafeWriter:
    """A CSV writer on ``file`` (anything with ``write``) that never writes a live formula."""
    return SafeWriter(file, **fmtparams)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]], **fmtparams) -> Iterator[str]:
    """Each row as one line of safe CSV text, for a streamed download."""
    writer = csv_writer(_Echo(), **fmtparams)
    for row in rows:
        yield writer.writerow(row)
