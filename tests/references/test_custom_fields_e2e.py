"""Issue #19's "done when" for the program's own fields, end to end: a manager defines a field, an
import fills it, the catalog filters on it, a request's must-have on it matches only the references
holding the value, and the export carries it."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from references.models import ReferenceProfile

pytestmark = pytest.mark.django_db

API = "/api/v1/"

HEADER = (
    "customer_name,industry,region,country,size_band,health_score,health_updated,contact_name,"
    "contact_seniority,status,activity_types,last_validated,custom.partner_tier,custom.speaks_at_events"
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _csv_file() -> SimpleUploadedFile:
    today = timezone.localdate().isoformat()
    lines = [
        HEADER,
        f"Gold Bank,finance,emea,DE,enterprise,60,{today},Greta Gold,vp,active,call,{today},gold,yes",
        f"Silver Bank,finance,emea,DE,enterprise,60,{today},Sam Silver,vp,active,call,{today},silver,no",
        f"Plain Bank,finance,emea,DE,enterprise,60,{today},Paula Plain,vp,active,call,{today},,",
    ]
    return SimpleUploadedFile("inventory.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_a_program_field_from_definition_to_import_catalog_matching_and_export(users, api_as, client_as):
    manager, sales = users["manager"], users["sales"]

    # 1. The manager defines a list field on customers and a yes/no field on reference profiles.
    created = api_as(manager).post(
        API + "custom-fields/",
        {
            "on": "customer",
            "slug": "partner_tier",
            "kind": "one_of",
            "label_en": "Partner tier",
            "label_de": "Partnerstufe",
            "choices": [
                {"value": "gold", "labels": {"en": "Gold", "de": "Gold"}},
                {"value": "silver", "labels": {"en": "Silver", "de": "Silber"}},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    created = client_as(manager).post(
        "/custom-fields/new/",
        {
            "on": "profile",
            "slug": "speaks_at_events",
            "kind": "yes_no",
            "label_en": "Speaks at events",
            "position": "1",
            "active": "on",
            "choices_text": "",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]

    # 2. An import fills them (the page the manager uses).
    page = client_as(manager).post("/inventory/import/", {"file": _csv_file()})
    assert page.status_code == 200
    assert ReferenceProfile.objects.count() == 3, page.content.decode()[:3000]
    gold = ReferenceProfile.objects.get(contact__name="Greta Gold")
    silver = ReferenceProfile.objects.get(contact__name="Sam Silver")
    plain = ReferenceProfile.objects.get(contact__name="Paula Plain")
    assert gold.customer.custom == {"partner_tier": "gold"}
    assert gold.custom == {"speaks_at_events": True}
    assert silver.custom == {"speaks_at_events": False}
    assert plain.custom == {} and plain.customer.custom == {}

    # 3. The catalog filters on it: the sales rep's page and the API.
    catalog = client_as(sales).get("/catalog/", {"custom.partner_tier": "gold"})
    assert catalog.status_code == 200
    text = catalog.content.decode()
    assert "Gold Bank" in text and "Silver Bank" not in text and "Plain Bank" not in text
    assert "Partner tier" in text  # the facet, by its label
    listed = api_as(sales).get(API + "references/", {"custom.speaks_at_events": "no"}).json()
    assert [r["id"] for r in listed["results"]] == [silver.pk]
    assert listed["results"][0]["customer_summary"]["custom"] == {"partner_tier": "silver"}

    # 4. A request with the field as a must-have matches only the references holding the value.
    submitted = api_as(sales).post(
        API + "requests/",
        {
            "activity_type": "call",
            "prospect": {
                "name": "Prospect AG",
                "industry": "finance",
                "region": "emea",
                "size_band": "enterprise",
            },
            "products": [],
            "criteria": {
                "must": [{"field": "custom.partner_tier", "value": "Gold"}],
                "nice": [{"field": "custom.speaks_at_events", "value": "yes", "weight": 3}],
            },
            "references_needed": 1,
            "needed_by": (timezone.now() + timedelta(days=20)).isoformat(),
        },
        format="json",
    )
    assert submitted.status_code == 201, submitted.content
    request_id = submitted.json()["id"]
    matches = api_as(manager).get(f"{API}requests/{request_id}/matches/")
    assert matches.status_code == 200, matches.content
    assert [m["reference"]["id"] for m in matches.json()] == [gold.pk]

    # 5. The export carries the values, in the import's columns.
    export = client_as(manager).get("/inventory/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    by_contact = {r["contact_name"]: r for r in rows}
    assert by_contact["Greta Gold"]["custom.partner_tier"] == "gold"
    assert by_contact["Greta Gold"]["custom.speaks_at_events"] == "yes"
    assert by_contact["Sam Silver"]["custom.partner_tier"] == "silver"
    assert by_contact["Sam Silver"]["custom.speaks_at_events"] == "no"
    assert by_contact["Paula Plain"]["custom.partner_tier"] == ""
