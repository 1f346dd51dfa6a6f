"""Real-browser fixtures: shipped lists re-installed after flushes, logging in, screenshots."""

from pathlib import Path

import pytest

from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _shipped_lists(request):
    """Industries, regions, activity types… are created by a migration; a transactional test's
    flush removes them, so install them again for every browser test."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from references import defaults

        request.getfixturevalue("transactional_db")
        defaults.install()


@pytest.fixture
def login(live_server):
    """Log a user in through the login form, as a person would."""

    def do(page, user):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do


@pytest.fixture
def shot():
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
