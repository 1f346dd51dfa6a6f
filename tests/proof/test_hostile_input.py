"""Hostile input, case by case: oversized bodies, malformed JSON, badly encoded CSV files,
path traversal in upload names, and script in text fields. None of it may cause a 500."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from approvals import services as approvals
from refprogram.parsers import JSONParser

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SCRIPT = '<script>alert("pwned")</script>'


def _api(world, role="manager"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    return client


# --- Oversized bodies and malformed JSON ------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/requests/", "/api/v1/customers/", "/api/v1/references/", "/api/v1/auth/token/"]
)
def test_an_oversized_json_body_is_refused_not_a_server_error(world, settings, path):
    body = json.dumps({"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = _api(world).generic("POST", path, body, content_type="application/json")
    assert response.status_code in (400, 413)


def test_an_oversized_form_post_is_refused_not_a_server_error(world, users, client, settings):
    client.force_login(users["sales"])
    response = client.post(
        "/requests/new/", {"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "prospect_name": "P"}
    )
    assert response.status_code in (400, 413)


def test_too_many_form_fields_are_refused(world, users, client, settings):
    client.force_login(users["manager"])
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/customers/new/", fields)
    assert response.status_code == 400


MALFORMED = [
    '{"prospect": {"name": "Globex"',  # cut short
    "{'single': 'quotes'}",
    '{"a": 1,}',
    "\x00\x01\x02",
    "[1, 2, 3]",  # valid JSON, but not an object
    '"just a string"',
    "null",
    "NaN",
    b"\xff\xfe\x00{".decode("latin-1"),
]


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/approvals/", "/api/v1/nominations/"])
def test_malformed_json_is_a_400(users, api_as, path):
    api = api_as(users["manager"])
    for body in MALFORMED:
        response = api.generic("POST", path, body, content_type="application/json")
        assert response.status_code == 400, (body, response.content)
        assert response["Content-Type"].startswith("application/json")


DEEP = '{"a": ' * 5000 + "1" + "}" * 5000


def test_the_json_parser_answers_a_too_deeply_nested_body_with_a_parse_error():
    """``json.loads`` raises RecursionError here, which DRF's own parser lets through as a 500."""
    with pytest.raises(ParseError, match="nested too deeply"):
        JSONParser().parse(io.BytesIO(DEEP.encode()), "application/json", {})


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/approvals/"])
def test_a_too_deeply_nested_json_body_is_a_400(world, path):
    response = _api(world).generic("POST", path, DEEP, content_type="application/json")
    assert response.status_code == 400


