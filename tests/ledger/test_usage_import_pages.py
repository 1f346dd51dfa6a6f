"""The past-activities import's page and API: managers only, the row report shown, never a 500."""

import csv
import io
from datetime import date
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import UsageEntry
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

pytestmark = pytest.mark.django_db

ROLES = ["manager", "admin", "executive", "marketing", "sales"]
GOOD = (
    "customer,contact,activity_type,date,outcome,note\n"
    "CRM-ACME,anna@acme.example,call,2024-05-02,done,By phone\n"
    "Acme Bank,anna@acme.example,email,2024-06-10,declined,\n"
)
BAD = (
    "customer,contact,activity_type,date,outcome\n"
    "CRM-ACME,anna@acme.example,call,2024-05-02,done\n"
    "=cmd|' /C calc'!A0,anna@acme.example,call,2024-05-03,done\n"
    "CRM-ACME,anna@acme.example,call,2024-13-01,done\n"
)


@pytest.fixture
def anna(db):
    acme = CustomerFactory(name="Acme Bank", crm_id="CRM-ACME")
    return ReferenceProfileFactory(
        contact=ContactFactory(customer=acme, name="Anna Schmidt", email="anna@acme.example")
    )


def upload(text, name="past.csv"):
    content = text if isinstance(text, bytes) else text.encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- The page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_may_open_the_page_and_the_template(client_as, users, role):
    client = client_as(users[role])
    expected = 200 if role == "manager" else 403

    assert client.get("/usage/import/").status_code == expected
    assert client.get("/usage/import/template.csv").status_code == expected


