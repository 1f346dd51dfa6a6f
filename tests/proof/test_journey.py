"""One journey across every role, in a real browser (Playwright with Debian's Chromium).

A sales rep finds references in the catalog and submits a request from the search; the manager
triages it, proposes the top match, records the account owner's consent, asks, accepts,
schedules and completes; the rep reports a won deal; marketing asks for a logo approval, the
manager sends the consent link and the customer grants it through the link; the executive sees
the request, the revenue and the approval on the dashboard. Each step is a screenshot in
``test-artifacts/screenshots/journey_<nn>_<step>.png``.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from references import defaults
from references.models import Industry, Region
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UserFactory,
)

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pass-word-123"


@pytest.fixture
def program(transactional_db):
    """The shipped lists (transactional tests flush what migration 0002 installed), one user per
    role, and two finance references, the better one at Nordbank (owned by the sales rep)."""
    defaults.install()
    users = {
        role: UserFactory(username=f"{role}1", role=role)
        for role in ("sales", "manager", "marketing", "executive")
    }
    today = timezone.localdate()
    vault = ProductFactory(name="Vault")
    for name, size, seniority in (("Nordbank", "enterprise", "vp"), ("Quiet Bank", "smb", "individual")):
        customer = CustomerFactory(
            name=name,
            industry=Industry.objects.get(code="finance"),
            region=Region.objects.get(code="emea"),
            size_band=size,
            account_owner=users["sales"],
            health_updated=today - timedelta(days=10),
        )
        contact = ContactFactory(
            customer=customer,
            name=f"Dana {name}",
            email=f"dana@{name.split()[0].lower()}.example",
            seniority=seniority,
        )
        ReferenceProfileFactory(
            contact=contact,
            customer=customer,
            status="active",
            headline=f"{name} cut fraud losses with Vault",
            last_validated=today - timedelta(days=10),
            activity_types=["call", "email"],
            products=[vault],
        )
    return users


def _shot(page, number: int, step: str) -> None:
    page.screenshot(path=str(SHOTS / f"journey_{number:02d}_{step}.png"), full_page=True)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login).*"))


def _logout(page) -> None:
    page.context.clear_cookies()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_request_from_catalog_to_dashboard_across_every_role(program, live_server, page, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 1. The sales rep searches the catalog and asks for references like these.
    _login(page, base, "sales1")
    page.goto(f"{base}/catalog/?industry=finance&product=Vault&activity_type=call")
    assert "Nordbank" in page.inner_text("#catalog")
    _shot(page, 1, "catalog_search")
    page.click("text=Request references like these")
    page.wait_for_url(re.compile(r".*/requests/new/\?.*industry=finance.*"))
    page.fill("input[name=prospect_name]", "Globex Corp")
    page.select_option("select[name=prospect_size_band]", "enterprise")
    page.select_option("select[name=prospect_seniority]", "vp")
    _shot(page, 2, "intake_form")
    page.click("form#request-form button[type=submit]")
    page.wait_for_selector("#request-status")
    assert page.inner_text("#request-status") == "Submitted"
    request_url = page.url
    _shot(page, 3, "request_submitted")
    _logout(page)

    # 2. The manager triages the queue, proposes the top match and walks it to completed.
    _login(page, base, "manager1")
    page.goto(f"{base}/requests/queue/")
    assert "Globex Corp" in page.inner_text("main")
    _shot(page, 4, "manager_queue")
    page.click("text=Globex Corp")
    page.wait_for_selector("#matches")
    top = page.locator("li.match").first
    assert "Nordbank" in top.inner_text()
    _shot(page, 5, "matches")
    top.locator("form.propose button").click()
    page.wait_for_selector("tr.candidate[data-state=proposed]")
    for number, step in enumerate(("owner_approved", "asked", "accepted", "scheduled", "completed"), start=6):
        # Scheduling takes the meeting, completing what happened (each in its row's disclosure).
        if step == "owner_approved":  # the manager consents for the account owner: an override, with why
            page.fill("tr.candidate input[name=note]", "Agreed by phone.")
        if step == "scheduled":
            page.click("tr.candidate details:has(button[data-to=scheduled]) > summary")
            page.fill("tr.candidate input[name=scheduled_for]", "2031-03-04T10:00")
            page.fill("tr.candidate input[name=meeting_details]", "https://meet.example/globex")
        if step == "completed":
            page.click("tr.candidate details:has(button[data-to=completed]) > summary")
            page.fill("tr.candidate textarea[name=completion_notes]", "Globex asked about the migration.")
        page.click(f"tr.candidate button[data-to={step}]")
        page.wait_for_selector(f"tr.candidate[data-state={step}]")
        _shot(page, number, f"candidate_{step}")
    page.wait_for_function("document.querySelector('#request-status').textContent.trim() === 'Fulfilled'")
    _logout(page)

    # 3. The rep reports the won deal.
    _login(page, base, "sales1")
    page.goto(request_url)
    page.select_option("#outcome-form select[name=result]", "won")
    page.fill("#outcome-form input[name=amount]", "250000")
    page.click("#outcome-form button[type=submit]")
    page.wait_for_selector("text=Outcome recorded")
    assert "Won" in page.inner_text("#outcome") and "250,000" in page.inner_text("#outcome")
    _shot(page, 11, "outcome_won")
    _logout(page)

    # 4. Marketing asks Nordbank for its logo on the website.
    _login(page, base, "marketing1")
    page.goto(f"{base}/approvals/?view=all")
    page.click("#approval-board >> text=Nordbank")
    page.wait_for_url(re.compile(r".*/approvals/customer/\d+/$"))
    page.click("text=Request logo approval")
    page.wait_for_url(re.compile(r".*/request/\?use=logo"))
    page.fill("#id_title", "Nordbank logo on our customers page")
    page.check("input[name=scope][value=website]")
    page.select_option("#id_contact", label="Dana Nordbank (Nordbank)")
    _shot(page, 12, "approval_request_form")
    page.click("#approval-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/approvals/\d+/$"))
    approval_url = page.url
    assert page.inner_text("#approval-status") == "Requested"
    _shot(page, 13, "approval_requested")
    _logout(page)

    # 5. The manager sends the consent link.
    _login(page, base, "manager1")
    page.goto(approval_url)
    page.click("#send-link button[type=submit]")
    page.wait_for_selector("text=Consent link sent to dana@nordbank.example")
    assert page.inner_text("#approval-status") == "In customer review"
    _shot(page, 14, "consent_link_sent")
    _logout(page)

    # 6. The customer contact, without a login, grants it through the link in the email.
    link_mail = [m for m in mail.outbox if m.to == ["dana@nordbank.example"] and "/consent/" in m.body]
    assert len(link_mail) == 1
    url = re.search(r"(http://\S+/consent/\S+/)", link_mail[0].body).group(1)
    customer = browser.new_context().new_page()
    customer.goto(url)
    assert "Nordbank logo on our customers page" in customer.inner_text("#consent-what")
    customer.fill("#id_title", "Head of Communications")
    _shot(customer, 15, "consent_page")
    customer.click("button:has-text('Approve')")
    customer.wait_for_selector("#consent-done")
    _shot(customer, 16, "consent_granted")
    customer.context.close()

    # 7. The executive sees the request, the revenue and the approval on the dashboard.
    _login(page, base, "executive1")
    page.goto(f"{base}/dashboard/?preset=30d")
    kpis = page.inner_text("section.kpis")
    assert "1 of 1 closed" in kpis, kpis  # requests fulfilled: the one request of the period
    assert "USD 250,000" in kpis
    page.locator("#table-approvals").evaluate(
        "t => t.closest('details') && (t.closest('details').open = true)"
    )
    approvals = page.inner_text("#table-approvals")
    assert re.search(r"Approved in the period\s+1\b", approvals), approvals
    page.locator("#table-requests").evaluate(
        "t => t.closest('details') && (t.closest('details').open = true)"
    )
    assert re.search(r"Fulfilled\s+1\b", page.inner_text("#table-requests"))
    _shot(page, 17, "executive_dashboard")
