"""The manager's home is the work queue: every section, its count, a link on every row, the one
safe next action (assign to me, re-confirm, chase), and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Approval
from references.models import Nomination
from requests_app.models import Candidate
from tests.factories import (
    CustomerFactory,
    NominationFactory,
    ReferenceProfileFactory,
    UserFactory,
)
from tests.reporting.conftest import make_request

SECTIONS = [
    "overdue",
    "due_soon",
    "waiting_owner",
    "waiting_customer",
    "aging_nominations",
    "stale",
    "expiring_approvals",
]


def _candidate(request, state, owner, manager):
    reference = ReferenceProfileFactory(contact__customer=CustomerFactory(account_owner=owner))
    return Candidate.objects.create(request=request, reference=reference, state=state, proposed_by=manager)


def _world(users, n: int = 1) -> dict:
    """``n`` rows in each section of the queue, and some rows that belong in none."""
    now, today = timezone.now(), timezone.localdate()
    manager, sales = users["manager"], users["sales"]
    owner = UserFactory(username=f"owner{Candidate.objects.count()}", role="sales")
    rows: dict[str, list] = {key: [] for key in SECTIONS}
    for _ in range(n):
        rows["overdue"].append(
            make_request(sales, created=now - timedelta(days=5), needed_by=now - timedelta(hours=2))
        )
        rows["due_soon"].append(
            make_request(
                sales, created=now - timedelta(days=1), needed_by=now + timedelta(hours=30), assignee=manager
            )
        )
        later = make_request(sales, created=now, needed_by=now + timedelta(days=20), status="in_progress")
        rows["waiting_owner"].append(_candidate(later, "proposed", owner, manager))
        rows["waiting_customer"].append(_candidate(later, "asked", owner, manager))
        _candidate(later, "accepted", owner, manager)  # waits for no one
        old = NominationFactory()
        Nomination.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=9))
        rows["aging_nominations"].append(old)
        NominationFactory()  # submitted today: not aging
        rows["stale"].append(ReferenceProfileFactory(last_validated=today - timedelta(days=400)))
        rows["expiring_approvals"].append(
            Approval.objects.create(
                customer=CustomerFactory(),
                use="logo",
                status="approved",
                expires_on=today + timedelta(days=12),
            )
        )
        Approval.objects.create(
            customer=CustomerFactory(), use="logo", status="approved", expires_on=today + timedelta(days=90)
        )
    # Closed, and far off: in no section.
    make_request(
        sales, created=now - timedelta(days=9), needed_by=now - timedelta(days=1), status="cancelled"
    )
    return rows


def test_manager_home_is_the_queue_with_counts_and_links(users, client_as):
    rows = _world(users)
    response = client_as(users["manager"]).get("/")
    assert response.status_code == 200
    queue = response.context["queue"]
    assert list(queue) == [*SECTIONS, "leavers"]  # leavers: tests/accounts/test_scim.py
    assert {key: s.count for key, s in queue.items()} == {**dict.fromkeys(SECTIONS, 1), "leavers": 0}
    for key in SECTIONS:
        assert [r.pk for r in queue[key].rows] == [rows[key][0].pk], key
    html = response.content.decode()
    overdue, soon = rows["overdue"][0], rows["due_soon"][0]
    owner_wait, customer_wait = rows["waiting_owner"][0], rows["waiting_customer"][0]
    assert f'href="/requests/{overdue.pk}/"' in html and f'href="/requests/{soon.pk}/"' in html
    assert f'href="/requests/{owner_wait.request_id}/#candidate-{owner_wait.pk}"' in html
    assert f'href="/requests/{customer_wait.request_id}/#candidate-{customer_wait.pk}"' in html
    assert f'href="/nominations/{rows["aging_nominations"][0].pk}/"' in html
    assert f'href="/references/{rows["stale"][0].pk}/"' in html
    assert f'href="/approvals/{rows["expiring_approvals"][0].pk}/"' in html
    # The one next action: assign only the unassigned request; re-confirm; chase both waits.
    assert f'action="/requests/{overdue.pk}/assign/"' in html
    assert f'action="/requests/{soon.pk}/assign/"' not in html
    assert f'action="/references/{rows["stale"][0].pk}/reconfirm/"' in html
    assert f'action="/candidates/{owner_wait.pk}/chase/"' in html
    assert f'action="/candidates/{customer_wait.pk}/chase/"' in html
    assert html.count("/chase/") == 2
    assert 'Overdue requests <span class="count">(1)</span>' in html


def test_empty_sections_say_so(users, client_as):
    html = client_as(users["manager"]).get("/").content.decode()
    for text in (
        "No request is overdue.",
        "Nothing is due within 72 hours.",
        "No candidate waits for an account owner.",
        "No customer owes us an answer.",
        "No nomination has waited more than 7 days.",
        "Every profile in the catalog is fresh.",
        "No approval ends within 30 days.",
        "No open request belongs to someone who left.",
    ):
        assert text in html
    assert html.count('<span class="count">(0)</span>') == 8


def test_home_shows_ten_rows_a_section_and_links_to_the_rest(users, client_as):
    now = timezone.now()
    for hours in range(1, 13):
        make_request(users["sales"], created=now - timedelta(days=3), needed_by=now - timedelta(hours=hours))
    response = client_as(users["manager"]).get("/")
    section = response.context["queue"]["overdue"]
    assert (section.count, len(section.rows), section.more) == (12, 10, 2)
    assert '2 more: <a href="/dashboard/operations/#overdue">see all</a>.' in response.content.decode()
    full = client_as(users["manager"]).get("/dashboard/operations/").context["queue"]["overdue"]
    assert (full.count, len(full.rows)) == (12, 12)


def test_home_query_count_is_fixed(users, client_as):
    client = client_as(users["manager"])
    counts = []
    for n in (1, 3):
        _world(users, n)
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.context["queue"]["overdue"].count == (1 if n == 1 else 4)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # session, user, the manager's teams (the lists open on their scope), the policy, eight
    # sections, unread notifications, the search's two lists
    assert counts[0] == 15


def test_assign_to_me_from_home(users, client_as):
    rows = _world(users)
    request = rows["overdue"][0]
    client = client_as(users["manager"])
    response = client.post(f"/requests/{request.pk}/assign/", {"next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    request.refresh_from_db()
    assert (request.assignee, request.status) == (users["manager"], "in_progress")
    assert f'action="/requests/{request.pk}/assign/"' not in client.get("/").content.decode()


def test_reconfirm_from_home(users, client_as):
    rows = _world(users)
    profile = rows["stale"][0]
    client = client_as(users["manager"])
    response = client.post(f"/references/{profile.pk}/reconfirm/", {"next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").context["queue"]["stale"].count == 0


def test_chase_reminds_the_account_owner_once_a_day(users, client_as, django_capture_on_commit_callbacks):
    rows = _world(users)
    owner_wait, customer_wait = rows["waiting_owner"][0], rows["waiting_customer"][0]
    owner = owner_wait.reference.customer.account_owner
    client = client_as(users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/candidates/{owner_wait.pk}/chase/", {"next": "/"}, follow=True)
        again = client.post(f"/candidates/{owner_wait.pk}/chase/", {"next": "/"}, follow=True)
        client.post(f"/candidates/{customer_wait.pk}/chase/", {"next": "/"})
    assert first.redirect_chain == [("/", 302)]
    assert f"Reminder sent to {owner}" in first.content.decode()
    assert f"{owner} was already reminded about this today." in again.content.decode()
    assert [m.to for m in mail.outbox] == [[owner.email], [owner.email]]
    request = owner_wait.request
    assert mail.outbox[0].subject == (
        f"Reminder: your consent for {owner_wait.reference.customer.name} on request #{request.pk}"
    )
    assert mail.outbox[1].subject == (
        f"Reminder: {customer_wait.reference.customer.name} has not answered request #{request.pk}"
    )
    assert f"/requests/{request.pk}/" in mail.outbox[0].body


def test_chase_refuses_a_candidate_that_waits_for_no_one(users, client_as):
    rows = _world(users)
    accepted = Candidate.objects.get(state="accepted")
    no_owner = rows["waiting_owner"][0]
    no_owner.reference.customer.__class__.objects.filter(pk=no_owner.reference.customer_id).update(
        account_owner=None
    )
    client = client_as(users["manager"])
    page = client.post(f"/candidates/{accepted.pk}/chase/", {"next": "/"}, follow=True).content.decode()
    assert "This candidate is not waiting for anyone." in page
    page = client.post(f"/candidates/{no_owner.pk}/chase/", {"next": "/"}, follow=True).content.decode()
    assert "has no account owner to remind." in page
    assert mail.outbox == []


@pytest.mark.parametrize(("role", "status"), [("sales", 403), ("admin", 403), ("executive", 403)])
def test_only_managers_chase(users, client_as, role, status):
    rows = _world(users)
    response = client_as(users[role]).post(f"/candidates/{rows['waiting_owner'][0].pk}/chase/")
    assert response.status_code == status
    assert (
        client_as(users["manager"]).get(f"/candidates/{rows['waiting_owner'][0].pk}/chase/").status_code
        == 405
    )


def test_admin_sees_the_queue_without_the_triage_actions(users, client_as):
    rows = _world(users)
    response = client_as(users["admin"]).get("/")
    html = response.content.decode()
    assert response.context["queue"]["overdue"].count == 1
    assert "/assign/" not in html and "/chase/" not in html
    assert f'action="/references/{rows["stale"][0].pk}/reconfirm/"' in html  # admins change the inventory


@pytest.mark.parametrize("role", ["sales", "marketing", "executive"])
def test_other_roles_get_no_queue(users, client_as, role):
    _world(users)
    response = client_as(users[role]).get("/")
    assert response.status_code == 200
    assert "queue" not in response.context
    assert 'id="overdue"' not in response.content.decode()


def test_operations_page_lists_the_queue_with_links_and_the_capped(users, client_as):
    rows = _world(users)
    response = client_as(users["manager"]).get("/dashboard/operations/")
    queue = response.context["queue"]
    assert list(queue) == [*SECTIONS, "leavers", "capped"]
    html = response.content.decode()
    assert f'href="/nominations/{rows["aging_nominations"][0].pk}/"' in html
    assert f'href="/references/{rows["stale"][0].pk}/"' in html


def test_the_capped_section_holds_the_near_cap_and_the_customers_at_cap_busiest_first(users, client_as):
    """Near the cap (≥ 0.75 × 6 points of its own), at it, or whose customer is at its cap (8
    points through several contacts): in the section, busiest first; lightly used: not."""
    from tests.factories import UsageEntryFactory

    days_ago = [timezone.localdate() - timedelta(days=d) for d in (3, 10, 20, 30, 40, 50)]
    at_cap, near, light = (ReferenceProfileFactory(status="active") for _ in range(3))
    for reference, points in ((at_cap, [2, 2, 2]), (near, [2, 1, 2]), (light, [1])):
        for day, p in zip(days_ago, points, strict=False):
            UsageEntryFactory(reference=reference, points=p, occurred_on=day)
    busy = CustomerFactory()
    quiet_contact, *others = (
        ReferenceProfileFactory(status="active", contact__customer=busy) for _ in range(3)
    )
    UsageEntryFactory(reference=quiet_contact, points=1, occurred_on=days_ago[0])
    for other in others:
        for day in days_ago[1:3]:
            UsageEntryFactory(reference=other, points=2, occurred_on=day)  # 1 + 8 = 9 ≥ 8 for the customer

    section = client_as(users["manager"]).get("/dashboard/operations/").context["queue"]["capped"]

    listed = [p.pk for p in section.rows]
    assert listed[:2] == [at_cap.pk, near.pk]
    assert set(listed[2:]) == {quiet_contact.pk, *(o.pk for o in others)}
    assert light.pk not in listed
    assert section.count == 5


def test_the_capped_rows_are_the_capped_list_read_whole_page_by_page(users):
    """The operations page's two-stage read gives the rows and the count of the one-query
    definition (``capped_profiles``), whatever the page's length: ties by id, the references only
    their customer puts at the cap after the rest."""
    from ledger.models import OverusePolicy
    from references.models import ReferenceProfile
    from reporting.workqueue import capped_profiles, capped_section_rows
    from tests.factories import UsageEntryFactory

    today = timezone.localdate()
    day = today - timedelta(days=5)
    for points in (6, 5, 5, 4, 3, 2):  # 5 and 5 tie; 4, 3 and 2 are below the threshold (0.75 × 6)
        UsageEntryFactory(reference=ReferenceProfileFactory(status="active"), points=points, occurred_on=day)
    busy = CustomerFactory()
    for points in (2, 1, 0):
        reference = ReferenceProfileFactory(status="active", contact__customer=busy)
        if points:
            UsageEntryFactory(reference=reference, points=points, occurred_on=day)
    UsageEntryFactory(
        reference=ReferenceProfileFactory(status="active", contact__customer=busy), points=6, occurred_on=day
    )
    policy = OverusePolicy.current()
    whole = capped_profiles(today, policy)
    assert whole.count() == 7  # 6, 6, 5 and 5 of their own; the busy customer's three others (9 ≥ 8)
    for limit in (1, 2, 3, 4, 5, 8, 50):
        rows, count = capped_section_rows(today, policy, ReferenceProfile.objects.all(), limit)
        assert [p.pk for p in rows] == list(whole.values_list("pk", flat=True)[:limit]), limit
        assert count == 7
        assert [p.cap_used for p in rows] == [p.cap_used for p in whole[:limit]]


# --- The sales rep's home ----------------------------------------------------------------------


def test_sales_home_leads_with_new_request_and_open_requests(users, client_as):
    sales, now, today = users["sales"], timezone.now(), timezone.localdate()
    mine = make_request(sales, created=now, needed_by=now + timedelta(days=10))
    closed = make_request(sales, created=now, needed_by=now + timedelta(days=10), status="cancelled")
    theirs = make_request(users["marketing"], created=now, needed_by=now + timedelta(days=10))
    owned = CustomerFactory(account_owner=sales, health_updated=today - timedelta(days=300))
    for _ in range(3):
        ReferenceProfileFactory(contact__customer=owned)
    response = client_as(sales).get("/")
    assert [r.pk for r in response.context["my_requests"]] == [mine.pk]
    html = response.content.decode()
    assert f'href="/requests/{closed.pk}/"' not in html and f'href="/requests/{theirs.pk}/"' not in html
    new_request = html.index('href="/requests/new/"')
    my_requests = html.index('id="my-requests"')
    reconfirm = html.index('id="reconfirm-tasks"')
    assert new_request < my_requests < reconfirm
    # The re-confirm list is collapsed: a closed <details>, its count in the summary.
    tasks = html[reconfirm:]
    assert "<details>" in tasks and "<details open" not in tasks
    assert 'Re-confirm your references <span class="count">(3)</span>' in tasks


def test_sales_home_with_no_open_request_says_so(users, client_as):
    html = client_as(users["sales"]).get("/").content.decode()
    assert "You have no open request." in html
