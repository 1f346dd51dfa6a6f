"""A customer's contact opens the consent link from their e-mail in a real browser set to English
(#19): the contact of a French customer reads the page in French, approves, and reads the thank-you
page in French; no English sentence of those pages is left.

The catalogs are built from the translators' files at the end of the work on #19: without the
compiled French catalog the test is skipped (it cannot tell a missing translation from a missing
catalog). What people typed (the customer's name, the quote) is data and stays as entered."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from approvals import services
from approvals.models import Approval
from tests.factories import ContactFactory, CustomerFactory, UserFactory

FRENCH_CATALOG = next(
    (
        Path(path) / "fr" / "LC_MESSAGES" / "django.mo"
        for path in settings.LOCALE_PATHS
        if (Path(path) / "fr" / "LC_MESSAGES" / "django.mo").exists()
    ),
    Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo",
)

QUOTE = "Lumière a divisé par deux son temps de réponse."

# What the pages say in English (seen on them as they are in English): none of it may be left.
ENGLISH = [
    "May we use this publicly?",
    "Please check it carefully",
    "Company",
    "Channels",
    "Until",
    "The exact text:",
    "Your name",
    "Your title",
    "This link works once",
    "Approve",
    "Decline",
    "Website",
    "Thank you",
    "Your approval is recorded",
    "You can close this page.",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not FRENCH_CATALOG.exists(), reason=f"{FRENCH_CATALOG} is not built yet (the lead builds it)"
)
def test_a_french_contact_reads_and_answers_the_consent_page_in_french(live_server, browser, shot):
    context = browser.new_context(locale="en-US")  # the browser asks for English: the contact's wins
    page = context.new_page()
    manager = UserFactory(username="manager1", role="manager")
    customer = CustomerFactory(name="Lumière SA", country="FR")
    contact = ContactFactory(
        customer=customer, name="Camille Durand", email="camille@lumiere.example", preferred_language=""
    )
    approval = Approval.objects.create(
        customer=customer,
        contact=contact,
        use="quote",
        status="requested",
        scope=["website", "press"],
        expires_on=timezone.localdate() + timedelta(days=90),
        quote_text=QUOTE,
    )
    services.approval_send_link(approval=approval, by=manager, base_url=live_server.url)
    message = mail.outbox[-1]
    assert message.subject == "Votre approbation est demandée : Citation pour Lumière SA"
    path = re.search(r"https?://[^/\s]+(/consent/\S+/)", message.body).group(1)

    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_have_text("Pouvons-nous utiliser ceci publiquement ?")
    text = page.inner_text("main").replace(QUOTE, "")
    for french in (
        "Nous souhaitons obtenir l’approbation de Lumière SA pour ce qui suit.",
        "Entreprise",
        "Canaux",
        "Site web, Presse",
        "Le texte exact :",
        "Votre nom",
        "Ce lien ne fonctionne qu’une fois.",
    ):
        assert french in text, french
    for english in ENGLISH:
        assert english not in text, english
    assert page.get_attribute("html", "lang") == "fr"
    assert "Votre approbation" in page.title()
    shot(page, "i18n_contact_consent_fr")

    page.fill("#id_name", "Camille Durand")
    page.click("button[value=approve]")
    expect(page.locator("#consent-done h1")).to_have_text("Merci")
    text = page.inner_text("main")
    assert "Votre approbation est enregistrée." in text
    assert "Vous pouvez fermer cette page." in text
    for english in ENGLISH:
        assert english not in text, english
    assert Approval.objects.get(pk=approval.pk).status == "approved"
    context.close()
