"""A request needed by a moment already past is refused (page and API, one service rule); an
update keeping an existing past date is allowed; the lead-time warning shows once; the deal
outcome form preselects nothing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from requests_app.models import Request

pytestmark = pytest.mark.django_db

PAST = "This date and time is already past: choose a later one."


def _form(needed_by: str, **extra) -> dict:
    return {
        "activity_type": "call",
        "prospect_name": "Globex",
        "references_needed": "1",
        "needed_by": needed_by,
        **extra,
    }


def _local(delta: timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def test_the_intake_page_refuses_a_past_needed_by_on_the_field(client_as, sales):
    response = client_as(sales).post("/requests/new/", _form(_local(-timedelta(days=10))))
    assert response.status_code == 200
    html = response.content.decode()
    field = html[html.index('name="needed_by"') :]
    assert PAST in field[: field.index("</div>")]  # the error sits with the needed-by field
    assert not Request.objects.exists()


def test_the_api_refuses_a_past_needed_by_with_a_field_error(api_as, sales):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api_as(sales).post(
        "/api/v1/requests/",
        {"activity_type": "call", "prospect": {"name": "Globex"}, "needed_by": past},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"needed_by": [PAST]}
    assert not Request.objects.exists()


def test_an_update_may_keep_an_existing_past_date_but_not_move_to_another(
    api_as, manager, sales, make_request
):
    overdue = make_request(sales, needed_in_days=-2)  # submitted before its date passed
    api = api_as(manager)
    kept = api.patch(f"/api/v1/requests/{overdue.pk}/", {"references_needed": 2}, format="json")
    assert kept.status_code == 200, kept.content
    same = api.patch(
        f"/api/v1/requests/{overdue.pk}/", {"needed_by": overdue.needed_by.isoformat()}, format="json"
    )
    assert same.status_code == 200, same.content
    other_past = (overdue.needed_by - timedelta(days=1)).isoformat()
    moved = api.patch(f"/api/v1/requests/{overdue.pk}/", {"needed_by": other_past}, format="json")
    assert (moved.status_code, moved.json()) == (400, {"needed_by": [PAST]})
    future = (timezone.now() + timedelta(days=9)).isoformat()
    assert (
        api.patch(f"/api/v1/requests/{overdue.pk}/", {"needed_by": future}, format="json").status_code == 200
    )


def test_the_edit_page_keeps_an_existing_past_date(client_as, manager, sales, make_request):
    overdue = make_request(sales, needed_in_days=-2)
    client = client_as(manager)
    kept = timezone.localtime(overdue.needed_by).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/requests/{overdue.pk}/edit/", _form(kept, prospect_name="Globex Renamed"))
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.prospect_name == "Globex Renamed"


def test_the_lead_time_warning_shows_once_after_submit(client_as, sales):
    response = client_as(sales).post(
        "/requests/new/", _form(_local(timedelta(days=2)), activity_type="site_visit"), follow=True
    )
    html = response.content.decode()
    assert html.count("usually takes 21 days") == 1


def test_the_outcome_form_preselects_nothing(client_as, sales, make_request):
    request = make_request(sales)
    Request.objects.filter(pk=request.pk).update(opportunity_amount=Decimal("250000"))
    html = client_as(sales).get(f"/requests/{request.pk}/").content.decode()
    form = html[html.index('id="outcome-form"') : html.index("</form>", html.index('id="outcome-form"'))]
    assert 'value="won"' in form and 'value="lost"' in form
    assert '<option value="" selected>' in form  # "choose won or lost", not a result
    assert not re.search(r'value="(won|lost)"[^>]*selected', form)
    assert "250000" not in form


def test_an_outcome_without_a_result_is_a_form_error(client_as, sales, make_request):
    request = make_request(sales)
    client = client_as(sales)
    response = client.post(f"/requests/{request.pk}/outcome/", {"amount": "1000"})
    assert response.status_code == 200
    assert "Choose won or lost." in response.content.decode()
    request.refresh_from_db()
    assert (request.outcome_result, request.outcome_amount) == ("", None)
    response = client.post(f"/requests/{request.pk}/outcome/", {"result": "lost"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.outcome_result, request.outcome_amount) == ("lost", None)
    # Once reported, the form shows what was reported (not a default).
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert re.search(r'value="lost"[^>]*selected', html) and not re.search(r'value="won"[^>]*selected', html)
