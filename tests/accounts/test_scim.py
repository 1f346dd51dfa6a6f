"""SCIM 2.0 provisioning over HTTP: the identity provider creates, finds, changes and deactivates
people with a bearer token from ``manage.py scim_token``; a leaver loses sessions and API tokens
at once."""

import json
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ScimToken, User
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
SCIM_JSON = "application/scim+json"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token():
    out = StringIO()
    call_command("scim_token", "--label", "Okta", stdout=out)
    return out.getvalue().split()[-1]


@pytest.fixture
def scim(token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def call(method, path, body=None):
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": SCIM_JSON}
        return getattr(client, method)(path, **kwargs)

    return call


def _new_user(scim, username="ada@example.com", role="manager"):
    return scim(
        "post",
        USERS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": username,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "primary": True}],
            "roles": [{"value": role}],
            "active": True,
        },
    )


def test_the_command_prints_the_token_last_and_stores_only_its_hash(token):
    stored = ScimToken.objects.get()
    assert stored.label == "Okta"
    assert len(token) >= 40
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_create_then_get_a_user(scim):
    response = _new_user(scim)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == SCIM_JSON
    body = response.json()
    assert body["userName"] == "ada@example.com"
    assert body["active"] is True
    assert body["roles"][0]["value"] == "manager"
    assert response["Location"].endswith(f"/scim/v2/Users/{body['id']}")

    user = User.objects.get(username="ada@example.com")
    assert (user.role, user.first_name, user.last_name, user.email) == (
        "manager",
        "Ada",
        "Lovelace",
        "ada@example.com",
    )
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()  # they log in through single sign-on

    got = scim("get", f"{USERS}/{user.pk}")
    assert got.status_code == 200
    assert got.json()["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert got.json()["emails"][0]["value"] == "ada@example.com"


def test_a_second_user_with_the_same_username_is_a_conflict(scim):
    assert _new_user(scim).status_code == 201
    again = _new_user(scim, username="ADA@example.com")
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"
    assert User.objects.filter(username__iexact="ada@example.com").count() == 1


def test_filter_by_username(scim):
    UserFactory(username="grace")
    UserFactory(username="linus")
    response = scim("get", f'{USERS}?filter=userName eq "grace"')
    assert response.status_code == 200
    body = response.json()
    assert body["totalResults"] == 1
    assert [r["userName"] for r in body["Resources"]] == ["grace"]

    none = scim("get", f'{USERS}?filter=userName eq "nobody"').json()
    assert none["totalResults"] == 0 and none["Resources"] == []

    bad = scim("get", f'{USERS}?filter=emails co "x"')
    assert bad.status_code == 400
    assert bad.json()["scimType"] == "invalidFilter"


def test_list_pages_with_start_index_and_count(scim):
    for name in ("u1", "u2", "u3"):
        UserFactory(username=name)
    body = scim("get", f"{USERS}?startIndex=2&count=1").json()
    assert body["totalResults"] == 3
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 1
    assert body["Resources"][0]["userName"] == "u2"


def test_replace_a_user(scim):
    user_id = _new_user(scim).json()["id"]
    response = scim(
        "put",
        f"{USERS}/{user_id}",
        {
            "userName": "ada@example.com",
            "name": {"givenName": "Augusta", "familyName": "King"},
            "active": True,
        },
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=user_id)
    assert (user.first_name, user.last_name, user.email, user.role) == ("Augusta", "King", "", "manager")


def test_patch_active_false_ends_sessions_and_revokes_api_tokens_at_once(scim):
    leaver = UserFactory(username="leaver", role="sales")
    browser = Client()
    assert browser.post("/login/", {"username": "leaver", "password": PASSWORD}).status_code == 302
    assert browser.get("/").status_code == 200
    other = UserFactory(username="stayer", role="sales")
    other_browser = Client()
    other_browser.force_login(other)
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "leaver", "password": PASSWORD}, format="json"
    )
    key = token.json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/references/").status_code == 200
    sessions_before = Session.objects.count()

    response = scim(
        "patch",
        f"{USERS}/{leaver.pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    leaver.refresh_from_db()
    assert leaver.is_active is False
    # The leaver's session row is gone, the other person's stays.
    assert Session.objects.count() == sessions_before - 1
    assert browser.get("/").status_code == 302  # back to the log-in page
    assert other_browser.get("/").status_code == 200
    assert api.get("/api/v1/references/").status_code == 401


def test_patch_without_a_path_as_azure_sends_it(scim):
    user = UserFactory(username="azure-user")
    response = scim(
        "patch",
        f"{USERS}/{user.pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "value": {"active": "False"}}],
        },
    )
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.is_active is False

    back = scim(
        "patch",
        f"{USERS}/{user.pk}",
        {"Operations": [{"op": "replace", "path": "active", "value": True}]},
    )
    assert back.status_code == 200
    user.refresh_from_db()
    assert user.is_active is True


