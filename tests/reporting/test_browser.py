"""Real browser: an executive opens the dashboard, sees the charts drawn, changes the period and
exports a CSV."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from references import defaults
from tests.factories import ReferenceProfileFactory, UserFactory

from .conftest import make_request

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_executive_reads_the_dashboard(live_server, page):
    defaults.install()  # transactional tests flush the shipped lists
    SHOTS.mkdir(parents=True, exist_ok=True)
    executive = UserFactory(username="executive1", role="executive")
    sales = UserFactory(username="sales1", role="sales")
    ReferenceProfileFactory()
    now = timezone.now()
    for days in (3, 8, 20):
        make_request(
            sales,
            created=now - timedelta(days=days),
            status="fulfilled",
            closed=now - timedelta(days=days - 2),
            industry="finance",
            region="emea",
        )
    make_request(
        sales, created=now - timedelta(days=200), status="cancelled", closed=now - timedelta(days=199)
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", executive.username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login).*"))
    page.click("nav >> text=Dashboard")
    page.wait_for_selector("figure.drawn svg rect")
    assert page.locator("figure.drawn").count() >= 3
    assert page.locator(".headline .kpi").count() == 5  # the five numbers lead
    received = page.locator("#table-requests tbody tr").first.locator("td.num").first
    assert received.text_content() == "3"  # requests received, last 90 days
    page.screenshot(path=str(SHOTS / "reporting_dashboard.png"), full_page=True)

    page.select_option("#id_preset", "365d")
    page.click("#period-form button[type=submit]")
    page.wait_for_url(re.compile(r".*preset=365d.*"))
    page.wait_for_selector("figure.drawn svg rect")
    assert page.locator("#table-requests tbody tr").first.locator("td.num").first.text_content() == "4"

    page.locator("#table-requests").evaluate("t => t.closest('details').open = true")
    with page.expect_download() as info:
        page.locator("details:has(#table-requests) a:has-text('Export CSV')").click()
    content = Path(info.value.path()).read_text()
    assert content.splitlines()[1] == "Requests received,4,0"
    page.screenshot(path=str(SHOTS / "reporting_dashboard_365d.png"), full_page=True)
