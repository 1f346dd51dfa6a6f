"""Marketing's board, a customer's approvals, the content library and their query counts."""

from datetime import timedelta

import pytest

from approvals.models import Approval
from approvals.selectors import approved_assets_for
from references.models import Industry
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _rows(html):
    return html.count('<tr data-customer="')


def test_the_board_answers_can_we_use_the_logo_today(users, client_as, acme, make_approval):
    make_approval(status="approved", use="logo", customer=acme, days=200)
    make_approval(status="in_review", use="quote", customer=acme)
    make_approval(status="declined", use="video", customer=acme)
    make_approval(status="approved", use="case_study", customer=acme, days=10)
    make_approval(status="expired", use="press_release", customer=acme, days=-3)
    html = client_as(users["marketing"]).get("/approvals/", {"customer_name": "acme"}).content.decode()
    assert _rows(html) == 1
    for use, state in [
        ("logo", "approved"),
        ("quote", "pending"),
        ("video", "declined"),
        ("case_study", "expiring"),
        ("press_release", "expired"),
        ("name", "none"),
    ]:
        assert f'data-use="{use}" data-state="{state}"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"expiring": "true"}, {"Soon"}),
        ({"status": "declined"}, {"Declined Co"}),
        ({"use": "quote"}, {"Soon"}),
        ({"industry": "retail"}, {"Declined Co"}),
        ({"product": "Sentinel"}, {"Soon"}),
        ({"customer_name": "later"}, {"Later"}),
        ({"channel": "press"}, {"Later"}),
        ({}, {"Soon", "Later", "Declined Co", "No approvals"}),
    ],
)
def test_board_filters(params, expected, users, client_as, make_approval):
    soon = CustomerFactory(name="Soon")
    soon.products.add(ProductFactory(name="Sentinel"))
    make_approval(status="approved", use="quote", customer=soon, days=12)
    make_approval(
        status="approved", use="logo", customer=CustomerFactory(name="Later"), days=90, scope=["press"]
    )
    retail = CustomerFactory(name="Declined Co", industry=Industry.objects.get(code="retail"))
    make_approval(status="declined", use="logo", customer=retail)
    CustomerFactory(name="No approvals")
    html = client_as(users["marketing"]).get("/approvals/", {"view": "all", **params}).content.decode()
    shown = {
        name
        for name in ("Soon", "Later", "Declined Co", "No approvals")
        if f"<strong>{name}</strong>" in html
    }
    assert shown == expected