def test_missing_or_wrong_token_is_401(token):
    assert Client().get(USERS).status_code == 401
    wrong = Client(HTTP_AUTHORIZATION="Bearer not-the-token").get(USERS)
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert wrong.json()["status"] == "401"
    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get(USERS).status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(USERS).status_code == 200
    created = Client().post(USERS, data=json.dumps({"userName": "x"}), content_type=SCIM_JSON)
    assert created.status_code == 401
    assert not User.objects.filter(username="x").exists()


def test_a_revoked_token_is_refused(token, scim):
    assert scim("get", USERS).status_code == 200
    ScimToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert scim("get", USERS).status_code == 401


def test_bad_input_is_a_scim_400(scim):
    assert scim("post", USERS, {"name": {"givenName": "x"}}).status_code == 400
    bad_role = _new_user(scim, role="pope")
    assert bad_role.status_code == 400
    assert bad_role.json()["scimType"] == "invalidValue"
    user = UserFactory()
    weird = scim(
        "patch", f"{USERS}/{user.pk}", {"Operations": [{"op": "replace", "path": "shoeSize", "value": 3}]}
    )
    assert weird.status_code == 400
    assert scim("get", f"{USERS}/999999").status_code == 404
    assert scim("get", f"{USERS}/abc").status_code == 404


def test_groups_are_the_roles(scim):
    alice = UserFactory(username="alice", role="sales")
    body = scim("get", GROUPS).json()
    assert body["totalResults"] == 5
    assert {g["id"] for g in body["Resources"]} == {"manager", "sales", "marketing", "executive", "admin"}

    added = scim(
        "patch",
        f"{GROUPS}/manager",
        {"Operations": [{"op": "add", "path": "members", "value": [{"value": str(alice.pk)}]}]},
    )
    assert added.status_code == 200, added.content
    alice.refresh_from_db()
    assert alice.role == "manager"
    assert str(alice.pk) in [m["value"] for m in scim("get", f"{GROUPS}/manager").json()["members"]]

    removed = scim(
        "patch",
        f"{GROUPS}/manager",
        {"Operations": [{"op": "remove", "path": f'members[value eq "{alice.pk}"]'}]},
    )
    assert removed.status_code == 200
    alice.refresh_from_db()
    assert alice.role == "sales"  # everyone keeps one role: the least-privileged one

    replaced = scim(
        "put", f"{GROUPS}/executive", {"displayName": "executive", "members": [{"value": alice.pk}]}
    )
    assert replaced.status_code == 200
    alice.refresh_from_db()
    assert alice.role == "executive"

    assert scim("get", f"{GROUPS}/pope").status_code == 404
    assert scim("post", GROUPS, {"displayName": "Pope"}).status_code == 400
    assert scim("post", GROUPS, {"displayName": "Marketing"}).status_code == 201


def test_a_leavers_open_requests_are_listed_for_reassignment_on_the_managers_home(scim, users, client_as):
    from datetime import timedelta

    from django.utils import timezone

    from tests.reporting.conftest import make_request

    now = timezone.now()
    leaver = UserFactory(username="leaver", role="sales")
    leaving_manager = UserFactory(username="leaving-manager", role="manager")
    theirs = make_request(leaver, created=now - timedelta(days=1), needed_by=now + timedelta(days=9))
    assigned = make_request(
        users["sales"],
        created=now - timedelta(days=1),
        needed_by=now + timedelta(days=5),
        assignee=leaving_manager,
    )
    closed = make_request(leaver, created=now - timedelta(days=9), status="cancelled", closed=now)
    stays = make_request(users["sales"], created=now - timedelta(days=1), needed_by=now + timedelta(days=7))
    manager = client_as(users["manager"])
    assert manager.get("/").context["queue"]["leavers"].count == 0

    for person in (leaver, leaving_manager):
        body = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
        assert scim("patch", f"{USERS}/{person.pk}", body).status_code == 200

    response = manager.get("/")
    section = response.context["queue"]["leavers"]
    assert [r.pk for r in section.rows] == [assigned.pk, theirs.pk]  # soonest needed first
    assert closed.pk not in [r.pk for r in section.rows] and stays.pk not in [r.pk for r in section.rows]
    html = response.content.decode()
    assert "Requests of people who left, to reassign" in html
    assert f'action="/requests/{assigned.pk}/assign/"' in html  # its assignee left: take it over


def test_what_scim_changes_is_in_the_audit_log_with_scim_as_the_reason(scim, users):
    user_id = _new_user(scim, role="sales").json()["id"]
    body = {"Operations": [{"op": "replace", "path": "active", "value": False}]}
    assert scim("patch", f"{USERS}/{user_id}", body).status_code == 200

    api = APIClient()
    api.force_authenticate(users["admin"])
    entries = api.get("/api/v1/audit/", {"object_type": "user", "object_id": user_id}).json()["results"]
    assert [(e["actor"], e["action"], e["reason"]) for e in entries] == [
        ("system", "changed", "SCIM provisioning"),
        ("system", "created", "SCIM provisioning"),
    ]
    assert entries[0]["changes"] == {"is_active": [True, False]}
