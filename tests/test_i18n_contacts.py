"""A customer's contact reads their pages and e-mails in their own language, whatever the browser
says: a contact of a French customer (no language recorded) gets the consent e-mail, the consent
page and the withdrawal page in French; one who chose Spanish gets Spanish; the account owner's
link speaks the owner's profile language.

The sentences in French are written by hand from the catalogs the lead builds from the helpers'
translations (``locale/``); the tests that read them skip, with the reason, until they exist."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from approvals import services as approval_services
from approvals.models import Approval
from references.services import withdrawal_url
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "RefProgram a réduit de moitié notre temps de réponse."


def _catalog(code: str) -> bool:
    return any((Path(path) / code / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)


needs_french = pytest.mark.skipif(
    not _catalog("fr"),
    reason="locale/fr/LC_MESSAGES/django.mo is not built yet (the lead builds the catalogs)",
)
needs_spanish = pytest.mark.skipif(
    not _catalog("es"),
    reason="locale/es/LC_MESSAGES/django.mo is not built yet (the lead builds the catalogs)",
)

# Sentences of the English pages and e-mails that must not remain in the French ones.
ENGLISH = (
    "May we use this publicly?",
    "We would like",
    "Please check it carefully",
    "Channels",
    "Until",
    "The exact text",
    "This link works once",
    "Approve",
    "Decline",
    "Your name",
    "Your title",
    "Withdraw your consent",
    "You can withdraw any consent",
    "leave the reference program",
    "Leave the reference program",
    "Your approval",
    "Hello",
    "Thank you",
    "Please review",
)


@pytest.fixture
def french_contact(db):
    customer = CustomerFactory(name="Lumière SA", country="FR")
    return ContactFactory(
        customer=customer, name="Camille Durand", email="camille@lumiere.example", preferred_language=""
    )


@pytest.fixture
def consent_mail(french_contact, users, django_capture_on_commit_callbacks):
    """A quote approval sent to the French contact by the manager; the e-mail they receive."""
    approval = Approval.objects.create(
        customer=french_contact.customer,
        contact=french_contact,
        use="quote",
        status="requested",
        scope=["website", "press"],
        expires_on=timezone.localdate() + timedelta(days=90),
        quote_text=QUOTE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        approval_services.approval_send_link(
            approval=approval, by=users["manager"], base_url="http://testserver"
        )
    assert len(mail.outbox) == 1
    return approval, mail.outbox[0]


def _visible(html: str) -> str:
    """The page's text without tags (and without the quoted customer's own words)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _consent_path(message) -> str:
    return re.search(r"http://testserver(/consent/\S+/)", message.body).group(1)


