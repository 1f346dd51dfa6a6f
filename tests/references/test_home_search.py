"""The home page's catalog search: empty choices submit nothing, and commas separate
alternatives in the free text (the catalog page and the API share the one parser)."""

import re

import pytest

from references.filters import search_terms
from references.models import Industry
from tests.factories import CustomerFactory, ReferenceProfileFactory

PLACEHOLDER_EXAMPLE = "cloud migration, healthcare, SAP replaced"


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        (
            "cloud migration, healthcare, SAP replaced",
            [["cloud", "migration"], ["healthcare"], ["SAP", "replaced"]],
        ),
        ("cloud migration", [["cloud", "migration"]]),
        (" , ;, ", []),
        ("", []),
        ("a;b,,c", [["a"], ["b"], ["c"]]),
        (
            "one two three four five six seven, eight nine ten eleven twelve thirteen",
            [
                ["one", "two", "three", "four", "five", "six", "seven"],
                ["eight", "nine", "ten", "eleven", "twelve"],
            ],
        ),
    ],
)
def test_search_terms(text, terms):
    assert search_terms(text) == terms


@pytest.fixture
def profiles(db):
    healthcare = Industry.objects.get(code="healthcare")
    return {
        "cloud": ReferenceProfileFactory(headline="Cloud migration in six weeks", story="Moved 300 apps."),
        "health": ReferenceProfileFactory(contact__customer=CustomerFactory(industry=healthcare)),
        "sap": ReferenceProfileFactory(competitor="SAP", story="Replaced SAP across 12 plants."),
        "other": ReferenceProfileFactory(headline="Faster invoicing", story="Billing in a day."),
        "cloud_only": ReferenceProfileFactory(headline="Cloud first", story="Everything hosted."),
    }


def _catalog_ids(client, query: str) -> set[int]:
    response = client.get("/catalog/", {"search": query})
    assert response.status_code == 200
    return {p.pk for p in response.context["page"].object_list}


def test_the_placeholder_example_finds_each_alternative(profiles, users, client_as):
    found = _catalog_ids(client_as(users["sales"]), PLACEHOLDER_EXAMPLE)
    assert found == {profiles["cloud"].pk, profiles["health"].pk, profiles["sap"].pk}


def test_without_commas_every_word_must_match(profiles, users, client_as):
    client = client_as(users["sales"])
    assert _catalog_ids(client, "cloud migration") == {profiles["cloud"].pk}
    assert _catalog_ids(client, "everything hosted") == {profiles["cloud_only"].pk}
    assert _catalog_ids(client, "migration hosted") == set()
    assert _catalog_ids(client, "migration, hosted") == {profiles["cloud"].pk, profiles["cloud_only"].pk}


def test_the_api_reads_commas_the_same_way(profiles, users, api):
    api.force_authenticate(users["manager"])
    response = api.get("/api/v1/references/", {"search": "invoicing, cloud migration"})
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert {row["id"] for row in rows} == {profiles["other"].pk, profiles["cloud"].pk}


def test_home_search_choices_submit_nothing_when_left_at_any(users, client_as):
    html = client_as(users["sales"]).get("/").content.decode()
    form = html[html.index('id="home-search"') : html.index("</form>", html.index('id="home-search"'))]
    # A disabled, selected option is not submitted (HTML form data set): "Any" sends no value.
    assert '<option value="" disabled selected>Any industry</option>' in form
    assert '<option value="" disabled selected>Any activity</option>' in form
    assert len(re.findall(r"<option[^>]*\bselected\b", form)) == 2
    assert '<button type="reset">Clear</button>' in form
    assert f'placeholder="e.g. {PLACEHOLDER_EXAMPLE}"' in form


def test_what_the_home_form_submits_is_accepted(profiles, users, client_as):
    # Left at "Any": only the search is sent. A chosen industry and activity: their codes.
    client = client_as(users["sales"])
    for params in (
        {"search": PLACEHOLDER_EXAMPLE},
        {"search": PLACEHOLDER_EXAMPLE, "industry": "healthcare", "activity_type": "call"},
    ):
        response = client.get("/catalog/", params)
        assert response.status_code == 200
        assert "Select a valid choice" not in response.content.decode()
    assert {p.pk for p in response.context["page"].object_list} == {profiles["health"].pk}


@pytest.mark.browser
def test_a_browser_submits_no_empty_choice(live_server, page, transactional_db):
    """What Chromium sends from the home form left at "Any industry / Any activity"."""
    from references import defaults
    from tests.conftest import PASSWORD
    from tests.factories import UserFactory

    defaults.install()  # the transactional test's flush removed the shipped lists
    ReferenceProfileFactory(headline="Cloud migration in six weeks")
    sales = UserFactory(username="search_sales", role="sales")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", sales.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.fill("#home-search input[name=search]", PLACEHOLDER_EXAMPLE)
    page.click("#home-search >> text=Search the catalog")
    page.wait_for_url("**/catalog/?*")
    assert "industry=" not in page.url and "activity_type=" not in page.url
    body = page.locator("body").inner_text()
    assert "Select a valid choice" not in body
    assert "Cloud migration in six weeks" in body
    # A chosen industry is sent; Clear brings the form back to sending nothing.
    page.goto(f"{live_server.url}/")
    page.select_option("#home-search select[name=industry]", "finance")
    page.click("#home-search >> text=Clear")
    page.click("#home-search >> text=Search the catalog")
    page.wait_for_url("**/catalog/?*")
    assert "industry=" not in page.url
