"""A request linked to a CRM opportunity: the deep link from the CRM, the form's search box, the
API's ``opportunity.id``, and the deal (amount, stage, close date, won or lost) read from the CRM."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from references.models import Industry, Region
from requests_app.deals import (
    deal_decided_in,
    deal_decided_on_sql,
    deal_result_sql,
    deal_revenue_sql,
    request_deal,
)
from requests_app.models import Opportunity, Request
from requests_app.services.opportunities import opportunity_upsert, salesforce_id_18

pytestmark = pytest.mark.django_db

SF_ID = "0065g00000XyZabAAF"


@pytest.fixture
def globex(db):
    return Opportunity.objects.create(
        crm="salesforce",
        crm_id=SF_ID,
        name="Globex — 500 seats",
        amount=Decimal("120000.00"),
        stage="Negotiation",
        close_date=dt.date(2027, 3, 31),
        account_name="Globex Inc.",
        industry=Industry.objects.get(code="finance"),
        region=Region.objects.get(code="emea"),
        country="DE",
        employees=2500,  # no size band from the CRM: 2,500 employees is enterprise
    )


@pytest.fixture
def initech(db):
    return Opportunity.objects.create(
        crm="hubspot",
        crm_id="9876543210",
        name="Initech renewal",
        amount=Decimal("40000.00"),
        stage="contractsent",
        account_name="Initech",
        region=Region.objects.get(code="na"),
        country="US",
        size_band="midmarket",
    )


def _selected(html: str, name: str) -> str | None:
    """The value of the selected option of the ``<select name=…>``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else None


def _input_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input type="[a-z]+" name="{name}"[^>]*?value="([^"]*)"', html)
    return found.group(1) if found else None


# --- The deep link -----------------------------------------------------------------------------


