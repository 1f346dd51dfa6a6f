"""The second factor for password log-ins: the log-in's second step with an authenticator code or a
recovery code (used once), wrong codes counted toward the lockout, administrators sent to set one up
before anything else, the API token asking for ``otp``, the second-factor page and ``otp_reset``.

Codes are computed here with django-otp's own TOTP (RFC 6238) from the device's secret, as an
authenticator app would; ``offset`` picks the 30-second step before or after the current one."""

import io
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import second_factor
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
CODE_PAGE = "/login/code/"
SETUP_PAGE = "/login/set-up/"
TOKEN = "/api/v1/auth/token/"
WRONG = "That code is wrong or has expired"


def code(device: TOTPDevice, offset: int = 0) -> str:
    """What the authenticator app shows now (or ``offset`` 30-second steps away)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A user who set up an authenticator (through the service the pages use) and their codes; set
    up with the previous step's code, so the current one is still unused."""
    device = second_factor.second_factor_enrol_start(user=user)
    codes = second_factor.second_factor_enrol_confirm(user=user, device=device, code=code(device, -1))
    device.refresh_from_db()
    return device, codes


def logged_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def password_step(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    return settings


def test_without_a_second_factor_the_password_alone_logs_in(users):
    client = Client()
    response = password_step(client, "sales1")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user_id(client) == str(users["sales"].pk)


def test_with_an_authenticator_the_password_leads_to_the_code_and_only_the_code_logs_in(users):
    device, _ = enrolled(users["sales"])
    client = Client()
    response = password_step(client, "sales1", next_url="/catalog/")
    assert response.status_code == 302 and response["Location"] == CODE_PAGE
    assert logged_in_user_id(client) is None  # not logged in yet
    assert client.get("/catalog/").status_code == 302  # nothing opens before the code
    page = client.get(CODE_PAGE)
    assert page.status_code == 200 and "Enter your code" in page.content.decode()

    wrong = client.post(CODE_PAGE, {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert WRONG in wrong.content.decode()
    assert logged_in_user_id(client) is None

    used = code(device)  # the code as it stood, kept: the next one may have come before the replay
    right = client.post(CODE_PAGE, {"code": used})
    assert right.status_code == 302 and right["Location"] == "/catalog/"
    assert logged_in_user_id(client) == str(users["sales"].pk)
    assert client.session["otp_device_id"] == device.persistent_id  # the session is verified
    # The same code a second time (a replay) no longer works.
    again = Client()
    password_step(again, "sales1")
    assert WRONG in again.post(CODE_PAGE, {"code": used}).content.decode()


def test_the_code_page_without_a_right_password_sends_back_to_the_log_in(users):
    enrolled(users["sales"])
    client = Client()
    assert client.get(CODE_PAGE)["Location"] == LOGIN
    response = client.post(CODE_PAGE, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert logged_in_user_id(client) is None


def test_a_recovery_code_logs_in_once(users):
    _, codes = enrolled(users["sales"])
    assert len(codes) == 10 and len(set(codes)) == 10
    # Stored hashed: the table never holds a code as shown.
    stored = set(StaticToken.objects.filter(device__user=users["sales"]).values_list("token", flat=True))
    assert (
        len(stored) == 10
        and not stored & {c for c in codes}
        and not stored & {c.replace("-", "") for c in codes}
    )

    first = Client()
    password_step(first, "sales1")
    response = first.post(CODE_PAGE, {"code": codes[3].upper()}, follow=True)  # typed in capitals: fine
    assert logged_in_user_id(first) == str(users["sales"].pk)
    assert "9 left" in response.content.decode()

    second = Client()
    password_step(second, "sales1")
    assert WRONG in second.post(CODE_PAGE, {"code": codes[3]}).content.decode()
    assert logged_in_user_id(second) is None
    assert second_factor.recovery_codes_left(users["sales"]) == 9


def test_wrong_codes_count_toward_the_lockout_and_say_so(users, settings):
    device, _ = enrolled(users["sales"])
    client = Client(REMOTE_ADDR="10.0.0.7")
    password_step(client, "sales1")
    for n in range(1, settings.AXES_FAILURE_LIMIT):
        response = client.post(CODE_PAGE, {"code": "abcdef"})
        assert response.status_code == 200 and WRONG in response.content.decode()
        assert AccessAttempt.objects.get(username="sales1").failures_since_start == n
    fifth = client.post(CODE_PAGE, {"code": "abcdef"})
    assert fifth.status_code == 429
    assert "Too many failed log-ins" in fifth.content.decode()
    # Each wrong code is in the failure log as a second-factor failure, the last one locked out.
    marked = AccessFailureLog.objects.filter(username="sales1", path_info__endswith="(second factor)")
    assert marked.count() == settings.AXES_FAILURE_LIMIT and marked.filter(locked_out=True).count() == 1
    # Locked out: the pending log-in is gone and even the right password and code are refused.
    assert client.post(CODE_PAGE, {"code": code(device)})["Location"] == LOGIN
    assert password_step(client, "sales1").status_code == 429
    assert logged_in_user_id(client) is None


def test_a_right_code_resets_the_count_of_wrong_ones(users):
    device, _ = enrolled(users["sales"])
    client = Client(REMOTE_ADDR="10.0.0.7")
    password_step(client, "sales1")
    client.post(CODE_PAGE, {"code": "abcdef"})
    client.post(CODE_PAGE, {"code": code(device)})
    assert logged_in_user_id(client) == str(users["sales"].pk)
    assert not AccessAttempt.objects.filter(username="sales1").exists()


def test_an_administrator_without_an_authenticator_must_set_one_up_first(users, required):
    client = Client()
    response = password_step(client, "admin1", next_url="/policy/")
    assert response.status_code == 302 and response["Location"] == SETUP_PAGE
    assert logged_in_user_id(client) is None
    assert client.get("/policy/").status_code == 302  # nothing else opens
    page = client.get(SETUP_PAGE).content.decode()
    assert "<svg" in page and 'id="otp-secret"' in page
    device = TOTPDevice.objects.get(user=users["admin"], confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert secret == second_factor.secret_text(device).replace(" ", "")

    wrong = client.post(SETUP_PAGE, {"code": "12345x"})
    assert WRONG in wrong.content.decode() and logged_in_user_id(client) is None
    assert second_factor.secret_text(device) in client.get(SETUP_PAGE).content.decode()  # the same again
    assert TOTPDevice.objects.filter(user=users["admin"]).count() == 1

    done = client.post(SETUP_PAGE, {"code": code(device)})
    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4})</code></li>", done.content.decode())
    assert len(shown) == 10
    assert 'href="/policy/"' in done.content.decode()
    assert logged_in_user_id(client) == str(users["admin"].pk)
    assert client.get("/policy/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # The next log-in asks for a code; a recovery code shown once works.
    later = Client()
    assert password_step(later, "admin1")["Location"] == CODE_PAGE
    assert later.post(CODE_PAGE, {"code": shown[0]}).status_code == 302
    assert logged_in_user_id(later) == str(users["admin"].pk)


def test_without_the_requirement_an_administrator_logs_in_with_the_password(users, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    client = Client()
    assert password_step(client, "admin1")["Location"] == "/"
    assert logged_in_user_id(client) == str(users["admin"].pk)


def test_the_django_admin_logs_in_through_the_same_page(users):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_an_api_token_needs_the_code_of_a_user_with_a_second_factor(users):
    device, codes = enrolled(users["manager"])
    api = APIClient()
    missing = api.post(TOKEN, {"username": "manager1", "password": PASSWORD}, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()
    assert "token" not in missing.json()
    wrong = api.post(TOKEN, {"username": "manager1", "password": PASSWORD, "otp": "000001"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["otp"] == ["The code is wrong or has expired."]
    assert AccessAttempt.objects.get(username="manager1").failures_since_start == 1
    right = api.post(
        TOKEN, {"username": "manager1", "password": PASSWORD, "otp": code(device)}, format="json"
    )
    assert right.status_code == 200 and right.json()["token"]
    recovery = api.post(TOKEN, {"username": "manager1", "password": PASSWORD, "otp": codes[0]}, format="json")
    assert recovery.status_code == 200
    # A wrong password with a right code is still a wrong password.
    bad = api.post(TOKEN, {"username": "manager1", "password": "nope", "otp": code(device, 1)}, format="json")
    assert bad.status_code == 400 and "non_field_errors" in bad.json()
    # Users without a second factor send no otp, as before.
    assert api.post(TOKEN, {"username": "sales1", "password": PASSWORD}, format="json").status_code == 200


def test_wrong_api_codes_lock_out_like_wrong_passwords(users, settings):
    enrolled(users["manager"])
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    body = {"username": "manager1", "password": PASSWORD, "otp": "999999x"}
    statuses = [api.post(TOKEN, body, format="json").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_an_administrator_who_must_set_one_up_gets_no_token_before(users, required):
    response = APIClient().post(TOKEN, {"username": "admin1", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json()["otp"] == ["Set up your second factor on the log-in page first."]


def test_the_second_factor_page_sets_up_and_removes(users, client_as):
    client = client_as(users["marketing"])
    assert "Set up a second factor" in client.get("/account/second-factor/").content.decode()
    client.get("/account/second-factor/set-up/")
    device = TOTPDevice.objects.get(user=users["marketing"], confirmed=False)
    done = client.post("/account/second-factor/set-up/", {"code": code(device)})
    assert done.status_code == 200 and done.content.decode().count("<li><code>") == 10
    page = client.get("/account/second-factor/").content.decode()
    assert 'id="recovery-left">10<' in page

    refused = client.post("/account/second-factor/remove/", {"code": "000000x"})
    assert WRONG in refused.content.decode()
    assert second_factor.authenticator_for(users["marketing"]) is not None
    removed = client.post("/account/second-factor/remove/", {"code": code(device, 1)})
    assert removed.status_code == 302
    assert second_factor.authenticator_for(users["marketing"]) is None
    assert not StaticToken.objects.filter(device__user=users["marketing"]).exists()
    fresh = Client()
    assert password_step(fresh, "marketing1")["Location"] == "/"


def test_setting_up_a_new_authenticator_replaces_the_old_one(users, client_as):
    old, old_codes = enrolled(users["sales"])
    client = client_as(users["sales"])
    client.get("/account/second-factor/set-up/")
    new = TOTPDevice.objects.get(user=users["sales"], confirmed=False)
    assert second_factor.authenticator_for(users["sales"]) == old  # still the old until confirmed
    client.post("/account/second-factor/set-up/", {"code": code(new)})
    assert list(TOTPDevice.objects.filter(user=users["sales"])) == [new]
    fresh = Client()
    password_step(fresh, "sales1")
    assert WRONG in fresh.post(CODE_PAGE, {"code": old_codes[0]}).content.decode()  # old codes gone


def test_an_administrator_who_must_keep_one_cannot_remove_it(users, client_as, required):
    device, _ = enrolled(users["admin"])
    client = client_as(users["admin"])
    response = client.post("/account/second-factor/remove/", {"code": code(device)}, follow=True)
    assert "Administrators must keep a second factor" in response.content.decode()
    assert second_factor.authenticator_for(users["admin"]) is not None


def test_single_sign_on_users_are_not_asked(users, client_as, required):
    sso_admin = UserFactory(username="sso_admin", role="admin")
    sso_admin.set_unusable_password()
    sso_admin.save()
    assert not second_factor.second_factor_required(sso_admin)
    page = client_as(sso_admin).get("/account/second-factor/").content.decode()
    assert "identity provider" in page and "Set up a second factor" not in page
    assert client_as(sso_admin).get("/account/second-factor/set-up/").status_code == 302
    assert not TOTPDevice.objects.filter(user=sso_admin).exists()


def test_otp_reset_removes_the_second_factor(users, required):
    enrolled(users["admin"])
    out = io.StringIO()
    call_command("otp_reset", "admin1", stdout=out)
    assert "Removed the second factor of admin1" in out.getvalue()
    assert "sets up a new one at their next log-in" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=users["admin"]).exists()
    assert password_step(Client(), "admin1")["Location"] == SETUP_PAGE
    again = io.StringIO()
    call_command("otp_reset", "admin1", stdout=again)
    assert "nothing to reset" in again.getvalue()
    with pytest.raises(CommandError):
        call_command("otp_reset", "nobody")


def test_the_verified_flag_follows_the_session(users):
    device, _ = enrolled(users["sales"])
    client = Client()
    password_step(client, "sales1")
    client.post(CODE_PAGE, {"code": code(device)})
    response = client.get("/")
    assert response.wsgi_request.user.is_verified()
    forced = Client()
    forced.force_login(users["sales"])  # no second step: not verified
    assert not forced.get("/").wsgi_request.user.is_verified()
