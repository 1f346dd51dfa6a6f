"""A decided approval's files are frozen: the content library serves exactly the logo the
customer approved. Before the decision a file may be replaced: a replaced asset file leaves
storage, a replaced signed document stays on file as an earlier version."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_V2 = b"%PDF-1.7\n% second version\n%%EOF\n"
LOGO = b"\x89PNG\r\n\x1a\n" + b"approved logo" * 4
SWAPPED = b"\x89PNG\r\n\x1a\n" + b"swapped logo!" * 4


def _upload(api, approval, kind, name, content):
    return api.post(
        f"/api/v1/approvals/{approval.pk}/{kind}/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _download(api, approval, kind) -> bytes:
    response = api.get(f"/api/v1/approvals/{approval.pk}/{kind}/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def approved_logo(users, api_as, make_approval):
    """A logo approval with its file and the signed document attached in review, then approved."""
    approval = make_approval(status="in_review", use="logo", scope=["website"])
    assert _upload(api_as(users["marketing"]), approval, "asset", "logo.png", LOGO).status_code == 200
    assert _upload(api_as(users["manager"]), approval, "document", "signed.pdf", PDF).status_code == 200
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{approval.pk}/transition/",
        {"to": "approved", "approver_name": "Dana Customer"},
        format="json",
    )
    assert response.status_code == 200, response.content
    approval.refresh_from_db()
    return approval


@pytest.mark.parametrize(
    ("kind", "role", "name", "content"),
    [
        ("asset", "marketing", "swapped.png", SWAPPED),
        ("document", "manager", "other.pdf", PDF_V2),
    ],
)
def test_uploading_to_an_approved_approval_is_refused(
    kind, role, name, content, approved_logo, users, api_as
):
    before = (approved_logo.asset_file.name, approved_logo.document.name)
    response = _upload(api_as(users[role]), approved_logo, kind, name, content)
    assert response.status_code == 409
    assert response.json()["code"] == "approval_decided"
    approved_logo.refresh_from_db()
    assert (approved_logo.asset_file.name, approved_logo.document.name) == before
    assert (approved_logo.asset_file_name, approved_logo.document_name) == ("logo.png", "signed.pdf")
    assert _download(api_as(users["manager"]), approved_logo, "asset") == LOGO
    assert _download(api_as(users["manager"]), approved_logo, "document") == PDF
    assert approved_logo.events.filter(kind=kind).count() == 1  # no second attachment recorded


@pytest.mark.parametrize("status", ["declined", "expired", "revoked"])
def test_every_decided_approval_keeps_its_files(status, users, api_as, make_approval):
    approval = make_approval(status=status)
    for kind, role, name, content in [
        ("asset", "marketing", "logo.png", LOGO),
        ("document", "manager", "signed.pdf", PDF),
    ]:
        response = _upload(api_as(users[role]), approval, kind, name, content)
        assert (response.status_code, response.json()["code"]) == (409, "approval_decided")
    approval.refresh_from_db()
    assert not approval.asset_file and not approval.document


def test_the_content_library_still_serves_the_approved_logo(approved_logo, users, api_as):
    _upload(api_as(users["marketing"]), approved_logo, "asset", "logo.png", SWAPPED)
    viewer = api_as(users["executive"])
    listed = viewer.get("/api/v1/library/").json()["results"]
    assert [(a["id"], a["has_asset_file"]) for a in listed] == [(approved_logo.pk, True)]
    assert _download(viewer, approved_logo, "asset") == LOGO


def test_the_page_says_why_and_keeps_the_file(approved_logo, users, client_as, settings):
    client = client_as(users["marketing"])
    response = client.post(
        f"/approvals/{approved_logo.pk}/upload/asset/",
        {"file": SimpleUploadedFile("logo.png", SWAPPED)},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This approval is approved: its files can&#x27;t be changed." in html
    assert 'id="files-frozen"' in html
    assert f'action="/approvals/{approved_logo.pk}/upload/asset/"' not in html  # no upload form offered
    approved_logo.refresh_from_db()
    assert approved_logo.asset_file_name == "logo.png"
    assert (Path(settings.MEDIA_ROOT) / approved_logo.asset_file.name).read_bytes() == LOGO
    download = client.get(f"/approvals/{approved_logo.pk}/file/asset/")
    assert b"".join(download.streaming_content) == LOGO


def test_replacing_a_draft_asset_before_the_decision_removes_the_old_file(
    users, api_as, make_approval, settings, django_capture_on_commit_callbacks
):
    approval = make_approval(status="in_review")
    api = api_as(users["marketing"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(api, approval, "asset", "draft.png", SWAPPED).status_code == 200
    approval.refresh_from_db()
    draft = Path(settings.MEDIA_ROOT) / approval.asset_file.name
    assert draft.read_bytes() == SWAPPED
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(api, approval, "asset", "final.png", LOGO).status_code == 200
    approval.refresh_from_db()
    assert not draft.exists()
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert stored == [Path(approval.asset_file.name).name]
    assert (Path(settings.MEDIA_ROOT) / approval.asset_file.name).read_bytes() == LOGO


def test_a_replaced_signed_document_stays_on_file_as_an_earlier_version(
    users, api_as, make_approval, settings, django_capture_on_commit_callbacks
):
    approval = make_approval(status="in_review")
    api = api_as(users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(api, approval, "document", "first.pdf", PDF).status_code == 200
        assert _upload(api, approval, "document", "second.pdf", PDF_V2).status_code == 200
    approval.refresh_from_db()
    assert approval.document_name == "second.pdf"
    versions = list(approval.events.filter(kind="document").order_by("id").values_list("note", "file"))
    assert [note for note, _ in versions] == ["first.pdf", "second.pdf"]
    assert versions[1][1] == approval.document.name
    assert (Path(settings.MEDIA_ROOT) / versions[0][1]).read_bytes() == PDF
    assert (Path(settings.MEDIA_ROOT) / versions[1][1]).read_bytes() == PDF_V2
