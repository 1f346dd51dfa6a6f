"""Past reference activities imported into the usage ledger: all or nothing, per-row errors,
duplicates skipped, and the caps reflect the history afterwards."""

import csv
import io
from datetime import date, timedelta

import pytest

from ledger import imports, services
from ledger.models import UsageEntry
from references.models import ReferenceProfile
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db

HEADER = ["customer", "contact", "activity_type", "date", "outcome", "note"]


@pytest.fixture
def program(db):
    """Acme Bank (CRM-ACME) with two references, Anna (matched by email) and Ben (matched by name);
    Globex with a reference Gina; and Carl at Acme, a contact without a reference profile."""
    acme = CustomerFactory(name="Acme Bank", crm_id="CRM-ACME")
    globex = CustomerFactory(name="Globex", crm_id="CRM-GLOBEX")
    anna = ReferenceProfileFactory(
        contact=ContactFactory(customer=acme, name="Anna Schmidt", email="anna@acme.example")
    )
    ben = ReferenceProfileFactory(contact=ContactFactory(customer=acme, name="Ben Brown", email=""))
    gina = ReferenceProfileFactory(
        contact=ContactFactory(customer=globex, name="Gina Gold", email="gina@globex.example")
    )
    carl = ContactFactory(customer=acme, name="Carl Cole", email="carl@acme.example")
    return {"acme": acme, "globex": globex, "anna": anna, "ben": ben, "gina": gina, "carl": carl}


def ago(today, days: int) -> str:
    return (today - timedelta(days=days)).isoformat()


def csv_text(rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def good_rows(today) -> list[list[str]]:
    return [
        ["CRM-ACME", "anna@acme.example", "call", ago(today, 40), "done", "Spoke to a bank in Lyon"],
        ["Acme Bank", "Ben Brown", "email", ago(today, 20), "declined", ""],
        ["CRM-ACME", "ANNA@ACME.EXAMPLE", "Email exchange", ago(today, 100), "Withdrawn", ""],
        ["CRM-ACME", "anna@acme.example", "case_study", "2023-03-01", "done", ""],
        ["Acme Bank", "Ben Brown", "call", ago(today, 5), "asked", ""],
    ]


def errors_of(report) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in report.errors]


# --- A good file ---------------------------------------------------------------------------------


def test_good_file_writes_every_ask_with_status_points_and_date(program, manager, today):
    report = imports.usage_import(file=csv_text(good_rows(today)).encode(), actor=manager)

    assert report.ok, report.errors
    assert (report.rows, report.created, report.skipped) == (5, 5, 0)
    assert report.by_status == {"done": 2, "declined": 1, "withdrawn": 1, "asked": 1}
    assert report.counting_now == 3  # the call 40 days ago, the declined email, the open call
    rows = list(
        UsageEntry.objects.order_by("occurred_on").values_list(
            "reference__contact__name",
            "customer__name",
            "activity_type_id",
            "status",
            "points",
            "occurred_on",
        )
    )
    assert rows == [
        ("Anna Schmidt", "Acme Bank", "case_study", "done", 6, date(2023, 3, 1)),
        ("Anna Schmidt", "Acme Bank", "email", "withdrawn", 1, today - timedelta(days=100)),
        ("Anna Schmidt", "Acme Bank", "call", "done", 2, today - timedelta(days=40)),
        ("Ben Brown", "Acme Bank", "email", "declined", 1, today - timedelta(days=20)),
        ("Ben Brown", "Acme Bank", "call", "asked", 2, today - timedelta(days=5)),
    ]
    first = UsageEntry.objects.get(activity_type_id="call", status="done")
    assert first.note == "Spoke to a bank in Lyon"
    assert first.source == f"history:{program['anna'].pk}:{today - timedelta(days=40)}:call"
    assert (first.override, first.asked_by_id, first.request_ref) == (False, None, None)


