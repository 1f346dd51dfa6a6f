"""The program's own fields in a real browser: a manager defines a list field on reference
profiles, finds it on a profile's form, fills it, and reads it on the profile's page."""

import pytest
from playwright.sync_api import expect

from references.models import ReferenceProfile
from tests.factories import ReferenceProfileFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_defines_a_field_and_fills_it_on_a_profile(live_server, page, login, shot):
    manager = UserFactory(username="field_manager", role="manager")
    profile = ReferenceProfileFactory(status="active")

    login(page, manager)
    page.goto(f"{live_server.url}/custom-fields/")
    page.click("text=Define a field")
    page.select_option("#id_on", "profile")
    page.fill("#id_slug", "event_level")
    page.select_option("#id_kind", "one_of")
    page.fill("#id_label_en", "Event level")
    page.fill("#id_label_de", "Veranstaltungsstufe")
    page.fill("#id_choices_text", "keynote | Keynote\npanel | Panel | Podium")
    shot(page, "custom-field-define")
    page.click("#custom-field-form button[type=submit]")
    expect(page.locator("#custom-fields")).to_contain_text("Event level")
    expect(page.locator("#custom-fields")).to_contain_text("custom.event_level")

    page.goto(f"{live_server.url}/references/{profile.pk}/edit/")
    field = page.locator('select[name="custom.event_level"]')
    expect(field).to_be_visible()
    field.select_option("panel")
    shot(page, "custom-field-on-profile-form")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/references/{profile.pk}/")
    expect(page.locator("main")).to_contain_text("Event level")
    expect(page.locator("main")).to_contain_text("Panel")
    assert ReferenceProfile.objects.get(pk=profile.pk).custom == {"event_level": "panel"}
