"""Salesforce sync through simple-salesforce against a local HTTPS fake (recorded bodies in
crm_fixtures/salesforce): first run creates, a second run changes nothing, a change updates, a
deletion marks, a bad record is reported and skipped, the mapping decides industry/region/size."""

import json
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command

from integrations.models import CrmConnection
from integrations.services.crm_sync import crm_sync
from references.models import Contact, Customer
from references.services.inventory import customer_update
from requests_app.models import Opportunity
from tests.integrations import crm_fakes

pytestmark = pytest.mark.django_db
fake_salesforce = crm_fakes.fake_salesforce  # the fixture

NORDBANK, ACME, GLOBEX = "001D000000IRFmaIAH", "001D000000IRFmbIAH", "001D000000IRFmcIAH"
ADA, GRACE = "003D000000QOdcaIAD", "003D000000QOdcbIAD"
MAPPING = {
    "industries": {"Banking": "finance"},
    "countries": {"Germany": "DE", "France": "FR"},
    "regions": {"DE": "emea", "FR": "emea", "US": "na"},
}


@pytest.fixture
def connection(fake_salesforce):
    return CrmConnection.objects.create(
        kind="salesforce", enabled=True, base_url=fake_salesforce.url, mapping=MAPPING
    )


def counts(run):
    return {k: getattr(run, k) for k in ("created", "updated", "unchanged", "deleted", "skipped", "failed")}


def test_first_run_creates_customers_contacts_and_opportunities(connection, fake_salesforce):
    run = crm_sync(kind="salesforce")

    assert run.status == "succeeded", run.error
    # 2 customer accounts + 2 of their contacts + 2 opportunities; the prospect account and its
    # contact are not RefProgram's.
    assert counts(run) == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "skipped": 2,
        "failed": 0,
    }
    nordbank = Customer.objects.get(crm_id=NORDBANK)
    assert (nordbank.name, nordbank.industry_id, nordbank.region_id, nordbank.country) == (
        "Nordbank AG",
        "finance",
        "emea",
        "DE",
    )
    assert (nordbank.size_band, nordbank.employees) == ("enterprise", 4200)
    acme = Customer.objects.get(crm_id=ACME)  # "Retail" is RefProgram's industry name: no mapping needed
    assert (acme.industry_id, acme.region_id, acme.country, acme.size_band) == (
        "retail",
        "na",
        "US",
        "midmarket",
    )
    assert not Customer.objects.filter(crm_id=GLOBEX).exists()
    ada = Contact.objects.get(crm_id=ADA)
    assert (ada.customer, ada.name, ada.title, ada.email, ada.seniority) == (
        nordbank,
        "Ada Lovelace",
        "VP Engineering",
        "ada@nordbank.example",
        "vp",
    )
    assert Contact.objects.get(crm_id=GRACE).seniority == "c_level"
    won = Opportunity.objects.get(crm="salesforce", crm_id="006D000000CsXaCIAV")
    assert (won.name, won.amount, won.stage, won.is_closed, won.is_won) == (
        "Acme - Expansion",
        40000,
        "Closed Won",
        True,
        True,
    )
    assert (str(won.close_date), won.account_crm_id, won.account_name) == (
        "2024-02-15",
        ACME,
        "Acme Retail Inc.",
    )
    open_deal = Opportunity.objects.get(crm_id="006D000000CsXaBIAV")
    assert (open_deal.is_closed, open_deal.is_won, open_deal.account_name) == (
        False,
        False,
        "Globex Corporation",
    )
    # The prospect's firmographics, mapped like a customer's, and the deal's owner and age.
    assert (open_deal.industry_id, open_deal.region_id, open_deal.country) == ("finance", "emea", "FR")
    assert (open_deal.size_band, open_deal.employees) == ("global", 12000)
    assert (open_deal.owner_email, str(open_deal.opened_on)) == ("rep@example.com", "2024-01-05")
    # Signed in with the client-credentials flow, then SOQL over queryAll (deleted rows included).
    token = fake_salesforce.requests[0]
    assert token["path"] == "/services/oauth2/token"
    assert parse_qs(token["body"].decode())["grant_type"] == ["client_credentials"]
    assert token["headers"]["Authorization"].startswith("Basic ")
    soql = [parse_qs(urlsplit(r["path"]).query)["q"][0] for r in fake_salesforce.requests[1:]]
    assert [q.split(" FROM ")[1].split()[0] for q in soql] == ["Account", "Contact", "Opportunity"]
    assert all("queryAll" in r["path"] for r in fake_salesforce.requests[1:])
    connection.refresh_from_db()
    assert connection.cursor["accounts"].startswith("2024-03-01T09:10:00")
    assert connection.last_success_at == run.finished_at


