"""The program's words in a real browser (#19 part 3): an administrator calls references
"Advocates" in English and "Fürsprecher" in German on the settings page; the navigation says so at
once, and a German-speaking sales rep reads "Fürsprecher" in the navigation and the catalog's heading."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_renames_references_and_the_navigation_follows(live_server, page, login, shot):
    admin = UserFactory(username="admin1", role="admin", language="en")
    rep = UserFactory(username="vertrieb", role="sales", language="de")
    login(page, admin)
    nav = page.locator("nav.mainnav")
    expect(nav).to_contain_text("References")

    page.goto(f"{live_server.url}/settings/terms/")
    page.fill("#id_en-reference_singular", "Advocate")
    page.fill("#id_en-reference_plural", "Advocates")
    page.fill("#id_de-reference_singular", "Fürsprecher")
    page.fill("#id_de-reference_plural", "Fürsprecher")
    page.click("#terms-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("The program's words are saved.")
    expect(nav).to_contain_text("Advocates")
    expect(nav).not_to_contain_text("References")
    expect(page.locator("#id_en-reference_plural")).to_have_value("Advocates")
    shot(page, "terms_settings")

    page.context.clear_cookies()
    login(page, rep)
    expect(page.locator("nav.mainnav")).to_contain_text("Fürsprecher")
    page.click("nav.mainnav >> text=Fürsprecher")
    expect(page.locator("h1")).to_have_text("Fürsprecher")
    shot(page, "terms_catalog_de")
