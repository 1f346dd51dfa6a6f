"""The reference's side in a real browser: the manager asks → the reference offers two times on
the private link from their e-mail → the requester picks one → everyone gets the invitation → a
day after the meeting both sides give feedback on their links → the profile shows it all; another
reference declines with "ask me again after", which puts them on hold until then."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from references.models import ActivityType
from requests_app import services
from requests_app.models import Candidate
from requests_app.services.feedback import feedback_links_send
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_asks_reference_offers_times_requester_picks(live_server, page, login, shot, settings):
    assert settings.TIME_ZONE == "UTC"  # the times typed below are UTC in the invitation
    manager = UserFactory(username="manager1", role="manager")
    sales = UserFactory(username="sales1", role="sales")
    owner = UserFactory(username="owner1", role="sales", email="owner1@example.com")
    customer = CustomerFactory(name="Nordbank", account_owner=owner)
    contact = ContactFactory(customer=customer, name="Ada Lovelace", email="ada@nordbank.example")
    profile = ReferenceProfileFactory(contact=contact, customer=customer, activity_types=["call"])
    request, _ = services.request_submit(
        requester=sales,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Globex Corp",
            "needed_by": timezone.now() + timedelta(days=30),
            "criteria": {"must": [], "nice": []},
        },
    )
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    services.candidate_transition(candidate=candidate, to="owner_approved", actor=manager, note="By phone")

    # The manager asks the customer: the reference contact gets the private link.
    login(page, manager)
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    mail.outbox.clear()
    page.click("tr.candidate button[data-to=asked]")
    page.wait_for_selector("tr.candidate[data-state=asked]")
    sent = [m for m in mail.outbox if m.to == ["ada@nordbank.example"]]
    assert len(sent) == 1
    path = re.search(r"https?://[^/\s]+(/answer/\S+/)", sent[0].body).group(1)

    # The reference, logged in nowhere, offers two times.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("#ask-what")).to_contain_text("Reference call")
    assert "Globex Corp" not in page.inner_text("main")  # the deal was not shared
    page.fill("input[name=slot_1]", "2031-03-04T10:00")
    page.fill("input[name=slot_2]", "2031-03-05T14:00")
    shot(page, "reference_answers_offer_times")
    page.click("button[value=slots]")
    expect(page.locator("#link-done")).to_contain_text("Your times are recorded")
    assert Candidate.objects.get(pk=candidate.pk).state == "offered_times"

    # The requester picks the second time and says where.
    login(page, sales)
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    page.check("form.pick-slot input[name=slot] >> nth=1")
    page.fill("form.pick-slot input[name=meeting_details]", "https://meet.example/globex")
    mail.outbox.clear()
    page.click("button[data-action=pick]")
    page.wait_for_selector("tr.candidate[data-state=scheduled]")
    shot(page, "reference_answers_scheduled")

    invitations = {m.to[0]: m for m in mail.outbox if m.attachments}
    assert sorted(invitations) == ["ada@nordbank.example", "owner1@example.com", "sales1@example.com"]
    ics = invitations["sales1@example.com"].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "DTSTART:20310305T140000Z" in ics
    assert "DTEND:20310305T143000Z" in ics  # a call takes half an hour
    assert "LOCATION:https://meet.example/globex" in ics
    assert "SUMMARY:Reference call: Nordbank with Globex Corp" in ics

    # A day after the meeting both sides get a feedback link, and answer it.
    meeting = Candidate.objects.get(pk=candidate.pk).scheduled_for
    mail.outbox.clear()
    feedback_links_send(now=meeting + timedelta(hours=25), base_url=live_server.url)
    links = {m.to[0]: re.search(r"https?://[^/\s]+(/answer/\S+/)", m.body).group(1) for m in mail.outbox}
    assert sorted(links) == ["ada@nordbank.example", "sales1@example.com"]
    page.context.clear_cookies()
    answers = {
        "sales1@example.com": ("4", "Clear and candid"),
        "ada@nordbank.example": ("5", "Happy to help"),
    }
    for recipient, (rating, comment) in answers.items():
        page.goto(f"{live_server.url}{links[recipient]}")
        page.check("#feedback-form input[name=happened][value=yes]")
        page.select_option("#feedback-form select[name=rating]", rating)
        page.fill("#feedback-form textarea[name=comment]", comment)
        if recipient == "ada@nordbank.example":
            page.select_option("#feedback-form select[name=would_do_again]", "yes")
        page.click("#feedback-form button[type=submit]")
        expect(page.locator("main")).to_contain_text("Thank you")

    # Another reference of the same customer declines for now: "ask me again after".
    other = ReferenceProfileFactory(
        contact=ContactFactory(customer=customer, name="Grace Hopper", email="grace@nordbank.example"),
        customer=customer,
        activity_types=["call"],
    )
    second = services.candidate_propose(request=request, reference=other, actor=manager)
    services.candidate_transition(candidate=second, to="owner_approved", actor=manager, note="By phone")
    mail.outbox.clear()
    services.candidate_transition(candidate=second, to="asked", actor=manager, base_url=live_server.url)
    (asked,) = [m for m in mail.outbox if m.to == ["grace@nordbank.example"]]
    page.goto(f"{live_server.url}" + re.search(r"https?://[^/\s]+(/answer/\S+/)", asked.body).group(1))
    page.fill("textarea[name=reason], input[name=reason]", "Quarter close")
    ask_after = timezone.localdate() + timedelta(days=90)
    page.fill("input[name=ask_again_after]", ask_after.isoformat())
    page.click("button[value=decline]")
    expect(page.locator("#link-done")).to_be_visible()
    assert Candidate.objects.get(pk=second.pk).state == "declined"

    # The manager sees it all on the profiles: the feedback of both sides, and the hold.
    login(page, manager)
    page.goto(f"{live_server.url}/references/{profile.pk}/usage/")
    expect(page.locator("#requests-served")).to_contain_text(
        "Requester: 4 of 5, “Clear and candid”; Reference: 5 of 5, would do it again, “Happy to help”"
    )
    page.goto(f"{live_server.url}/references/{other.pk}/")
    expect(page.locator("main")).to_contain_text("On hold")
    expect(page.locator("main")).to_contain_text(
        f"{ask_after + timedelta(days=1):%Y-%m-%d}"
    )  # asked again from
    shot(page, "reference_answers_on_hold")
