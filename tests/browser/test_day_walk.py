"""Each role walks its working day on the demo program (``seed_demo``), as a person would, in a
real browser: every page it reaches is checked at 1366 and 375 px wide (nothing scrolls sideways),
run through axe-core (no serious or critical violation) and photographed to
test-artifacts/screenshots/day-<role>-<step>-<width>.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.management import call_command

from tests.browser.test_fits_the_screen import WIDER_THAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "refprogram-demo"
WIDTHS = (1366, 375)


@pytest.fixture
def demo(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the process)


class Day:
    """One role's walk: ``see`` checks the page in front of it at both widths."""

    def __init__(self, page, live_server, shot, role):
        self.page, self.url, self.shot, self.role = page, live_server.url, shot, role
        self.problems: list[tuple] = []
        self.seen: list[str] = []

    def log_in(self):
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.page.goto(f"{self.url}/login/")
        self.page.fill("#id_username", self.role)
        self.page.fill("#id_password", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")

    def go(self, path: str, step: str):
        response = self.page.goto(f"{self.url}{path}")
        assert response.status == 200, (self.role, path, response.status)
        self.see(step)

    def see(self, step: str):
        """The page now shown, at each width, then back to the desktop width to go on working."""
        self.page.wait_for_load_state("networkidle")
        self.seen.append(step)
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                culprits = self.page.evaluate(WIDER_THAN, width)
                self.problems.append((step, width, "scrolls sideways", scroll_width, culprits))
            for violation in Axe().run(self.page).response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    self.problems.append((step, width, violation["id"], violation["nodes"][0]["target"]))
            self.shot(self.page, f"day-{self.role}-{len(self.seen):02d}-{step}-{width}")
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    def done(self):
        assert self.problems == [], "\n".join(map(str, self.problems))


def test_the_manager_s_day(live_server, page, shot, demo):
    """The work queue → take an overdue request → propose the best match → consent on the owner's
    behalf with a note → ask the customer (the contact gets the private link) → the ledger → the
    profile's usage → nominations → approvals."""
    day = Day(page, live_server, shot, "manager")
    day.log_in()
    day.see("home")
    overdue = page.locator("#overdue tbody tr").first
    title = overdue.locator("td a").first.inner_text()
    number = re.match(r"#(\d+)", title).group(1)
    overdue.get_by_role("button", name="Assign to me").click()
    page.wait_for_url(f"{live_server.url}/")
    day.see("assigned")

    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(f"{live_server.url}/requests/{number}/")
    assert "Maren Holt" in page.locator("body").inner_text()  # the demo manager, now its assignee
    day.see("request")

    page.locator("form.propose button").first.click()
    candidate = page.locator("#workbench tbody tr").filter(has_text="Proposed").first
    candidate.wait_for()
    day.see("proposed")

    candidate.locator("input[name=note]").fill("Agreed by phone with the account owner")
    candidate.get_by_role("button", name="Owner consents (override)").click()
    asked = page.locator("#workbench tbody tr").filter(has_text="Account owner approved").first
    asked.wait_for()
    mail.outbox.clear()
    asked.get_by_role("button", name="Customer asked").click()
    page.locator("#workbench tbody tr").filter(has_text="Customer asked").first.wait_for()
    day.see("asked")
    links = [m for m in mail.outbox if "/answer/" in m.body]
    assert len(links) == 1  # the reference contact's private link to answer

    day.go("/usage/", "ledger")
    page.locator("table.list tbody tr a[href^='/references/']").first.click()
    page.wait_for_url(re.compile(r".*/references/\d+/"))
    day.see("profile")
    day.go("/nominations/", "nominations")
    day.go("/approvals/", "approvals")
    day.done()


def test_the_sales_rep_s_day(live_server, page, shot, demo):
    """Home → New request with criteria chosen by their labels → the request page → my requests,
    narrowed with a tick → the catalog."""
    day = Day(page, live_server, shot, "sales")
    day.log_in()
    day.see("home")
    page.get_by_role("link", name="New request").first.click()
    page.wait_for_url(f"{live_server.url}/requests/new/")
    day.see("new-request")

    page.select_option("#id_activity_type", label="Reference call")
    page.fill("#id_prospect_name", "Northwind Health")
    page.select_option("#id_prospect_industry", label="Healthcare")
    page.locator("button.add-row[data-kind=must]").click()
    must = page.locator("#must-rows li").last
    must.locator("select.criterion-field").select_option(label="Region")
    must.locator("input[name=must_value]").fill("North America")
    page.get_by_role("button", name=re.compile("Submit|Send|Ask")).last.click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    text = page.locator("body").inner_text()
    assert "Northwind Health" in text, text
    assert "Region: North America" in text, text  # the label, never the code
    day.see("submitted")

    day.go("/requests/mine/", "my-requests")
    page.locator("input[type=checkbox][name=status][value=submitted]").check()
    page.wait_for_url(re.compile(r".*status=submitted.*"))
    day.see("my-requests-submitted")
    day.go("/catalog/", "catalog")
    day.done()


def test_marketing_the_executive_and_the_administrator_s_day(live_server, page, shot, demo):
    """Marketing: approvals that need action → one approval → the content library. The executive:
    the dashboard and its workbook. The administrator: inventory → the policy, saved → the ledger."""
    day = Day(page, live_server, shot, "marketing")
    day.log_in()
    day.go("/approvals/", "approvals")
    page.locator("main a[href^='/approvals/']").filter(has_text=re.compile(r"\w")).first.click()
    day.see("approval")
    day.go("/library/", "library")
    day.done()

    page.context.clear_cookies()
    day = Day(page, live_server, shot, "executive")
    day.log_in()
    day.go("/dashboard/", "dashboard")
    with page.expect_download() as download:
        page.locator("a[href='/dashboard/export.xlsx']").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    day.done()

    page.context.clear_cookies()
    day = Day(page, live_server, shot, "admin")
    day.log_in()
    day.go("/inventory/", "inventory")
    day.go("/policy/", "policy")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "Internal" not in page.title()
    day.see("policy-saved")
    day.go("/usage/", "ledger")
    day.done()
