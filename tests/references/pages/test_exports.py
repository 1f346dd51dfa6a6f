"""The inventory export: each role gets only the columns it may see, and no cell of it opens as a
formula in a spreadsheet. Also the one escaping function every CSV of the product goes through."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from references import imports
from references.models import ActivityType, Program
from refprogram.csvsafe import csv_writer, safe_cell
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
    UserFactory,
)

# --- The escaping function ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-5", "'-5"),  # text that looks like a number is still text: escaped
        ("+49 30 1234567", "'+49 30 1234567"),
        ("Acme;=cmd", "Acme;=cmd"),  # only the first character makes a formula
        ("'=already escaped", "'=already escaped"),  # escaping twice changes nothing
        ("Acme Health", "Acme Health"),
        (" =x", " =x"),
        ("", ""),
        (None, ""),
        (Decimal("-5"), Decimal("-5")),  # a number stays a number, negative or not
        (-5, -5),
        (-55.0, -55.0),
        (0, 0),
        (date(2025, 3, 1), "2025-03-01"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


def test_the_writer_escapes_text_and_keeps_numbers():
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["=1+1", "-5", Decimal("-5"), -2, 0.5, None, "Acme"])
    assert out.getvalue() == "'=1+1,'-5,-5,-2,0.5,,Acme\n"


# --- Who gets which columns ---------------------------------------------------------------------

ALL_COLUMNS = [
    "customer_crm_id",
    "customer_name",
    "industry",
    "region",
    "country",
    "size_band",
    "employees",
    "revenue_band",
    "strategic_segment",
    "customer_products",
    "programs",
    "account_owner",
    "health_score",
    "health_updated",
    "renewal_date",
    "marquee",
    "contact_name",
    "contact_title",
    "contact_seniority",
    "contact_email",
    "contact_phone",
    "contact_languages",
    "status",
    "headline",
    "story",
    "activity_types",
    "products",
    "use_cases",
    "deployment",
    "competitor",
    "outcomes",
    "private_only",
    "last_validated",
]
WITHOUT_CONTACT_DATA = [c for c in ALL_COLUMNS if c not in ("contact_email", "contact_phone")]
ACME_BEFORE_CONTACT_DATA = [
    "CRM-7",
    "Acme Health",
    "healthcare",
    "emea",
    "DE",
    "enterprise",
    "2500",
    "",
    "",
    "",
    "",
    "",
    "-20",  # a negative health score is a number: not escaped
    "2025-01-15",
    "",  # no renewal date
    "no",
    "Dana Active",
    "CIO",
    "c_level",
]
ACME_CONTACT_DATA = ["dana@acme.example", "'+1 555 0100"]
ACME_AFTER_CONTACT_DATA = [
    "en",
    "active",
    "Cut incident response time in half",
    "Replaced a legacy tool across 40 sites.",
    "call;email",
    "Monitor Pro",
    "",
    "cloud",
    "Legacy Monitor",
    "50% faster incident response",
    "no",
    "2025-01-10",
]


@pytest.fixture
def acme(users):
    customer = CustomerFactory(
        name="Acme Health",
        crm_id="CRM-7",
        industry_id="healthcare",
        employees=2500,
        health_score=-20,
        health_updated=date(2025, 1, 15),
    )
    return ReferenceProfileFactory(
        contact__customer=customer,
        contact__name="Dana Active",
        contact__title="CIO",
        contact__seniority="c_level",
        contact__email="dana@acme.example",
        contact__phone="+1 555 0100",
        products=[ProductFactory(name="Monitor Pro")],
        last_validated=date(2025, 1, 10),
    )


def export(client, **params) -> tuple[str, list[list[str]]]:
    response = client.get(reverse("inventory-export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return body, list(csv.reader(io.StringIO(body, newline="")))


@pytest.mark.parametrize(
    ("role", "header", "row"),
    [
        (
            "manager",
            ALL_COLUMNS,
            ACME_BEFORE_CONTACT_DATA + ACME_CONTACT_DATA + ACME_AFTER_CONTACT_DATA,
        ),
        ("admin", ALL_COLUMNS, ACME_BEFORE_CONTACT_DATA + ACME_CONTACT_DATA + ACME_AFTER_CONTACT_DATA),
        ("marketing", WITHOUT_CONTACT_DATA, ACME_BEFORE_CONTACT_DATA + ACME_AFTER_CONTACT_DATA),
        ("executive", WITHOUT_CONTACT_DATA, ACME_BEFORE_CONTACT_DATA + ACME_AFTER_CONTACT_DATA),
    ],
)
def test_export_has_contact_data_only_for_roles_that_may_see_it(acme, users, client_as, role, header, row):
    body, rows = export(client_as(users[role]))
    assert rows == [header, row]
    if "contact_email" not in header:
        assert "dana@acme.example" not in body
        assert "555 0100" not in body


def test_sales_reps_get_no_export(acme, users, client_as):
    assert client_as(users["sales"]).get(reverse("inventory-export")).status_code == 403


def test_export_columns_follow_the_contact_data_capability(users):
    # The API drops email and phone by the same capability (view_contact_pii).
    assert imports.export_columns(users["manager"]) == ALL_COLUMNS
    assert imports.export_columns(users["admin"]) == ALL_COLUMNS
    assert imports.export_columns(users["marketing"]) == WITHOUT_CONTACT_DATA
    assert imports.export_columns(users["executive"]) == WITHOUT_CONTACT_DATA
    assert imports.export_columns(users["sales"]) == WITHOUT_CONTACT_DATA


# --- No formulas ---------------------------------------------------------------------------------


@pytest.fixture
def hostile(users):
    """A reference whose every list and the account owner's name start like a formula."""
    owner = UserFactory(username="-owner", role="sales")
    customer = CustomerFactory(
        name="Hostile Corp",
        crm_id="CRM-666",
        account_owner=owner,
        health_score=-5,
        employees=10,
        health_updated=date(2025, 2, 1),
    )
    customer.products.set([ProductFactory(name="@SUM(A1)")])
    customer.programs.set([Program.objects.create(name="+1 Advisory board")])
    ActivityType.objects.create(code="-vip", name="-VIP visit", kind="private", weight=3)
    return ReferenceProfileFactory(
        contact__customer=customer,
        contact__name="Holly Hostile",
        contact__title="\tCIO",
        contact__email="holly@hostile.example",
        contact__phone="-1 555",
        contact__languages=["en"],
        headline="=1+1",
        products=[ProductFactory(name='=HYPERLINK("http://x","y")')],
        use_cases=[UseCaseFactory(name="-2+3"), UseCaseFactory(name="Patching")],
        activity_types=["-vip", "call"],
        last_validated=date(2025, 2, 2),
    )


