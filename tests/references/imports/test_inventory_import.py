"""The inventory spreadsheet: all-or-nothing import, idempotence, clear errors, export round trip."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.apps import apps

from references import imports
from references.filters import ReferenceProfileFilter
from references.imports import parse as imports_module
from references.models import Contact, Customer, Language, ProfileEvent, ReferenceProfile
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = [c.name for c in imports.COLUMNS]


def row(**values) -> dict:
    """A good row: a customer, a contact and an active reference."""
    base = {
        "customer_crm_id": "CRM-1",
        "customer_name": "Acme Logistics GmbH",
        "industry": "transport",
        "region": "emea",
        "country": "DE",
        "size_band": "enterprise",
        "employees": "2500",
        "customer_products": "Patch Manager",
        "programs": "Beta program",
        "account_owner": "sales1",
        "health_score": "55",
        "health_updated": "2026-01-15",
        "marquee": "no",
        "contact_name": "Anna Schmidt",
        "contact_title": "VP of IT",
        "contact_seniority": "vp",
        "contact_email": "anna.schmidt@acme.example",
        "contact_phone": "'+49 30 123456",
        "contact_languages": "de;en",
        "status": "active",
        "headline": "Patching in days instead of weeks",
        "story": "Rolled out across 40 depots.",
        "activity_types": "call;email",
        "products": "Patch Manager",
        "use_cases": "Patch compliance",
        "deployment": "hybrid",
        "competitor": "Legacy Patch Tool",
        "outcomes": "70% less time on patching",
        "private_only": "no",
        "last_validated": "2026-02-01",
    }
    base.update(values)
    return base


def to_csv(rows: list[dict], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(name, "") for name in header])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def lists(users):
    """The managed lists the rows refer to (products and use cases do not ship by default)."""
    ProductFactory(name="Patch Manager", product_line="Management")
    ProductFactory(name="Endpoint Protection", product_line="Security")
    UseCaseFactory(name="Patch compliance")
    UseCaseFactory(name="Ransomware protection")
    return users


def table_counts() -> dict[str, int]:
    """Rows in every table, history and many-to-many tables included."""
    return {m._meta.db_table: m.objects.count() for m in apps.get_models(include_auto_created=True)}


def test_a_good_file_creates_customers_contacts_and_references(lists, manager):
    data = to_csv(
        [
            row(),
            row(contact_name="Ben Otto", contact_email="ben@acme.example", status="vetting", story="Other"),
        ]
    )

    report = imports.inventory_import(file=data, actor=manager)

    assert report.ok, report.errors
    assert report.created == {"customers": 1, "contacts": 2, "references": 2}
    assert report.updated == {"customers": 0, "contacts": 0, "references": 0}
    customer = Customer.objects.get(crm_id="CRM-1")
    assert customer.account_owner == lists["sales"]
    assert customer.industry_id == "transport" and customer.employees == 2500
    assert customer.health_updated == date(2026, 1, 15)
    assert [p.name for p in customer.products.all()] == ["Patch Manager"]
    assert [p.name for p in customer.programs.all()] == ["Beta program"]
    anna = Contact.objects.get(email="anna.schmidt@acme.example")
    assert anna.phone == "+49 30 123456"  # the spreadsheet quote is taken off
    assert sorted(anna.languages.values_list("code", flat=True)) == ["de", "en"]
    profile = anna.profiles.get()
    assert profile.status == "active" and profile.deployment == "hybrid"
    assert sorted(profile.activity_types.values_list("code", flat=True)) == ["call", "email"]
    assert profile.last_validated == date(2026, 2, 1) and profile.validated_by == manager
    assert profile.events.get().to_status == "active"
    assert customer.history.first().history_change_reason == "CSV import"
    # The search text is refreshed, so the catalog's free-text search finds the new reference.
    found = ReferenceProfileFilter({"search": "depots"}, queryset=ReferenceProfile.objects.all()).qs
    assert list(found) == [profile]


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_bad_row(lists, manager):
    CustomerFactory(name="Existing Co", crm_id="CRM-9")
    rows = [
        row(story="A story\nover two lines"),  # lines 2-3
        row(
            customer_crm_id="CRM-2", customer_name="Beta", industry="aerospace", contact_email="x@b.example"
        ),  # 4
        row(customer_crm_id="CRM-3", customer_name="Gamma", contact_email="g@g.example"),  # 5: good
        row(
            customer_crm_id="CRM-4",
            customer_name="Delta",
            contact_email="d@d.example",
            health_updated="15/01/2026",
            employees="many",
            products="Patch Manager;Warp Drive",
        ),  # 6
        row(customer_crm_id="CRM-5", customer_name="", contact_email="e@e.example"),  # 7
        row(),  # 8: the same contact as lines 2-3
        row(
            customer_crm_id="CRM-6", customer_name="Zeta", contact_email="z@z.example", health_score="150"
        ),  # 9
    ]
    before = table_counts()

    report = imports.inventory_import(file=to_csv(rows), actor=manager)

    assert not report.ok
    assert table_counts() == before
    by_line = {}
    for error in report.errors:
        by_line.setdefault(error.line, set()).add(error.column)
    assert by_line == {
        4: {"industry"},
        6: {"health_updated", "employees", "products"},
        7: {"customer_name"},
        9: {"health_score"},
    }
    assert report.created == {"customers": 0, "contacts": 0, "references": 0}


def test_duplicate_rows_in_one_file_are_reported_with_both_lines(lists, manager):
    before = table_counts()
    report = imports.inventory_import(file=to_csv([row(), row(contact_title="CIO")]), actor=manager)

    assert not report.ok
    assert [(e.line, "line 2" in e.message) for e in report.errors] == [(3, True)]
    assert table_counts() == before


def test_a_customer_described_differently_on_two_rows_is_reported(lists, manager):
    rows = [row(), row(contact_name="Ben", contact_email="ben@acme.example", industry="retail")]

    report = imports.inventory_import(file=to_csv(rows), actor=manager)

    assert [(e.line, e.column) for e in report.errors] == [(3, "industry")]
    assert Customer.objects.count() == 0


def test_importing_the_same_file_twice_creates_no_duplicates(lists, manager):
    data = to_csv(
        [
            row(),
            row(contact_name="Ben Otto", contact_email="", status="nominated"),
            row(
                customer_crm_id="",
                customer_name="Solo Customer",
                contact_name="",
                contact_seniority="",
                contact_email="",
                contact_phone="",
                contact_languages="",
                contact_title="",
                status="",
                headline="",
                story="",
                activity_types="",
                products="",
                use_cases="",
                deployment="",
                competitor="",
                outcomes="",
                private_only="",
                last_validated="",
            ),
        ]
    )
    first = imports.inventory_import(file=data, actor=manager)
    assert first.ok, first.errors
    after_first = table_counts()

    second = imports.inventory_import(file=io.BytesIO(data), actor=manager)

    assert second.ok, second.errors
    assert second.created == {"customers": 0, "contacts": 0, "references": 0}
    assert second.updated == first.created == {"customers": 2, "contacts": 2, "references": 2}
    assert table_counts() == after_first  # not even a history row: nothing changed


def test_a_second_import_updates_in_place(lists, manager):
    imports.inventory_import(file=to_csv([row()]), actor=manager)
    profile = ReferenceProfile.objects.get()

    report = imports.inventory_import(
        file=to_csv(
            [
                row(
                    headline="New headline",
                    status="resting",
                    products="Endpoint Protection",
                    customer_name="Acme Logistics SE",
                    employees="",
                )
            ]
        ),
        actor=manager,
    )

    assert report.ok, report.errors
    assert report.updated == {"customers": 1, "contacts": 1, "references": 1}
    profile.refresh_from_db()
    assert profile.headline == "New headline"
    assert profile.status == "resting" and profile.resting_reason == "request"
    assert [p.name for p in profile.products.all()] == ["Endpoint Protection"]
    assert profile.customer.name == "Acme Logistics SE"  # matched by its CRM id
    assert profile.customer.employees is None
    assert "Acme Logistics SE" in profile.search_document
    assert list(profile.events.values_list("from_status", "to_status"))[0] == ("active", "resting")


def test_customers_match_by_exact_name_without_a_crm_id(lists, manager):
    customer = CustomerFactory(name="Nameonly Ltd", crm_id=None)
    ContactFactory(customer=customer, name="Kim Lee", email="")

    report = imports.inventory_import(
        file=to_csv(
            [row(customer_crm_id="", customer_name="Nameonly Ltd", contact_name="Kim Lee", contact_email="")]
        ),
        actor=manager,
    )

    assert report.ok, report.errors
    assert report.updated["customers"] == 1 and report.updated["contacts"] == 1
    assert report.created == {"customers": 0, "contacts": 0, "references": 1}
    assert Customer.objects.filter(name="Nameonly Ltd").count() == 1


def test_a_forbidden_status_change_is_refused(lists, manager):
    imports.inventory_import(file=to_csv([row(status="retired")]), actor=manager)

    report = imports.inventory_import(file=to_csv([row(status="active")]), actor=manager)

    assert [(e.line, e.column) for e in report.errors] == [(2, "status")]
    assert "allowed: vetting" in report.errors[0].message
    assert ReferenceProfile.objects.get().status == "retired"


def test_latin1_bytes_are_a_clear_error(lists, manager):
    data = to_csv([row()]).decode().replace("Anna Schmidt", "Anna Müller").encode("latin-1")

    report = imports.inventory_import(file=data, actor=manager)

    assert not report.ok
    assert [e.line for e in report.errors] == [2]
    assert "UTF-8" in report.errors[0].message
    assert Customer.objects.count() == 0


def test_a_utf8_bom_is_accepted(lists, manager):
    data = b"\xef\xbb\xbf" + to_csv([row(contact_name="Anna Müller")])

    report = imports.inventory_import(file=data, actor=manager)

    assert report.ok, report.errors
    assert Contact.objects.get().name == "Anna Müller"


@pytest.mark.parametrize(
    "header_change, column, words",
    [
        (lambda h: [c for c in h if c != "industry"], "industry", "missing"),
        (lambda h: [*h, "favourite_colour"], "favourite_colour", "Unknown column"),
        (lambda h: [*h, "region"], "region", "twice"),
    ],
)
def test_a_wrong_header_is_reported(lists, manager, header_change, column, words):
    header = header_change(list(HEADER))

    report = imports.inventory_import(file=to_csv([row()], header=header), actor=manager)

    assert [(e.line, e.column) for e in report.errors] == [(1, column)]
    assert words in report.errors[0].message
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("data", [b"", b"  \n\n", "\ufeff".encode()])
def test_an_empty_file_is_reported(lists, manager, data):
    report = imports.inventory_import(file=data, actor=manager)

    assert not report.ok and "empty" in report.errors[0].message


def test_a_header_without_rows_is_reported(lists, manager):
    report = imports.inventory_import(file=to_csv([]), actor=manager)

    assert not report.ok and "no rows" in report.errors[0].message


def test_an_unknown_industry_names_the_valid_codes(lists, manager):
    report = imports.inventory_import(file=to_csv([row(industry="aerospace")]), actor=manager)

    message = report.errors[0].message
    assert "aerospace" in message
    for code in ("finance", "healthcare", "transport", "public_sector"):
        assert code in message


def test_unknown_list_values_name_the_valid_ones_and_are_never_created(lists, manager):
    report = imports.inventory_import(
        file=to_csv([row(contact_languages="de;xx", programs="Secret club", activity_types="call;yodel")]),
        actor=manager,
    )

    messages = {e.column: e.message for e in report.errors}
    assert set(messages) == {"contact_languages", "programs", "activity_types"}
    assert "'xx'" in messages["contact_languages"] and "de" in messages["contact_languages"]
    assert "Customer advisory board" in messages["programs"]
    assert "site_visit" in messages["activity_types"]
    assert not Language.objects.filter(code="xx").exists()


def test_contact_columns_without_a_contact_name_are_reported(lists, manager):
    report = imports.inventory_import(file=to_csv([row(contact_name="")]), actor=manager)

    assert [(e.line, e.column) for e in report.errors] == [(2, "contact_name")]


def test_a_new_contact_needs_a_seniority(lists, manager):
    report = imports.inventory_import(file=to_csv([row(contact_seniority="")]), actor=manager)

    assert [(e.line, e.column) for e in report.errors] == [(2, "contact_seniority")]


def test_an_unknown_account_owner_is_reported(lists, manager):
    report = imports.inventory_import(file=to_csv([row(account_owner="nobody")]), actor=manager)

    assert [(e.column, "nobody" in e.message) for e in report.errors] == [("account_owner", True)]


def test_a_row_with_the_wrong_number_of_values_is_reported(lists, manager):
    data = to_csv([row()]) + b"only,three,values\n"

    report = imports.inventory_import(file=data, actor=manager)

    assert [e.line for e in report.errors] == [3]
    assert Customer.objects.count() == 0


def test_the_size_and_row_limits_are_clear(lists, manager, monkeypatch):
    data = to_csv([row(), row(contact_name="B", contact_email="b@acme.example")])
    monkeypatch.setattr(imports_module, "IMPORT_MAX_ROWS", 1)
    report = imports.inventory_import(file=data, actor=manager)
    assert "more than 1 rows" in report.errors[0].message

    monkeypatch.setattr(imports_module, "IMPORT_MAX_BYTES", 100)
    report = imports.inventory_import(file=data, actor=manager)
    assert "limit" in report.errors[0].message or "larger" in report.errors[0].message
    assert Customer.objects.count() == 0


def test_the_size_band_can_come_from_the_employees(lists, manager):
    report = imports.inventory_import(file=to_csv([row(size_band="", employees="45")]), actor=manager)

    assert report.ok, report.errors
    assert Customer.objects.get().size_band == "smb"


def test_the_template_imports_cleanly(lists, manager):
    template = imports.inventory_csv_template()

    assert template.splitlines()[0].split(",") == HEADER
    report = imports.inventory_import(file=template.encode(), actor=manager)
    assert report.ok, report.errors
    assert report.created == {"customers": 1, "contacts": 1, "references": 1}


def test_columns_are_documented():
    assert [c.name for c in imports.COLUMNS if c.required] == [
        "customer_name",
        "industry",
        "region",
        "country",
        "size_band",
    ]
    assert all(c.description for c in imports.COLUMNS)


def export_csv(queryset) -> bytes:
    """The export a manager (who may see contact data: every column) downloads."""
    manager = UserFactory(username="exporting-manager", role="manager")
    out = io.StringIO()
    writer = csv.writer(out)
    for cells in imports.inventory_export_rows(queryset, viewer=manager):
        writer.writerow(cells)
    return out.getvalue().encode()


def make_inventory(count: int, owner):
    products = [ProductFactory(name="Patch Manager"), ProductFactory(name="Endpoint Protection")]
    use_case = UseCaseFactory(name="Patch compliance")
    for i in range(count):
        customer = CustomerFactory(account_owner=owner, health_score=-20 + i, is_marquee=i % 2 == 0)
        customer.products.set(products)
        contact = ContactFactory(customer=customer, phone="+1 555 0100", languages=["en", "fr"])
        ReferenceProfileFactory(
            contact=contact,
            customer=customer,
            story="=SUM(A1) is not a formula here",
            products=products[:1],
            use_cases=[use_case],
            activity_types=["call", "quote"],
        )
    CustomerFactory(name="Customer without references")


def test_an_export_imports_again_unchanged(users, manager):
    make_inventory(3, users["sales"])
    first = export_csv(Customer.objects.all())
    before = table_counts()

    report = imports.inventory_import(file=first, actor=manager)

    assert report.ok, report.errors
    assert report.created == {"customers": 0, "contacts": 0, "references": 0}
    assert report.updated == {"customers": 4, "contacts": 3, "references": 3}
    assert table_counts() == before
    assert export_csv(Customer.objects.all()) == first
    assert b"'=SUM(A1)" in first and b"'+1 555 0100" in first  # no formulas in a spreadsheet


def test_an_export_into_an_empty_database_recreates_the_inventory(users, manager):
    make_inventory(2, users["sales"])
    exported = export_csv(ReferenceProfile.objects.all())
    ReferenceProfile.objects.all().delete()
    Contact.objects.all().delete()
    Customer.objects.all().delete()

    report = imports.inventory_import(file=exported, actor=manager)

    assert report.ok, report.errors
    assert report.created == {"customers": 2, "contacts": 2, "references": 2}
    assert export_csv(ReferenceProfile.objects.all()) == exported


@pytest.mark.parametrize("model", [ReferenceProfile, Customer])
def test_export_queries_do_not_grow_with_rows(users, django_assert_num_queries, model):
    make_inventory(3, users["sales"])
    # + 1: the program's own fields (``custom.<slug>`` columns), read once per export
    with django_assert_num_queries(8 if model is ReferenceProfile else 9) as small:
        rows = list(imports.inventory_export_rows(model.objects.all(), viewer=users["manager"]))
    assert len(rows) == 1 + 3 + (model is Customer)
    make_inventory(10, UserFactory(username="sales9"))
    with django_assert_num_queries(len(small.captured_queries)):
        rows = list(imports.inventory_export_rows(model.objects.all(), viewer=users["manager"]))
    assert len(rows) == 1 + 13 + 2 * (model is Customer)


def test_profile_events_record_imported_references(lists, manager):
    imports.inventory_import(file=to_csv([row(status="")]), actor=manager)

    event = ProfileEvent.objects.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "nominated", manager)


# --- Hostile cells: NUL, control characters in names, dates out of range ------------------------------


def _errors(report) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in report.errors]


def test_a_nul_character_in_a_cell_is_reported_on_its_row_and_column(lists, manager):
    before = table_counts()

    report = imports.inventory_import(file=to_csv([row(customer_name="Acme\x00Logistics")]), actor=manager)

    assert _errors(report) == [(2, "customer_name", "Contains a NUL character; remove it.")]
    assert table_counts() == before


def test_nul_characters_anywhere_are_reported_row_by_row_and_nothing_is_written(lists, manager):
    """A NUL in the account owner used to reach the user lookup (a 500); in a note it reached the
    database. Every one is reported; nothing is written."""
    rows = [
        row(account_owner="sales1\x00"),  # 2
        row(customer_crm_id="CRM-2", contact_email="b@b.example", story="Line one\nline\x00two"),  # 3-4
        row(customer_crm_id="CRM-3", contact_email="c@c.example"),  # 5: good
        row(customer_crm_id="CRM-4", contact_email="d@d.example", industry="\x00", products="\x00"),  # 6
    ]
    before = table_counts()

    report = imports.inventory_import(file=to_csv(rows), actor=manager)

    nul = "Contains a NUL character; remove it."
    assert _errors(report) == [
        (2, "account_owner", nul),
        (3, "story", nul),
        (6, "industry", nul),
        (6, "products", nul),
    ]
    assert report.created == {"customers": 0, "contacts": 0, "references": 0}
    assert table_counts() == before


def test_names_with_control_characters_are_reported_and_notes_keep_their_line_breaks(lists, manager):
    rows = [
        row(customer_name="Acme\u2028Logistics"),  # 2
        row(customer_crm_id="CRM-2", contact_name="Anna\r\nSchmidt", contact_email="a@b.example"),  # 3-4
        row(customer_crm_id="CRM-3", contact_title="VP\x1b[31m IT", contact_email="c@c.example"),  # 5
        row(customer_crm_id="CRM-4", headline="Two\nlines", contact_email="d@d.example"),  # 6-7
        row(customer_crm_id="CRM-5", contact_phone="+49\t30", contact_email="e@e.example"),  # 8
        row(customer_crm_id="CRM-6", contact_email="f@f.example", story="A\nB", outcomes="C\r\nD"),  # 9-11
    ]

    report = imports.inventory_import(file=to_csv(rows), actor=manager)

    assert _errors(report) == [
        (2, "customer_name", "Contains a LINE SEPARATOR (U+2028); use one line of plain text."),
        (3, "contact_name", "Contains a carriage return (U+000D); use one line of plain text."),
        (5, "contact_title", "Contains a control character (U+001B); use one line of plain text."),
        (6, "headline", "Contains a line break (U+000A); use one line of plain text."),
        (8, "contact_phone", "Contains a tab (U+0009); use one line of plain text."),
    ]
    assert Customer.objects.count() == 0


def test_dates_outside_2000_to_2100_are_reported(lists, manager):
    rows = [
        row(health_updated="1999-12-31"),
        row(customer_crm_id="CRM-2", contact_email="b@b.example", last_validated="0001-01-01"),
        row(customer_crm_id="CRM-3", contact_email="c@c.example", last_validated="2101-01-01"),
    ]

    report = imports.inventory_import(file=to_csv(rows), actor=manager)

    message = "Use a date from 2000-01-01 to 2100-12-31."
    assert _errors(report) == [
        (2, "health_updated", f"1999-12-31: {message}"),
        (3, "last_validated", f"0001-01-01: {message}"),
        (4, "last_validated", f"2101-01-01: {message}"),
    ]


def test_the_first_and_last_day_of_the_date_range_import(lists, manager):
    report = imports.inventory_import(
        file=to_csv([row(health_updated="2000-01-01", last_validated="2100-12-31")]), actor=manager
    )

    assert report.ok, report.errors
    profile = ReferenceProfile.objects.get()
    assert (profile.customer.health_updated, profile.last_validated) == (date(2000, 1, 1), date(2100, 12, 31))


def test_the_import_page_reports_a_nul_character_with_its_line_and_column(lists, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(lists["manager"])
    upload = SimpleUploadedFile("inventory.csv", to_csv([row(), row(contact_name="Ben\x00Otto")]), "text/csv")

    response = client.post("/inventory/import/", {"file": upload})

    assert response.status_code == 200
    errors = response.context["report"].errors
    assert [(e.line, e.column, e.message) for e in errors] == [
        (3, "contact_name", "Contains a NUL character; remove it.")
    ]
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "<td>3</td><td>contact_name</td><td>Contains a NUL character; remove it.</td>" in html
    assert Customer.objects.count() == 0


def test_activating_a_vetting_reference_by_import_validates_it_today(lists, manager):
    """The import moves a reference through the same lifecycle planner as the page and the API:
    vetting → active with no date in the file is validated today, by the importer, and not stale."""
    from django.utils import timezone

    from ledger.models import OverusePolicy

    today = timezone.localdate()
    fresh_health = (today - timedelta(days=10)).isoformat()
    first = imports.inventory_import(
        file=to_csv([row(status="vetting", last_validated="", health_updated=fresh_health)]), actor=manager
    )
    assert first.ok, first.errors
    profile = ReferenceProfile.objects.get()
    assert (profile.status, profile.last_validated) == ("vetting", None)

    report = imports.inventory_import(
        file=to_csv([row(status="active", last_validated="", health_updated=fresh_health)]), actor=manager
    )

    assert report.ok, report.errors
    profile.refresh_from_db()
    assert (profile.status, profile.last_validated, profile.validated_by) == ("active", today, manager)
    assert not ReferenceProfile.objects.stale(today, OverusePolicy.current()).filter(pk=profile.pk).exists()
    assert list(profile.events.order_by("pk").values_list("from_status", "to_status")) == [
        ("", "vetting"),
        ("vetting", "active"),
    ]


def test_a_new_active_row_without_a_date_is_validated_today(lists, manager):
    from django.utils import timezone

    report = imports.inventory_import(file=to_csv([row(status="active", last_validated="")]), actor=manager)

    assert report.ok, report.errors
    profile = ReferenceProfile.objects.get()
    assert (profile.last_validated, profile.validated_by) == (timezone.localdate(), manager)