def test_capacity_reflects_the_imported_history(program, manager, today):
    imports.usage_import(file=csv_text(good_rows(today)), actor=manager)

    anna = ReferenceProfile.objects.get(pk=program["anna"].pk).capacity()
    ben = ReferenceProfile.objects.get(pk=program["ben"].pk).capacity()
    gina = ReferenceProfile.objects.get(pk=program["gina"].pk).capacity()

    # Anna: the call (2); the withdrawn email does not count, the 2023 case study is outside the window.
    assert (anna["used"], anna["cap"], anna["customer_used"], anna["customer_cap"]) == (2, 6, 5, 8)
    assert anna["available"] is True
    # Ben: the declined email (1) and the open call (2); the call 5 days ago rests him for 30 days.
    assert (ben["used"], ben["customer_used"]) == (3, 5)
    assert ben["available"] is False
    assert ben["available_from"] == today + timedelta(days=25)
    assert (gina["used"], gina["customer_used"]) == (0, 0)


def test_a_reference_the_history_puts_at_its_cap_rests(program, manager, today):
    rows = [["CRM-ACME", "anna@acme.example", "case_study", ago(today, 10), "done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert report.ok and report.created == 1
    anna = ReferenceProfile.objects.get(pk=program["anna"].pk)
    assert (anna.status, anna.resting_reason) == ("resting", "cap")
    assert anna.capacity()["used"] == 6


def test_asks_older_than_the_window_are_stored_but_do_not_count(program, manager):
    rows = [["CRM-ACME", "anna@acme.example", "case_study", "2000-01-01", "done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert (report.created, report.counting_now) == (1, 0)
    assert ReferenceProfile.objects.get(pk=program["anna"].pk).capacity()["used"] == 0


def test_a_formula_escaped_cell_is_read_back_and_the_note_keeps_its_line_breaks(manager, today):
    dash = CustomerFactory(name="-Dash Corp", crm_id=None)
    ReferenceProfileFactory(contact=ContactFactory(customer=dash, name="=Eve", email=""))
    rows = [["'-Dash Corp", "'=Eve", "email", ago(today, 3), "done", "first line\nsecond line"]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert report.ok, report.errors
    entry = UsageEntry.objects.get()
    assert (entry.customer.name, entry.reference.contact.name) == ("-Dash Corp", "=Eve")
    assert entry.note == "first line\nsecond line"


# --- All or nothing, and where each problem is ---------------------------------------------------


def test_one_bad_row_writes_nothing_and_names_its_line_and_column(program, manager, today):
    rows = good_rows(today)
    rows[1][3] = "2024-02-30"

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert not report.ok
    assert errors_of(report) == [(3, "date")]
    assert report.errors[0].message == "'2024-02-30' is not a date; use YYYY-MM-DD, e.g. 2024-11-05."
    assert report.errors[0].value == "2024-02-30"
    assert (report.created, report.rows) == (0, 5)
    assert UsageEntry.objects.count() == 0
    assert ReferenceProfile.objects.get(pk=program["anna"].pk).status == "active"


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"customer": "CRM-NOPE"},
            "customer",
            "No customer has the CRM id or the name 'CRM-NOPE'.",
        ),
        (
            {"contact": "gina@globex.example"},
            "contact",
            "'gina@globex.example' is not a contact of Acme Bank; it is a contact of Globex. "
            "A contact's asks count for its own customer.",
        ),
        (
            {"contact": "Nobody Here"},
            "contact",
            "Acme Bank has no contact with the email or name 'Nobody Here'.",
        ),
        (
            {"contact": "carl@acme.example"},
            "contact",
            "Carl Cole (Acme Bank) has no reference profile: the ledger counts asks of references. "
            "Create the profile first (it may be retired), then import again.",
        ),
        ({"date": "31/01/2024"}, "date", "'31/01/2024' is not a date; use YYYY-MM-DD, e.g. 2024-11-05."),
        ({"date": "1999-12-31"}, "date", "1999-12-31: Use a date from 2000-01-01 to 2100-12-31."),
        ({"date": ""}, "date", "date is required."),
        (
            {"activity_type": "carrier_pigeon"},
            "activity_type",
            "Unknown activity type 'carrier_pigeon'. Valid codes: analyst_briefing, award_nomination, call, "
            "case_study, email, event_meeting, logo, logo_slide, media_interview, name_drop, "
            "press_release, quote, site_visit, speaking, video, website_listing.",
        ),
        (
            {"outcome": "won"},
            "outcome",
            "Unknown outcome 'won'. Valid outcomes: done, declined, withdrawn, asked.",
        ),
        ({"customer": "Acme\x00Bank"}, "customer", "Contains a NUL character; remove it."),
        (
            {"customer": "Acme\nBank"},
            "customer",
            "Contains a line break (U+000A); use one line of plain text.",
        ),
        ({"note": "x" * 2001}, "note", "Too long: 2,001 characters, at most 2,000."),
    ],
)
def test_each_bad_cell_is_reported_on_its_row_and_column(program, manager, today, cells, column, message):
    row = {"customer": "CRM-ACME", "contact": "anna@acme.example", "activity_type": "call"}
    row |= {"date": ago(today, 10), "outcome": "done", "note": ""}
    row |= cells
    rows = [good_rows(today)[1], [row[name] for name in HEADER]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert [(e.line, e.column, e.message) for e in report.errors] == [(3, column, message)]
    assert UsageEntry.objects.count() == 0


def test_a_future_date_is_refused_for_every_outcome(program, manager, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    rows = [["CRM-ACME", "anna@acme.example", "call", tomorrow, outcome, ""] for outcome in imports.OUTCOMES]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert errors_of(report) == [(2, "date"), (3, "date"), (4, "date"), (5, "date")]
    assert report.errors[0].message == (
        f"{tomorrow} is in the future: this import records asks that already happened "
        "(a future ask is reserved from its request)."
    )


def test_a_customer_name_two_customers_share_needs_the_crm_id(program, manager, today):
    CustomerFactory(name="Acme Bank", crm_id="CRM-ACME-2")
    rows = [["Acme Bank", "Ben Brown", "email", ago(today, 3), "done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "customer", "2 customers are named 'Acme Bank'; use the CRM id to say which one.")
    ]


def test_every_bad_row_is_reported_sorted_by_line_and_column(program, manager, today):
    rows = good_rows(today)
    rows[0][0] = "CRM-NOPE"
    rows[3][2] = "fax"
    rows[3][4] = "maybe"

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert errors_of(report) == [(2, "customer"), (5, "activity_type"), (5, "outcome")]
    assert report.bad_lines == [2, 5]


# --- The file as a whole -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(1, "", "The file is empty. Start from the template: a header line, then one row per ask.")]),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
            [
                (
                    1,
                    "",
                    "The file is not UTF-8 text (byte 0x89 on line 1). "
                    "Save it as “CSV UTF-8” and import it again.",
                )
            ],
        ),
        (b"customer,contact,activity_type,date,outcome\n", [(2, "", "The file has a header but no rows.")]),
        (
            b"customer;contact;activity_type;date;outcome\nA;b;call;2024-01-01;done\n",
            [(1, "", "The header has one column only: separate the columns with commas, not semicolons.")],
        ),
        (
            b"customer,contact,kind,date\nA,b,call,2024-01-01\n",
            [
                (
                    1,
                    "kind",
                    "Unknown column 'kind'. "
                    "Valid columns: customer, contact, activity_type, date, outcome, note.",
                ),
                (1, "activity_type", "Required column 'activity_type' is missing from the header."),
                (1, "outcome", "Required column 'outcome' is missing from the header."),
            ],
        ),
        (
            b"customer,contact,activity_type,date,outcome\nCRM-ACME,anna@acme.example,call\n",
            [(2, "", "This row has 3 values; the header has 5 columns.")],
        ),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_clearly(program, manager, content, expected):
    report = imports.usage_import(file=content, actor=manager)

    assert sorted((e.line, e.column, e.message) for e in report.errors) == sorted(expected)
    assert UsageEntry.objects.count() == 0


def test_utf8_bom_and_header_case_are_accepted(program, manager, today):
    text = "\ufeffCustomer, Contact ,ACTIVITY_TYPE,Date,Outcome\nCRM-ACME,Ben Brown,call,2024-06-01,done\n"

    report = imports.usage_import(file=text.encode(), actor=manager)

    assert report.ok and report.created == 1


def test_a_file_larger_than_the_limit_is_refused(program, manager, monkeypatch):
    from references.imports import parse  # every CSV import reads its file there

    monkeypatch.setattr(parse, "IMPORT_MAX_BYTES", 100)
    report = imports.usage_import(file=b"customer,contact,activity_type,date,outcome\n" * 5, actor=manager)

    assert [(e.line, e.message) for e in report.errors] == [
        (0, "The file is larger than 100 bytes. Split it.")
    ]


# --- Duplicates ----------------------------------------------------------------------------------


def test_importing_the_same_file_again_writes_nothing_twice(program, manager, today):
    text = csv_text(good_rows(today))
    imports.usage_import(file=text, actor=manager)

    again = imports.usage_import(file=text, actor=manager)

    assert again.ok
    assert (again.created, again.skipped, again.skipped_lines) == (0, 5, [2, 3, 4, 5, 6])
    assert UsageEntry.objects.count() == 5
    assert ReferenceProfile.objects.get(pk=program["ben"].pk).capacity()["used"] == 3


def test_a_file_with_new_rows_added_writes_only_the_new_ones(program, manager, today):
    rows = good_rows(today)
    imports.usage_import(file=csv_text(rows[:3]), actor=manager)

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert (report.created, report.skipped_lines) == (2, [2, 3, 4])
    assert UsageEntry.objects.count() == 5


def test_the_same_ask_twice_in_one_file_is_an_error(program, manager, today):
    rows = good_rows(today)
    rows.append(["Acme Bank", "Anna Schmidt", "call", ago(today, 40), "declined", ""])

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (7, "", "Duplicate row: the same ask (contact, activity type and date) as line 2.")
    ]
    assert UsageEntry.objects.count() == 0


def test_an_ask_the_ledger_has_with_another_outcome_is_an_error(program, manager, today):
    entry = UsageEntryFactory(
        reference=program["anna"], activity_type_id="call", status="declined", occurred_on=date(2024, 5, 2)
    )
    rows = [["CRM-ACME", "anna@acme.example", "call", "2024-05-02", "done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (
            2,
            "outcome",
            f"The ledger already has this ask (#{entry.pk}) as declined, not done. "
            "Correct the file, or change the ask on the ledger page.",
        )
    ]
    assert UsageEntry.objects.count() == 1


def test_an_ask_that_moved_on_in_the_ledger_is_still_a_duplicate(program, manager, today):
    rows = [["CRM-ACME", "anna@acme.example", "call", "2024-05-02", "asked", ""]]
    imports.usage_import(file=csv_text(rows), actor=manager)
    services.usage_transition(entry=UsageEntry.objects.get(), to="done", actor=manager)

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert (report.ok, report.created, report.skipped_lines) == (True, 0, [2])
    assert UsageEntry.objects.get().status == "done"


def test_an_ask_recorded_by_hand_is_not_imported_again(program, manager, today):
    UsageEntryFactory(
        reference=program["ben"], activity_type_id="email", status="done", occurred_on=date(2024, 7, 1)
    )
    rows = [["CRM-ACME", "Ben Brown", "email", "2024-07-01", "done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)

    assert (report.created, report.skipped_lines) == (0, [2])
    assert UsageEntry.objects.count() == 1


# --- Spreadsheet-safe CSVs -----------------------------------------------------------------------


def test_the_template_lists_the_columns_and_an_example_row():
    rows = list(csv.reader(io.StringIO(imports.usage_csv_template())))

    assert rows == [
        ["customer", "contact", "activity_type", "date", "outcome", "note"],
        ["CRM-000123", "anna.schmidt@acme.example", "call", "2024-11-05", "done", "Spoke to a bank in Lyon"],
    ]


def test_the_template_escapes_a_formula_cell(monkeypatch):
    hostile = imports.UsageColumn("customer", True, "", '=HYPERLINK("http://evil.example","x")')
    monkeypatch.setattr(imports, "COLUMNS", [hostile, *imports.COLUMNS[1:]])

    rows = list(csv.reader(io.StringIO(imports.usage_csv_template())))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","x")'


def test_the_problem_report_escapes_formula_cells(program, manager, today):
    rows = [['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "call", ago(today, 3), "+done", ""]]

    report = imports.usage_import(file=csv_text(rows), actor=manager)
    lines = list(csv.reader(io.StringIO(imports.usage_report_csv(report))))

    assert lines == [
        ["line", "column", "value", "problem"],
        [
            "2",
            "customer",
            '\'=HYPERLINK("http://evil.example","x")',
            'No customer has the CRM id or the name \'=HYPERLINK("http://evil.example","x")\'.',
        ],
        [
            "2",
            "outcome",
            "'+done",
            "Unknown outcome '+done'. Valid outcomes: done, declined, withdrawn, asked.",
        ],
    ]
