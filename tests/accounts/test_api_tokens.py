"""API tokens: issued with an expiry, stored hashed, revoked by the client, by a password change
and by deactivation."""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.services import user_deactivate, user_set_password
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PROBE = "/api/v1/references/"  # any endpoint every role may read
NEW_PASSWORD = "a-brand-new-secret"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The token endpoint's throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def _token(username="sales1", password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_token_response_says_when_the_token_expires(users):
    before = timezone.now()
    response = APIClient().post(TOKEN_URL, {"username": "sales1", "password": PASSWORD}, format="json")
    after = timezone.now()
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    expiry = datetime.fromisoformat(body["expiry"])
    # API_TOKEN_HOURS defaults to 10: the token dies ten hours after it was issued.
    assert before + timedelta(hours=10) <= expiry <= after + timedelta(hours=10)
    assert _with(body["token"]).get(PROBE).status_code == 200


def test_each_request_gets_its_own_token(users):
    first, second = _token(), _token()
    assert first != second
    assert AuthToken.objects.filter(user=users["sales"]).count() == 2


def test_delete_revokes_the_token_it_is_sent_with(users):
    token, other = _token(), _token()
    client = _with(token)
    assert client.get(PROBE).status_code == 200

    assert client.delete(TOKEN_URL).status_code == 204
    refused = client.get(PROBE)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert client.delete(TOKEN_URL).status_code == 401  # already gone
    # Only that token: the user's other one (another script) still works.
    assert _with(other).get(PROBE).status_code == 200


def test_delete_needs_the_token_itself(users):
    assert APIClient().delete(TOKEN_URL).status_code == 401
    session = APIClient()
    session.force_login(users["sales"])  # a signed-in page session has no token to revoke
    assert session.delete(TOKEN_URL).status_code == 401


def test_an_expired_token_is_refused(users):
    token = _token()
    assert _with(token).get(PROBE).status_code == 200
    AuthToken.objects.filter(user=users["sales"]).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _with(token).get(PROBE).status_code == 401


def test_the_token_lifetime_follows_the_setting(users, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=1)}
    before = timezone.now()
    expiry = datetime.fromisoformat(
        APIClient()
        .post(TOKEN_URL, {"username": "sales1", "password": PASSWORD}, format="json")
        .json()["expiry"]
    )
    assert before + timedelta(hours=1) <= expiry <= timezone.now() + timedelta(hours=1)


def test_api_token_hours_is_read_from_the_environment():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "API_TOKEN_HOURS": "3", "SECRET_KEY": "x" * 50}
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.REST_KNOX['TOKEN_TTL'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**env, "DJANGO_SETTINGS_MODULE": "refprogram.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "3:00:00", result.stderr


def test_the_database_holds_no_token_in_plain_text(users):
    token = _token()
    assert len(token) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM knox_authtoken t")
        rows = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT to_regclass('authtoken_token')")
        old_table = cursor.fetchone()[0]
    assert len(rows) == 1
    assert token not in rows[0]
    assert token.upper() not in rows[0].upper()
    assert old_table is None  # the old plain-text token table is gone


def test_the_admin_shows_who_holds_tokens_but_never_a_token(users):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    token = _token()
    admin = Client()
    admin.force_login(root)
    listing = admin.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    assert "sales1" in listing.content.decode()
    assert token not in listing.content.decode()
    assert token[:15] not in listing.content.decode()  # not even knox's lookup prefix
    assert admin.get("/admin/knox/authtoken/add/").status_code == 403  # tokens come from the API


def test_a_password_change_revokes_every_token_of_the_user(users):
    first, second, others = _token(), _token(), _token("manager1")
    assert user_set_password(user=users["sales"], password=NEW_PASSWORD) == 2
    assert _with(first).get(PROBE).status_code == 401
    assert _with(second).get(PROBE).status_code == 401
    assert _with(others).get(PROBE).status_code == 200  # another user's token is untouched
    assert _token(password=NEW_PASSWORD)  # the new password works


def test_a_password_the_policy_refuses_changes_nothing(users):
    from django.core.exceptions import ValidationError

    token = _token()
    with pytest.raises(ValidationError) as refused:
        user_set_password(user=users["sales"], password="short-pw-11")
    assert refused.value.message_dict == {
        "password": ["This password is too short. It must contain at least 12 characters."]
    }
    users["sales"].refresh_from_db()
    assert users["sales"].check_password(PASSWORD)
    assert _with(token).get(PROBE).status_code == 200


def test_a_password_change_in_the_admin_revokes_the_tokens(users):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    token = _token()
    admin = Client()
    admin.force_login(root)
    url = f"/admin/accounts/user/{users['sales'].pk}/password/"

    too_short = admin.post(
        url, {"password1": "eleven-char", "password2": "eleven-char", "usable_password": "true"}
    )
    assert too_short.status_code == 200
    assert "at least 12 characters" in too_short.content.decode()
    assert _with(token).get(PROBE).status_code == 200

    changed = admin.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert changed.status_code == 302
    users["sales"].refresh_from_db()
    assert users["sales"].check_password(NEW_PASSWORD)
    assert _with(token).get(PROBE).status_code == 401


def test_deactivation_revokes_every_token_of_the_user(users):
    token = _token()
    assert user_deactivate(user=users["sales"]) == 1
    users["sales"].refresh_from_db()
    assert not users["sales"].is_active
    assert not AuthToken.objects.filter(user=users["sales"]).exists()
    assert _with(token).get(PROBE).status_code == 401


def test_a_deactivated_users_token_is_refused_even_if_it_was_kept(users):
    token = _token()
    users["sales"].is_active = False
    users["sales"].save()  # not through user_deactivate: the token row is still there
    assert _with(token).get(PROBE).status_code == 401


def test_deactivation_in_the_admin_revokes_the_tokens(users):
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    token = _token()
    admin = Client()
    admin.force_login(root)
    sales = users["sales"]
    form = {
        "username": sales.username,
        "first_name": "",
        "last_name": "",
        "email": sales.email,
        # "is_active" left out: the box is unticked
        "role": "sales",
        "date_joined_0": sales.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": sales.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    response = admin.post(f"/admin/accounts/user/{sales.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    sales.refresh_from_db()
    assert not sales.is_active
    assert not AuthToken.objects.filter(user=sales).exists()
    assert _with(token).get(PROBE).status_code == 401
