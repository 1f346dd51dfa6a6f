"""HubSpot sync through hubspot-api-client against a local fake (recorded bodies in
crm_fixtures/hubspot): search API by hs_lastmodifieddate (paged), archived records, a deal's
company through the associations API."""

import json

import pytest

from integrations.models import CrmConnection
from integrations.services.crm_sync import crm_sync
from references.models import Contact, Customer
from requests_app.models import Opportunity
from tests.integrations import crm_fakes

pytestmark = pytest.mark.django_db
fake_hubspot = crm_fakes.fake_hubspot  # the fixture

MAPPING = {
    "industries": {"BANKING": "finance", "RETAIL": "retail"},
    "countries": {"Germany": "DE", "France": "FR", "United States": "US"},
    "regions": {"DE": "emea", "FR": "emea", "US": "na"},
}


@pytest.fixture
def connection(fake_hubspot):
    return CrmConnection.objects.create(
        kind="hubspot", enabled=True, base_url=fake_hubspot.url, mapping=MAPPING
    )


def counts(run):
    return {k: getattr(run, k) for k in ("created", "updated", "unchanged", "deleted", "skipped", "failed")}


def searches(fake):
    return [json.loads(r["body"]) for r in fake.requests if r["path"].endswith("/search")]


def test_first_run_creates_customers_contacts_and_deals(connection, fake_hubspot):
    run = crm_sync(kind="hubspot")

    assert run.status == "succeeded", run.error
    assert counts(run) == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "skipped": 2,
        "failed": 0,
    }
    nordbank = Customer.objects.get(crm_id="511")
    assert (
        nordbank.name,
        nordbank.industry_id,
        nordbank.region_id,
        nordbank.country,
        nordbank.size_band,
    ) == ("Nordbank AG", "finance", "emea", "DE", "enterprise")
    assert not Customer.objects.filter(crm_id="513").exists()  # lifecyclestage "opportunity": a prospect
    ada = Contact.objects.get(crm_id="601")
    assert (ada.customer, ada.name, ada.title, ada.seniority) == (
        nordbank,
        "Ada Lovelace",
        "VP Engineering",
        "vp",
    )
    deal = Opportunity.objects.get(crm="hubspot", crm_id="7001")
    assert (deal.name, deal.amount, deal.stage, deal.is_closed) == (
        "Globex - Core banking",
        250000,
        "presentationscheduled",
        False,
    )
    assert (str(deal.close_date), deal.account_crm_id, deal.account_name) == (
        "2024-06-30",
        "513",
        "Globex Corporation",
    )
    assert (deal.industry_id, deal.region_id, deal.country, deal.size_band) == (
        "finance",
        "emea",
        "FR",
        "global",
    )
    assert str(deal.opened_on) == "2024-01-05"
    won = Opportunity.objects.get(crm="hubspot", crm_id="7002")
    assert (won.is_closed, won.is_won, won.account_name) == (True, True, "Acme Retail Inc.")
    # Each deal's owner by e-mail (owners API): an active owner, found on the first page of two, and
    # one who left, found among the archived owners.
    assert (deal.owner_email, won.owner_email) == ("rep@example.com", "left@example.com")
    owner_pages = [r["path"] for r in fake_hubspot.requests if r["path"].startswith("/crm/v3/owners")]
    assert len(owner_pages) == 2
    assert "archived=true" not in owner_pages[0] and "archived=true" in owner_pages[1]
    # The private app's token on every call; the search pages through (2 per page here).
    assert {r["headers"]["Authorization"] for r in fake_hubspot.requests} == {"Bearer pat-na1-test-token"}
    company_pages = [s for s in searches(fake_hubspot) if "name" in s["properties"]]
    assert [s.get("after") for s in company_pages] == [None, "2"]
    assert company_pages[0]["filterGroups"] == []


def test_a_second_run_changes_nothing(connection, fake_hubspot):
    crm_sync(kind="hubspot")
    history = Customer.history.count() + Contact.history.count()

    again = crm_sync(kind="hubspot")

    # Incremental: hs_lastmodifieddate (contacts: lastmodifieddate) at or after the cursor.
    last = searches(fake_hubspot)[-1]
    assert last["filterGroups"] == [
        {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "1709291100000"}]}
    ]
    contact_search = [s for s in searches(fake_hubspot) if "jobtitle" in s["properties"]][-1]
    assert contact_search["filterGroups"][0]["filters"][0]["propertyName"] == "lastmodifieddate"
    assert (again.created, again.updated, again.deleted, again.failed) == (0, 0, 0, 0)
    full = crm_sync(kind="hubspot", full=True)
    assert counts(full) == {
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "deleted": 0,
        "skipped": 2,
        "failed": 0,
    }
    assert Customer.history.count() + Contact.history.count() == history


