"""Teams: the API and the page that set them up, routing a request to the team owning the
prospect's region, and manager lists that open on their team's scope with "All" one click away."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Team
from references.models import ActivityType, Industry, Region
from requests_app import services as requests
from requests_app.models import Request
from requests_app.services.requests import owning_team
from tests.factories import CustomerFactory, ProductFactory, ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _team(name, scope, *members, edit_only_in_scope=False):
    team = Team.objects.create(name=name, scope=scope, edit_only_in_scope=edit_only_in_scope)
    team.members.set(members)
    return team


def _submit(requester, prospect, *, region=None, industry=None, products=(), needed_in_days=30):
    data = {
        "activity_type": ActivityType.objects.get(code="call"),
        "prospect_name": prospect,
        "prospect_region": Region.objects.get(code=region) if region else None,
        "prospect_industry": Industry.objects.get(code=industry) if industry else None,
        "needed_by": timezone.now() + timedelta(days=needed_in_days),
    }
    if products:
        data["products"] = list(products)
    request, _ = requests.request_submit(requester=requester, data=data)
    return request


# --- The API -------------------------------------------------------------------------------------


def test_an_admin_sets_up_a_team_through_the_api(api_as, users):
    vault = ProductFactory(name="Vault")
    body = {
        "name": "EMEA finance",
        "regions": ["emea"],
        "industries": ["finance"],
        "products": ["Vault"],
        "members": [users["manager"].pk],
        "edit_only_in_scope": True,
    }
    response = api_as(users["admin"]).post("/api/v1/teams/", body, format="json")
    assert response.status_code == 201, response.json()
    team = Team.objects.get(name="EMEA finance")
    assert response.json() == {
        "id": team.pk,
        "name": "EMEA finance",
        "regions": ["emea"],
        "industries": ["finance"],
        "products": ["Vault"],
        "members": [users["manager"].pk],
        "edit_only_in_scope": True,
    }
    # Stored as the catalog's facet keys, so a profile's scope is a lookup on its facet_keys.
    assert sorted(team.scope) == sorted(["region=emea", "industry=finance", f"product={vault.pk}"])
    # Its history keeps who set it up and who put whom in it (the audit log's source).
    assert {h.history_user for h in team.history.all()} == {users["admin"]}
    assert [m.user for m in team.history.first().members.all()] == [users["manager"]]


def test_a_manager_reads_teams_but_cannot_set_them_up(api_as, users):
    _team("EMEA", ["region=emea"], users["manager"])
    client = api_as(users["manager"])
    listed = client.get("/api/v1/teams/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["name"] == "EMEA"
    assert listed["results"][0]["members"] == [users["manager"].pk]
    assert client.post("/api/v1/teams/", {"name": "X", "regions": ["na"]}, format="json").status_code == 403
    assert api_as(users["sales"]).get("/api/v1/teams/").status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "T", "regions": ["mars"]}, "regions", "Unknown mars; valid: "),
        ({"name": "T", "industries": ["farming"]}, "industries", "Unknown farming"),
        ({"name": "T", "products": ["No such product"]}, "products", "Unknown No such product"),
        ({"name": "T"}, "regions", "at least one region, industry or product"),
        ({"name": "T", "regions": ["na"], "members": [999999]}, "members", "999999"),
        ({"name": "  ", "regions": ["na"]}, "name", ""),
    ],
)
def test_a_team_scope_names_only_what_the_managed_lists_hold(api_as, users, body, field, words):
    response = api_as(users["admin"]).post("/api/v1/teams/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert words in " ".join(response.json()[field])
    assert not Team.objects.exists()


def test_team_names_are_unique_whatever_the_case(api_as, users):
    _team("EMEA", ["region=emea"])
    response = api_as(users["admin"]).post(
        "/api/v1/teams/", {"name": "emea", "regions": ["na"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["name"] == ["A team called emea already exists."]


def test_an_admin_changes_and_removes_a_team(api_as, users):
    team = _team("Americas", ["region=na"], users["manager"])
    request = _submit(users["sales"], "Hooli", region="na")
    assert request.team == team
    client = api_as(users["admin"])
    other = UserFactory(username="manager_b", role="manager")
    response = client.patch(
        f"/api/v1/teams/{team.pk}/", {"regions": ["na", "latam"], "members": [other.pk]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["regions"] == ["latam", "na"]
    assert response.json()["members"] == [other.pk]
    assert response.json()["name"] == "Americas"  # what the PATCH left out stays
    assert client.delete(f"/api/v1/teams/{team.pk}/").status_code == 204
    request.refresh_from_db()
    assert request.team is None  # its requests stay, in every team's queue


def test_the_teams_list_has_a_fixed_number_of_queries(api_as, users, django_assert_num_queries):
    client = api_as(users["manager"])

    def make(n, start):
        for i in range(start, start + n):
            product = ProductFactory(name=f"Product {i}")
            _team(f"Team {i}", ["region=emea", f"product={product.pk}"], users["manager"], users["admin"])

    make(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/teams/").json()["count"] == 2
    make(8, 2)
    # count, teams, their members, the product names (force_authenticate: no token query)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/teams/")
    assert response.json()["count"] == 10
    assert len(small.captured_queries) == 4
    assert response.json()["results"][0]["products"] == ["Product 0"]


# --- Routing on submit ---------------------------------------------------------------------------


def test_a_request_routes_to_the_team_owning_the_prospects_region(users):
    emea = _team("EMEA", ["region=emea"])
    americas = _team("Americas", ["region=na", "region=latam"])
    assert _submit(users["sales"], "Globex", region="emea").team == emea
    assert _submit(users["sales"], "Hooli", region="latam").team == americas
    assert _submit(users["sales"], "Pied Piper", region="apac").team is None  # nobody owns APAC
    assert _submit(users["sales"], "Initech").team is None  # no region given


def test_the_most_specific_team_wins_the_routing(users):
    _team("EMEA", ["region=emea"])
    finance = _team("EMEA finance", ["region=emea", "industry=finance"])
    vault = ProductFactory(name="Vault")
    security = _team("Vault specialists", ["region=emea", "industry=finance", f"product={vault.pk}"])
    assert _submit(users["sales"], "Bank A", region="emea", industry="finance").team == finance
    assert (
        _submit(users["sales"], "Bank B", region="emea", industry="finance", products=[vault]).team
        == security
    )
    assert _submit(users["sales"], "Shop", region="emea", industry="retail").team.name == "EMEA"


def test_routing_ties_go_to_the_first_team_by_name():
    a = _team("Alpha", ["region=emea"])
    _team("Beta", ["region=emea"])
    assert owning_team(region="emea", industry=None, product_ids=[]) == a
    assert owning_team(region="na", industry=None, product_ids=[]) is None


def test_a_request_submitted_through_the_api_is_routed(api_as, users):
    team = _team("EMEA", ["region=emea"])
    body = {
        "activity_type": "call",
        "prospect": {"name": "Globex", "region": "emea"},
        "needed_by": (timezone.now() + timedelta(days=20)).isoformat(),
    }
    response = api_as(users["sales"]).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Request.objects.get(pk=response.json()["id"]).team == team


# --- Lists open on the team's scope --------------------------------------------------------------


def _profile(name, region, industry="finance"):
    customer = CustomerFactory(
        name=name, region=Region.objects.get(code=region), industry=Industry.objects.get(code=industry)
    )
    return ReferenceProfileFactory(contact__customer=customer)


def test_the_inventory_opens_on_the_teams_scope(client_as, users):
    _team("EMEA finance", ["region=emea", "industry=finance"], users["manager"])
    _profile("Bank of Berlin", "emea")
    _profile("Shop of Paris", "emea", industry="retail")  # EMEA, but not finance: another team's
    _profile("Bank of Boston", "na")
    client = client_as(users["manager"])
    page = client.get("/inventory/").content.decode()
    assert "Bank of Berlin" in page
    assert "Shop of Paris" not in page and "Bank of Boston" not in page
    assert 'id="scope-all"' in page and "My team: EMEA finance" in page
    everything = client.get("/inventory/?scope=all").content.decode()
    assert all(name in everything for name in ("Bank of Berlin", "Shop of Paris", "Bank of Boston"))
    # An executive (or a manager in no team) sees everything, and no switch.
    for viewer in (users["executive"], UserFactory(username="manager_c", role="manager")):
        page = client_as(viewer).get("/inventory/").content.decode()
        assert "Bank of Boston" in page and 'id="scope-all"' not in page


def test_the_inventory_export_follows_the_same_scope(client_as, users):
    _team("EMEA", ["region=emea"], users["manager"])
    _profile("Bank of Berlin", "emea")
    _profile("Bank of Boston", "na")
    client = client_as(users["manager"])
    csv = b"".join(client.get("/inventory/export.csv").streaming_content).decode()
    assert "Bank of Berlin" in csv and "Bank of Boston" not in csv
    csv = b"".join(client.get("/inventory/export.csv?scope=all").streaming_content).decode()
    assert "Bank of Boston" in csv


def test_the_home_queue_opens_on_the_team_and_remembers_all(client_as, users):
    _team("EMEA", ["region=emea"], users["manager"])
    _team("Americas", ["region=na"])
    ours = _submit(users["sales"], "Globex", region="emea", needed_in_days=1)
    theirs = _submit(users["sales"], "Hooli", region="na", needed_in_days=1)
    nobodys = _submit(users["sales"], "Initech", needed_in_days=1)
    client = client_as(users["manager"])
    home = client.get("/").content.decode()
    assert f"#{ours.pk} " in home and f"#{nobodys.pk} " in home
    assert f"#{theirs.pk} " not in home
    assert f"#{theirs.pk} " in client.get("/?scope=all").content.decode()
    # Remembered in the session: the Operations page now shows everything too.
    assert f"#{theirs.pk} " in client.get("/dashboard/operations/").content.decode()
    assert f"#{theirs.pk} " not in client.get("/dashboard/operations/?scope=team").content.decode()


@pytest.mark.parametrize("url", ["/", "/requests/queue/", "/inventory/"])
def test_scoped_lists_have_a_fixed_number_of_queries(client_as, users, django_assert_num_queries, url):
    _team("EMEA", ["region=emea"], users["manager"])
    client = client_as(users["manager"])

    def grow(n, start):
        for i in range(start, start + n):
            _submit(users["sales"], f"Prospect {i}", region="emea", needed_in_days=1)
            _profile(f"Customer {i}", "emea")

    grow(2, 0)
    client.get(url)  # warm the per-session caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(6, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# --- The page ------------------------------------------------------------------------------------


def test_an_admin_sets_up_and_edits_a_team_on_the_page(client_as, users):
    ProductFactory(name="Vault")
    client = client_as(users["admin"])
    page = client.get("/teams/").content.decode()
    assert "No teams yet" in page and 'id="team-form"' in page
    response = client.post(
        "/teams/",
        {"name": "EMEA", "regions": ["emea"], "products": ["Vault"], "members": [users["manager"].pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="EMEA")
    assert list(team.members.all()) == [users["manager"]]
    page = client.get("/teams/").content.decode()
    assert "EMEA" in page and "Vault" in page and str(users["manager"]) in page
    response = client.post(
        f"/teams/{team.pk}/",
        {"name": "EMEA", "regions": ["emea"], "industries": ["finance"], "edit_only_in_scope": "on"},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert sorted(team.scope) == ["industry=finance", "region=emea"]  # products unticked: gone
    assert team.edit_only_in_scope is True
    assert list(team.members.all()) == []


def test_the_team_page_says_what_is_wrong(client_as, users):
    response = client_as(users["admin"]).post("/teams/", {"name": "Nowhere"})
    assert response.status_code == 400
    assert "Name at least one region, industry or product" in response.content.decode()
    assert not Team.objects.exists()


def test_a_manager_reads_the_teams_page_without_the_form(client_as, users):
    _team("EMEA", ["region=emea"], users["manager"])
    page = client_as(users["manager"]).get("/teams/").content.decode()
    assert "EMEA" in page and 'id="team-form"' not in page


def test_the_dashboard_opens_on_a_one_region_team(client_as, users):
    _team("EMEA", ["region=emea"], users["manager"])
    client = client_as(users["manager"])
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["form"].initial["region"] == "emea"  # the segment the team is
    assert 'id="scope-all"' in response.content.decode()
    response = client.get("/dashboard/?scope=all")
    assert response.context["form"].initial["region"] is None
    # An executive always opens on the whole program.
    assert client_as(users["executive"]).get("/dashboard/").context["form"].initial["region"] is None


def test_a_team_wider_than_one_segment_opens_the_dashboard_on_everything(client_as, users):
    _team("Americas", ["region=na", "region=latam"], users["manager"])
    response = client_as(users["manager"]).get("/dashboard/")
    assert response.context["form"].initial["region"] is None
    assert 'id="scope-all"' not in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "T\x00", "regions": ["na"]},
        {"name": "T", "regions": "na"},
        {"name": "T", "regions": ["na\x00"]},
        {"name": "T", "regions": ["x" * 500]},
        {"name": "x" * 101, "regions": ["na"]},
        {"name": "T", "regions": ["na"], "members": [2**63]},
        {"name": "T", "regions": ["na"], "members": ["me"]},
        {"name": "T", "regions": [None]},
        {"name": None, "regions": ["na"]},
        [],
    ],
)
def test_hostile_team_input_is_a_400(api_as, users, body):
    response = api_as(users["admin"]).post("/api/v1/teams/", body, format="json")
    assert response.status_code == 400
    assert not Team.objects.exists()


def test_out_of_scope_says_why(api_as, users):
    _team("EMEA", ["region=emea"], users["manager"], edit_only_in_scope=True)
    _team("Americas", ["region=na"])
    theirs = _submit(users["sales"], "Hooli", region="na")
    response = api_as(users["manager"]).patch(f"/api/v1/requests/{theirs.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403
    assert "outside your team's scope" in response.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.notes == ""


@pytest.mark.parametrize("via", ["page", "api"])
def test_bulk_assign_skips_requests_outside_the_scope(client_as, api_as, users, via):
    _team("EMEA", ["region=emea"], users["manager"], edit_only_in_scope=True)
    _team("Americas", ["region=na"])
    ours = _submit(users["sales"], "Globex", region="emea")
    theirs = _submit(users["sales"], "Hooli", region="na")
    ids = [ours.pk, theirs.pk]
    if via == "page":
        response = client_as(users["manager"]).post("/requests/queue/assign/", {"requests": ids})
        assert response.status_code == 302
    else:
        response = api_as(users["manager"]).post("/api/v1/requests/assign/", {"requests": ids}, format="json")
        assert response.json() == {"changed": 1}
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.assignee == users["manager"]
    assert theirs.assignee is None
