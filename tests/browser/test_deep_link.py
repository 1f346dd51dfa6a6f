"""Find a reference from the CRM in a real browser: the rep clicks the button on the Salesforce
opportunity (the deep link), the request form opens prefilled with the prospect and the linked
deal, and submitting files a request whose deal comes from Salesforce. Then the form's search box
links a HubSpot deal by its name."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from references.models import Industry, Region
from requests_app.models import Opportunity, Request
from tests.factories import UserFactory

SF_ID = "0065g00000XyZabAAF"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_deep_link_opens_the_prefilled_form_and_submits(live_server, page, login, shot):
    sales = UserFactory(username="sales1", role="sales")
    globex = Opportunity.objects.create(
        crm="salesforce",
        crm_id=SF_ID,
        name="Globex — 500 seats",
        amount=Decimal("120000"),
        stage="Negotiation",
        account_name="Globex Inc.",
        industry=Industry.objects.get(code="finance"),
        region=Region.objects.get(code="emea"),
        country="DE",
        size_band="enterprise",
    )
    initech = Opportunity.objects.create(
        crm="hubspot", crm_id="9876543210", name="Initech renewal", account_name="Initech"
    )
    login(page, sales)

    # The Salesforce button's link (the 15-character id, as {!Opportunity.Id} gives it).
    page.goto(f"{live_server.url}/requests/new/?crm=salesforce&opportunity={SF_ID[:15]}")
    expect(page.locator("#deep-link-message")).to_contain_text("Linked to Salesforce opportunity Globex")
    expect(page.locator("#id_prospect_name")).to_have_value("Globex Inc.")
    expect(page.locator("#id_prospect_industry")).to_have_value("finance")
    expect(page.locator("#id_prospect_region")).to_have_value("emea")
    expect(page.locator("#id_prospect_country")).to_have_value("DE")
    expect(page.locator("#id_prospect_size_band")).to_have_value("enterprise")
    expect(page.locator("#linked-opportunity")).to_contain_text("Linked: Globex — 500 seats")
    shot(page, "deep_link_prefilled_form")
    page.select_option("#id_activity_type", "call")
    page.click("#request-form button.primary[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/*/")
    expect(page.locator("#deal")).to_contain_text("Globex — 500 seats · Salesforce")
    expect(page.locator("#deal")).to_contain_text("(from Salesforce)")
    expect(page.locator("#outcome")).to_contain_text("open")
    first = Request.objects.get()
    assert (first.opportunity, first.prospect_name, first.prospect_industry_id) == (
        globex,
        "Globex Inc.",
        "finance",
    )

    # A request typed by hand: the search box finds the HubSpot deal by name and links it.
    page.goto(f"{live_server.url}/requests/new/")
    page.select_option("#id_activity_type", "call")
    page.fill("#id_prospect_name", "Initech")
    page.fill("#opportunity-q", "initech")
    page.locator("#opportunity-results button", has_text="Link").click()
    expect(page.locator("#linked-opportunity")).to_contain_text("Linked: Initech renewal")
    shot(page, "deep_link_search_linked")
    page.click("#request-form button.primary[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/*/")
    expect(page.locator("#deal")).to_contain_text("(from HubSpot)")
    assert Request.objects.get(prospect_name="Initech").opportunity == initech
