"""The interface in German for a sales rep, in a real browser (#19): a rep whose profile says
"de" logs in and sees the home page, the catalog, the new-request form, submits a request and
sees the request page, and no English sentence of the interface is left on any of them.

The catalogs are built from the translators' files at the end of the work on #19: without the
compiled German catalog the test is skipped (it cannot tell a missing translation from a missing
catalog). Names typed by people (the prospect, activity types, industries) are data and stay as
they were entered."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.models import Request
from tests.factories import UserFactory

GERMAN_CATALOG = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.mo"

# Sentences, headings, labels and buttons each page shows in English (seen on the pages as they
# are in English); none of them may be left on the German pages.
FRAME = [
    "My requests",
    "Log out",
    "Notifications",
    "Language and time zone",
    "Second factor",
]
HOME = [
    "What needs you today",
    "Your open requests",
    "Find a reference",
    "Search the catalog",
    "Any industry",
    "Any activity",
]
CATALOG = [
    "References",
    "Contact details are shared by the reference team once a request is approved.",
]
FORM = [
    "What you need",
    "The prospect",
    "Must-haves are deal breakers",
    "+ Add a must-have",
    "+ Add a nice-to-have",
    "The opportunity",
    "Find the deal in the CRM",
    "No CRM opportunity linked.",
    "Without a CRM: type the deal's id, stage and amount",
    "Activity type",
    "Prospect company",
    "References needed",
    "Needed by",
    "Products of interest",
    "Submit request",
]
DETAIL = [
    "You can follow its status here.",
    "The request",
    "Requested by",
    "Assigned to",
    "nobody yet",
    "usual lead time",
    "Must-haves",
    "Nice-to-haves",
    "Prospect and opportunity",
    "Company",
    "not reported",
    "not rated",
    "Candidates",
    "No reference proposed yet.",
    "Close this request",
    "Cancel the request",
    "History",
    "On track",
]


def _english_left(page, phrases: list[str]) -> list[str]:
    text = page.locator("body").inner_text()
    return [phrase for phrase in phrases if phrase in text]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_german_sales_rep_asks_for_a_reference_in_german(live_server, page, login, shot):
    if not GERMAN_CATALOG.exists():
        pytest.skip(
            "locale/de/LC_MESSAGES/django.mo is not built yet (the catalogs are compiled at the end of #19)"
        )
    rep = UserFactory(username="vertrieb", role="sales", language="de")
    login(page, rep)

    # Home.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert _english_left(page, FRAME + HOME) == []
    shot(page, "i18n_de_home")

    # The catalog.
    page.goto(f"{live_server.url}{reverse('catalog')}")
    assert _english_left(page, FRAME + CATALOG) == []

    # The new-request form.
    page.goto(f"{live_server.url}{reverse('requests:new')}")
    assert _english_left(page, FRAME + FORM) == []
    body = page.locator("body")
    for german in (
        "Was Sie benötigen",
        "Der Interessent",
        "Muss-Kriterien",
        "Wunsch-Kriterien",
        "Anfrage absenden",
    ):
        expect(body).to_contain_text(german)
    shot(page, "i18n_de_request_form")
    page.select_option("#id_activity_type", "call")
    page.fill("#id_prospect_name", "Globex GmbH")
    needed_by = timezone.localtime() + timezone.timedelta(days=60)
    page.fill("#id_needed_by", needed_by.strftime("%Y-%m-%dT%H:%M"))
    page.click("#request-form button.primary[type=submit]")
    page.wait_for_url(f"{live_server.url}/requests/*/")

    # The request page.
    request = Request.objects.get(prospect_name="Globex GmbH")
    assert _english_left(page, FRAME + DETAIL) == []
    expect(body).to_contain_text(
        f"Anfrage #{request.pk} wurde eingereicht. Hier können Sie ihren Status verfolgen."
    )
    for german in ("Die Anfrage", "Kandidaten", "Verlauf", "Angefragt von"):
        expect(body).to_contain_text(german)
    expect(body).to_contain_text("Globex GmbH")  # the prospect's name is data: as typed
    shot(page, "i18n_de_request_page")
