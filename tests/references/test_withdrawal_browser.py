"""The consent journey in a real browser: the manager records Ada's consent from her reference
page → Ada, logged in nowhere, withdraws it on the link from an e-mail → the manager's consent box
says "Withdrawn on …" and the approval naming her is revoked."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals.models import Approval
from references import services
from references.models import ContactConsent
from tests.browser.conftest import _shipped_lists, login, shot  # noqa: F401  (the browser fixtures)
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_records_a_consent_and_the_person_withdraws_it(live_server, page, login, shot):  # noqa: F811
    manager = UserFactory(username="manager1", role="manager")
    customer = CustomerFactory(name="Nordbank")
    contact = ContactFactory(customer=customer, name="Ada Lovelace", email="ada@nordbank.example")
    profile = ReferenceProfileFactory(contact=contact, customer=customer, activity_types=["call"])
    today = timezone.localdate()
    Approval.objects.create(
        customer=customer,
        use="case_study",
        status="approved",
        scope=["website"],
        expires_on=today.replace(year=today.year + 1),
        approver_name="Nordbank CMO",
        decided_at=timezone.now(),
        person=contact,
    )

    login(page, manager)
    page.goto(f"{live_server.url}/references/{profile.pk}/")
    expect(page.locator("#consent-box")).to_contain_text("No consent recorded")
    page.click("#consent-box a")
    page.select_option("#id_scope", "case_study")
    page.select_option("#id_method", "signed_document")
    page.fill("#id_method_reference", "nordbank-case-study-consent.pdf")
    page.fill("#id_text_version", "Case study consent v4")
    page.click("#consent-form button[type=submit]")
    expect(page.locator("#consents")).to_contain_text("Case study consent v4")
    expect(page.locator("#consents")).to_contain_text("Valid")
    shot(page, "consent_recorded")
    assert ContactConsent.objects.get().recorded_by == manager

    # Ada opens the link at the foot of an e-mail, logged in nowhere, and withdraws.
    footer = services.withdrawal_footer(contact=contact, base_url=live_server.url)
    url = footer.strip().splitlines()[-1]
    page.context.clear_cookies()
    page.goto(url)
    expect(page.locator("main")).to_contain_text("You have currently consented to: Case study.")
    page.check("input[name=scopes][value=case_study]")
    shot(page, "consent_withdrawal_page")
    page.click("#withdraw-form button[type=submit]")
    expect(page.locator("#withdrawal-done")).to_contain_text("Your consent is withdrawn")

    assert Approval.objects.get().status == "revoked"
    login(page, manager)
    page.goto(f"{live_server.url}/references/{profile.pk}/")
    expect(page.locator("#consent-box")).to_contain_text(
        f"Withdrawn on {today:%Y-%m-%d} (their private link)"
    )
