"""Pages for requests and query counts of the lists at two sizes (which role may open which page
or endpoint is the one table of tests/proof/test_access_matrix.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.models import Candidate, Request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_requester_may_edit_a_request_nobody_has_worked_on(client_as, users, make_request):
    """The access table's request already has a candidate (only the manager may edit it then)."""
    request = make_request(users["sales"])
    assert client_as(users["sales"]).get(f"/requests/{request.pk}/edit/").status_code == 200


def test_anonymous_is_sent_to_login_or_401(client):
    assert client.get("/requests/mine/").status_code == 302
    assert client.get("/api/v1/requests/").status_code in (401, 403)


def test_intake_prefilled_from_catalog_query(client_as, sales, make_profile):
    make_profile(products=["Vault"])
    page = client_as(sales).get(
        "/requests/new/?industry=finance&product=Vault&region=emea&region=na&activity_type=call&seniority=vp&search=fraud"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="must_field"' in html and 'name="must_value" value="Financial services"' in html
    assert 'value="Vault"' in html
    assert "From a catalog search for: fraud" in html
    assert '<option value="call" selected>' in html


def test_intake_submits_and_redirects_with_lead_time_warning(client_as, sales):
    client = client_as(sales)
    response = client.post(
        "/requests/new/",
        {
            "activity_type": "site_visit",
            "prospect_name": "Globex",
            "prospect_size_band": "enterprise",
            "references_needed": "1",
            "needed_by": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "must_field": ["industry"],
            "must_value": ["finance"],
            "nice_field": ["deployment", ""],
            "nice_value": ["cloud", ""],
            "nice_weight": ["", ""],
        },
        follow=True,
    )
    assert response.status_code == 200
    request = Request.objects.get(prospect_name="Globex")
    assert request.criteria == {
        "must": [{"field": "industry", "value": "finance"}],
        "nice": [{"field": "deployment", "value": "cloud", "weight": 5}],
    }
    html = response.content.decode()
    assert "usually takes 21 days" in html
    assert "Submitted" in html


def test_intake_bad_criteria_rerenders_with_message(client_as, sales):
    response = client_as(sales).post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Globex",
            "references_needed": "1",
            "needed_by": "2030-01-01T10:00",
            "must_field": ["industry"],
            "must_value": ["bakeries"],
        },
    )
    assert response.status_code == 200
    assert "is not a known industry" in response.content.decode()
    assert not Request.objects.exists()