def test_anonymous_users_go_to_log_in(client, db):
    response = client.get("/usage/import/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_sales_rep_cannot_post_a_file(client_as, sales, anna):
    response = client_as(sales).post("/usage/import/", {"file": upload(GOOD)})

    assert response.status_code == 403
    assert UsageEntry.objects.count() == 0


def test_manager_uploads_a_good_file_and_sees_the_counts(client_as, manager, anna):
    response = client_as(manager).post("/usage/import/", {"file": upload(GOOD)})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-summary"' in page
    assert "2 rows read: 2 asks written to the ledger." in page
    assert "Import finished: 2 ask(s) written to the ledger, 0 already there." in page
    assert list(
        UsageEntry.objects.order_by("occurred_on").values_list("status", "points", "occurred_on")
    ) == [
        ("done", 2, date(2024, 5, 2)),
        ("declined", 1, date(2024, 6, 10)),
    ]


def test_manager_uploads_the_same_file_again_and_sees_it_skipped(client_as, manager, anna):
    client = client_as(manager)
    client.post("/usage/import/", {"file": upload(GOOD)})

    page = client.post("/usage/import/", {"file": upload(GOOD)}).content.decode()

    assert "0 asks written to the ledger, 2 already there and skipped (lines 2, 3)." in page
    assert UsageEntry.objects.count() == 2


def test_manager_sees_every_problem_and_nothing_is_written(client_as, manager, anna):
    response = client_as(manager).post("/usage/import/", {"file": upload(BAD)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 problems — nothing was imported" in page
    assert "Nothing was imported: 2 problem(s) in the file, listed below." in page
    assert "<tr><td>3</td><td>customer</td>" in page
    assert "<tr><td>4</td><td>date</td>" in page
    assert "&#x27;2024-13-01&#x27; is not a date" in page
    assert UsageEntry.objects.count() == 0
    # The downloadable report: the hostile cell is escaped for spreadsheets.
    report_csv = unquote(page.split('href="data:text/csv;charset=utf-8,')[1].split('"')[0])
    assert list(csv.reader(io.StringIO(report_csv))) == [
        ["line", "column", "value", "problem"],
        [
            "3",
            "customer",
            "'=cmd|' /C calc'!A0",
            "No customer has the CRM id or the name \"=cmd|' /C calc'!A0\".",
        ],
        ["4", "date", "2024-13-01", "'2024-13-01' is not a date; use YYYY-MM-DD, e.g. 2024-11-05."],
    ]


def test_posting_without_a_file_asks_for_one(client_as, manager):
    response = client_as(manager).post("/usage/import/", {})

    assert response.status_code == 200
    assert "Choose a CSV file to import." in response.content.decode()


def test_the_template_download_is_a_csv(client_as, manager):
    response = client_as(manager).get("/usage/import/template.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="past-activities-template.csv"'
    assert response.content.decode().splitlines()[0] == "customer,contact,activity_type,date,outcome,note"


def test_the_ledger_page_links_to_the_import_for_managers_only(client_as, users):
    assert 'href="/usage/import/"' in client_as(users["manager"]).get("/usage/").content.decode()
    assert 'href="/usage/import/"' not in client_as(users["executive"]).get("/usage/").content.decode()


# --- The API -------------------------------------------------------------------------------------


def test_api_writes_the_file_and_answers_201_with_counts(api_as, manager, anna):
    response = api_as(manager).post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 201
    assert response.json() == {
        "rows": 2,
        "created": 2,
        "skipped": 0,
        "skipped_lines": [],
        "by_status": {"done": 1, "declined": 1, "withdrawn": 0, "asked": 0},
        "counting_now": 0,
    }


def test_api_answers_200_when_everything_was_already_there(api_as, manager, anna):
    client = api_as(manager)
    client.post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")

    response = client.post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 200
    assert (response.json()["created"], response.json()["skipped_lines"]) == (0, [2, 3])
    assert UsageEntry.objects.count() == 2


def test_api_answers_400_with_the_row_report(api_as, manager, anna):
    response = api_as(manager).post("/api/v1/usage/import/", {"file": upload(BAD)}, format="multipart")

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"], body["rows"]) == (
        "import_invalid",
        "Nothing was imported: 2 problem(s) in the file.",
        3,
    )
    assert [(e["line"], e["column"], e["value"]) for e in body["errors"]] == [
        (3, "customer", "=cmd|' /C calc'!A0"),
        (4, "date", "2024-13-01"),
    ]
    assert body["errors"][1]["message"] == "'2024-13-01' is not a date; use YYYY-MM-DD, e.g. 2024-11-05."
    assert UsageEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"   \n\n", 1, "The file is empty. Start from the template: a header line, then one row per ask."),
        (b"\x00\x01\x02\xff\xd8\xff\xe0 binary", 1, "The file is not UTF-8 text (byte 0xff on line 1). "),
        (b"name,email\nAcme,a@b.example\n", 1, "Unknown column 'name'."),
        (b'customer,contact,activity_type,date,outcome\n"unclosed,quote\n', 0, ""),
    ],
)
def test_api_never_500s_on_garbage(api_as, manager, anna, content, line, message):
    response = api_as(manager).post(
        "/api/v1/usage/import/", {"file": upload(content, "garbage.bin")}, format="multipart"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    if message:
        assert errors[0]["line"] == line
        assert errors[0]["message"].startswith(message)
    assert UsageEntry.objects.count() == 0


def test_api_empty_file_is_a_field_error(api_as, manager):
    response = api_as(manager).post("/api/v1/usage/import/", {"file": upload(b"")}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["The submitted file is empty."]}


def test_api_without_a_file_is_a_field_error(api_as, manager):
    response = api_as(manager).post("/api/v1/usage/import/", {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_api_json_body_is_refused_not_crashed(api_as, manager):
    response = api_as(manager).post("/api/v1/usage/import/", {"file": "a,b"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "file": ["The submitted data was not a file. Check the encoding type on the form."]
    }


@pytest.mark.parametrize("role", ["sales", "marketing", "executive", "admin"])
def test_api_refuses_other_roles(api_as, users, anna, role):
    response = api_as(users[role]).post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 403
    assert UsageEntry.objects.count() == 0


def test_api_refuses_anonymous_callers(api, db):
    response = api.post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 401


def test_the_usage_detail_route_still_answers(api_as, manager, anna):
    api_as(manager).post("/api/v1/usage/import/", {"file": upload(GOOD)}, format="multipart")
    entry = UsageEntry.objects.order_by("pk").first()

    response = api_as(manager).get(f"/api/v1/usage/{entry.pk}/")

    assert response.status_code == 200 and response.json()["points"] == 2
