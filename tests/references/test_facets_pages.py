"""Filters as checkbox facets with counts: the inventory, the catalog and the request queue.

A hand-built inventory of three references; every expected count below is counted by hand from
it. A facet's counts ignore the facet's own choice and apply every other filter."""

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProductFactory, ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

OPTION = re.compile(
    r'id="f-(?P<facet>[a-z_]+)-(?P<slug>[\w-]+)"[^>]*> <span class="facet-label">(?P<label>[^<]*)</span> '
    r'<span class="facet-count"[^>]*>(?P<count>\d+)</span>'
)


def facets(response) -> dict[str, dict[str, int]]:
    """{facet name: {option label: count}} as the page shows them."""
    found: dict[str, dict[str, int]] = {}
    for m in OPTION.finditer(response.content.decode()):
        found.setdefault(m["facet"], {})[htmllib.unescape(m["label"])] = int(m["count"])
    return found


def result_count(response) -> int:
    return int(
        re.search(r'<p class="result-count" role="status"><strong>(\d+)</strong>', response.content.decode())[
            1
        ]
    )


@pytest.fixture
def inventory(db):
    monitor = ProductFactory(name="Monitor Pro")
    ReferenceProfileFactory(
        contact__customer__name="Alpha Bank",
        contact__customer__industry_id="finance",
        contact__customer__region_id="emea",
        contact__seniority="c_level",
        contact__languages=["en", "de"],
        activity_types=["call", "email"],
        products=[monitor],
    )
    ReferenceProfileFactory(
        contact__customer__name="Beta Bank",
        contact__customer__industry_id="finance",
        contact__customer__region_id="na",
        contact__customer__size_band="smb",
        activity_types=["call"],
    )
    ReferenceProfileFactory(
        contact__customer__name="Gamma Clinic",
        contact__customer__industry_id="healthcare",
        contact__customer__region_id="na",
        activity_types=["site_visit"],
        products=[monitor],
    )
    ReferenceProfileFactory(
        contact__customer__name="Omega Retired", contact__customer__industry_id="retail", status="retired"
    )


def test_inventory_facets_count_each_option(inventory, users, client_as):
    response = client_as(users["manager"]).get(reverse("inventory"))
    assert response.status_code == 200
    shown = facets(response)
    assert result_count(response) == 4
    assert shown["industry"] == {"Financial services": 2, "Healthcare": 1, "Retail": 1}
    assert shown["region"] == {"Europe, Middle East and Africa": 2, "North America": 2}
    assert shown["activity_type"] == {"Reference call": 3, "Email exchange": 2, "Site visit": 1}
    assert shown["status"] == {"Active": 3, "Retired": 1}
    assert shown["product"] == {"Monitor Pro": 2}
    assert shown["language"] == {"English": 4, "German": 1}
    assert shown["seniority"] == {"VP": 3, "C-level": 1}


def test_a_ticked_facet_keeps_its_own_counts_and_narrows_the_others(inventory, users, client_as):
    response = client_as(users["manager"]).get(reverse("inventory"), {"industry": "finance"})
    shown = facets(response)
    assert result_count(response) == 2
    # Its own options still count as if nothing were ticked: ticking Healthcare would add one.
    assert shown["industry"] == {"Financial services": 2, "Healthcare": 1, "Retail": 1}
    assert shown["region"] == {"Europe, Middle East and Africa": 1, "North America": 1}
    assert shown["size_band"] == {"Enterprise (1,000–9,999)": 1, "SMB (<100)": 1}
    assert 'id="f-industry-finance" checked' in response.content.decode()
    # Two facets: each applies the other.
    response = client_as(users["manager"]).get(reverse("inventory"), {"industry": "finance", "region": "na"})
    shown = facets(response)
    assert result_count(response) == 1
    assert shown["industry"] == {"Financial services": 1, "Healthcare": 1}
    assert shown["region"] == {"Europe, Middle East and Africa": 1, "North America": 1}


def test_filters_show_words_not_codes_or_raw_widgets(inventory, users, client_as):
    html = client_as(users["manager"]).get(reverse("inventory")).content.decode()
    for raw in ("Ctrl-click", "Unknown", "---------", "<select multiple", "Country (code)"):
        assert raw not in html
    assert '<span class="facet-label">finance</span>' not in html
    # Yes/no filters are radios: Any / Yes / No.
    assert re.search(r'<input type="radio" name="available" value="true"[^>]*> Yes', html)
    assert re.search(r'<input type="radio" name="available" value=""[^>]*checked[^>]*> Any', html)


