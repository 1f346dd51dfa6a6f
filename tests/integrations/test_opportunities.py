"""The inbound opportunities endpoint: token-authenticated, idempotent upsert by CRM id."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from requests_app.models import Opportunity

pytestmark = pytest.mark.django_db

URL = "/api/v1/integrations/opportunities/"
DEAL = {
    "crm": "salesforce",
    "crm_id": "0065g00000XyZabAAB",
    "name": "Globex — 500 seats",
    "amount": "120000.00",
    "stage": "Negotiation",
    "close_date": "2027-03-31",
    "is_closed": False,
    "is_won": False,
    "account_name": "Globex Inc.",
    "account_crm_id": "0015g00000AbCdeAAB",
    "modified_at": "2026-11-30T10:00:00Z",
}


@pytest.fixture
def token_client(manager):
    """A CRM automation authenticates with an API token, as API.md describes."""
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": manager.username, "password": "pass-word-123"})
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_the_first_push_creates_and_the_same_push_again_changes_nothing(token_client):
    first = token_client.post(URL, DEAL, format="json")
    assert first.status_code == 201, first.content
    opportunity = Opportunity.objects.get()
    assert (opportunity.crm, opportunity.crm_id, opportunity.amount) == (
        "salesforce",
        "0065g00000XyZabAAB",
        Decimal("120000.00"),
    )
    updated_at = opportunity.updated_at

    again = token_client.post(URL, DEAL, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Opportunity.objects.count() == 1
    opportunity.refresh_from_db()
    assert opportunity.updated_at == updated_at  # not even touched


def test_a_changed_opportunity_is_updated(token_client):
    token_client.post(URL, DEAL, format="json")
    without_closed = {key: value for key, value in DEAL.items() if key != "is_closed"}
    # Won implies closed when the CRM does not say.
    won = {**without_closed, "stage": "Closed Won", "is_won": True, "modified_at": "2026-12-01T09:00:00Z"}
    response = token_client.post(URL, won, format="json")
    assert response.status_code == 200
    opportunity = Opportunity.objects.get()
    assert (opportunity.stage, opportunity.is_won, opportunity.is_closed) == ("Closed Won", True, True)


def test_an_older_change_arriving_late_is_ignored(token_client):
    token_client.post(URL, {**DEAL, "stage": "Closed Won", "is_won": True, "is_closed": True}, format="json")
    late = {**DEAL, "stage": "Proposal", "modified_at": "2026-11-29T10:00:00Z"}
    assert token_client.post(URL, late, format="json").status_code == 200
    assert Opportunity.objects.get().stage == "Closed Won"


def test_the_same_id_in_another_crm_is_another_opportunity(token_client):
    token_client.post(URL, DEAL, format="json")
    assert token_client.post(URL, {**DEAL, "crm": "hubspot"}, format="json").status_code == 201
    assert Opportunity.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"crm": "pipedrive"}, "crm"),
        ({"crm_id": ""}, "crm_id"),
        ({"amount": "-5"}, "amount"),
        ({"close_date": "soon"}, "close_date"),
        ({"is_won": True, "is_closed": False}, "is_won"),
        ({"probability": 40}, "probability"),
    ],
)
def test_bad_input_is_400_with_the_field(token_client, change, field):
    response = token_client.post(URL, {**DEAL, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Opportunity.objects.exists()


def test_admins_may_push_but_see_no_amount(api_as, users):
    response = api_as(users["admin"]).post(URL, DEAL, format="json")
    assert response.status_code == 201
    assert response.json()["amount"] is None
    assert Opportunity.objects.get().amount == Decimal("120000.00")


@pytest.mark.parametrize("role", ["sales", "marketing", "executive"])
def test_other_roles_may_not_push(api_as, users, role):
    assert api_as(users[role]).post(URL, DEAL, format="json").status_code == 403


def test_without_a_token_it_is_401():
    assert APIClient().post(URL, DEAL, format="json").status_code == 401
