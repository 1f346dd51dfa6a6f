"""The integration page in a real browser: an administrator clicks "Sync now" against the local
fake Salesforce (tests/integrations/crm_fakes.py) and watches the run's counts and the record it
could not take appear; a failed write-back and a webhook are listed below."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from integrations.models import CrmConnection, CrmSyncRun, CrmWriteBack, WebhookSubscription
from references.models import Customer
from requests_app import services
from tests.factories import UserFactory
from tests.integrations import crm_fakes
from tests.requests_app import conftest as requests_fixtures

fake_salesforce = crm_fakes.fake_salesforce  # the fixture
make_profile, make_request = requests_fixtures.make_profile, requests_fixtures.make_request
SCREENSHOT = Path("/tmp/wave6/integration_page.png")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_syncs_salesforce_from_the_integration_page(
    live_server, page, login, shot, fake_salesforce, make_profile, make_request
):
    admin = UserFactory(username="admin1", role="admin")
    manager = UserFactory(username="manager1", role="manager")
    sales = UserFactory(username="sales1", role="sales")
    CrmConnection.objects.create(
        kind="salesforce",
        enabled=True,
        base_url=fake_salesforce.url,
        mapping={
            "industries": {"Banking": "finance"},
            "countries": {"Germany": "DE"},
            "regions": {"DE": "emea", "US": "na"},
        },
    )
    # France is not mapped: the prospect's opportunity is kept, and says so; a customer in an
    # unmapped industry is reported and skipped.
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
            "BillingCountry": "Germany",
            "NumberOfEmployees": 80,
            "IsDeleted": False,
            "SystemModstamp": "2024-03-01T09:01:00.000+0000",
        }
    )
    candidate = services.candidate_propose(
        request=make_request(sales, prospect="Globex Corp"),
        reference=make_profile(name="Nordbank"),
        actor=manager,
    )
    CrmWriteBack.objects.create(
        crm="salesforce",
        opportunity_crm_id="006D000000CsXaBIAV",
        candidate=candidate,
        state="accepted",
        subject="Reference accepted: Nordbank (Reference call)",
        body="…",
        status="retrying",
        attempts=3,
        error="Salesforce refused the Task: UNKNOWN_EXCEPTION",
    )
    WebhookSubscription.objects.create(
        url="https://warehouse.example.com/hooks/refprogram", events=["request.submitted"], secret="s"
    )

    login(page, admin)
    page.click("summary:has-text('More')")
    page.click("a:has-text('Integrations')")
    page.wait_for_url(f"{live_server.url}/integrations/")
    expect(page.locator("#crm-status-salesforce")).to_contain_text("Never synced")
    expect(page.locator("#crm-hubspot")).to_contain_text("Not set up")

    page.click("#crm-salesforce button.sync-now")

    status = page.locator("#crm-status-salesforce")
    expect(status).to_have_attribute("data-status", "partial")
    expect(status.locator(".run-counts tbody td").first).to_have_text("6")  # created
    expect(status.locator(".last-success")).to_contain_text("Last successful sync")
    expect(status.locator(".run-errors")).to_contain_text("'Mining' is not mapped")
    assert CrmSyncRun.objects.get().requested_by == admin
    assert Customer.objects.filter(crm_id="001D000000IRFmaIAH").exists()
    expect(page.locator("#write-backs")).to_contain_text("UNKNOWN_EXCEPTION")
    expect(page.locator("#webhooks")).to_contain_text("warehouse.example.com")
    shot(page, "integration_page")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