def test_malformed_json_in_a_workflow_step_is_a_400(world):
    url = f"/api/v1/candidates/{world.candidate.pk}/transition/"
    response = _api(world).generic("POST", url, '{"to": "asked"', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_an_unsupported_content_type_is_a_415(world):
    response = _api(world).generic("POST", "/api/v1/requests/", "<xml/>", content_type="application/xml")
    assert response.status_code == 415


# --- CSV import: badly encoded files get a report, not a 500 ----------------------------------

# The import's real columns, so every file reaches the decoding, parsing and cell checks it attacks
# (an unknown column would be refused before any of them ran).
HEADER = "customer_name,industry,region,country,size_band\n"
NOT_UTF8 = (
    "The file is not UTF-8 text (byte 0x{byte} on line {line}). Save it as “CSV UTF-8” and import it again."
)


@pytest.mark.parametrize(
    ("name", "content", "errors"),
    [
        (
            "utf16.csv",
            (HEADER + "Müller AG,finance,emea,DE,smb\n").encode("utf-16"),
            [(1, "", NOT_UTF8.format(byte="ff", line=1))],
        ),
        (
            "latin1.csv",
            (HEADER + "Müller AG,finance,emea,DE,smb\n").encode("latin-1"),
            [(2, "", NOT_UTF8.format(byte="fc", line=2))],
        ),
        (
            "cp1252.csv",
            (HEADER + "“Quotes” Ltd,finance,emea,DE,smb\n").encode("cp1252"),
            [(2, "", NOT_UTF8.format(byte="93", line=2))],
        ),
        (
            "binary.csv",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            [(1, "", NOT_UTF8.format(byte="89", line=1))],
        ),
        (
            "nul.csv",
            HEADER.encode() + b"Nul\x00Corp,finance,emea,DE,smb\n",
            [(2, "customer_name", "Contains a NUL character; remove it.")],
        ),
        (
            "escape.csv",
            HEADER.encode() + b"Evil\x1b[2JCorp,finance,emea,DE,smb\n",
            [(2, "customer_name", "Contains a control character (U+001B); use one line of plain text.")],
        ),
        (
            "only-bom.csv",
            b"\xef\xbb\xbf",
            [
                (
                    1,
                    "",
                    "The file is empty. Start from the template: a header line, then one row per reference.",
                )
            ],
        ),
        (
            "ragged.csv",
            (HEADER + '"unterminated,finance\n,,,,,,,,,,,,\n').encode(),
            [(2, "", "This row has 1 values; the header has 5 columns.")],
        ),
        (
            "long-line.csv",
            (HEADER + "A" * 200_000 + ",finance,emea,DE,smb\n").encode(),
            [(2, "", "The file is not valid CSV: field larger than field limit (131072).")],
        ),
    ],
)
def test_a_badly_encoded_csv_gets_a_report_not_a_server_error(users, client, name, content, errors):
    from references.models import Customer

    before = Customer.objects.count()
    client.force_login(users["manager"])
    response = client.post("/inventory/import/", {"file": SimpleUploadedFile(name, content, "text/csv")})
    assert response.status_code == 200
    assert [(e.line, e.column, e.message) for e in response.context["report"].errors] == errors
    assert "Nothing was imported" in response.content.decode()
    assert Customer.objects.count() == before  # all or nothing: nothing


def test_an_empty_csv_is_refused_by_the_form(users, client):
    from references.models import Customer

    client.force_login(users["manager"])
    response = client.post("/inventory/import/", {"file": SimpleUploadedFile("empty.csv", b"", "text/csv")})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors == {"file": ["The submitted file is empty."]}
    assert "Choose a CSV file" in response.content.decode()
    assert Customer.objects.count() == 0


# --- Path traversal in upload names --------------------------------------------------------------


def test_the_upload_service_refuses_a_file_name_with_a_path(world):
    names = [
        "../../evil.pdf",
        "..\\..\\evil.pdf",
        "/etc/evil.pdf",
        "sub/evil.pdf",
        ".evil.pdf",
        "ev\x00il.pdf",
    ]
    for name in names:
        upload = SimpleUploadedFile("doc.pdf", PDF, "application/pdf")
        upload._name = name  # past Django's own clean-up of the name, as another caller could send it
        with pytest.raises(ValidationError):
            approvals.approval_file_attach(approval=world.approval, by=None, upload=upload, kind="document")


def _multipart(filename: str) -> tuple[bytes, str]:
    """A raw multipart body with exactly this file name (the test client would clean it first)."""
    boundary = "proof-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    )
    return (
        head.encode() + PDF + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize("via", ["api", "page"])
def test_an_uploaded_path_never_leaves_the_private_folder(world, users, client, settings, tmp_path, via):
    """The sender's path is dropped on the way in (only the last part is a name) and the file is
    stored under a generated name in the approval's private folder; nothing lands anywhere else."""
    client.force_login(users["manager"])
    media = settings.MEDIA_ROOT.resolve()
    url = {
        "api": f"/api/v1/approvals/{world.approval.pk}/document/",
        "page": f"/approvals/{world.approval.pk}/upload/document/",
    }[via]
    sender = _api(world) if via == "api" else client
    for name in ["../../../evil.pdf", "..\\..\\..\\evil.pdf", "/etc/evil.pdf", "a/../../evil.pdf"]:
        body, content_type = _multipart(name)
        response = sender.generic("POST", url, body, content_type=content_type)
        assert response.status_code in (200, 201, 302), (name, response.status_code)
        world.approval.refresh_from_db()
        stored = (media / world.approval.document.name).resolve()
        assert stored.is_relative_to(media / "approvals" / str(world.customer.pk))
        assert "evil" not in stored.name  # a generated name, never the sender's
        assert world.approval.document_name == "evil.pdf", name
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(media) for p in written), written


def test_a_document_kind_outside_the_two_known_ones_is_a_404(world, users, client):
    client.force_login(users["manager"])
    upload = SimpleUploadedFile("doc.pdf", PDF, "application/pdf")
    response = client.post(f"/approvals/{world.approval.pk}/upload/..%2F..%2Fsettings/", {"file": upload})
    assert response.status_code == 404


# --- Script in text fields is rendered escaped ---------------------------------------------------


def _assert_escaped(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(" in html


def test_script_in_a_profile_is_escaped_on_its_page_and_in_the_catalog(world, users, client):
    world.profile.headline = SCRIPT
    world.profile.story = SCRIPT
    world.profile.outcomes = SCRIPT
    world.profile.save()
    world.customer.name = SCRIPT
    world.customer.save()
    from references import services

    services.search_documents_refresh(profile_ids=[world.profile.pk])
    for role in ("manager", "sales"):
        client.force_login(users[role])
        _assert_escaped(client.get(f"/references/{world.profile.pk}/"))
        _assert_escaped(client.get("/catalog/"))
    client.force_login(users["manager"])
    _assert_escaped(client.get(f"/customers/{world.customer.pk}/"))
    _assert_escaped(client.get("/inventory/"))


def test_script_in_a_request_is_escaped_on_its_page_and_in_the_lists(world, users, client):
    response = _api(world, "sales").post(
        "/api/v1/requests/",
        {
            "activity_type": "call",
            "prospect": {"name": SCRIPT, "contact_title": SCRIPT},
            "needed_by": "2030-01-01T00:00:00Z",
            "notes": SCRIPT,
            "opportunity": {"stage": SCRIPT, "crm_id": "X-1"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    client.force_login(users["sales"])
    _assert_escaped(client.get(f"/requests/{pk}/"))
    _assert_escaped(client.get("/requests/mine/"))
    client.force_login(users["manager"])
    _assert_escaped(client.get(f"/requests/{pk}/"))
    _assert_escaped(client.get("/requests/queue/"))


def test_script_in_an_approval_is_escaped_on_its_pages_and_the_consent_page(world, users, client):
    response = _api(world, "marketing").patch(
        f"/api/v1/approvals/{world.approval.pk}/",
        {"title": SCRIPT, "notes": SCRIPT},
        format="json",
    )
    assert response.status_code == 200, response.content
    quote = _api(world, "marketing").post(
        "/api/v1/approvals/",
        {"customer": world.customer.pk, "use": "quote", "scope": ["website"], "quote_text": SCRIPT},
        format="json",
    )
    assert quote.status_code == 201, quote.content
    client.force_login(users["marketing"])
    _assert_escaped(client.get(f"/approvals/{world.approval.pk}/"))
    _assert_escaped(client.get(f"/approvals/{quote.json()['id']}/"))
    _assert_escaped(client.get(f"/approvals/customer/{world.customer.pk}/"))
    client.logout()
    # editing withdrew the earlier link: the customer gets a fresh one
    sent = approvals.approval_send_link(
        approval=world.approval, by=users["manager"], base_url="http://testserver"
    )
    _assert_escaped(client.get(f"/consent/{sent.token}/"))  # the customer's page, no login


def test_script_in_a_nomination_reason_is_escaped(world, users, client):
    world.nomination.reason = SCRIPT
    world.nomination.contact_name = SCRIPT
    world.nomination.save()
    client.force_login(users["manager"])
    _assert_escaped(client.get(f"/nominations/{world.nomination.pk}/"))
    _assert_escaped(client.get("/nominations/"))