def test_no_exported_cell_opens_as_a_formula(hostile, users, client_as):
    _, rows = export(client_as(users["manager"]))
    header, row = rows
    cells = dict(zip(header, row, strict=True))
    assert cells == {
        "customer_crm_id": "CRM-666",
        "customer_name": "Hostile Corp",
        "industry": "finance",
        "region": "emea",
        "country": "DE",
        "size_band": "enterprise",
        "employees": "10",
        "revenue_band": "",
        "strategic_segment": "",
        "customer_products": "'@SUM(A1)",
        "programs": "'+1 Advisory board",
        "account_owner": "'-owner",
        "health_score": "-5",  # a number, not a formula
        "health_updated": "2025-02-01",
        "renewal_date": "",
        "marquee": "no",
        "contact_name": "Holly Hostile",
        "contact_title": "'\tCIO",
        "contact_seniority": "vp",
        "contact_email": "holly@hostile.example",
        "contact_phone": "'-1 555",
        "contact_languages": "en",
        "status": "active",
        "headline": "'=1+1",
        "story": "Replaced a legacy tool across 40 sites.",
        "activity_types": "'-vip;call",
        "products": '\'=HYPERLINK("http://x","y")',
        "use_cases": "'-2+3;Patching",
        "deployment": "cloud",
        "competitor": "Legacy Monitor",
        "outcomes": "50% faster incident response",
        "private_only": "no",
        "last_validated": "2025-02-02",
    }


def test_a_list_is_escaped_by_its_first_item_only(users, client_as):
    ReferenceProfileFactory(
        contact__customer__name="Safe Lists Inc",
        products=[ProductFactory(name="1st Line"), ProductFactory(name="=cmd")],
    )
    _, rows = export(client_as(users["marketing"]))
    assert dict(zip(rows[0], rows[1], strict=True))["products"] == "1st Line;=cmd"


def test_an_escaped_export_imports_again_unchanged(hostile, users, client_as):
    hostile.contact.title = "-CIO"  # (the import refuses a tab in a one-line field)
    hostile.contact.save()
    client = client_as(users["manager"])
    body, _ = export(client)

    report = imports.inventory_import(file=body.encode(), actor=users["manager"])

    assert report.ok, report.errors
    assert report.created == {"customers": 0, "contacts": 0, "references": 0}
    assert report.updated == {"customers": 1, "contacts": 1, "references": 1}
    assert export(client)[0] == body
