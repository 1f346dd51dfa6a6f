"""Checkbox facets in a real browser: ticking one re-renders the results and the counts without
reloading the page (htmx), the address follows, and on a phone the filters fold into a panel."""

import time

import pytest
from playwright.sync_api import expect

from tests.factories import ReferenceProfileFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inventory():
    ReferenceProfileFactory(contact__customer__name="Alpha Bank", contact__customer__industry_id="finance")
    ReferenceProfileFactory(contact__customer__name="Beta Bank", contact__customer__industry_id="finance")
    ReferenceProfileFactory(
        contact__customer__name="Gamma Clinic",
        contact__customer__industry_id="healthcare",
        activity_types=["site_visit"],
    )


def test_ticking_a_facet_updates_the_results_without_a_reload(live_server, page, login, shot):
    _inventory()
    login(page, UserFactory(username="facet_sales", role="sales"))
    page.goto(f"{live_server.url}/catalog/")
    expect(page.locator(".result-count")).to_have_text("3 references match your search.")
    expect(page.locator("label[for=f-industry-healthcare] .facet-count")).to_have_text("1")
    page.evaluate("window.notReloaded = true")

    page.check("#f-industry-healthcare")
    expect(page.locator(".result-count")).to_have_text("1 reference matches your search.")
    expect(page.locator("#catalog")).to_contain_text("Gamma Clinic")
    expect(page.locator("#catalog")).not_to_contain_text("Alpha Bank")
    # The other facets now count within Healthcare; the ticked one keeps its own counts.
    expect(page.locator("label[for=f-activity_type-site_visit] .facet-count")).to_have_text("1")
    expect(page.locator("label[for=f-industry-finance] .facet-count")).to_have_text("2")
    assert page.evaluate("window.notReloaded") is True  # the same page: htmx swapped the results
    assert "industry=healthcare" in page.url  # the address can be shared and reloaded
    expect(page.locator("#f-industry-healthcare")).to_be_focused()  # focus stays on the box
    shot(page, "facets-catalog-ticked")

    page.uncheck("#f-industry-healthcare")
    expect(page.locator(".result-count")).to_have_text("3 references match your search.")


def test_without_javascript_the_apply_button_filters(live_server, browser, login):
    _inventory()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, UserFactory(username="facet_nojs", role="sales"))
    page.goto(f"{live_server.url}/catalog/")
    page.check("#f-industry-healthcare")
    page.click("text=Apply filters")
    expect(page.locator(".result-count")).to_have_text("1 reference matches your search.")
    context.close()


def test_on_a_phone_the_filters_fold_into_a_panel(live_server, page, login, shot):
    _inventory()
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, UserFactory(username="facet_phone", role="manager"))
    page.goto(f"{live_server.url}/inventory/")
    panel = page.locator("details.filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#f-industry-healthcare")).to_be_hidden()
    assert page.locator("#results").bounding_box()["y"] < 400  # the results come first
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "facets-inventory-phone-folded")
    page.click("details.filter-panel > summary")
    page.check("#f-industry-healthcare")
    expect(page.locator(".result-count")).to_contain_text("1 reference profile matches")
    shot(page, "facets-inventory-phone-ticked")


def test_words_typed_while_a_tick_is_applied_are_kept(live_server, page, login, monkeypatch):
    """The answer to a tick left before the words were typed: swapping it in keeps the words (and
    the focus), so "Apply filters" then searches for them."""
    import references.views.inventory as inventory

    _inventory()
    login(page, UserFactory(username="facet_typist", role="sales"))
    page.goto(f"{live_server.url}/catalog/")
    expect(page.locator(".result-count")).to_have_text("3 references match your search.")
    counted = inventory.build_facets

    def slowly(*args, **kwargs):
        time.sleep(0.8)  # the tick's answer arrives after the typing
        return counted(*args, **kwargs)

    monkeypatch.setattr(inventory, "build_facets", slowly)
    page.check("#f-industry-finance")
    page.locator("input[name=search]").press_sequentially("Beta")
    expect(page.locator(".result-count")).to_have_text("2 references match your search.")  # the tick's answer
    expect(page.locator("input[name=search]")).to_have_value("Beta")
    expect(page.locator("input[name=search]")).to_be_focused()
    monkeypatch.setattr(inventory, "build_facets", counted)
    page.click("text=Apply filters")
    expect(page.locator(".result-count")).to_have_text("1 reference matches your search.")
    assert "search=Beta" in page.url
