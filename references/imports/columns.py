"""The inventory spreadsheet's columns (what each holds, how it is read) and the import report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import (
    Contact,
    Customer,
    ReferenceProfile,
)

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
    description: str | Promise
    target: str
    kind: str = "text"
    custom: Any = None  # the program's own field (``CustomField``) of a ``custom.<slug>`` column

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
        _("The customer's id in the CRM. Matches an existing customer first; leave empty to match by name."),
        "customer.crm_id",
    ),
    Column("customer_name", True, _("The customer's company name."), "customer.name"),
    Column(
        "industry",
        True,
        _("Industry code from the managed list, e.g. finance."),
        "customer.industry",
        "industry",
    ),
    Column(
        "region",
        True,
        _("Region code from the managed list: na, emea, apac or latam."),
        "customer.region",
        "region",
    ),
    Column(
        "country", True, _("ISO 3166-1 alpha-2 country code, e.g. DE or US."), "customer.country", "country"
    ),
    Column(
        "size_band",
        True,
        _(
            "smb (<100 employees), midmarket (100–999), enterprise (1,000–9,999) or global (10,000+). "
            "May be left empty when employees is filled."
        ),
        "customer.size_band",
        "size_band",
    ),
    Column(
        "employees",
        False,
        _("Number of employees, a whole number such as 2500."),
        "customer.employees",
        "employees",
    ),
    Column("revenue_band", False, _("Revenue band as free text, e.g. $100M–$1B."), "customer.revenue_band"),
    Column("strategic_segment", False, _("Strategic segment as free text."), "customer.strategic_segment"),
    Column(
        "customer_products",
        False,
        _("Products the customer owns, by name, separated by ;"),
        "customer.products",
        "products",
    ),
    Column(
        "programs", False, _("Customer programs by name, separated by ;"), "customer.programs", "programs"
    ),
    Column("account_owner", False, _("Username of the account owner."), "customer.account_owner", "user"),
    Column(
        "health_score", False, _("Satisfaction or NPS score, -100 to 100."), "customer.health_score", "health"
    ),
    Column(
        "health_updated", False, _("Date of the health score, YYYY-MM-DD."), "customer.health_updated", "date"
    ),
    Column(
        "renewal_date",
        False,
        _("Date of the next contract renewal, YYYY-MM-DD: the customer is on hold in the weeks before it."),
        "customer.renewal_date",
        "date",
    ),
    Column("marquee", False, _("yes or no: a marquee (logo) customer."), "customer.is_marquee", "bool"),
    Column(
        "contact_name",
        False,
        _(
            "The contact's full name. Leave the contact and reference columns empty for a customer "
            "without a reference."
        ),
        "contact.name",
    ),
    Column("contact_title", False, _("The contact's job title."), "contact.title"),
    Column(
        "contact_seniority",
        False,
        _("c_level, vp, director, manager or individual. Required for a new contact."),
        "contact.seniority",
        "seniority",
    ),
    Column("contact_email", False, _("The contact's email address."), "contact.email", "email"),
    Column("contact_phone", False, _("The contact's phone number."), "contact.phone"),
    Column(
        "contact_languages",
        False,
        _("Languages the contact speaks, ISO 639-1 codes separated by ;, e.g. de;en"),
        "contact.languages",
        "languages",
    ),
    Column(
        "status",
        False,
        _(
            "nominated, vetting, active, resting or retired. Empty: nominated for a new reference, "
            "unchanged for an existing one."
        ),
        "profile.status",
        "status",
    ),
    Column("headline", False, _("The reference's story in one line."), "profile.headline"),
    Column("story", False, _("The reference's story."), "profile.story"),
    Column(
        "activity_types",
        False,
        _("Activity type codes the reference will do, separated by ;, e.g. call;email;case_study"),
        "profile.activity_types",
        "activity_types",
    ),
    Column(
        "products", False, _("Products deployed, by name, separated by ;"), "profile.products", "products"
    ),
    Column("use_cases", False, _("Use cases by name, separated by ;"), "profile.use_cases", "use_cases"),
    Column("deployment", False, _("cloud, on_premises or hybrid."), "profile.deployment", "deployment"),
    Column("competitor", False, _("The competitor's product it replaced."), "profile.competitor"),
    Column("outcomes", False, _("Measurable outcomes."), "profile.outcomes"),
    Column(
        "private_only",
        False,
        _("yes or no: never offered for public (marketing) use."),
        "profile.private_only",
        "bool",
    ),
    Column(
        "last_validated",
        False,
        _("Date the reference was last re-confirmed, YYYY-MM-DD."),
        "profile.last_validated",
        "date",
    ),
]
KIND_HINTS = {
    "text": _("Text."),
    "number": _("A number, e.g. 12 or 3.5."),
    "date": _("A date, YYYY-MM-DD."),
    "yes_no": _("yes or no."),
    "one_of": _("One of: %(choices)s."),
    "several_of": _("Any of %(choices)s, separated by ;"),
}


def custom_columns(definitions) -> list[Column]:
    """One column per active field of the program's own (``custom.<slug>``), after the built-in
    ones: on the customer, the contact or the reference profile, read by its kind."""
    columns = []
    for d in definitions:
        if not d.active:
            continue
        hint = str(KIND_HINTS[d.kind]) % {"choices": ", ".join(d.choice_values())}
        description = f"{d.label()} ({d.get_on_display().lower()}). {hint}"
        columns.append(Column(d.key, False, description, f"{d.on}.custom", "custom", d))
    return columns


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