def test_the_salesforce_deep_link_opens_the_form_prefilled(client_as, sales, globex):
    response = client_as(sales).get(f"/requests/new/?crm=salesforce&opportunity={SF_ID}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linked to Salesforce opportunity Globex — 500 seats" in html
    assert _input_value(html, "prospect_name") == "Globex Inc."
    assert _selected(html, "prospect_industry") == "finance"
    assert _selected(html, "prospect_region") == "emea"
    assert _selected(html, "prospect_country") == "DE"
    assert _selected(html, "prospect_size_band") == "enterprise"
    assert f'<input type="hidden" name="opportunity" value="{globex.pk}">' in html
    assert "120,000" not in html  # a sales rep sees no deal money in the search card


def test_the_15_character_salesforce_id_finds_the_synced_18_character_one(client_as, sales, globex):
    assert salesforce_id_18("001A0000006Vm9r") == "001A0000006Vm9rIAC"  # Salesforce's own example
    response = client_as(sales).get(f"/requests/new/?crm=salesforce&opportunity={SF_ID[:15]}")
    assert f'name="opportunity" value="{globex.pk}"' in response.content.decode()


def test_the_hubspot_deep_link_opens_the_form_prefilled(client_as, manager, initech):
    response = client_as(manager).get("/requests/new/?crm=hubspot&opportunity=9876543210")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Linked to HubSpot opportunity Initech renewal" in html
    assert _input_value(html, "prospect_name") == "Initech"
    assert _selected(html, "prospect_region") == "na"
    assert _selected(html, "prospect_country") == "US"
    assert _selected(html, "prospect_size_band") == "midmarket"
    assert _selected(html, "prospect_industry") in (None, "")  # HubSpot did not say
    assert "$40,000" in html or "40,000" in html  # a manager sees the amount


def test_an_unknown_id_keeps_it_and_the_request_links_when_the_opportunity_arrives(client_as, sales):
    response = client_as(sales).get("/requests/new/?crm=hubspot&opportunity=555")
    html = response.content.decode()
    assert response.status_code == 200
    assert "HubSpot opportunity 555 is not in RefProgram yet" in html
    assert _input_value(html, "opportunity_crm_id") == "555"
    assert 'name="opportunity" value=' not in html
    submitted = client_as(sales).post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Hooli",
            "references_needed": 1,
            "needed_by": (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
            "opportunity_crm_id": "555",
        },
    )
    assert submitted.status_code == 302
    request = Request.objects.get(prospect_name="Hooli")
    assert request.opportunity is None
    # The CRM's automation pushes the deal: the waiting request links to it.
    opportunity, created, _ = opportunity_upsert(crm="hubspot", crm_id="555", data={"name": "Hooli pilot"})
    assert created
    request.refresh_from_db()
    assert request.opportunity == opportunity


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "crm=pipedrive&opportunity=1",
            "This link names an unknown CRM (pipedrive): use crm=salesforce or crm=hubspot.",
        ),
        ("opportunity=1", "This link names an unknown CRM (none): use crm=salesforce or crm=hubspot."),
        ("crm=salesforce", "This Salesforce link names no opportunity."),
        (
            "crm=hubspot&opportunity=%3Cscript%3E",
            "This HubSpot link&#x27;s opportunity id is not a valid id.",
        ),
        ("crm=hubspot&opportunity=" + "9" * 65, "This HubSpot link&#x27;s opportunity id is not a valid id."),
    ],
)
def test_a_bad_deep_link_is_a_message_on_the_form(client_as, sales, query, message):
    response = client_as(sales).get(f"/requests/new/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert _input_value(html, "opportunity_crm_id") in (None, "")


def test_an_opportunity_of_another_crm_is_not_found_by_the_deep_link(client_as, sales, initech):
    response = client_as(sales).get("/requests/new/?crm=salesforce&opportunity=9876543210")
    assert "is not in RefProgram yet" in response.content.decode()


# --- The form: search, link, and the deal from the CRM ------------------------------------------


def test_the_search_box_finds_by_name_account_and_crm_id(client_as, sales, globex, initech):
    search = lambda q: client_as(sales).get("/requests/opportunities/search/", {"opportunity_q": q})  # noqa: E731
    assert "Globex — 500 seats" in search("globex").content.decode()
    assert "Initech renewal" in search("INITECH").content.decode()  # account name, any case
    by_id = search("9876543210").content.decode()
    assert "Initech renewal" in by_id and "Globex" not in by_id
    assert "Globex" in search(SF_ID[:15]).content.decode()  # a pasted 15-character id
    assert "Link" not in search("g").content.decode()  # one character finds nothing yet
    assert "No opportunity matches “zzz”" in search("zzz").content.decode()


@pytest.mark.parametrize("n", [1, 8])
def test_the_search_takes_a_fixed_number_of_queries(client_as, sales, n, django_assert_num_queries):
    for i in range(n):
        Opportunity.objects.create(crm="hubspot", crm_id=f"10{i}", name=f"Acme deal {i}", account_name="Acme")
    client = client_as(sales)
    # The session, the user, the opportunities, and the unread notifications (a context processor).
    with django_assert_num_queries(4):
        response = client.get("/requests/opportunities/search/", {"opportunity_q": "acme"})
    assert response.content.decode().count("Acme deal") == n


def test_picking_shows_the_card_with_the_hidden_input_and_unlinking_empties_it(client_as, sales, globex):
    picked = (
        client_as(sales).get("/requests/opportunities/pick/", {"opportunity": globex.pk}).content.decode()
    )
    assert f'<input type="hidden" name="opportunity" value="{globex.pk}">' in picked
    assert "From Salesforce: read-only here." in picked
    unlinked = client_as(sales).get("/requests/opportunities/pick/").content.decode()
    assert 'name="opportunity"' not in unlinked and "No CRM opportunity linked." in unlinked
    bad = client_as(sales).get("/requests/opportunities/pick/", {"opportunity": "9" * 40})
    assert bad.status_code == 200 and "No CRM opportunity linked." in bad.content.decode()


def _form(**extra):
    return {
        "activity_type": "call",
        "prospect_name": "Globex Inc.",
        "references_needed": 1,
        "needed_by": (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def test_a_request_linked_in_the_form_shows_the_deal_from_the_crm(client_as, sales, users, globex):
    # What the rep typed by hand is not the deal once it is linked.
    response = client_as(sales).post(
        "/requests/new/", _form(opportunity=globex.pk, opportunity_amount="5", opportunity_stage="Typed")
    )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.opportunity == globex
    assert request.opportunity_crm_id == SF_ID
    page = client_as(sales).get(f"/requests/{request.pk}/").content.decode()
    assert "Globex — 500 seats · Salesforce 0065g00000XyZabAAF · Negotiation · closes" in page
    assert "120,000" in page  # the requester sees their deal's amount
    assert "(from Salesforce)" in page
    assert 'id="outcome-form"' not in page  # won or lost comes from the CRM
    executive_page = client_as(users["executive"]).get(f"/requests/{request.pk}/").content.decode()
    assert "120,000" in executive_page  # executives see revenue
    admin_page = client_as(users["admin"]).get(f"/requests/{request.pk}/").content.decode()
    assert "Globex — 500 seats" in admin_page and "120,000" not in admin_page  # admins do not
    # The CRM closes it won: the page says so.
    opportunity_upsert(crm="salesforce", crm_id=SF_ID, data={"is_closed": True, "is_won": True})
    page = client_as(sales).get(f"/requests/{request.pk}/").content.decode()
    assert re.search(r'id="outcome">Won <span class="muted">\(from Salesforce\)', page)


def test_an_unknown_opportunity_in_the_form_is_a_field_error(client_as, sales):
    response = client_as(sales).post("/requests/new/", _form(opportunity="424242"))
    assert response.status_code == 200
    assert "That opportunity does not exist (any more): search again." in response.content.decode()
    assert not Request.objects.exists()


def test_the_edit_form_keeps_the_link_and_can_drop_it(client_as, sales, globex):
    client_as(sales).post("/requests/new/", _form(opportunity=globex.pk))
    request = Request.objects.get()
    edit = client_as(sales).get(f"/requests/{request.pk}/edit/").content.decode()
    assert f'name="opportunity" value="{globex.pk}"' in edit
    client_as(sales).post(f"/requests/{request.pk}/edit/", _form(opportunity=""))
    request.refresh_from_db()
    assert request.opportunity is None


# --- The API ------------------------------------------------------------------------------------


def _api_body(**opportunity):
    return {
        "activity_type": "call",
        "prospect": {"name": "Globex Inc."},
        "needed_by": (timezone.now() + dt.timedelta(days=20)).isoformat(),
        "opportunity": opportunity,
    }


def test_the_api_links_an_opportunity_and_answers_the_crm_deal(api_as, sales, users, globex):
    response = api_as(sales).post("/api/v1/requests/", _api_body(id=globex.pk, amount="5"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["opportunity"] == {
        "id": globex.pk,
        "crm": "salesforce",
        "name": "Globex — 500 seats",
        "close_date": "2027-03-31",
        "result": "",
        "source": "crm",
        "crm_id": SF_ID,
        "amount": "120000.00",
        "stage": "Negotiation",
    }
    pk = response.json()["id"]
    as_admin = api_as(users["admin"]).get(f"/api/v1/requests/{pk}/").json()["opportunity"]
    assert as_admin["amount"] is None and as_admin["name"] == "Globex — 500 seats"
    # A linked request's outcome is the CRM's.
    refused = api_as(sales).post(f"/api/v1/requests/{pk}/outcome/", {"result": "won"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "outcome_from_crm"
    # Unlinked, the request is as before: what was typed.
    unlinked = api_as(sales).patch(f"/api/v1/requests/{pk}/", {"opportunity": {"id": None}}, format="json")
    assert unlinked.status_code == 200, unlinked.content
    assert unlinked.json()["opportunity"] == {
        "id": None,
        "crm": "",
        "name": "",
        "close_date": None,
        "result": "",
        "source": "manual",
        "crm_id": SF_ID,  # the linked deal's id stays on the request
        "amount": "5.00",
        "stage": "",
    }


@pytest.mark.parametrize("value", [424242, "abc", -1, 2**70, True, None])
def test_the_api_refuses_an_opportunity_it_cannot_link(api_as, sales, value):
    response = api_as(sales).post("/api/v1/requests/", _api_body(id=value), format="json")
    if value is None:
        assert response.status_code == 201  # null: not linked
        return
    assert response.status_code == 400
    assert "id" in response.json()["opportunity"]


def test_an_unlinked_request_keeps_the_manual_outcome(api_as, sales):
    response = api_as(sales).post("/api/v1/requests/", _api_body(crm_id="X-1", amount="900"), format="json")
    pk = response.json()["id"]
    api_as(sales).post(f"/api/v1/requests/{pk}/outcome/", {"result": "won", "amount": "1000"}, format="json")
    deal = api_as(sales).get(f"/api/v1/requests/{pk}/").json()["opportunity"]
    assert (deal["source"], deal["result"], deal["amount"], deal["crm_id"]) == (
        "manual",
        "won",
        "900.00",
        "X-1",
    )


# --- The inbound endpoint carries the prospect's firmographics ---------------------------------


def test_the_inbound_endpoint_takes_firmographics_by_code(api_as, manager):
    body = {
        "crm": "salesforce",
        "crm_id": SF_ID,
        "name": "Globex — 500 seats",
        "industry": "finance",
        "region": "emea",
        "country": "de",
        "size_band": "enterprise",
        "employees": 2500,
        "owner_email": "rep@example.com",
        "opened_on": "2026-09-01",
    }
    response = api_as(manager).post("/api/v1/integrations/opportunities/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["industry"], data["region"], data["country"], data["size_band"]) == (
        "finance",
        "emea",
        "DE",
        "enterprise",
    )
    assert (data["employees"], data["owner_email"], data["opened_on"]) == (
        2500,
        "rep@example.com",
        "2026-09-01",
    )
    bad = api_as(manager).post(
        "/api/v1/integrations/opportunities/", {**body, "industry": "nope", "country": "DEU"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"industry", "country"}


# --- Who sees opportunities ------------------------------------------------------------------------


def test_who_sees_opportunities(users, globex):
    seen = {role: Opportunity.objects.visible_to(user).exists() for role, user in users.items()}
    assert seen == {
        "manager": True,
        "sales": True,
        "marketing": True,
        "executive": True,
        "admin": True,
    }
    assert not Opportunity.objects.visible_to(None).exists()
    amounts = {role: Opportunity.amount_visible_to(user) for role, user in users.items()}
    assert amounts == {
        "manager": True,
        "sales": False,
        "marketing": False,
        "executive": True,
        "admin": False,
    }


# --- One rule for the deal: the Python verdict and the SQL agree ---------------------------------


def test_the_deal_in_python_and_in_sql_agree(make_request, sales):
    today = dt.date(2026, 11, 15)
    reported = timezone.make_aware(dt.datetime(2026, 11, 10, 12, 0))

    def opportunity(crm_id, **kw):
        return Opportunity.objects.create(crm="salesforce", crm_id=crm_id, name=crm_id, **kw)

    cases = {
        # name: (opportunity, manual outcome, expected (result, revenue, decided_on))
        "crm won": (
            opportunity("w", amount=Decimal(700), is_closed=True, is_won=True, close_date=today),
            ("lost", Decimal(5)),
            ("won", Decimal(700), today),
        ),
        "crm lost": (
            opportunity("l", amount=Decimal(300), is_closed=True, close_date=today),
            ("won", Decimal(5)),
            ("lost", Decimal(300), today),
        ),
        "crm open": (opportunity("o", amount=None), ("won", Decimal(5)), ("", Decimal(0), None)),
        "manual won": (None, ("won", Decimal(50)), ("won", Decimal(50), dt.date(2026, 11, 10))),
        "manual won, amount typed": (None, ("won", None), ("won", Decimal(90), dt.date(2026, 11, 10))),
        "manual, nothing reported": (None, None, ("", Decimal(90), None)),
    }
    ids = {}
    for name, (opp, outcome, _expected) in cases.items():
        request = make_request(sales, prospect=name)
        Request.objects.filter(pk=request.pk).update(
            opportunity=opp,
            opportunity_amount=Decimal(90),
            outcome_result=outcome[0] if outcome else "",
            outcome_amount=outcome[1] if outcome else None,
            outcome_reported_at=reported if outcome else None,
        )
        ids[name] = request.pk
    rows = Request.objects.select_related("opportunity").annotate(
        r=deal_result_sql(), rev=deal_revenue_sql(), on=deal_decided_on_sql()
    )
    in_november = set(
        Request.objects.filter(deal_decided_in(dt.date(2026, 11, 1), dt.date(2026, 11, 30))).values_list(
            "pk", flat=True
        )
    )
    for row in rows:
        name = row.prospect_name
        expected = cases[name][2]
        deal = request_deal(row)
        python = (deal.result, deal.revenue if deal.revenue is not None else Decimal(0), deal.decided_on)
        assert python == expected, name
        assert (row.r, row.rev, row.on) == expected, name
        assert (row.pk in in_november) == (expected[2] is not None), name
    assert len(ids) == 6


def test_the_api_outcome_of_a_linked_request_is_the_crms(api_as, sales, users, globex):
    pk = api_as(sales).post("/api/v1/requests/", _api_body(id=globex.pk), format="json").json()["id"]
    assert api_as(sales).get(f"/api/v1/requests/{pk}/").json()["outcome"] is None  # the deal is open
    opportunity_upsert(crm="salesforce", crm_id=SF_ID, data={"is_closed": True, "is_won": False})
    assert api_as(sales).get(f"/api/v1/requests/{pk}/").json()["outcome"] == {
        "result": "lost",
        "amount": 120000.0,
    }
    as_admin = api_as(users["admin"]).get(f"/api/v1/requests/{pk}/").json()
    assert as_admin["outcome"] == {"result": "lost", "amount": None}