def test_a_second_run_changes_nothing(connection, fake_salesforce):
    crm_sync(kind="salesforce")
    history = Customer.history.count() + Contact.history.count()
    stamps = {o.crm_id: o.updated_at for o in Opportunity.objects.all()}

    again = crm_sync(kind="salesforce")
    # Incremental: only what changed at or after the cursor comes back (the newest of each kind).
    soql = parse_qs(urlsplit(fake_salesforce.requests[-1]["path"]).query)["q"][0]
    assert "WHERE SystemModstamp >= 2024-03-01T11:05:00Z" in soql
    assert (again.created, again.updated, again.deleted, again.failed) == (0, 0, 0, 0)
    full = crm_sync(kind="salesforce", full=True)
    assert counts(full) == {
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "deleted": 0,
        "skipped": 2,
        "failed": 0,
    }
    assert Customer.history.count() + Contact.history.count() == history
    assert {o.crm_id: o.updated_at for o in Opportunity.objects.all()} == stamps


def test_a_changed_record_updates_and_the_crm_wins_a_conflict(connection, fake_salesforce):
    crm_sync(kind="salesforce")
    nordbank = Customer.objects.get(crm_id=NORDBANK)
    # RefProgram edits a CRM-owned field (name) and its own field (health) after the sync…
    customer_update(customer=nordbank, name="Nordbank (local)", health_score=40)
    # …and the CRM changes the same account.
    fake_salesforce.touch(
        "Account", NORDBANK, "2024-04-01T08:00:00.000+0000", Name="Nordbank SE", NumberOfEmployees=15000
    )
    fake_salesforce.touch(
        "Opportunity", "006D000000CsXaBIAV", "2024-04-01T08:00:00.000+0000", StageName="Closed Lost"
    )

    run = crm_sync(kind="salesforce")

    assert (run.created, run.updated, run.failed) == (0, 2, 0)
    nordbank.refresh_from_db()
    assert (nordbank.name, nordbank.employees, nordbank.size_band) == ("Nordbank SE", 15000, "global")
    assert nordbank.health_score == 40  # RefProgram's own data is never written by the sync
    conflicts = {(c["crm_id"], c["field"]): c for c in run.conflicts}
    assert conflicts[(NORDBANK, "name")] == {
        "object": "accounts",
        "crm_id": NORDBANK,
        "field": "name",
        "kept": "Nordbank SE",
        "lost": "Nordbank (local)",
        "owner": "crm",
    }
    lost = Opportunity.objects.get(crm_id="006D000000CsXaBIAV")
    assert (lost.stage, lost.is_closed, lost.is_won) == ("Closed Lost", True, False)


def test_a_deleted_record_is_marked_not_deleted(connection, fake_salesforce):
    crm_sync(kind="salesforce")
    fake_salesforce.touch("Contact", ADA, "2024-04-01T08:00:00.000+0000", IsDeleted=True)
    fake_salesforce.touch("Account", ACME, "2024-04-01T08:00:00.000+0000", IsDeleted=True)

    run = crm_sync(kind="salesforce")

    assert (run.deleted, run.failed) == (2, 0)
    assert Contact.objects.get(crm_id=ADA).crm_deleted_at is not None
    assert Customer.objects.get(crm_id=ACME).crm_deleted_at is not None
    assert Customer.objects.get(crm_id=NORDBANK).crm_deleted_at is None
    assert crm_sync(kind="salesforce").deleted == 0  # marked once

    # Restored from the recycle bin: the mark goes.
    fake_salesforce.touch("Account", ACME, "2024-04-02T08:00:00.000+0000", IsDeleted=False)
    crm_sync(kind="salesforce")
    assert Customer.objects.get(crm_id=ACME).crm_deleted_at is None


