"""Real-browser journeys: the manager keeps the inventory true, the sales rep searches the catalog."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ProductFactory, ReferenceProfileFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inventory():
    product = ProductFactory(name="Monitor Pro")
    acme = ReferenceProfileFactory(
        contact__customer__name="Acme Health",
        contact__customer__industry_id="healthcare",
        contact__name="Dana Doctor",
        contact__title="Chief Medical Information Officer",
        contact__seniority="c_level",
        contact__email="dana@acme.example",
        contact__phone="+1 555 0100",
        contact__languages=["en", "de"],
        headline="Cut incident response time in half across 12 hospitals",
        activity_types=["call", "site_visit", "case_study"],
        products=[product],
    )
    bank = ReferenceProfileFactory(
        contact__customer__name="Bank of Tests",
        contact__customer__region_id="na",
        contact__customer__country="US",
        contact__name="Ben Banker",
        contact__email="ben@bank.example",
        headline="Moved payroll monitoring to the cloud",
    )
    ReferenceProfileFactory(status="retired", contact__customer__name="Gone Corp")
    return acme, bank


def test_manager_filters_the_inventory_opens_and_edits_a_profile(live_server, page, login, shot):
    acme, bank = _inventory()
    manager = UserFactory(username="manager1", role="manager")
    login(page, manager)
    shot(page, "manager-home")

    page.click("nav.mainnav >> text=Inventory")
    expect(page.locator("h1")).to_have_text("Inventory: References")
    expect(page.locator("#inventory")).to_contain_text("Bank of Tests")
    page.check("#f-status-active")
    expect(page.locator(".result-count")).to_contain_text("2 reference profiles")
    page.check("#f-industry-healthcare")
    expect(page.locator("#inventory")).to_contain_text("Acme Health")
    expect(page.locator("#inventory")).not_to_contain_text("Bank of Tests")
    expect(page.locator("#inventory")).not_to_contain_text("Gone Corp")
    shot(page, "manager-inventory-filtered")

    page.click("#inventory >> text=Acme Health")
    expect(page.locator("h1")).to_contain_text("Acme Health")
    expect(page.locator("body")).to_contain_text("dana@acme.example")
    shot(page, "manager-profile")

    page.click("text=Edit profile")
    page.fill("#id_headline", "Halved incident response in 12 hospitals within 90 days")
    page.fill("#id_competitor", "Legacy Pager 3000")
    page.check("input[name=activity_types][value=video]")
    shot(page, "manager-profile-edit")
    page.click("text=Save changes")
    expect(page.locator(".msg-success")).to_contain_text("Reference profile saved")
    expect(page.locator("h1")).to_contain_text("Acme Health")
    expect(page.locator("body")).to_contain_text("Halved incident response in 12 hospitals within 90 days")
    expect(page.locator("body")).to_contain_text("Legacy Pager 3000")
    expect(page.locator("body")).to_contain_text("Video testimonial")
    expect(page.locator("table.history")).to_contain_text("Legacy Pager 3000")

    page.fill("#id_note", "Asked for a break until the next quarter")
    page.click("button[name=to][value=resting]")
    expect(page.locator(".msg-success")).to_contain_text("now resting")
    shot(page, "manager-profile-after-edit")


def test_sales_rep_searches_the_catalog_without_seeing_contact_details(live_server, page, login, shot):
    _inventory()
    sales = UserFactory(username="sales1", role="sales")
    login(page, sales)
    shot(page, "sales-home")

    page.fill("input[name=search]", "hospitals")
    page.click("text=Search the catalog")
    expect(page.locator("#catalog")).to_contain_text("Acme Health")
    expect(page.locator("#catalog")).not_to_contain_text("Bank of Tests")

    page.goto(f"{live_server.url}/catalog/")
    page.check("#f-activity_type-site_visit")
    expect(page.locator(".result-count")).to_contain_text("1 reference match")
    page.check("#f-language-de")
    page.check("#f-seniority-c_level")
    page.fill("input[name=search]", "incident")
    page.click("text=Apply filters")
    catalog = page.locator("#catalog")
    expect(catalog).to_contain_text("Acme Health")
    expect(catalog).to_contain_text("Chief Medical Information Officer")
    expect(catalog).to_contain_text("Site visit")
    expect(catalog).not_to_contain_text("Bank of Tests")
    expect(catalog).not_to_contain_text("Gone Corp")
    content = page.content()
    assert "dana@acme.example" not in content and "555 0100" not in content
    shot(page, "sales-catalog")
    ask = page.locator("text=Request references like these")
    expect(ask).to_have_attribute("href", re.compile("search=incident"))  # the last filter applied
    href = ask.get_attribute("href")
    assert href.startswith("/requests/new/?") and "search=incident" in href

    page.click("#catalog >> text=Acme Health")
    expect(page.locator("h1")).to_contain_text("Acme Health")
    content = page.content()
    assert "dana@acme.example" not in content and "555 0100" not in content
    expect(page.locator("text=Edit profile")).to_have_count(0)
    shot(page, "sales-profile")


def test_manager_accepts_an_aging_nomination(live_server, page, login, shot):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import NominationFactory

    sales = UserFactory(username="sales1", role="sales")
    nomination = NominationFactory(
        customer__name="Slow Inc",
        contact_name="Nina Nominee",
        nominated_by=sales,
        created_at=timezone.now() - timedelta(days=9),
    )
    manager = UserFactory(username="manager1", role="manager")
    login(page, manager)
    page.click("nav.mainnav >> text=Nominations")
    row = page.locator("#nominations tr.aging")
    expect(row).to_contain_text("Slow Inc")
    expect(row).to_contain_text("9 days waiting")
    shot(page, "manager-nomination-queue")

    row.locator("text=Slow Inc").click()
    expect(page.locator("#missing-checks")).to_contain_text("account owner not asked yet")
    for check in ("strategic_fit", "health_ok", "owner_consent"):
        page.select_option(f"#id_{check}", "True")
    page.click("text=Save vetting checks")
    expect(page.locator(".msg-success")).to_contain_text("Vetting checks saved")
    expect(page.locator("#missing-checks")).to_have_count(0)
    page.check("#accept input[name=activity_types][value=call]")
    shot(page, "manager-nomination-detail")
    page.click("text=Accept into the inventory")
    expect(page.locator("h1")).to_contain_text("Slow Inc — Nina Nominee")
    expect(page.locator(".pill.status-active")).to_be_visible()
    nomination.refresh_from_db()
    assert nomination.status == "accepted"

    page.click("nav.mainnav >> text=More")
    page.click("nav.mainnav >> text=Import a spreadsheet")
    expect(page.locator("#columns")).to_contain_text("customer_name")
    shot(page, "manager-import")
