"""The customer "in their words": everything asked of a customer through all its contacts, who
asked, the answers and the feedback, the page an account owner opens before a renewal call; and
the holds box with "Put on hold" / "End hold" on the customer and profile pages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ledger import holds
from ledger.models import Hold, UsageEntry
from references.models import ActivityType
from requests_app.models import Candidate, Request
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role="sales", first_name="Olga", last_name="Owner")


@pytest.fixture
def acme(owner):
    today = timezone.localdate()
    customer = CustomerFactory(
        name="Acme Corp", account_owner=owner, renewal_date=today + timedelta(days=200)
    )
    return {
        "customer": customer,
        "dana": ReferenceProfileFactory(
            contact=ContactFactory(customer=customer, name="Dana Lee"),
            customer=customer,
            last_validated=today,
            activity_types=["call", "email"],
        ),
        "eli": ReferenceProfileFactory(
            contact=ContactFactory(customer=customer, name="Eli Moss"),
            customer=customer,
            last_validated=today,
            activity_types=["call"],
        ),
    }


def _ask(profile, requester, *, state, prospect, days_ago, usage_status, **answer):
    call = ActivityType.objects.get(code="call")
    today = timezone.localdate()
    request = Request.objects.create(
        requester=requester,
        activity_type=call,
        prospect_name=prospect,
        needed_by=timezone.now() + timedelta(days=10),
        start_by=timezone.now(),
    )
    usage = UsageEntry.objects.create(
        reference=profile,
        customer=profile.customer,
        activity_type=call,
        status=usage_status,
        points=2,
        occurred_on=today - timedelta(days=days_ago),
        request_ref=request.pk,
        source=f"test:{request.pk}",
    )
    return Candidate.objects.create(request=request, reference=profile, state=state, usage=usage, **answer)


@pytest.fixture
def asked(acme, owner, users):
    rep = UserFactory(username="rep2", role="sales", first_name="Rita", last_name="Rep")
    declined = _ask(
        acme["dana"],
        rep,
        state="declined",
        prospect="Globex",
        days_ago=40,
        usage_status="declined",
        answer_reason="Busy with our own rollout.",
        ask_again_after=date(2031, 3, 1),
    )
    done = _ask(
        acme["eli"],
        owner,
        state="completed",
        prospect="Initech",
        days_ago=10,
        usage_status="done",
        completion_notes="A good hour on patching.",
        found_useful=True,
        customer_feedback="Happy to do it again in spring.",
    )
    return {"declined": declined, "done": done, "rep": rep}


def test_the_account_owner_reads_every_ask_of_their_customer(client_as, owner, acme, asked):
    response = client_as(owner).get(f"/customers/{acme['customer'].pk}/asks/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Corp in their words" in page
    # Both contacts, newest first, who asked, the answers and the feedback.
    assert page.index("Eli Moss") < page.index("Dana Lee")
    assert "Rita Rep" in page and "Olga Owner" in page
    assert "Busy with our own rollout. Ask again after 2031-03-01." in page
    assert "The reference: Happy to do it again in spring." in page
    assert "What happened: A good hour on patching." in page
    assert "The prospect found it useful." in page
    assert "Declined by customer" in page and "Completed" in page
    # An account owner may see the requests their customer was proposed for (they consent to
    # them): both prospects, and the links to both requests.
    assert "for Globex" in page and "for Initech" in page
    assert f'href="/requests/{asked["declined"].request_id}/"' in page


def test_a_manager_reads_it_with_every_prospect(client_as, manager, acme, asked):
    page = client_as(manager).get(f"/customers/{acme['customer'].pk}/asks/").content.decode()
    assert "Globex" in page and "Initech" in page
    assert f"request #{asked['declined'].request_id}" in page


def test_withdrawn_proposals_are_not_asks_of_the_customer(client_as, manager, acme, asked):
    UsageEntry.objects.filter(pk=asked["declined"].usage_id).update(status="withdrawn")
    page = client_as(manager).get(f"/customers/{acme['customer'].pk}/asks/").content.decode()
    assert "Dana Lee" not in page


@pytest.mark.parametrize("role", ["sales", "marketing"])
def test_others_do_not_find_the_page(client_as, users, acme, asked, role):
    # The customer is in the catalog (a sales rep sees it), but its asks are the owner's business.
    assert client_as(users[role]).get(f"/customers/{acme['customer'].pk}/asks/").status_code == 404


def test_the_page_takes_the_same_queries_at_two_sizes(
    client_as, manager, acme, owner, django_assert_max_num_queries
):
    client = client_as(manager)
    for i in range(2):
        _ask(acme["dana"], owner, state="asked", prospect=f"P{i}", days_ago=i, usage_status="asked")
    url = f"/customers/{acme['customer'].pk}/asks/"
    client.get(url)  # the session and the policy row, once
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for i in range(15):
        _ask(acme["eli"], owner, state="asked", prospect=f"Q{i}", days_ago=i, usage_status="asked")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).content.decode().count("<tr>") == 1 + 17


def test_the_customer_page_links_it_and_shows_the_renewal(client_as, manager, acme):
    page = client_as(manager).get(f"/customers/{acme['customer'].pk}/").content.decode()
    assert f'href="/customers/{acme["customer"].pk}/asks/"' in page
    assert (timezone.localdate() + timedelta(days=200)).isoformat() in page


# --- The holds box ---------------------------------------------------------------------------------


def test_a_manager_puts_the_customer_on_hold_from_its_page_and_ends_it(client_as, manager, acme):
    client = client_as(manager)
    url = f"/customers/{acme['customer'].pk}/"
    assert "Put on hold" in client.get(url).content.decode()
    ends = timezone.localdate() + timedelta(days=14)
    response = client.post(
        "/holds/new/",
        {
            "customer": acme["customer"].pk,
            "reason": "M&A quiet period",
            "ends_on": ends.isoformat(),
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    hold = Hold.objects.get()
    assert (hold.customer_id, hold.reason, hold.ends_on, hold.created_by) == (
        acme["customer"].pk,
        "M&A quiet period",
        ends,
        manager,
    )
    page = client.get(url).content.decode()
    assert f"until {ends.isoformat()}: M&amp;A quiet period" in page
    assert "End hold" in page
    # Every reference of the customer shows it where availability is shown.
    profile_page = client.get(f"/references/{acme['dana'].pk}/").content.decode()
    assert f"On hold, available from {(ends + timedelta(days=1)).isoformat()}" in profile_page

    client.post(f"/holds/{hold.pk}/end/", {"next": url})
    hold.refresh_from_db()
    assert hold.lifted_on == timezone.localdate() and hold.lifted_by == manager


def test_a_bad_hold_form_says_why_and_sets_nothing(client_as, manager, acme):
    response = client_as(manager).post(
        "/holds/new/", {"customer": acme["customer"].pk, "reason": "x", "ends_on": "2001-01-01"}, follow=True
    )
    assert "The end date is in the past." in response.content.decode()
    assert not Hold.objects.exists()


def test_the_account_owner_holds_their_reference_from_the_profile_page(client_as, owner, acme):
    client = client_as(owner)
    url = f"/references/{acme['dana'].pk}/"
    page = client.get(url).content.decode()
    assert "Put on hold" in page
    ends = timezone.localdate() + timedelta(days=7)
    client.post("/holds/new/", {"reference": acme["dana"].pk, "reason": "Escalation open", "ends_on": ends})
    assert Hold.objects.get().reference_id == acme["dana"].pk
    # The whole customer, from the same form.
    client.post(
        "/holds/new/",
        {"reference": acme["dana"].pk, "whole_customer": "on", "reason": "Quiet", "ends_on": ends},
    )
    assert Hold.objects.filter(customer=acme["customer"]).count() == 1


def test_another_sales_rep_sees_on_hold_but_neither_the_reason_nor_the_buttons(
    client_as, users, manager, acme
):
    holds.hold_create(
        actor=manager,
        customer=acme["customer"],
        reason="Escalation open",
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    client = client_as(users["sales"])
    page = client.get(f"/references/{acme['dana'].pk}/").content.decode()
    assert "On hold" in page
    assert "Escalation open" not in page and "Put on hold" not in page
    response = client.post(
        "/holds/new/", {"customer": acme["customer"].pk, "reason": "x", "ends_on": "2099-01-01"}
    )
    assert response.status_code == 403  # only a reference manager or the account owner
    assert Hold.objects.count() == 1


def test_renewal_done_from_the_page(client_as, manager, acme):
    customer = acme["customer"]
    customer.renewal_date = timezone.localdate() + timedelta(days=20)
    customer.save()
    holds.holds_sync(today=timezone.localdate(), customer_ids=[customer.pk])
    client = client_as(manager)
    url = f"/customers/{customer.pk}/"
    assert "Renewal done" in client.get(url).content.decode()
    client.post(f"/customers/{customer.pk}/renewal-done/", {"next_renewal": "", "next": url})
    customer.refresh_from_db()
    assert customer.renewal_date is None
    assert not Hold.objects.active_on(timezone.localdate()).exists()


def test_the_customer_form_edits_the_renewal_date(client_as, manager, acme):
    page = client_as(manager).get(f"/customers/{acme['customer'].pk}/edit/").content.decode()
    assert 'name="renewal_date"' in page
