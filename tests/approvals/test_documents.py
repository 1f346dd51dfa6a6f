"""Signed documents and asset files: type and size checked, stored privately, served only to
permitted users."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from approvals.services import upload_check

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _upload(api, approval, name, content, kind="document"):
    return api.post(
        f"/api/v1/approvals/{approval.pk}/{kind}/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


@pytest.mark.parametrize(("name", "content"), [("signed.pdf", PDF), ("scan.PNG", PNG), ("scan.jpeg", JPEG)])
def test_accepted_files_are_stored_privately_and_downloaded_by_permitted_users(
    name, content, users, api_as, client_as, make_approval, settings
):
    approval = make_approval(status="in_review")
    response = _upload(api_as(users["manager"]), approval, name, content)
    assert response.status_code == 200, response.content
    approval.refresh_from_db()
    stored = Path(settings.MEDIA_ROOT) / approval.document.name
    assert stored.read_bytes() == content
    assert stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert name.rsplit(".", 1)[0] not in approval.document.name  # a generated name, not the uploader's
    assert approval.document_name == name
    assert approval.events.filter(kind="document", actor=users["manager"]).exists()
    download = api_as(users["marketing"]).get(f"/api/v1/approvals/{approval.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]
    page = client_as(users["marketing"]).get(f"/approvals/{approval.pk}/file/document/")
    assert page.status_code == 200
    assert b"".join(page.streaming_content) == content
    assert client_as(users["sales"]).get(f"/approvals/{approval.pk}/file/document/").status_code in (403, 404)


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("signed.pdf", PNG, "not a PDF"),  # extension and content disagree
        ("logo.png", PDF, "not a PNG"),
        ("tool.exe", b"MZ\x90\x00", "PDF, PNG or JPEG"),
        ("noextension", PDF, "PDF, PNG or JPEG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, content, why, users, api_as, make_approval):
    approval = make_approval(status="in_review")
    response = _upload(api_as(users["manager"]), approval, name, content)
    assert response.status_code == 400
    assert why in str(response.json())
    approval.refresh_from_db()
    assert not approval.document


@pytest.mark.parametrize("name", ["../../../settings.pdf", "..\\..\\settings.pdf", "/etc/settings.pdf"])
def test_a_traversal_name_from_a_client_never_becomes_the_storage_path(
    name, users, api_as, make_approval, settings
):
    approval = make_approval(status="in_review")
    response = _upload(api_as(users["manager"]), approval, name, PDF)
    # Django's upload parser already keeps only the last part; the service refuses anything else.
    assert response.status_code == 200, response.content
    approval.refresh_from_db()
    assert approval.document_name == "settings.pdf"
    assert approval.document.name.startswith(f"approvals/{approval.customer_id}/")
    assert ".." not in approval.document.name and "settings" not in approval.document.name
    assert (
        (Path(settings.MEDIA_ROOT) / approval.document.name)
        .resolve()
        .is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    )


def test_files_over_the_size_limit_are_refused(users, api_as, make_approval, settings):
    settings.APPROVAL_UPLOAD_MAX_BYTES = 1024
    approval = make_approval(status="in_review")
    response = _upload(api_as(users["manager"]), approval, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "larger than" in str(response.json())
    response = _upload(api_as(users["manager"]), approval, "small.pdf", PDF)
    assert response.status_code == 200


def test_the_default_limit_is_ten_megabytes(users, api_as, make_approval):
    approval = make_approval(status="in_review")
    response = _upload(api_as(users["manager"]), approval, "huge.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 400
    assert "larger than 10 MB" in str(response.json())


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "/etc/passwd.pdf", "..\\x.pdf", "a\x00.pdf", ".hidden.pdf"]
)
def test_path_traversal_names_are_refused(name):
    class Upload:
        size = len(PDF)

        def seek(self, n):
            pass

        def read(self, n):
            return PDF[:n]

    upload = Upload()
    upload.name = name
    with pytest.raises(ValidationError):
        upload_check(upload)


def test_uploads_through_the_page_re_render_the_form_with_the_reason(users, client_as, make_approval):
    approval = make_approval(status="in_review")
    response = client_as(users["manager"]).post(
        f"/approvals/{approval.pk}/upload/document/", {"file": SimpleUploadedFile("x.pdf", PNG)}
    )
    assert response.status_code == 400
    assert "not a PDF file" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "upload", "download"),
    [
        ("manager", 200, 200),
        ("admin", 200, 200),
        ("marketing", 403, 200),
        ("executive", 403, 403),
        ("sales", 403, 403),
        (None, 401, 401),
    ],
)
def test_who_may_upload_and_download_signed_documents(role, upload, download, users, api_as, make_approval):
    approval = make_approval(status="in_review")
    _upload(api_as(users["manager"]), approval, "signed.pdf", PDF)
    api = api_as(users[role] if role else None)
    assert _upload(api, approval, "again.pdf", PDF).status_code == upload
    assert api.get(f"/api/v1/approvals/{approval.pk}/document/").status_code == download


def test_no_public_url_serves_uploaded_files(users, api_as, client, make_approval):
    approval = make_approval(status="in_review")
    _upload(api_as(users["manager"]), approval, "signed.pdf", PDF)
    approval.refresh_from_db()
    for prefix in ("/media/", "/private_media/", "/static/", "/"):
        assert client.get(prefix + approval.document.name).status_code == 404