def test_request_page_shows_matches_and_htmx_propose_swaps_in_place(
    client_as, manager, sales, make_profile, make_request
):
    ref = make_profile(name="Initech", products=["Vault"])
    request = make_request(sales, must=[("product", "Vault")])
    client = client_as(manager)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Initech" in page and "How matches are ranked" in page and "Meets every must-have" in page
    # The score factor by factor: same size band as the prospect is not asked (no prospect size),
    # health 50 gives 10, a fresh validation 5.
    assert '<li data-factor="health">customer health 50 <strong>+10</strong></li>' in page
    assert '<li data-factor="freshness">validated within 90 days <strong>+5</strong></li>' in page

    response = client.post(f"/requests/{request.pk}/propose/", {"reference": ref.pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workbench">')  # a fragment, not a whole page
    assert "<html" not in html
    assert "capacity reserved" in html
    assert Candidate.objects.get(request=request).reference == ref


def test_request_page_transition_and_short_supply(client_as, manager, sales, make_profile, make_request):
    request = make_request(sales, must=[("industry", "energy")])
    client = client_as(manager)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Supply is short" in page and "No reference meets every must-have" in page

    ref = make_profile(industry="energy")
    client.post(f"/requests/{request.pk}/propose/", {"reference": ref.pk})
    candidate = Candidate.objects.get(request=request)
    bad = client.post(f"/candidates/{candidate.pk}/transition/", {"to": "completed"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "cannot move to completed" in bad.content.decode()
    ok = client.post(
        f"/candidates/{candidate.pk}/transition/",
        {"to": "owner_approved", "note": "Agreed by phone."},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200
    candidate.refresh_from_db()
    assert candidate.state == "owner_approved"


def test_queue_orders_by_urgency_and_bulk_assigns(client_as, manager, sales, make_request):
    relaxed = make_request(sales, activity="email", needed_in_days=30)
    tight = make_request(
        sales, activity="case_study", needed_in_days=20
    )  # 60-day lead time: start by long ago
    overdue = make_request(sales, needed_in_days=-1)
    client = client_as(manager)
    html = client.get("/requests/queue/").content.decode()
    positions = [html.index(f"/requests/{r.pk}/") for r in (overdue, tight, relaxed)]
    assert positions == sorted(positions)
    assert "Overdue by" in html

    response = client.post("/requests/queue/assign/", {"requests": [relaxed.pk, tight.pk]})
    assert response.status_code == 302
    assert set(Request.objects.filter(assignee=manager).values_list("pk", flat=True)) == {
        relaxed.pk,
        tight.pk,
    }


def test_requester_outcome_and_cancel_pages(client_as, sales, make_request):
    request = make_request(sales)
    client = client_as(sales)
    client.post(f"/requests/{request.pk}/outcome/", {"result": "won", "amount": "1000"})
    request.refresh_from_db()
    assert request.outcome_result == "won"
    client.post(f"/requests/{request.pk}/cancel/", {"reason": "No longer needed"})
    request.refresh_from_db()
    assert request.status == "cancelled"


@pytest.mark.parametrize("url", ["/requests/queue/", "/requests/mine/", "/api/v1/requests/"])
def test_list_query_counts_do_not_grow(client_as, manager, make_request, django_assert_num_queries, url):
    client = client_as(manager)

    def count_for(n):
        for _ in range(n):
            make_request(manager, products=["Vault"])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count_for(3)
    large = count_for(10)
    assert small == large
    with django_assert_num_queries(large):
        client.get(url)


QUERIES_PINNED = 10


def test_matches_endpoint_query_count_fixed(api_as, manager, sales, make_profile, make_request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_profile(products=["Vault"], industry="retail")
    request = make_request(sales, must=[("industry", "finance")], nice=[("product", "Vault", 3)])
    client = api_as(manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/requests/{request.pk}/matches/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        make_profile(products=["Vault"])
    small = count()
    for _ in range(8):
        make_profile(products=["Vault"])
    assert count() == small
    # The request and its products, the policy, the product list, the candidates (one read of
    # their own rows), their verdict and load (three grouped reads), the top ones' details, and the
    # industries' names to say the must-have in words.
    assert small == QUERIES_PINNED


def test_other_sales_rep_gets_404_on_pages(client_as, users, make_request):
    request = make_request(users["sales"])
    rep2 = UserFactory(username="sales2", role="sales")
    client = client_as(rep2)
    assert client.get(f"/requests/{request.pk}/").status_code == 404
    assert client.post(f"/requests/{request.pk}/outcome/", {"result": "won"}).status_code == 404
    assert f"/requests/{request.pk}/" not in client.get("/requests/mine/").content.decode()


# --- Unmet demand: recorded when a request is submitted or changed, never by looking at it -------


def test_looking_at_a_request_records_no_unmet_demand_and_changing_it_does(
    client_as, api_as, users, make_profile, make_request
):
    from references.models import ReferenceProfile
    from requests_app.models import UnmetDemand

    profile = make_profile(industry="healthcare")
    request = make_request(users["sales"], must=[("industry", "healthcare")])
    assert not UnmetDemand.objects.exists()  # one healthcare reference can be proposed: not short
    ReferenceProfile.objects.filter(pk=profile.pk).update(status="resting", resting_reason="request")

    manager = users["manager"]
    assert client_as(manager).get(f"/requests/{request.pk}/").status_code == 200
    api = api_as(manager)
    matches = api.get(f"/api/v1/requests/{request.pk}/matches/").json()
    supply = api.get(f"/api/v1/requests/{request.pk}/supply/").json()

    assert [(m["reference"]["id"], m["available"]) for m in matches] == [(profile.pk, False)]
    assert (supply["short"], supply["reason"]) == (True, "all_unavailable")
    assert not UnmetDemand.objects.exists()

    response = api.patch(f"/api/v1/requests/{request.pk}/", {"prospect_name": "Renamed Inc"}, format="json")
    assert response.status_code == 200, response.content
    assert list(UnmetDemand.objects.values_list("request_id", "reason")) == [(request.pk, "all_unavailable")]


def test_submitting_a_request_nobody_can_meet_records_its_unmet_demand_once(
    client_as, api_as, users, make_profile, make_request
):
    from requests_app.models import UnmetDemand

    make_profile(industry="finance")
    request = make_request(users["sales"], must=[("industry", "retail")], industry="retail")

    assert list(UnmetDemand.objects.values_list("request_id", "reason", "industry_id")) == [
        (request.pk, "no_match", "retail")
    ]
    client_as(users["manager"]).get(f"/requests/{request.pk}/")
    api_as(users["manager"]).get(f"/api/v1/requests/{request.pk}/matches/")
    assert UnmetDemand.objects.count() == 1