def test_the_consent_page_speaks_the_contacts_language_whatever_the_browser_says(client, consent_mail):
    """Without any catalog built: the page declares French and Django's own words (months) follow."""
    approval, message = consent_mail
    response = client.get(_consent_path(message), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert response["Content-Language"] == "fr"
    month = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"][approval.expires_on.month - 1]  # fmt: skip
    assert f"{approval.expires_on.day} {month} {approval.expires_on.year}" in html


def test_a_contact_who_chose_a_language_gets_it_over_their_countrys(client, consent_mail, french_contact):
    french_contact.preferred_language = "en"
    french_contact.save(update_fields=["preferred_language"])
    response = client.get(_consent_path(consent_mail[1]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en">' in response.content.decode()
    assert "May we use this publicly?" in response.content.decode()


@needs_french
def test_the_consent_email_is_in_french(consent_mail):
    approval, message = consent_mail
    assert message.subject == "Votre approbation est demandée : Citation pour Lumière SA"
    assert message.body.startswith("Bonjour Camille Durand,\n\n")
    assert "Nous souhaitons obtenir votre approbation pour utiliser publiquement" in message.body
    assert "le lien ne fonctionne qu’une fois" in message.body
    assert message.body.endswith("Merci.")
    for english in ("Hello", "We would like", "Please review", "Thank you"):
        assert english not in message.body


@needs_french
def test_the_consent_page_is_in_french_and_its_answer_too(client, consent_mail):
    approval, message = consent_mail
    path = _consent_path(message)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    text = _visible(response.content.decode()).replace(QUOTE, "")
    for french in (
        "Pouvons-nous utiliser ceci publiquement ?",
        "Nous souhaitons obtenir l’approbation de Lumière SA pour ce qui suit.",
        "Canaux",
        "Site web, Presse",
        "Le texte exact :",
        "Votre nom",
        "Approuver",
        "Refuser",
        "Ce lien ne fonctionne qu’une fois.",
    ):
        assert french in text, french
    for english in ENGLISH:
        assert english not in text, english

    # A refusal without a reason is refused in French; then the answer page is French too.
    response = client.post(path, {"name": "Camille Durand", "decision": "decline"})
    assert response.status_code == 400
    assert "Veuillez nous dire pourquoi, afin que nous puissions nous améliorer." in response.content.decode()
    response = client.post(
        path, {"name": "Camille Durand", "decision": "decline", "comment": "Pas cette année."}
    )
    text = _visible(response.content.decode())
    assert "Votre réponse est enregistrée : nous ne le publierons pas." in text
    assert "Vous pouvez fermer cette page." in text
    assert "Thank you" not in text


@needs_french
def test_the_withdrawal_page_is_in_french(client, french_contact):
    path = withdrawal_url(contact=french_contact)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = _visible(response.content.decode())
    for french in (
        "Retirer votre consentement",
        "Bonjour Camille Durand. Vous pouvez retirer tout consentement",
        "Quitter le programme de références : ne plus me solliciter",
        "Ce lien ne fonctionne qu’une fois.",
    ):
        assert french in text, french
    for english in ENGLISH:
        assert english not in text, english
    response = client.post(path, {"leave_program": "on"})
    text = _visible(response.content.decode())
    assert "Vous avez quitté le programme de références." in text
    assert "You have left" not in text


@needs_spanish
def test_the_withdrawal_footer_speaks_the_contacts_chosen_language(french_contact):
    from django.utils import translation

    from references.services import withdrawal_footer
    from refprogram.i18n import for_contact

    french_contact.preferred_language = "es"
    with translation.override("de"), for_contact(french_contact):
        footer = withdrawal_footer(contact=french_contact)
    assert footer.startswith(
        "\n--\nPara retirar cualquier consentimiento que nos haya dado, o para abandonar el programa de "
        "referencias, utilice este enlace personal (no necesita iniciar sesión):\n"
    )


def test_the_account_owners_link_speaks_the_owners_profile_language():
    from requests_app.services import candidate_link_language
    from requests_app.services.answers import user_language

    assert user_language(UserFactory(language="de")) == "de"
    assert user_language(UserFactory(language="")) == settings.LANGUAGE_CODE
    assert callable(candidate_link_language)


def test_the_contact_form_shows_and_saves_the_contacts_language(french_contact, users, client_as):
    from django.urls import reverse

    url = reverse("contact-edit", args=[french_contact.pk])
    manager = client_as(users["manager"])
    page = manager.get(url).content.decode()
    assert 'name="preferred_language"' in page
    assert "Language for e-mails and pages" in page
    response = manager.post(
        url,
        {
            "name": "Camille Durand",
            "seniority": "vp",
            "email": "camille@lumiere.example",
            "preferred_language": "es",
        },
    )
    assert response.status_code == 302
    french_contact.refresh_from_db()
    assert french_contact.preferred_language == "es"
    response = manager.post(url, {"name": "Camille Durand", "seniority": "vp", "preferred_language": "it"})
    assert response.status_code == 200  # not one of the interface's languages
    french_contact.refresh_from_db()
    assert french_contact.preferred_language == "es"
