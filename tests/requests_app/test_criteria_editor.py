"""The request form's criteria editor speaks labels, not codes: a person picks what a criterion is
about, types or picks its value by its label ("Financial services"), and says how much a
nice-to-have matters in words (high 5, medium 3, low 1). The API keeps its codes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.models import Request

pytestmark = pytest.mark.django_db


def _post(client, **criteria):
    data = {
        "activity_type": "call",
        "prospect_name": "Globex",
        "references_needed": "1",
        "needed_by": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        **criteria,
    }
    return client.post("/requests/new/", data)


def test_labels_typed_by_hand_are_accepted_and_stored_as_codes(client_as, sales):
    response = _post(
        client_as(sales),
        must_field=["industry", "region"],
        must_value=["Financial services", "north america"],
        nice_field=["seniority", "size_band", "language"],
        nice_value=["C-level", "Enterprise (1,000–9,999)", "German"],
        nice_weight=["5", "3", "1"],
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    request = Request.objects.get(prospect_name="Globex")
    assert request.criteria == {
        "must": [{"field": "industry", "value": "finance"}, {"field": "region", "value": "na"}],
        "nice": [
            {"field": "seniority", "value": "c_level", "weight": 5},
            {"field": "size_band", "value": "enterprise", "weight": 3},
            {"field": "language", "value": "de", "weight": 1},
        ],
    }


def test_the_editor_shows_labels_and_importance_in_words_never_codes(client_as, sales):
    client = client_as(sales)
    _post(
        client,
        must_field=["industry"],
        must_value=["finance"],
        nice_field=["seniority"],
        nice_value=["c_level"],
        nice_weight=["3"],
    )
    request = Request.objects.get(prospect_name="Globex")
    html = client.get(f"/requests/{request.pk}/edit/").content.decode()
    assert re.search(r'name="must_value" value="Financial services"', html)
    assert re.search(r'name="nice_value" value="C-level"', html)
    assert not re.search(r'name="(must|nice)_value" value="(finance|c_level)"', html)
    # Importance as words: Medium chosen, High and Low offered; no number to type.
    assert re.search(r'<option value="3" selected>Medium</option>', html)
    assert '<option value="5">High</option>' in html and '<option value="1">Low</option>' in html
    assert 'type="number" name="nice_weight"' not in html
    # What a criterion is about, by its label; its values suggested by label.
    assert '<option value="industry">Industry</option>' in html
    assert '<datalist id="criterion-values-industry">' in html
    assert '<option value="Financial services"></option>' in html
    assert '<option value="Europe, Middle East and Africa"></option>' in html


def test_an_unknown_value_names_the_labels_to_choose_from(client_as, sales):
    response = _post(client_as(sales), must_field=["industry"], must_value=["bakeries"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Must-have 1: &#x27;bakeries&#x27; is not a known industry; choose one of:" in html
    assert "Financial services" in html and "must[0]" not in html
    # What was typed comes back as typed.
    assert re.search(r'name="must_value" value="bakeries"', html)


def test_a_weight_set_through_the_api_is_kept_in_words(client_as, sales, api_as):
    response = api_as(sales).post(
        "/api/v1/requests/",
        {
            "activity_type": "call",
            "prospect": {"name": "Initech"},
            "references_needed": 1,
            "needed_by": (timezone.now() + timedelta(days=30)).isoformat(),
            "criteria": {"must": [], "nice": [{"field": "deployment", "value": "cloud", "weight": 4}]},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    html = client_as(sales).get(f"/requests/{response.json()['id']}/edit/").content.decode()
    assert '<option value="4" selected>Medium to high</option>' in html
    assert re.search(r'name="nice_value" value="Cloud"', html)


def test_the_api_keeps_its_codes(sales, api_as):
    response = api_as(sales).post(
        "/api/v1/requests/",
        {
            "activity_type": "call",
            "prospect": {"name": "Initech"},
            "references_needed": 1,
            "needed_by": (timezone.now() + timedelta(days=30)).isoformat(),
            "criteria": {"must": [{"field": "industry", "value": "nope"}], "nice": []},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "must[0]: unknown industry 'nope'; valid values:" in str(response.json())
    assert "finance" in str(response.json())


def test_no_javascript_new_rows_suggest_every_label(client_as, sales):
    """Without JavaScript the empty rows' value box suggests every field's labels."""
    html = client_as(sales).get("/requests/new/").content.decode()
    assert 'list="criterion-values-any"' in html
    any_list = html.split('<datalist id="criterion-values-any">')[1].split("</datalist>")[0]
    assert '<option value="Financial services"></option>' in any_list
    assert '<option value="C-level"></option>' in any_list