def test_a_bad_record_is_reported_and_skipped_without_losing_the_rest(connection, fake_salesforce):
    fake_salesforce.records["Account"].append(
        {
            "attributes": {
                "type": "Account",
                "url": "/services/data/v59.0/sobjects/Account/001D000000IRFmdIAH",
            },
            "Id": "001D000000IRFmdIAH",
            "Name": "Deep Mining Ltd",
            "Type": "Customer - Direct",
            "Industry": "Mining",
            "BillingCountry": "Atlantis",
            "NumberOfEmployees": 80,
            "IsDeleted": False,
            "SystemModstamp": "2024-03-01T09:01:00.000+0000",
        }
    )
    fake_salesforce.touch("Contact", GRACE, "2024-03-01T10:05:00.000+0000", Email="not an address")

    run = crm_sync(kind="salesforce")

    assert run.status == "partial"
    assert (run.created, run.failed) == (5, 2)  # Nordbank, Acme, Ada and both opportunities
    errors = {e["crm_id"]: e for e in run.errors}
    assert errors["001D000000IRFmdIAH"]["object"] == "accounts"
    assert "'Mining' is not mapped" in errors["001D000000IRFmdIAH"]["message"]
    assert "'Atlantis'" in errors["001D000000IRFmdIAH"]["message"]
    assert errors[GRACE]["object"] == "contacts" and "email" in errors[GRACE]["message"]
    assert Customer.objects.filter(crm_id__in=[NORDBANK, ACME]).count() == 2
    assert not Customer.objects.filter(crm_id="001D000000IRFmdIAH").exists()
    assert Opportunity.objects.filter(crm="salesforce").count() == 2


def test_jwt_bearer_flow_signs_an_assertion_with_the_private_key(connection, fake_salesforce, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.SALESFORCE_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings.SALESFORCE_USERNAME = "integration@example.com"
    connection.auth_flow = "jwt_bearer"
    connection.save()

    assert crm_sync(kind="salesforce").status == "succeeded"

    form = parse_qs(fake_salesforce.requests[0]["body"].decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(
        form["assertion"][0], key.public_key(), algorithms=["RS256"], audience="https://login.salesforce.com"
    )
    assert (claims["iss"], claims["sub"]) == ("3MVG9test-consumer-key", "integration@example.com")


def test_a_crm_that_cannot_be_reached_fails_the_run_and_keeps_the_cursor(
    connection, fake_salesforce, settings
):
    settings.SALESFORCE_CLIENT_SECRET = ""
    run = crm_sync(kind="salesforce")
    assert (run.status, run.error) == ("failed", "SALESFORCE_CLIENT_SECRET is not set.")
    connection.refresh_from_db()
    assert (connection.cursor, connection.last_success_at) == ({}, None)


def test_the_command_prints_a_summary(connection, fake_salesforce, capsys):
    call_command("crm_sync", "--crm", "salesforce")
    out = capsys.readouterr().out
    assert "Salesforce: Succeeded — created 6, updated 0, unchanged 0, deleted 0, skipped 2, failed 0" in out
    call_command("crm_sync", "--full")  # every enabled CRM
    assert "created 0, updated 0, unchanged 6" in capsys.readouterr().out


def test_the_recorded_bodies_name_their_source():
    from tests.integrations.crm_fakes import FIXTURES

    for path in FIXTURES.rglob("*.json"):
        recorded = json.loads(path.read_text())
        assert recorded["source"].startswith(("https://", "Record shapes", "Company, contact")), path
        assert "body" in recorded, path
