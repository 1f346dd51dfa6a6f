"""Reading the inventory spreadsheet: the file's bytes, its header, and each row's cells into values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.csvsafe import FORMULA_STARTS
from refprogram.validators import NUL_MESSAGE, validate_date_in_range, validate_single_line

from ..choices import (
    Deployment,
    ProfileStatus,
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
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)
from ..services.custom_fields import (
    CustomValuesInvalid,
    custom_definitions,
    custom_value_from_text,
    custom_values_clean,
)
from .columns import (
    _BY_NAME,
    _M2M_KINDS,
    _MODELS,
    COLUMN_NAMES,
    COLUMNS,
    LIST_SEPARATOR,
    Column,
    ImportReport,
    custom_columns,
)

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000


# --- Reading the file ----------------------------------------------------------------------


def read_csv_text(file: Any, report, *, one_row_per: str = "reference") -> str | None:
    """An uploaded CSV's text (UTF-8, with or without a byte order mark, at most
    ``IMPORT_MAX_BYTES``), or None after reporting why it cannot be read (``report.add(line,
    column, message)``). Every CSV import reads its file through this."""
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > IMPORT_MAX_BYTES:
        report.add(
            0,
            "",
            _("The file is %(size)s bytes; the limit is %(limit)s. Split it.")
            % {"size": f"{size:,}", "limit": f"{IMPORT_MAX_BYTES:,}"},
        )
        return None
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str):
        data = file
    elif hasattr(file, "read"):
        try:
            if hasattr(file, "seek"):
                file.seek(0)
            data = file.read(IMPORT_MAX_BYTES + 1)
        except (OSError, ValueError):
            report.add(0, "", _("The file could not be read. Upload it again."))
            return None
    else:
        report.add(0, "", _("No file was given."))
        return None
    if len(data) > IMPORT_MAX_BYTES:
        report.add(
            0,
            "",
            _("The file is larger than %(limit)s bytes. Split it.") % {"limit": f"{IMPORT_MAX_BYTES:,}"},
        )
        return None
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            report.add(
                line,
                "",
                _(
                    "The file is not UTF-8 text (byte %(byte)s on line %(line)s). "
                    "Save it as “CSV UTF-8” and import it again."
                )
                % {"byte": f"0x{data[exc.start]:02x}", "line": line},
            )
            return None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        report.add(
            1,
            "",
            _("The file is empty. Start from the template: a header line, then one row per %(thing)s.")
            % {"thing": one_row_per},
        )
        return None
    return text


def _read_header(header: list[str], report: ImportReport, extra: dict | None = None) -> list[str] | None:
    extra = extra or {}
    names = [h.strip().lower() for h in header]
    if len(names) == 1 and LIST_SEPARATOR in names[0]:
        report.add(
            1, "", _("The header has one column only: separate the columns with commas, not semicolons.")
        )
        return None
    seen: set[str] = set()
    for name in names:
        if not name:
            report.add(1, "", _("The header has an empty column name."))
        elif name not in _BY_NAME and name not in extra:
            report.add(
                1,
                name,
                _("Unknown column %(name)s. Valid columns: %(valid)s.")
                % {"name": repr(name), "valid": ", ".join([*COLUMN_NAMES, *extra])},
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


def _unquote(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]


def _valid(names: Iterable[str], limit: int = 40) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    if not names:
        return _("(none yet)")
    return shown + (" … " + _("(%(n)s in all)") % {"n": len(names)} if len(names) > limit else "")


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
        raise _CellError(
            _("%(value)s is not a date; use YYYY-MM-DD, e.g. 2025-03-31.") % {"value": repr(value)}
        ) from None
    try:
        validate_date_in_range(day)
    except ValidationError as exc:
        raise _CellError(f"{value}: {exc.messages[0]}") from None
    return day


def _parse_int(value: str, low: int, high: int | None, example: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _CellError(
            _("%(value)s is not a whole number (e.g. %(example)s).")
            % {"value": repr(value), "example": example}
        ) from None
    if number < low or (high is not None and number > high):
        if high is not None:
            text = _("%(number)s is out of range: use a number from %(low)s to %(high)s.")
        else:
            text = _("%(number)s is out of range: use a number %(low)s or more.")
        raise _CellError(text % {"number": number, "low": low, "high": high})
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
        raise _CellError(
            _("Unknown %(values)s. Valid values: %(valid)s.")
            % {"values": ", ".join(repr(u) for u in unknown), "valid": _valid(valid)}
        )
    return found


def _parse_code(value: str, valid: Iterable[str]) -> str:
    code = value.strip().lower()
    valid = list(valid)
    if code not in valid:
        raise _CellError(
            _("Unknown value %(value)s. Valid values: %(valid)s.")
            % {"value": repr(value), "valid": ", ".join(valid)}
        )
    return code


def _parse_cell(column: Column, raw: str, lookups: _Lookups) -> Any:
    """The cell's value for the model, or raise ``_CellError``. ``raw`` is stripped and not empty."""
    kind = column.kind
    if kind == "text" or kind == "email":
        value = _unquote(raw)
        limit = _max_length(column)
        if limit and len(value) > limit:
            raise _CellError(
                _("Too long: %(n)s characters, at most %(limit)s.") % {"n": len(value), "limit": limit}
            )
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
                raise _CellError(_("%(value)s is not an email address.") % {"value": repr(value)}) from None
        return value
    if kind == "industry":
        code = raw.lower()
        if code not in lookups.industries:
            raise _CellError(
                _("Unknown industry %(value)s. Valid codes: %(valid)s.")
                % {"value": repr(raw), "valid": _valid(sorted(lookups.industries))}
            )
        return lookups.industries[code]
    if kind == "region":
        code = raw.lower()
        if code not in lookups.regions:
            raise _CellError(
                _("Unknown region %(value)s. Valid codes: %(valid)s.")
                % {"value": repr(raw), "valid": _valid(sorted(lookups.regions))}
            )
        return lookups.regions[code]
    if kind == "country":
        code = raw.upper()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise _CellError(
                _("%(value)s is not an ISO 3166-1 alpha-2 country code such as DE or US.")
                % {"value": repr(raw)}
            )
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
        raise _CellError(_("%(value)s: use yes or no.") % {"value": repr(raw)})
    if kind == "user":
        user = lookups.users.get(_unquote(raw))
        if user is None:
            raise _CellError(_("No active user with the username %(value)s.") % {"value": repr(raw)})
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


