"""Log-in lockout (django-axes), API throttling, cookies and security headers."""

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "Too many failed log-ins"


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_five_failures_lock_the_username_on_this_address_with_a_clear_message(users, settings):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "sales1", "wrong-password")
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
    fifth = _login(client, "sales1", "wrong-password")
    assert fifth.status_code == 429
    assert LOCKED_TEXT in fifth.content.decode() and "15 minutes" in fifth.content.decode()
    assert 'id="id_username"' in fifth.content.decode()  # still the log-in page, with the reason

    # Even the right password is refused now, and no session is opened.
    right = _login(client, "sales1", PASSWORD)
    assert right.status_code == 429
    assert LOCKED_TEXT in right.content.decode()
    assert "_auth_user_id" not in client.session

    # The lock is per username and address: the same person elsewhere and others here still log in.
    assert _login(Client(REMOTE_ADDR="10.0.0.8"), "sales1", PASSWORD).status_code == 302
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "manager1", PASSWORD).status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_dodge_the_lockout(users, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "sales1", "nope")
    response = _login(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.99"), "sales1", PASSWORD)
    assert response.status_code == 429


def test_the_lock_lifts_after_the_cool_off(users, settings):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "sales1", "wrong-password")
    assert _login(client, "sales1", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="sales1")
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME
    attempt.save()
    assert _login(client, "sales1", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(users, settings):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "sales1", "wrong-password")
    assert _login(client, "sales1", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(Client(REMOTE_ADDR="10.0.0.7"), "sales1", "wrong-password").status_code == 200


def test_token_endpoint_locks_out_after_five_failures(users, settings):
    api = APIClient(REMOTE_ADDR="10.0.0.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        bad = api.post("/api/v1/auth/token/", {"username": "sales1", "password": "x"}, format="json")
        assert bad.status_code == 400
    fifth = api.post("/api/v1/auth/token/", {"username": "sales1", "password": "x"}, format="json")
    assert fifth.status_code == 429
    assert fifth.json()["code"] == "locked_out"
    right = api.post("/api/v1/auth/token/", {"username": "sales1", "password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert LOCKED_TEXT in right.json()["detail"]
    assert "token" not in right.json()


SPRAYED = ["manager1", "sales1", "marketing1", "executive1", "admin1"]  # four wrong passwords each
ADDRESS_LOCKED_TEXT = "Too many failed log-ins from this network address"


def test_twenty_failures_across_usernames_lock_the_address_on_the_login_page(users):
    """Password spraying: four guesses for each of five users stay under the per-user lock,
    but twenty from one address lock the address, even for a sixth user's right password."""
    UserFactory(username="sales2")
    client = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [_login(client, name, "Winter2026!").status_code for name in SPRAYED * 4]
    assert statuses == [200] * 19 + [429]  # the twentieth failure locks, as the fifth does for a pair
    sixth = _login(client, "sales2", PASSWORD)
    assert sixth.status_code == 429
    assert ADDRESS_LOCKED_TEXT in sixth.content.decode() and "15 minutes" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is per address: the same users elsewhere still log in.
    assert _login(Client(REMOTE_ADDR="10.0.0.8"), "sales2", PASSWORD).status_code == 302


def test_twenty_failures_across_usernames_lock_the_address_on_the_token_endpoint(users):
    UserFactory(username="sales2")
    api = APIClient(REMOTE_ADDR="10.0.0.7")

    def token(username, password):
        return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")

    statuses = [token(name, "Winter2026!").status_code for name in SPRAYED * 4]
    assert statuses == [400] * 19 + [429]
    sixth = token("sales2", PASSWORD)
    assert sixth.status_code == 429
    assert sixth.json()["code"] == "locked_out"
    assert ADDRESS_LOCKED_TEXT in sixth.json()["detail"]
    assert "token" not in sixth.json()
    assert (
        APIClient(REMOTE_ADDR="10.0.0.8")
        .post("/api/v1/auth/token/", {"username": "sales2", "password": PASSWORD}, format="json")
        .status_code
        == 200
    )


def test_a_success_does_not_wipe_the_address_count(users):
    """A sprayer who owns one account cannot reset the address's count by logging in with it."""
    UserFactory(username="sales2")
    client = Client(REMOTE_ADDR="10.0.0.7")
    for name in SPRAYED[:4] * 4:  # sixteen failures
        assert _login(client, name, "Winter2026!").status_code == 200
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "admin1", PASSWORD).status_code == 302
    for _ in range(3):
        assert _login(client, "admin1", "Winter2026!").status_code == 200
    assert _login(client, "admin1", "Winter2026!").status_code == 429  # the twentieth
    assert _login(client, "sales2", PASSWORD).status_code == 429


def test_the_address_lock_lifts_after_the_cool_off(users, settings):
    UserFactory(username="sales2")
    client = Client(REMOTE_ADDR="10.0.0.7")
    for name in SPRAYED * 4:
        _login(client, name, "Winter2026!")
    assert _login(client, "sales2", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert _login(client, "sales2", PASSWORD).status_code == 302


def test_token_endpoint_is_throttled_per_username_and_address(users):
    api = APIClient(REMOTE_ADDR="10.0.0.7")
    body = {"username": "sales1", "password": PASSWORD}
    statuses = [api.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    throttled = api.post("/api/v1/auth/token/", body, format="json")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another user on the same address is not slowed down by it.
    other = api.post("/api/v1/auth/token/", {"username": "manager1", "password": PASSWORD}, format="json")
    assert other.status_code == 200


def test_api_calls_are_throttled_per_user(users, monkeypatch):
    """The default throttle classes are wired; the production rate (2000/min) is shrunk to 3."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    mine = APIClient()
    mine.force_authenticate(users["sales"])
    statuses = [mine.get("/api/v1/requests/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = APIClient()
    other.force_authenticate(users["manager"])
    assert other.get("/api/v1/requests/").status_code == 200


def test_default_rates_leave_room_for_a_busy_user(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    per_minute = UserRateThrottle().parse_rate
    assert (
        per_minute(rates["user"])[0] >= 1000 and per_minute(rates["user"])[1] == 60
    )  # a 50-user load test is nowhere near it
    assert per_minute(rates["auth-token"]) == (10, 60)


def test_session_and_csrf_cookies_are_http_only_and_same_site(users):
    client = Client()
    page = client.get("/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/login/", {"username": "sales1", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["secure"]  # plain HTTP in development; HTTPS=1 makes it secure (deploy test)


def test_security_headers_and_csp_on_pages(client_as, users):
    response = client_as(users["manager"]).get("/catalog/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/login/", "/api/v1/requests/", "/health/"])
def test_csp_header_on_every_kind_of_response(client_as, users, path):
    response = client_as(users["manager"]).get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_api_docs_relax_styles_for_themselves_only(client_as, users):
    docs = client_as(users["manager"]).get("/api/docs/")
    assert docs.status_code == 200
    policy = docs["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy  # scripts stay our own files
    assert b"<script>" not in docs.content  # the split view serves its set-up script as a file
    script = client_as(users["manager"]).get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_request_id_is_echoed_or_made(client):
    given = client.get("/login/", HTTP_X_REQUEST_ID="req-1234567890")
    assert given["X-Request-ID"] == "req-1234567890"
    made = client.get("/login/", HTTP_X_REQUEST_ID="<script>")
    assert made["X-Request-ID"] != "<script>" and len(made["X-Request-ID"]) == 32


def test_logins_over_http_are_in_the_access_log_internal_ones_are_not(users):
    from axes.models import AccessLog

    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "sales1", PASSWORD).status_code == 302
    Client().force_login(users["manager"])  # no client address: not a log-in from outside
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("sales1", "10.0.0.7")]
