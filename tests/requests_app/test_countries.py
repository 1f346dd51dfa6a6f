"""Countries by their names, never their codes, where a person chooses one: the request form's
prospect country, a country criterion typed or picked by name, the catalog's country filter. The
data, the API and the CSV keep the two letters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.models import Request

pytestmark = pytest.mark.django_db


def test_the_request_form_offers_countries_by_name(client_as, sales):
    html = client_as(sales).get("/requests/new/").content.decode()
    assert '<select name="prospect_country"' in html
    assert '<option value="DE">Germany</option>' in html
    assert 'maxlength="2"' not in html


def test_a_country_criterion_by_its_name_is_kept_as_its_code_and_shown_by_name(client_as, sales):
    client = client_as(sales)
    response = client.post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Globex",
            "prospect_country": "FR",
            "references_needed": "1",
            "needed_by": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "must_field": ["country"],
            "must_value": ["germany"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = Request.objects.get(prospect_name="Globex")
    assert request.prospect_country == "FR"
    assert request.criteria["must"] == [{"field": "country", "value": "DE"}]
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Country: Germany" in page


def test_a_country_that_is_not_one_is_refused_with_words(client_as, sales):
    response = client_as(sales).post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Globex",
            "references_needed": "1",
            "needed_by": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "must_field": ["country"],
            "must_value": ["Atlantis"],
        },
    )
    assert response.status_code == 200
    assert "&#x27;Atlantis&#x27; is not a country; give its name (Germany) or its two letters (DE)." in (
        response.content.decode()
    )
    assert not Request.objects.filter(prospect_name="Globex").exists()


def test_the_catalog_filters_by_a_country_chosen_by_name(client_as, sales):
    html = client_as(sales).get("/catalog/").content.decode()
    assert '<option value="DE">Germany</option>' in html
    assert "Two letters" not in html