def test_a_changed_record_updates(connection, fake_hubspot):
    crm_sync(kind="hubspot")
    fake_hubspot.touch(
        "companies", "512", "2024-04-01T08:00:00.000Z", numberofemployees="2500", name="Acme Retail Group"
    )
    fake_hubspot.touch("contacts", "602", "2024-04-01T08:00:00.000Z", jobtitle="CTO")
    fake_hubspot.touch("deals", "7001", "2024-04-01T08:00:00.000Z", dealstage="closedlost")

    run = crm_sync(kind="hubspot")

    # …and deal 7002 (re-read at the cursor) takes its company's new name.
    assert (run.created, run.updated, run.failed) == (0, 4, 0)
    assert Opportunity.objects.get(crm="hubspot", crm_id="7002").account_name == "Acme Retail Group"
    acme = Customer.objects.get(crm_id="512")
    assert (acme.name, acme.employees, acme.size_band) == ("Acme Retail Group", 2500, "enterprise")
    grace = Contact.objects.get(crm_id="602")
    assert (grace.title, grace.seniority) == ("CTO", "c_level")  # seniority is RefProgram's after creation
    lost = Opportunity.objects.get(crm="hubspot", crm_id="7001")
    assert (lost.stage, lost.is_closed, lost.is_won) == ("closedlost", True, False)


def test_an_archived_record_is_marked_not_deleted(connection, fake_hubspot):
    crm_sync(kind="hubspot")
    fake_hubspot.archive("contacts", "601", "2024-04-01T08:00:00.000Z")
    fake_hubspot.archive("companies", "512", "2024-04-01T08:00:00.000Z")

    run = crm_sync(kind="hubspot")

    assert (run.deleted, run.failed) == (2, 0)
    assert Contact.objects.get(crm_id="601").crm_deleted_at is not None
    assert Customer.objects.get(crm_id="512").crm_deleted_at is not None
    assert crm_sync(kind="hubspot").deleted == 0
    assert any("archived=true" in r["path"] for r in fake_hubspot.requests)


def test_a_bad_record_is_reported_and_skipped_without_losing_the_rest(connection, fake_hubspot):
    fake_hubspot.touch("companies", "511", "2024-03-01T09:00:00.000Z", industry="MINING")
    fake_hubspot.touch("deals", "7002", "2024-03-01T11:05:00.000Z", amount="lots")

    run = crm_sync(kind="hubspot")

    assert run.status == "partial"
    errors = {(e["object"], e["crm_id"]): e["message"] for e in run.errors}
    assert "'MINING' is not mapped" in errors[("accounts", "511")]
    assert "amount" in errors[("opportunities", "7002")]
    # Nordbank's contact has no customer to join: skipped, not failed.
    assert (run.created, run.failed) == (3, 2)  # Acme, Grace, deal 7001
    assert list(Customer.objects.values_list("crm_id", flat=True)) == ["512"]
    assert Opportunity.objects.filter(crm="hubspot").count() == 1


def test_without_the_owners_scope_deals_sync_without_their_owner(connection, fake_hubspot, caplog):
    """A private app without ``crm.objects.owners.read`` gets a 403 from the owners API: the deals
    still sync, with no owner e-mail, and the log says why."""
    fake_hubspot.codes["owners"] = [403]

    run = crm_sync(kind="hubspot")

    assert run.status == "succeeded", run.error
    deal = Opportunity.objects.get(crm="hubspot", crm_id="7001")
    assert (deal.name, deal.owner_email) == ("Globex - Core banking", "")
    assert "deals synced without their owners' e-mail" in caplog.text


def test_a_deal_without_an_owner_asks_nothing_of_the_owners_api(connection, fake_hubspot):
    for deal in fake_hubspot.records["deals"]:
        deal["properties"].pop("hubspot_owner_id")

    run = crm_sync(kind="hubspot")

    assert run.status == "succeeded", run.error
    assert not [r for r in fake_hubspot.requests if r["path"].startswith("/crm/v3/owners")]
    assert Opportunity.objects.get(crm="hubspot", crm_id="7001").owner_email == ""
