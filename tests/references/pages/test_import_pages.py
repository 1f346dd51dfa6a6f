"""The import page: template download, column reference, per-row error report, summary."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from references.imports import COLUMNS
from references.models import Customer


def upload(client, text: str):
    return client.post(
        reverse("inventory-import"), {"file": SimpleUploadedFile("inventory.csv", text.encode(), "text/csv")}
    )


def test_import_page_documents_the_columns(users, client_as):
    page = client_as(users["manager"]).get(reverse("inventory-import")).content.decode()
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert reverse("inventory-import-template") in page


def test_template_imports_cleanly_and_shows_a_summary(users, client_as):
    client = client_as(users["manager"])
    template = client.get(reverse("inventory-import-template"))
    assert template["Content-Type"].startswith("text/csv")
    text = template.content.decode()
    assert text.splitlines()[0].startswith(COLUMNS[0].name)
    response = upload(client, text)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Import finished" in page and "import-summary" in page
    assert Customer.objects.filter(name="Example Maschinenbau GmbH").count() == 1


def test_bad_rows_are_reported_and_nothing_is_written(users, client_as):
    client = client_as(users["manager"])
    text = client.get(reverse("inventory-import-template")).content.decode()
    header, row = text.splitlines()[:2]
    bad = row.replace(",DE,", ",Germany,")
    assert bad != row
    before = Customer.objects.count()
    page = upload(client, "\n".join([header, row, bad]) + "\n").content.decode()
    assert "Nothing was imported" in page and "import-errors" in page
    assert "<td>3</td>" in page and "country" in page
    assert Customer.objects.count() == before


def test_missing_file_re_renders_with_an_error(users, client_as):
    response = client_as(users["manager"]).post(reverse("inventory-import"), {})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
