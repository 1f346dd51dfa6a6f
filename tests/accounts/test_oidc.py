"""Single sign-on against a real OpenID Connect provider (django-oauth-toolkit) on 127.0.0.1."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.test import Client
from knox.models import AuthToken

from accounts.models import User
from accounts.oidc import RoleMappingBackend, role_map
from accounts.services import api_token_create
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.oidc_provider.fixtures import *  # noqa: F403 (the provider and the product's set-up)
from tests.oidc_provider.fixtures import CLIENT_ID, IDP_PASSWORD

CALLBACK = "http://testserver/oidc/callback/"


@pytest.fixture
def idp(sso_settings, oidc_provider):
    oidc_provider.setup(redirect_uris=[CALLBACK])
    return oidc_provider


def start(client: Client) -> str:
    """Press "Sign in with …": the address at the provider the product sends the browser to."""
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    return response["Location"]


def sign_in_at_provider(authorize_url: str, username: str) -> str:
    """What a browser does at the provider: its log-in form, then back; the callback address."""
    browser = requests.Session()
    login_page = browser.get(authorize_url, timeout=10)
    assert "Test IdP: sign in" in login_page.text
    response = browser.post(
        login_page.url,
        data={
            "username": username,
            "password": IDP_PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"],
        },
        headers={"Referer": login_page.url},
        allow_redirects=False,
        timeout=10,
    )
    while not response.headers["Location"].startswith(CALLBACK):
        response = browser.get(
            requests.compat.urljoin(response.url, response.headers["Location"]),
            allow_redirects=False,
            timeout=10,
        )
    return response.headers["Location"]


def sso_login(client: Client, username: str):
    callback = sign_in_at_provider(start(client), username)
    return client.get(callback.removeprefix("http://testserver"))


def logged_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
def test_discovery_sends_the_browser_to_the_providers_authorization_endpoint_with_pkce_and_nonce(idp):
    document = requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=10).json()
    location = start(Client())
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == document["authorization_endpoint"]
    assert url.path == "/o/authorize/"
    query = parse_qs(url.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert len(query["nonce"][0]) == 32
    assert "openid" in query["scope"][0].split()


@pytest.mark.django_db
def test_first_sign_in_creates_the_user_with_the_role_their_group_maps_to(idp):
    idp.setup(
        users=[
            {
                "username": "ada.sso",
                "email": "ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "groups": ["refprogram-managers", "unrelated-group"],
            }
        ]
    )
    client = Client()
    response = sso_login(client, "ada.sso")
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="ada.sso")
    assert logged_in_as(client) == user
    assert (user.role, user.is_staff, user.is_superuser) == ("manager", True, False)
    assert (user.email, user.first_name, user.last_name) == ("ada@example.com", "Ada", "Lovelace")
    assert not user.has_usable_password()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_role_is_refreshed_at_each_sign_in_and_a_user_whose_groups_are_removed_is_refused(idp):
    idp.setup(users=[{"username": "bob.sso", "groups": ["refprogram-sales", "refprogram-managers"]}])
    sso_login(Client(), "bob.sso")
    bob = User.objects.get(username="bob.sso")
    assert (bob.role, bob.is_staff) == ("manager", True)  # the first group listed in the map wins

    idp.setup(users=[{"username": "bob.sso", "groups": ["refprogram-sales"]}])
    client = Client()
    sso_login(client, "bob.sso")
    bob.refresh_from_db()
    assert (bob.role, bob.is_staff) == ("sales", False)
    assert logged_in_as(client) == bob

    api_token_create(user=bob)
    idp.setup(users=[{"username": "bob.sso", "groups": ["unrelated-group"]}])
    client = Client()
    response = sso_login(client, "bob.sso")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert logged_in_as(client) is None
    assert AuthToken.objects.filter(user=bob).count() == 0
    page = client.get("/login/")
    assert "no RefProgram role at your identity provider" in page.content.decode()


@pytest.mark.django_db
def test_a_person_with_no_mapped_group_gets_no_user(idp):
    idp.setup(users=[{"username": "eve.sso", "groups": []}])
    client = Client()
    sso_login(client, "eve.sso")
    assert logged_in_as(client) is None
    assert not User.objects.filter(username="eve.sso").exists()


@pytest.mark.django_db
def test_a_deactivated_user_is_refused(idp):
    UserFactory(username="gone.sso", role="sales", is_active=False)
    idp.setup(users=[{"username": "gone.sso", "groups": ["refprogram-sales"]}])
    client = Client()
    sso_login(client, "gone.sso")
    assert logged_in_as(client) is None
    assert "Your RefProgram account is deactivated." in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_the_code_is_worthless_without_the_pkce_verifier(idp):
    idp.setup(users=[{"username": "carl.sso", "groups": ["refprogram-sales"]}])
    client = Client()
    callback = sign_in_at_provider(start(client), "carl.sso")
    session = client.session
    for state in session["oidc_states"].values():
        state["code_verifier"] = "x" * 64  # not the verifier the challenge was made from
    session.save()
    response = client.get(callback.removeprefix("http://testserver"))
    assert response["Location"] == "/login/"
    assert logged_in_as(client) is None
    assert not User.objects.filter(username="carl.sso").exists()


@pytest.mark.django_db
def test_an_id_token_with_another_nonce_is_refused(idp):
    idp.setup(users=[{"username": "dora.sso", "groups": ["refprogram-sales"]}])
    client = Client()
    callback = sign_in_at_provider(start(client), "dora.sso")
    session = client.session
    for state in session["oidc_states"].values():
        state["nonce"] = "a-nonce-this-browser-never-sent"
    session.save()
    response = client.get(callback.removeprefix("http://testserver"))
    assert response["Location"] == "/login/"
    assert logged_in_as(client) is None
    assert not User.objects.filter(username="dora.sso").exists()


@pytest.mark.django_db
def test_an_id_token_not_signed_by_the_providers_key_is_refused(idp):
    keys = requests.get(f"{idp.issuer}/.well-known/jwks.json", timeout=10).json()["keys"]
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = forger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    claims = {"iss": idp.issuer, "aud": CLIENT_ID, "sub": "1", "exp": 4102444800, "nonce": "n"}
    forged = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": keys[0]["kid"]})
    genuine = jwt.encode(claims, idp.private_key, algorithm="RS256", headers={"kid": keys[0]["kid"]})
    backend = RoleMappingBackend()
    backend.load_provider()
    assert backend.verify_token(genuine, nonce="n")["sub"] == "1"
    with pytest.raises(SuspiciousOperation, match="verification failed"):
        backend.verify_token(forged, nonce="n")
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_token(
            jwt.encode(
                {**claims, "aud": "someone-else"},
                idp.private_key,
                algorithm="RS256",
                headers={"kid": keys[0]["kid"]},
            ),
            nonce="n",
        )


@pytest.mark.django_db
def test_the_log_in_page_offers_the_provider_only_when_it_is_set_up(settings, sso_settings):
    assert "Sign in with Test IdP" in Client().get("/login/").content.decode()
    settings.OIDC_ISSUER = ""
    page = Client().get("/login/").content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page
    assert Client().get("/oidc/authenticate/")["Location"] == "/login/"


@pytest.mark.django_db
def test_sso_only_turns_passwords_off_but_for_the_break_glass_admin(sso_settings):
    sso_settings.SSO_ONLY = True
    sso_settings.SSO_BREAK_GLASS_USERNAME = "glass"
    UserFactory(username="glass", role="admin")
    UserFactory(username="rita", role="sales")
    page = Client().get("/login/").content.decode()
    assert "Sign in with Test IdP" in page
    assert 'name="password"' not in page
    assert 'name="password"' in Client().get("/login/?break_glass=1").content.decode()

    client = Client()
    response = client.post("/login/?break_glass=1", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 200
    assert logged_in_as(client) is None
    response = client.post("/login/?break_glass=1", {"username": "glass", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_as(client).username == "glass"

    api = Client()
    refused = api.post("/api/v1/auth/token/", {"username": "rita", "password": PASSWORD})
    assert refused.status_code == 400
    assert api.post("/api/v1/auth/token/", {"username": "glass", "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
def test_passwords_work_as_before_without_sso(settings):
    settings.OIDC_ISSUER = ""
    settings.SSO_ONLY = True  # ignored: no provider to sign in with
    UserFactory(username="rita", role="sales")
    client = Client()
    assert client.post("/login/", {"username": "rita", "password": PASSWORD}).status_code == 302
    assert logged_in_as(client).username == "rita"


def test_the_role_map_reads_pairs_in_order_and_refuses_unknown_roles(settings):
    settings.OIDC_ROLE_MAP = " it-admins:admin , refprogram:sales:manager,refprogram-sales:sales,"
    assert role_map() == [
        ("it-admins", "admin"),
        ("refprogram:sales", "manager"),
        ("refprogram-sales", "sales"),
    ]
    settings.OIDC_ROLE_MAP = "refprogram-bosses:boss"
    with pytest.raises(ImproperlyConfigured):
        role_map()