def test_htmx_gets_the_filters_and_results_only_a_plain_get_the_page(inventory, users, client_as):
    client = client_as(users["manager"])
    partial = client.get(reverse("inventory"), {"industry": "healthcare"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and "<nav" not in body.split('id="facet-page"')[0]
    assert body.lstrip().startswith("{#") is False and 'id="facet-page"' in body
    assert result_count(partial) == 1 and "Gamma Clinic" in body and "Alpha Bank" not in body
    assert "HX-Request" in partial["Vary"]
    # The same URL without htmx (no JavaScript: the Apply button) is the whole page.
    full = client.get(reverse("inventory"), {"industry": "healthcare", "available": "true"})
    assert full.status_code == 200
    assert "<html" in full.content.decode() and "Apply filters" in full.content.decode()
    assert result_count(full) == 1
    # A history restore (back button, cache miss) needs the whole page too.
    restore = client.get(
        reverse("inventory"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_the_inventory_reads_a_fixed_number_of_queries_with_facets_ticked(
    inventory, users, client_as, django_assert_max_num_queries
):
    client = client_as(users["manager"])
    client.get(reverse("inventory"))  # the session
    query = {"industry": ["finance", "healthcare"], "region": "na", "status": "active", "available": "true"}
    for _ in range(8):
        ReferenceProfileFactory(contact__customer__industry_id="finance", contact__customer__region_id="na")
    # Ten facets: one grouped query for the facets nobody ticked, one for each ticked facet.
    with django_assert_max_num_queries(26):
        response = client.get(reverse("inventory"), query)
    assert result_count(response) == 10


# --- The catalog -----------------------------------------------------------------------------


def test_the_catalog_shows_compact_cards_with_the_key_facts_and_the_count(inventory, users, client_as):
    response = client_as(users["sales"]).get(reverse("catalog"))
    html = response.content.decode()
    assert result_count(response) == 3  # the retired one is not in the catalog
    cards = html.split('<li class="card refcard">')[1:]
    assert len(cards) == 3
    alpha = next(card for card in cards if "Alpha Bank" in card)
    for fact in (
        "Financial services",
        "Europe, Middle East and Africa",
        "Enterprise",
        "Reference call",
        "Email exchange",
        "Monitor Pro",
        "Available",
    ):
        assert fact in alpha
    assert '<details class="refcard-more">' in alpha  # the rest on demand
    # Facets in the catalog: no status facet, counts from the catalog only.
    shown = facets(response)
    assert "status" not in shown
    assert shown["industry"] == {"Financial services": 2, "Healthcare": 1}
    # No contact details in the catalog.
    assert "@customer.example" not in html


def test_the_catalog_filters_with_htmx_and_without(
    inventory, users, client_as, django_assert_max_num_queries
):
    client = client_as(users["sales"])
    client.get(reverse("catalog"))
    with django_assert_max_num_queries(24):
        partial = client.get(
            reverse("catalog"), {"activity_type": "site_visit"}, headers={"HX-Request": "true"}
        )
    assert "<html" not in partial.content.decode()
    assert result_count(partial) == 1 and "Gamma Clinic" in partial.content.decode()
    assert facets(partial)["activity_type"] == {"Reference call": 2, "Email exchange": 1, "Site visit": 1}
    full = client.get(reverse("catalog"), {"activity_type": "call", "industry": "finance"})
    assert result_count(full) == 2 and "<html" in full.content.decode()


# --- The request queue -----------------------------------------------------------------------


@pytest.fixture
def queue(users):
    from references.models import ActivityType
    from requests_app import services
    from requests_app.models import Request

    dana = UserFactory(username="dana", first_name="Dana", last_name="Manager", role="manager")
    call = ActivityType.objects.get(code="call")
    visit = ActivityType.objects.get(code="site_visit")
    later = timezone.now() + timedelta(days=30)
    rows = [
        ("Mine one", call, users["manager"]),
        ("Mine two", visit, users["manager"]),
        ("Dana's", call, dana),
        ("Nobody's", call, None),
    ]
    for name, activity, assignee in rows:
        request, _ = services.request_submit(
            requester=users["sales"],
            data={
                "activity_type": activity,
                "prospect_name": name,
                "needed_by": later,
                "references_needed": 1,
            },
        )
        Request.objects.filter(pk=request.pk).update(assignee=assignee)
    return dana


def test_the_queue_offers_assignees_by_name_with_counts(queue, users, client_as):
    response = client_as(users["manager"]).get(reverse("requests:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "user id" not in html and "Unknown" not in html
    shown = facets(response)
    assert shown["assignee"] == {"Me": 2, "Nobody yet": 1, "Dana Manager": 1}
    assert shown["activity_type"] == {"Reference call": 3, "Site visit": 1}
    assert result_count(response) == 4


def test_the_queue_filters_by_me_nobody_or_a_person(queue, users, client_as):
    client = client_as(users["manager"])
    mine = client.get(reverse("requests:queue"), {"assignee": "me"}, headers={"HX-Request": "true"})
    assert result_count(mine) == 2 and "<html" not in mine.content.decode()
    assert facets(mine)["activity_type"] == {"Reference call": 1, "Site visit": 1}
    both = client.get(reverse("requests:queue"), {"assignee": ["none", str(queue.pk)]})
    assert result_count(both) == 2
    assert "Nobody&#x27;s" in both.content.decode() and "Dana&#x27;s" in both.content.decode()


def test_the_api_keeps_its_assignee_filter(queue, users, api_as):
    api = api_as(users["manager"])
    assert api.get("/api/v1/requests/", {"assignee": "me"}).json()["count"] == 2
    assert api.get("/api/v1/requests/", {"assignee": "none"}).json()["count"] == 1
    assert api.get("/api/v1/requests/", {"assignee": str(queue.pk)}).json()["count"] == 1


@pytest.mark.parametrize(
    ("role", "offered"),
    [("sales", True), ("manager", True), ("marketing", True), ("executive", False), ("admin", False)],
)
def test_the_catalog_offers_a_request_only_to_who_may_make_one(inventory, users, client_as, role, offered):
    """An executive or an administrator browses the catalog but cannot ask for a reference: no
    button or link leads them to a page that would refuse them."""
    html = client_as(users[role]).get("/catalog/").content.decode()
    assert ("Request references like these" in html) is offered
    assert ('href="/requests/new/' in html) is offered
