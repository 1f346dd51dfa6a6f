"""A real browser walks the main pages under the content-security policy: no violation anywhere
(no inline script or style, nothing from another origin)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals import services as approvals
from approvals.models import Approval
from references.models import ActivityType
from requests_app.services import request_submit
from tests.conftest import PASSWORD
from tests.factories import ContactFactory, ReferenceProfileFactory, UserFactory


@pytest.fixture
def program(shipped_lists):
    manager = UserFactory(username="manager1", role="manager")
    sales = UserFactory(username="sales1", role="sales")
    profile = ReferenceProfileFactory(headline="Halved incident response")
    profile.customer.account_owner = manager
    profile.customer.save()
    request, _ = request_submit(
        requester=sales,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Prospect AG",
            "needed_by": timezone.now() + timedelta(days=20),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    contact = ContactFactory(customer=profile.customer, email="dana@acme.example")
    approval = Approval.objects.create(
        customer=profile.customer,
        contact=contact,
        use="logo",
        status="requested",
        scope=["website"],
        expires_on=timezone.localdate() + timedelta(days=365),
    )
    sent = approvals.approval_send_link(approval=approval, by=manager, base_url="http://testserver")
    return {"manager": manager, "profile": profile, "request": request, "consent_token": sent.token}


def _watch(page):
    """Collect CSP violations (the console says "Content Security Policy") and script errors."""
    problems = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_raise_no_csp_violation(program, live_server, page):
    base = live_server.url
    problems = _watch(page)

    page.goto(f"{base}/consent/{program['consent_token']}/")  # the customer's page, no log-in
    assert page.locator("form").count() >= 1

    page.goto(f"{base}/login/")
    page.fill("#id_username", "manager1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    pages = [
        "/",
        "/inventory/",
        "/catalog/",
        "/catalog/?q=incident",
        f"/references/{program['profile'].pk}/",
        "/requests/new/",
        "/requests/queue/",
        f"/requests/{program['request'].pk}/",
        "/dashboard/",
        "/approvals/",
        "/policy/",
        "/usage/",
        "/notifications/",
    ]
    for path in pages:
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert "default-src 'self'" in response.headers["content-security-policy"], path

    # An htmx round trip (the catalog filters live) swaps in content under the same policy.
    page.goto(f"{base}/catalog/")
    search = page.locator("input[name=q]").first
    if search.count():
        search.fill("incident")
        page.wait_for_timeout(800)
        page.wait_for_load_state("networkidle")

    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_inline_script_would_be_reported(program, live_server, page):
    """The watcher does see violations: an injected inline script is refused and reported."""
    problems = _watch(page)
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.x") is None
    assert any("Content Security Policy" in p for p in problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_render_with_their_own_scripts_only(live_server, page):
    """Swagger UI runs under a policy relaxed for inline styles only: its scripts load and render
    and nothing at all is blocked. Redoc's old address leads to it (Redoc wanted its CDN)."""
    UserFactory(username="manager1", role="manager")
    problems = _watch(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "manager1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=15000)
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.url == f"{live_server.url}/api/docs/"
    page.wait_for_load_state("networkidle")

    assert problems == []
