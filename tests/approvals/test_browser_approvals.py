"""Real browser: marketing finds an expiring approval on the board, requests a logo approval, the
manager sends the consent link, and the customer contact approves it through the link."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from approvals.models import Approval
from references import defaults
from tests.factories import ContactFactory, CustomerFactory, UserFactory

SHOTS = Path("test-artifacts/screenshots")
PASSWORD = "pass-word-123"


@pytest.fixture
def world(transactional_db):
    defaults.install()  # transactional tests flush what the data migration installed
    marketing = UserFactory(username="marketing1", role="marketing", first_name="Mia", last_name="Marketing")
    manager = UserFactory(username="manager1", role="manager", first_name="Max", last_name="Manager")
    acme = CustomerFactory(name="Acme Corp")
    ContactFactory(customer=acme, name="Dana Decider", title="Head of PR", email="dana@acme.example")
    CustomerFactory(name="Quiet Industries")
    Approval.objects.create(
        customer=acme,
        use="quote",
        status="approved",
        quote_text="Acme ships twice as fast with RefProgram.",
        scope=["website", "press"],
        expires_on=timezone.localdate() + timedelta(days=12),
        approver_name="Dana Decider",
        decided_at=timezone.now(),
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {"marketing": marketing, "manager": manager, "acme": acme}


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_request_send_and_approve_through_the_link(world, live_server, page, browser):
    base = live_server.url
    acme = world["acme"]

    # Marketing: the board, filtered to what is expiring, then the customer, then a logo request.
    _login(page, base, "marketing1")
    page.click("nav >> text=Approvals")
    page.wait_for_url(f"{base}/approvals/")
    assert page.locator("#approvals-waiting").is_visible()  # opens on what needs action
    page.click("#view-all")
    page.wait_for_url(f"{base}/approvals/?view=all")
    assert page.locator("#approval-board").is_visible()
    page.check("#id_expiring_1")  # Expiring: Yes
    page.click("#approval-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*expiring=true.*"))
    rows = page.locator("#approval-board tbody tr")
    assert rows.count() == 1
    assert "Acme Corp" in rows.first.inner_text()
    assert rows.first.locator('td[data-use="quote"][data-state="expiring"]').count() == 1
    page.screenshot(path=str(SHOTS / "approvals-01-board-expiring.png"), full_page=True)

    page.click("#approval-board >> text=Acme Corp")
    page.wait_for_url(f"{base}/approvals/customer/{acme.pk}/")
    page.screenshot(path=str(SHOTS / "approvals-02-customer.png"), full_page=True)
    page.click("text=Request logo approval")
    page.wait_for_url(re.compile(r".*/request/\?use=logo"))
    page.fill("#id_title", "Acme logo on our customers page")
    page.check("input[name=scope][value=website]")
    page.check("input[name=scope][value=sales_deck]")
    page.select_option("#id_contact", label="Dana Decider (Acme Corp)")
    page.screenshot(path=str(SHOTS / "approvals-03-request-form.png"), full_page=True)
    page.click("#approval-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/approvals/\d+/$"))
    assert page.locator("#approval-status").inner_text() == "Requested"
    approval = Approval.objects.get(customer=acme, use="logo")
    assert approval.scope == ["website", "sales_deck"]

    # The manager sends the consent link.
    manager_context = browser.new_context()
    manager_page = manager_context.new_page()
    _login(manager_page, base, "manager1")
    manager_page.goto(f"{base}/approvals/{approval.pk}/")
    manager_page.click("#send-link button[type=submit]")
    manager_page.wait_for_selector("text=Consent link sent to dana@acme.example")
    assert manager_page.locator("#approval-status").inner_text() == "In customer review"
    manager_page.screenshot(path=str(SHOTS / "approvals-04-link-sent.png"), full_page=True)
    manager_context.close()

    # The customer contact, with no login, approves through the link from the email.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@acme.example"]
    url = re.search(r"(http://\S+/consent/\S+/)", mail.outbox[0].body).group(1)
    customer_context = browser.new_context()
    customer_page = customer_context.new_page()
    customer_page.goto(url)
    assert "Acme logo on our customers page" in customer_page.inner_text("#consent-what")
    assert customer_page.locator("nav").count() == 0
    customer_page.fill("#id_title", "Head of PR")
    customer_page.fill("#id_comment", "Happy for you to use it.")
    customer_page.screenshot(path=str(SHOTS / "approvals-05-consent-page.png"), full_page=True)
    customer_page.click("button:has-text('Approve')")
    customer_page.wait_for_selector("#consent-done")
    customer_page.screenshot(path=str(SHOTS / "approvals-06-consent-done.png"), full_page=True)
    customer_page.goto(url)
    assert "already been used" in customer_page.inner_text("#consent-invalid")
    customer_context.close()

    approval.refresh_from_db()
    assert approval.status == "approved"
    assert (approval.approver_name, approval.approver_title) == ("Dana Decider", "Head of PR")

    # Back on the board, marketing sees the logo approved.
    page.goto(f"{base}/approvals/customer/{acme.pk}/")
    assert page.locator('#customer-uses td[data-use="logo"][data-state="approved"]').count() == 1
    page.screenshot(path=str(SHOTS / "approvals-07-customer-approved.png"), full_page=True)
