"""An administrator's first log-in with the second factor required, in a real browser: the password,
then the set-up page (QR code and secret, no content-security-policy complaint), the first code from
an "authenticator app" (RFC 6238 computed here from the secret the page shows), the ten recovery
codes shown once; then a later log-in with a wrong code (a clear error) and a recovery code."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _app_code(secret: str) -> str:
    """What an authenticator app shows for this base-32 secret now."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def _password(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_an_administrator_sets_up_the_second_factor_then_logs_in_with_it(live_server, page, shot, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    UserFactory(username="otp_admin", role="admin")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    _password(page, live_server.url, "otp_admin")
    page.wait_for_url(f"{live_server.url}/login/set-up/")
    expect(page.locator(".otp-qr svg")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    shot(page, "totp-setup")
    # Nothing else opens before the set-up is done.
    page.goto(f"{live_server.url}/policy/")
    assert "/login/" in page.url
    page.goto(f"{live_server.url}/login/set-up/")
    assert page.locator("#otp-secret").inner_text().replace(" ", "") == secret  # the same secret

    page.fill("#id_code", "000000" if _app_code(secret) != "000000" else "111111")
    page.click("button[type=submit]")
    expect(page.locator("#code-error")).to_contain_text("That code is wrong or has expired")

    page.fill("#id_code", _app_code(secret))
    page.click("button[type=submit]")
    expect(page.locator("#recovery-codes code")).to_have_count(10)  # the next page has loaded
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    shot(page, "totp-recovery-codes")
    page.click("#continue")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".userbox")).to_contain_text("Log out")

    # Later: the password, then a code; a wrong one says so, a recovery code logs in.
    page.click(".userbox button")
    _password(page, live_server.url, "otp_admin")
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.fill("#id_code", "12345")
    page.click("button[type=submit]")
    expect(page.locator("#code-error")).to_contain_text("That code is wrong or has expired")
    page.fill("#id_code", codes[0])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("9 left")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
