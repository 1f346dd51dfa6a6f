"""Deal money follows the revenue capability everywhere: the requester who typed it, managers
and executives see the opportunity's and the won amount; an administrator, or an account owner
who can read the request to consent, does not — in the API, on the page or in its history."""

from decimal import Decimal

import pytest

from requests_app import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def won_request(users, make_request):
    request = make_request(users["sales"])
    request.opportunity_amount = Decimal("987654.00")
    request.save()
    services.request_outcome(request=request, actor=users["sales"], result="won", amount=Decimal("876543.00"))
    return request


@pytest.mark.parametrize(
    ("role", "sees"),
    [("sales", True), ("manager", True), ("executive", True), ("admin", False)],
)
def test_api_shows_amounts_only_to_who_may_see_money(api_as, users, won_request, role, sees):
    body = api_as(users[role]).get(f"/api/v1/requests/{won_request.pk}/").json()
    assert body["outcome"]["result"] == "won"
    if sees:
        assert body["opportunity"]["amount"] == "987654.00"
        assert Decimal(str(body["outcome"]["amount"])) == Decimal("876543.00")
    else:
        assert body["opportunity"]["amount"] is None
        assert body["outcome"]["amount"] is None
    listed = api_as(users[role]).get("/api/v1/requests/").content.decode()
    assert ("876543" in listed) is sees and ("987654" in listed) is sees


@pytest.mark.parametrize(
    ("role", "sees"),
    [("sales", True), ("manager", True), ("executive", True), ("admin", False)],
)
def test_page_and_its_history_show_amounts_only_to_who_may_see_money(
    client_as, users, won_request, role, sees
):
    page = client_as(users[role]).get(f"/requests/{won_request.pk}/").content.decode()
    assert "Won" in page
    assert ("876,543" in page) is sees  # as people read money: with its thousands separators
    assert ("987,654" in page) is sees


def test_outcome_event_note_carries_no_amount(users, won_request):
    assert list(won_request.events.filter(kind="outcome").values_list("note", flat=True)) == ["Won"]
