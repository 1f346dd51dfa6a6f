"""The program's words for its main nouns (#19 part 3): an administrator renames "reference" and
"customer" per language; the navigation, headings and table headers say the program's words in
the reader's language; sentences keep their translated wording; the API's codes never change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Term
from tests.factories import ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

ADVOCATES = {
    "en": {"reference": {"singular": "Advocate", "plural": "Advocates"}},
    "de": {"reference": {"singular": "Fürsprecher", "plural": "Fürsprecher"}},
}


def _nav_and_heading(page: str) -> tuple[str, str]:
    nav = page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0].strip()
    return nav, heading


def test_an_administrator_renames_references_and_each_reader_sees_their_languages_word(api_as, client):
    admin = UserFactory(role="admin")
    response = api_as(admin).patch("/api/v1/terms/", ADVOCATES, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["en"]["reference"] == {
        "singular": "Advocate",
        "plural": "Advocates",
        "renamed": True,
    }
    assert response.json()["de"]["reference"] == {
        "singular": "Fürsprecher",
        "plural": "Fürsprecher",
        "renamed": True,
    }
    # Untouched nouns and languages keep the interface's usual words.
    assert response.json()["en"]["customer"] == {
        "singular": "Customer",
        "plural": "Customers",
        "renamed": False,
    }
    assert response.json()["fr"]["reference"] == {
        "singular": "Référence",
        "plural": "Références",
        "renamed": False,
    }

    client.force_login(UserFactory(role="sales", language="en"))
    nav, heading = _nav_and_heading(client.get("/catalog/").content.decode())
    assert "Advocates" in nav and "References" not in nav
    assert heading == "Advocates"

    client.force_login(UserFactory(role="sales", language="de"))
    nav, heading = _nav_and_heading(client.get("/catalog/").content.decode())
    assert "Fürsprecher" in nav and "Referenzen" not in nav
    assert heading == "Fürsprecher"

    # A French reader was not renamed for: the usual French word.
    client.force_login(UserFactory(role="sales", language="fr"))
    nav, heading = _nav_and_heading(client.get("/catalog/").content.decode())
    assert "Références" in nav
    assert heading == "Références"


def _header_of_customer_column(page: str) -> str:
    """The inventory sorts by customer first: its header links to the descending order."""
    cell = page.split("sort=-customer", 1)[1].split("</a>", 1)[0]
    return cell.split(">", 1)[1].replace("▲", "").strip()


def test_without_renaming_the_usual_words_are_shown(client):
    ReferenceProfileFactory()
    client.force_login(UserFactory(role="manager", language="en"))
    page = client.get("/inventory/").content.decode()
    nav, heading = _nav_and_heading(page)
    assert ">References</a>" in nav
    assert heading == "Inventory: References"
    assert _header_of_customer_column(page) == "Customer"


def test_table_headers_and_the_inventory_heading_use_the_words(api_as, client):
    ReferenceProfileFactory()
    words = {
        "en": {
            "customer": {"singular": "Account", "plural": "Accounts"},
            "reference": {"singular": "Advocate", "plural": "Advocates"},
        },
        "de": {"customer": {"singular": "Konto", "plural": "Konten"}},
    }
    assert api_as(UserFactory(role="admin")).patch("/api/v1/terms/", words, format="json").status_code == 200

    client.force_login(UserFactory(role="manager", language="en"))
    page = client.get("/inventory/").content.decode()
    assert _nav_and_heading(page)[1] == "Inventory: Advocates"
    assert _header_of_customer_column(page) == "Account"

    client.force_login(UserFactory(role="manager", language="de"))
    page = client.get("/inventory/").content.decode()
    assert _nav_and_heading(page)[1] == "Bestand: Referenzen"
    assert _header_of_customer_column(page) == "Konto"


def test_the_words_cost_no_query_once_known(client, users):
    """The cache holds the words: a page asks the database nothing for them, renamed or not."""
    client.force_login(users["sales"])
    client.get("/catalog/")
    with CaptureQueriesContext(connection) as usual:
        client.get("/catalog/")
    api = UserFactory(role="admin")
    from rest_framework.test import APIClient

    admin = APIClient()
    admin.force_authenticate(api)
    assert admin.patch("/api/v1/terms/", ADVOCATES, format="json").status_code == 200
    client.get("/catalog/")  # the one read after the change fills the cache again
    with CaptureQueriesContext(connection) as renamed:
        page = client.get("/catalog/").content.decode()
    assert "Advocates" in page
    assert len(renamed.captured_queries) == len(usual.captured_queries)
    assert not any("accounts_term" in q["sql"] for q in renamed.captured_queries)


@pytest.mark.parametrize("role", ["manager", "sales", "marketing", "executive"])
def test_only_administrators_rename(api_as, client, role):
    user = UserFactory(role=role)
    assert api_as(user).patch("/api/v1/terms/", ADVOCATES, format="json").status_code == 403
    assert api_as(user).get("/api/v1/terms/").status_code == 200
    client.force_login(user)
    assert client.post("/settings/terms/", {"en-reference_singular": "Advocate"}).status_code == 403
    assert not Term.objects.exists()


def test_anonymous_callers_read_nothing(api_as):
    assert api_as(None).get("/api/v1/terms/").status_code == 401
    assert api_as(None).patch("/api/v1/terms/", ADVOCATES, format="json").status_code == 401


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"en": {"reference": {"singular": "   "}}},
            {"en": {"reference": {"singular": ["This field may not be blank."]}}},
        ),
        (
            {"en": {"reference": {"plural": "A" * 41}}},
            {"en": {"reference": {"plural": ["At most 40 characters."]}}},
        ),
        (
            {"de": {"customer": {"singular": "<b>Konto</b>"}}},
            {"de": {"customer": {"singular": ["Plain text only: no <, >, { or }."]}}},
        ),
        ({"it": {"reference": {"singular": "Referenza"}}}, {"it": ["Unknown key."]}),
        ({"en": {"request": {"singular": "Ask"}}}, {"en": {"request": ["Unknown key."]}}),
    ],
)
def test_bad_words_are_a_400_naming_them(api_as, body, errors):
    response = api_as(UserFactory(role="admin")).patch("/api/v1/terms/", body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Term.objects.exists()


def test_null_goes_back_to_the_usual_words(api_as):
    admin = api_as(UserFactory(role="admin"))
    admin.patch("/api/v1/terms/", ADVOCATES, format="json")
    response = admin.patch("/api/v1/terms/", {"en": {"reference": None}}, format="json")
    assert response.status_code == 200
    assert response.json()["en"]["reference"] == {
        "singular": "Reference",
        "plural": "References",
        "renamed": False,
    }
    assert response.json()["de"]["reference"]["singular"] == "Fürsprecher"
    assert list(Term.objects.values_list("language", "noun")) == [("de", "reference")]


def _form(**changes):
    data = {}
    usual = {
        "en": ("Reference", "References", "Customer", "Customers"),
        "de": ("Referenz", "Referenzen", "Kunde", "Kunden"),
        "fr": ("Référence", "Références", "Client", "Clients"),
        "es": ("Referencia", "Referencias", "Cliente", "Clientes"),
    }
    for language, words in usual.items():
        for name, word in zip(
            ("reference_singular", "reference_plural", "customer_singular", "customer_plural"),
            words,
            strict=True,
        ):
            data[f"{language}-{name}"] = word
    data.update(changes)
    return data


def test_the_settings_page_renames_in_each_language(client):
    client.force_login(UserFactory(role="admin", language="en"))
    page = client.get("/settings/terms/")
    assert page.status_code == 200
    assert 'value="Referenz"' in page.content.decode()

    response = client.post(
        "/settings/terms/",
        _form(
            **{
                "en-customer_singular": "Account",
                "en-customer_plural": "Accounts",
                "es-customer_plural": "Cuentas",
            }
        ),
    )
    assert response.status_code == 302
    assert set(Term.objects.values_list("language", "noun", "singular", "plural")) == {
        ("en", "customer", "Account", "Accounts"),
        ("es", "customer", "Cliente", "Cuentas"),
    }
    # The usual words are not stored: a later translation fix reaches the program.
    assert not Term.objects.filter(noun="reference").exists()


def test_the_settings_page_refuses_bad_words_and_saves_nothing(client):
    client.force_login(UserFactory(role="admin", language="en"))
    response = client.post(
        "/settings/terms/",
        _form(
            **{"en-customer_singular": "Account", "de-reference_plural": "", "fr-customer_singular": "{x}"}
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert "Plain text only: no &lt;, &gt;, { or }." in page
    assert not Term.objects.exists()


def test_the_nav_offers_the_page_to_administrators_only(client):
    client.force_login(UserFactory(role="admin"))
    assert 'href="/settings/terms/"' in client.get("/").content.decode()
    client.force_login(UserFactory(role="manager"))
    assert 'href="/settings/terms/"' not in client.get("/").content.decode()


def test_labels_built_in_python_follow_the_words_in_the_readers_language(api_as):
    """The dashboard's column headings (``reporting.tables``) read the word in the language the
    page or export is built in."""
    from django.utils import translation

    from reporting.tables import t_most_used

    api_as(UserFactory(role="admin")).patch("/api/v1/terms/", ADVOCATES, format="json")
    for language, expected in (("en", ["Advocate", "Customer"]), ("de", ["Fürsprecher", "Kunde"])):
        with translation.override(language):
            table = t_most_used({"most_used": []})
        assert [heading for _key, heading, _kind in table.columns[:2]] == expected


def test_the_api_keeps_its_field_names_and_codes(api_as):
    profile = ReferenceProfileFactory()
    admin = api_as(UserFactory(role="admin"))
    admin.patch(
        "/api/v1/terms/", {"en": {"customer": {"singular": "Account", "plural": "Accounts"}}}, format="json"
    )
    body = admin.get(f"/api/v1/references/{profile.pk}/").json()
    assert body["customer"] == profile.customer_id or body["customer"]["id"] == profile.customer_id
    assert "account" not in body
    assert set(admin.get("/api/v1/terms/").json()["en"]) == {"reference", "customer"}


def test_the_audit_log_shows_who_renamed_and_who_put_the_usual_word_back(api_as):
    admin = UserFactory(role="admin", username="renamer")
    other = UserFactory(role="admin", username="restorer")
    api_as(admin).patch("/api/v1/terms/", {"en": ADVOCATES["en"]}, format="json")
    api_as(admin).patch(
        "/api/v1/terms/",
        {"en": {"reference": {"singular": "Champion", "plural": "Champions"}}},
        format="json",
    )
    api_as(other).patch("/api/v1/terms/", {"en": {"reference": None}}, format="json")

    response = api_as(admin).get("/api/v1/audit/", {"object_type": "term"})

    assert response.status_code == 200, response.content
    entries = response.json()["results"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("deleted", "restorer"),
        ("changed", "renamer"),
        ("created", "renamer"),
    ]
    assert entries[2]["changes"]["singular"] == [None, "Advocate"]
    assert entries[1]["changes"] == {
        "singular": ["Advocate", "Champion"],
        "plural": ["Advocates", "Champions"],
    }
