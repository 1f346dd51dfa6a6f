import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.permissions import CAPABILITIES, VIEW_CONTACT_PII, has_capability


@pytest.mark.django_db
def test_createuser_with_password_flag():
    call_command(
        "createuser", "rita", "--role", "manager", "--email", "rita@example.com", "--password", "s3cret-pass!"
    )
    user = User.objects.get(username="rita")
    assert user.role == "manager"
    assert user.email == "rita@example.com"
    assert user.check_password("s3cret-pass!")


@pytest.mark.django_db
def test_createuser_reads_password_from_environment(monkeypatch):
    monkeypatch.setenv("REFPROGRAM_PASSWORD", "from-the-env-42")
    call_command("createuser", "sam", "--role", "sales")
    assert User.objects.get(username="sam").check_password("from-the-env-42")


@pytest.mark.django_db
def test_createuser_refuses_unknown_role():
    with pytest.raises(CommandError):
        call_command("createuser", "x", "--role", "pirate", "--password", "whatever-123")
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_token_endpoint(api, users):
    ok = api.post("/api/v1/auth/token/", {"username": "sales1", "password": "pass-word-123"}, format="json")
    assert ok.status_code == 200
    token = ok.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/references/").status_code == 200
    bad = api.post("/api/v1/auth/token/", {"username": "sales1", "password": "nope"}, format="json")
    assert bad.status_code == 400


def test_only_managers_and_admins_see_contact_pii():
    holders = {role for role, caps in CAPABILITIES.items() if VIEW_CONTACT_PII in caps}
    assert holders == {"manager", "admin"}


@pytest.mark.django_db
def test_inactive_user_has_no_capabilities(users):
    user = users["manager"]
    user.is_active = False
    assert not has_capability(user, VIEW_CONTACT_PII)


@pytest.mark.django_db
def test_login_page_and_redirect(client, users):
    assert client.get("/login/").status_code == 200
    resp = client.post("/login/", {"username": "manager1", "password": "pass-word-123"})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/").context["user"].username == "manager1"


@pytest.mark.django_db
def test_token_request_with_an_impossible_user_name_is_a_400(api):
    """Longer than any user name: refused before a log-in attempt is recorded (never a 500)."""
    response = api.post("/api/v1/auth/token/", {"username": "x" * 300, "password": "pw"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()