def _parse_custom(column: Column, raw: str) -> Any:
    """A ``custom.<slug>`` cell's value (None: empty, which clears it), checked by the one check of
    the program's fields (``services.custom_fields``); a required field is checked per object later."""
    field = column.custom
    value = custom_value_from_text(field, _unquote(raw))
    if value is None:
        return None
    try:
        return custom_values_clean(field.on, {field.slug: value}, definitions=[field])[field.slug]
    except CustomValuesInvalid as exc:
        raise _CellError(" ".join(exc.by_slug.get(field.slug, []))) from None


def _parse_row(
    line: int, cells: dict[str, str], lookups: _Lookups, report: ImportReport, extra: dict | None = None
) -> _Row | None:
    values: dict[str, dict[str, Any]] = {"customer": {}, "contact": {}, "profile": {}}
    extra = extra or {}
    bad = False
    for name, raw in cells.items():
        column = _BY_NAME.get(name) or extra[name]
        if "\x00" in raw:  # PostgreSQL cannot store it, and it is in no valid value
            report.add(line, name, NUL_MESSAGE)
            bad = True
            continue
        if column.kind == "custom":
            try:
                value = _parse_custom(column, raw.strip())
            except _CellError as exc:
                report.add(line, name, str(exc))
                bad = True
            else:
                values[column.entity].setdefault("custom", {})[column.custom.slug] = value
            continue
        raw = raw.strip()
        if not raw:
            if column.required and name != "size_band":
                report.add(line, name, _("%(name)s is required.") % {"name": name})
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
            report.add(line, "size_band", _("size_band is required (or fill employees)."))
            bad = True
        elif not band:
            customer["size_band"] = derived
    has_contact = bool(values["contact"].get("name"))
    if not has_contact and not cells.get("contact_name", "").strip():  # (a bad name is reported above)
        filled = [
            c.name
            for c in [*COLUMNS, *extra.values()]
            if c.entity != "customer" and c.name != "contact_name" and cells.get(c.name, "").strip()
        ]
        if filled:
            report.add(
                line,
                "contact_name",
                _("contact_name is required when contact or reference columns are filled (%(columns)s).")
                % {"columns": ", ".join(filled)},
            )
            bad = True
    if bad:
        return None
    return _Row(line=line, values=values, has_contact=has_contact)


def read_rows(file: Any, report: ImportReport) -> list[_Row] | None:
    """The file's rows, parsed into values (the rows with bad cells left out and reported).
    None when the file cannot be read as an inventory spreadsheet at all (reported why)."""
    text = read_csv_text(file, report)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)  # blank lines before the header
        if header is None:
            report.add(1, "", _("The file is empty."))
            return None
        extra = {c.name: c for c in custom_columns(custom_definitions())}
        names = _read_header(header, report, extra)
        if names is None:
            return None
        usernames: set[str] = set()
        raw_rows: list[tuple[int, dict[str, str]]] = []
        previous_end = reader.line_num
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(raw_rows) >= IMPORT_MAX_ROWS:
                report.add(
                    line,
                    "",
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": f"{IMPORT_MAX_ROWS:,}"},
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
            row = dict(zip(names, cells, strict=True))
            owner = _unquote(row.get("account_owner", "").strip())
            if owner and "\x00" not in owner:  # a cell with NUL is reported by _parse_row
                usernames.add(owner)
            raw_rows.append((line, row))
    except csv.Error as exc:
        report.add(reader.line_num, "", _("The file is not valid CSV: %(error)s.") % {"error": exc})
        return None
    if not raw_rows and not report.errors:
        report.add(2, "", _("The file has a header but no rows."))
        return None
    report.rows = len(raw_rows)
    lookups = _Lookups(usernames)
    rows = [r for r in (_parse_row(line, cells, lookups, report, extra) for line, cells in raw_rows) if r]
    return rows
