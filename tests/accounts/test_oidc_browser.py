"""A person signs in to RefProgram through the company's identity provider, in a real browser."""

from pathlib import Path

import pytest

from accounts.models import User
from tests.oidc_provider.fixtures import *  # noqa: F403 (the provider and the product's set-up)
from tests.oidc_provider.fixtures import IDP_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_a_manager_signs_in_through_the_providers_log_in_page(page, live_server, sso_settings, oidc_provider):
    oidc_provider.setup(
        redirect_uris=[f"{live_server.url}/oidc/callback/"],
        users=[{"username": "mia.sso", "first_name": "Mia", "groups": ["refprogram-managers"]}],
    )
    page.goto(f"{live_server.url}/login/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sso-login.png"), full_page=True)
    page.click("text=Sign in with Test IdP")
    page.wait_for_url(f"{oidc_provider.url}/accounts/login/**")
    page.fill("#id_username", "mia.sso")
    page.fill("#id_password", IDP_PASSWORD)
    page.click("text=Sign in at the IdP")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=str(SCREENSHOTS / "sso-signed-in.png"), full_page=True)
    assert page.get_by_role("button", name="Log out").is_visible()
    mia = User.objects.get(username="mia.sso")
    assert (mia.role, mia.first_name) == ("manager", "Mia")