def test_a_bad_filter_value_is_shown_not_a_500(users, client_as):
    response = client_as(users["marketing"]).get("/approvals/", {"status": "bogus", "industry": "mars"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("size", [3, 13])
def test_board_query_count_is_fixed(size, users, client_as, make_approval, django_assert_num_queries):
    for i in range(size):
        customer = CustomerFactory(name=f"Customer {i:02d}")
        make_approval(status="approved", use="logo", customer=customer, days=10 + i)
        make_approval(status="requested", use="quote", customer=customer)
    client = client_as(users["marketing"])
    client.get("/approvals/")  # warm the session
    # session, user, notifications badge, filter validation (industry), count, page of customers,
    # their approvals, the filter form's industry and product lists
    with django_assert_num_queries(9):
        response = client.get("/approvals/", {"expiring": "true", "industry": "finance"})
    assert _rows(response.content.decode()) == size


@pytest.mark.parametrize("size", [3, 13])
def test_approvals_list_query_count_is_fixed(size, users, api_as, make_approval, django_assert_num_queries):
    for _ in range(size):
        make_approval(status="approved", use="quote")
    api = api_as(users["marketing"])
    with django_assert_num_queries(2):  # count, page (with customers joined)
        response = api.get("/api/v1/approvals/", {"use": "quote", "expiring": "false"})
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [3, 13])
def test_library_query_count_is_fixed(size, users, api_as, make_approval, django_assert_num_queries):
    for _ in range(size):
        make_approval(status="approved", use="case_study")
    with django_assert_num_queries(2):
        response = api_as(users["marketing"]).get("/api/v1/library/")
    assert response.json()["count"] == size


def test_api_filters_by_customer_use_status_and_expiring(users, api_as, acme, make_approval):
    logo = make_approval(status="approved", use="logo", customer=acme, days=5)
    make_approval(status="approved", use="logo", customer=acme, days=300)
    make_approval(status="requested", use="quote", customer=acme)
    make_approval(status="approved", use="logo", days=5)
    api = api_as(users["marketing"])
    body = api.get("/api/v1/approvals/", {"customer": acme.pk, "use": "logo", "expiring": "true"}).json()
    assert [row["id"] for row in body["results"]] == [logo.pk]
    body = api.get("/api/v1/approvals/", {"customer": acme.pk, "status": "requested"}).json()
    assert [row["use"] for row in body["results"]] == ["quote"]
    assert api.get("/api/v1/approvals/", {"status": "nope"}).status_code == 400


def test_library_offers_valid_assets_searchable_by_industry_product_and_text(
    users, client_as, api_as, make_approval, today
):
    retail = CustomerFactory(name="ShopCo", industry=Industry.objects.get(code="retail"))
    retail.products.add(ProductFactory(name="Sentinel"))
    quote = make_approval(
        status="approved", use="quote", customer=retail, quote_text="Checkout never goes down."
    )
    make_approval(status="approved", use="quote", quote_text="Banking bliss.")  # finance
    make_approval(status="expired", use="video", customer=retail, days=-2)
    make_approval(status="approved", use="name", customer=retail)  # not a library asset
    api = api_as(users["sales"])
    retail.account_owner = users["sales"]
    retail.save()
    assert [r["id"] for r in api.get("/api/v1/library/").json()["results"]] == [quote.pk]
    marketing = api_as(users["marketing"])
    for params in ({"industry": "retail"}, {"product": "Sentinel"}, {"search": "checkout"}):
        assert [r["id"] for r in marketing.get("/api/v1/library/", params).json()["results"]] == [quote.pk]
    assert len(marketing.get("/api/v1/library/", {"status": "expired"}).json()["results"]) == 1
    html = client_as(users["marketing"]).get("/library/", {"search": "checkout"}).content.decode()
    assert "Checkout never goes down." in html and "Banking bliss." not in html
    assert list(approved_assets_for([retail.pk], today)) == [quote]
    assert list(approved_assets_for([retail.pk], today + timedelta(days=1000))) == []


def test_marketing_requests_an_approval_from_the_customer_page(users, client_as, acme):
    client = client_as(users["marketing"])
    page = client.get(f"/approvals/customer/{acme.pk}/").content.decode()
    assert f"/approvals/customer/{acme.pk}/request/?use=logo" in page
    response = client.post(
        f"/approvals/customer/{acme.pk}/request/",
        {"use": "quote", "scope": ["website"], "expires_on": "2030-01-31"},
    )
    assert response.status_code == 200
    assert "exact quote text" in response.content.decode()
    assert not Approval.objects.exists()
    response = client.post(
        f"/approvals/customer/{acme.pk}/request/",
        {"use": "logo", "scope": ["website", "social"], "expires_on": "2030-01-31", "title": "Homepage logo"},
    )
    approval = Approval.objects.get()
    assert response["Location"] == f"/approvals/{approval.pk}/"
    assert (approval.use, approval.scope, approval.requested_by) == (
        "logo",
        ["website", "social"],
        users["marketing"],
    )


def test_a_decided_approval_cannot_be_edited_on_the_page(users, client_as, make_approval):
    approval = make_approval(status="approved", use="quote")
    client = client_as(users["marketing"])
    response = client.post(
        f"/approvals/{approval.pk}/edit/", {"use": "quote", "quote_text": "x", "scope": ["website"]}
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.quote_text == "RefProgram halved our response time."
    detail = client.get(f"/approvals/{approval.pk}/").content.decode()
    assert f"?supersedes={approval.pk}" in detail
    form = client.get(
        f"/approvals/customer/{approval.customer_id}/request/?supersedes={approval.pk}"
    ).content.decode()
    assert "RefProgram halved our response time." in form


def test_the_missing_approval_note_offers_to_request_each_missing_use(users, acme, rf):
    from django.template.loader import render_to_string

    from accounts.permissions import capabilities_of
    from approvals import services

    missing = services.approvals_missing_for_activity(customer=acme, activity_type="website_listing")
    assert missing == ["website_listing", "logo"]
    html = render_to_string(
        "approvals/approval_missing.html",
        {"customer": acme, "missing": missing, "caps": capabilities_of(users["marketing"])},
    )
    for use in missing:
        assert f"/approvals/customer/{acme.pk}/request/?use={use}" in html
    html = render_to_string(
        "approvals/approval_missing.html",
        {"customer": acme, "missing": missing, "caps": capabilities_of(users["sales"])},
    )
    assert "/request/" not in html and "Ask marketing" in html


def test_the_detail_page_shows_the_history(users, client_as, api_as, make_approval):
    approval = make_approval(status="requested", use="logo")
    api_as(users["manager"]).post(
        f"/api/v1/approvals/{approval.pk}/transition/",
        {"to": "in_review", "note": "Called Dana"},
        format="json",
    )
    html = client_as(users["executive"]).get(f"/approvals/{approval.pk}/").content.decode()
    assert "Requested → In customer review" in html and "Called Dana" in html and "manager1" in html
    assert "→ in_review" not in html
    assert "Send consent link" not in html and "Edit request" not in html  # read-only for executives
