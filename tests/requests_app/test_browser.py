"""Real-browser journeys (Playwright with Debian's Chromium): a sales rep submits a request and
sees its status; a manager triages it, proposes the top match and walks it to completed."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from references import defaults
from tests.factories import UserFactory

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pass-word-123"


@pytest.fixture
def shipped_lists(transactional_db):
    """Transactional tests flush the lists migration 0002 installed; put them back."""
    defaults.install()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login).*"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sales_submits_and_manager_fulfils(shipped_lists, live_server, page, make_profile):
    SHOTS.mkdir(parents=True, exist_ok=True)
    UserFactory(username="sales1", role="sales")
    UserFactory(username="manager1", role="manager")
    make_profile(name="Nordbank", products=["Vault"], seniority="vp")
    make_profile(name="Quiet Bank", products=["Vault"], size_band="smb", seniority="individual")

    # The sales rep comes from a catalog search and submits a prefilled request.
    _login(page, live_server, "sales1")
    page.goto(f"{live_server.url}/requests/new/?industry=finance&product=Vault&activity_type=call")
    page.fill("input[name=prospect_name]", "Globex Corp")
    page.select_option("select[name=prospect_size_band]", "enterprise")
    page.select_option("select[name=prospect_seniority]", "vp")
    page.click("button.add-row[data-kind=nice]")
    page.locator("#nice-rows li").last.locator("select.criterion-field").select_option("deployment")
    page.locator("#nice-rows li").last.locator("input[name=nice_value]").fill("cloud")
    page.screenshot(path=str(SHOTS / "requests_intake.png"), full_page=True)
    page.click("form#request-form button[type=submit]")
    page.wait_for_selector("#request-status")
    assert page.inner_text("#request-status") == "Submitted"
    page.screenshot(path=str(SHOTS / "requests_submitted.png"), full_page=True)
    page.goto(f"{live_server.url}/requests/mine/")
    assert "Globex Corp" in page.inner_text("main")
    page.click("form.inline button.link")  # log out

    # The manager triages: queue → request → propose the top match → walk it to completed.
    _login(page, live_server, "manager1")
    page.goto(f"{live_server.url}/requests/queue/")
    page.screenshot(path=str(SHOTS / "requests_queue.png"), full_page=True)
    page.click("text=Globex Corp")
    page.wait_for_selector("#matches")
    top = page.locator("li.match").first
    assert "Nordbank" in top.inner_text()
    page.screenshot(path=str(SHOTS / "requests_matches.png"), full_page=True)
    top.locator("form.propose button").click()
    page.wait_for_selector("tr.candidate[data-state=proposed]")
    assert "capacity reserved" in page.inner_text("#workbench")
    for step in ("owner_approved", "asked", "accepted", "scheduled"):
        if step == "owner_approved":  # the manager consents for the account owner: an override, with why
            page.fill("tr.candidate input[name=note]", "Agreed by phone.")
        if step == "scheduled":  # the meeting: when and where, in the row's disclosure
            page.click("tr.candidate details:has(button[data-to=scheduled]) > summary")
            page.fill("tr.candidate input[name=scheduled_for]", "2031-03-04T10:00")
            page.fill("tr.candidate input[name=meeting_details]", "https://meet.example/globex")
        page.click(f"tr.candidate button[data-to={step}]")
        page.wait_for_selector(f"tr.candidate[data-state={step}]")
    page.click("tr.candidate details:has(button[data-to=completed]) > summary")
    page.fill("tr.candidate textarea[name=completion_notes]", "Globex asked about the migration.")
    page.click("tr.candidate button[data-to=completed]")
    # A locator assertion, not wait_for_function: the content-security policy forbids eval.
    expect(page.locator("#request-status")).to_have_text("Fulfilled")
    page.screenshot(path=str(SHOTS / "requests_fulfilled.png"), full_page=True)
    assert page.inner_text("#request-status") == "Fulfilled"
