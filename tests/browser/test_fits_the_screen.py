"""Every page fits the screen and passes axe-core: walked per role at 1366 and 375 px wide, with a
word of 10,000 letters in the data, no page is wider than the window (nothing scrolls sideways)
and axe finds no serious or critical accessibility violation; a screenshot of each page at each
width goes to test-artifacts/screenshots/fit-*.png."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from tests.factories import ProductFactory, ReferenceProfileFactory, UsageEntryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 375)
LONG_WORD = "x" * 10_000  # in the long texts (a story, a request's notes)
LONG_NAME = "y" * 150  # names and headlines are at most 200 characters


def _data(requester):
    from requests_app import services

    product = ProductFactory(name="Monitor Pro")
    profile = ReferenceProfileFactory(
        contact__customer__name="Acme Health",
        contact__title="Chief Medical Information Officer",
        headline=f"Cut incident response time in half {LONG_NAME}",
        story=f"Before: {LONG_WORD}",
        activity_types=["call", "case_study"],
        products=[product],
        last_validated=timezone.localdate(),
    )
    ReferenceProfileFactory(contact__customer__name=f"Longname {LONG_NAME}", activity_types=["call"])
    UsageEntryFactory(reference=profile, occurred_on=timezone.localdate() - timedelta(days=40))
    from references.models import ActivityType

    request, _ = services.request_submit(
        requester=requester,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": f"Prospect {LONG_NAME}",
            "notes": f"Context: {LONG_WORD}",
            "needed_by": timezone.now() + timedelta(days=20),
            "references_needed": 1,
            "criteria": {"must": [], "nice": [{"field": "product", "value": "Monitor Pro", "weight": 3}]},
        },
    )
    return request


WIDER_THAN = """(width) => Array.from(document.querySelectorAll("body *"))
    .filter(e => e.getBoundingClientRect().right > width + 1
        && !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1))
    .slice(0, 4)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""


def _walk(page, live_server, shot, role, paths):
    too_wide, barriers = [], []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (role, path, response.status)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                # Name the widest culprits: the innermost elements reaching past the window.
                culprits = page.evaluate(WIDER_THAN, width)
                too_wide.append((path, width, scroll_width, culprits))
            shot(page, f"fit-{role}-{name}-{width}")
            for violation in Axe().run(page).response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    barriers.append((path, width, violation["id"], violation["nodes"][0]["target"]))
    assert too_wide == []
    assert barriers == []  # axe-core: no serious or critical accessibility violation


def test_the_manager_s_pages_fit(live_server, page, login, shot):
    manager = UserFactory(username="fit_manager", role="manager")
    sales = UserFactory(username="fit_sales", role="sales")
    request = _data(sales)
    login(page, manager)
    paths = [
        ("home", "/"),
        ("queue", "/requests/queue/"),
        ("request", f"/requests/{request.pk}/"),
        ("catalog", "/catalog/"),
        ("inventory", "/inventory/"),
        ("nominations", "/nominations/"),
        ("approvals", "/approvals/"),
        ("ledger", "/usage/"),
        ("policy", "/policy/"),
        ("dashboard", "/dashboard/"),
    ]
    _walk(page, live_server, shot, "manager", paths)


def test_the_sales_rep_s_pages_fit(live_server, page, login, shot):
    sales = UserFactory(username="fit_sales", role="sales")
    request = _data(sales)
    login(page, sales)
    paths = [
        ("home", "/"),
        ("mine", "/requests/mine/"),
        ("new", "/requests/new/"),
        ("request", f"/requests/{request.pk}/"),
        ("catalog", "/catalog/"),
    ]
    _walk(page, live_server, shot, "sales", paths)


def test_the_other_roles_pages_fit(live_server, page, login, shot):
    """Marketing, the executive and the administrator, each on the pages of their day."""
    sales = UserFactory(username="fit_sales", role="sales")
    _data(sales)
    walks = {
        "marketing": [("home", "/"), ("approvals", "/approvals/"), ("library", "/library/"),
                      ("catalog", "/catalog/"), ("mine", "/requests/mine/")],
        "executive": [("home", "/"), ("dashboard", "/dashboard/"), ("catalog", "/catalog/")],
        "admin": [("home", "/"), ("inventory", "/inventory/"), ("policy", "/policy/"), ("ledger", "/usage/")],
    }  # fmt: skip
    for role, paths in walks.items():
        page.context.clear_cookies()
        login(page, UserFactory(username=f"fit_{role}", role=role))
        _walk(page, live_server, shot, role, paths)


def test_the_menu_folds_behind_a_button_on_a_phone(live_server, page, login):
    manager = UserFactory(username="fit_manager", role="manager")
    login(page, manager)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/")
    assert not page.locator("nav.mainnav").is_visible()
    page.click("label.menu-button")
    assert page.locator("nav.mainnav").is_visible()
    page.click("nav.mainnav >> text=Inventory")
    assert page.url.endswith("/inventory/")
