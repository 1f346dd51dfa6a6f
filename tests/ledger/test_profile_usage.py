"""A reference profile's usage history (``/references/<id>/usage/``, loaded into its profile page)
and the ledger filtered to one profile, linked both ways."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ledger import selectors
from ledger.models import UsageEntry
from references.models import ActivityType
from requests_app.choices import OutcomeResult, RequestStatus
from requests_app.models import Request
from tests.factories import ReferenceProfileFactory, UsageEntryFactory


def request_facts(request_ids, viewer, reference_id=None):
    """The request workflow's reader, as requests_app hands it to the ledger (one query here:
    the feedback is requests_app's own test)."""
    rows = (
        Request.objects.visible_to(viewer)
        .filter(pk__in=list(request_ids))
        .values_list("pk", "prospect_name", "status", "outcome_result")
    )
    statuses, outcomes = dict(RequestStatus.choices), dict(OutcomeResult.choices)
    return {
        pk: {"prospect": prospect, "outcome": outcomes.get(outcome) or statuses.get(status, status)}
        for pk, prospect, status, outcome in rows
    }


@pytest.fixture
def facts(monkeypatch):
    monkeypatch.setattr(selectors, "_request_facts_provider", request_facts)


@pytest.fixture
def profile(db):
    return ReferenceProfileFactory(contact__name="Dana Reyes", contact__customer__name="Acme Rail")


def make_request(requester, prospect, *, outcome="", status="in_progress"):
    return Request.objects.create(
        requester=requester,
        activity_type=ActivityType.objects.get(code="call"),
        prospect_name=prospect,
        needed_by=timezone.now() + timedelta(days=20),
        start_by=timezone.now() + timedelta(days=10),
        status=status,
        outcome_result=outcome,
    )


def entry(profile, days_ago, *, code="call", status="done", **extra):
    activity = ActivityType.objects.get(code=code)
    return UsageEntry.objects.create(
        reference=profile,
        customer_id=profile.customer_id,
        activity_type=activity,
        status=status,
        points=extra.pop("points", activity.weight),
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        **extra,
    )


# --- Who sees it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("admin", 200), ("executive", 200), ("marketing", 403), ("sales", 403)],
)
def test_only_roles_that_see_usage_get_the_history(client_as, users, profile, role, status):
    entry(profile, 3, note="secret note")
    response = client_as(users[role]).get(f"/references/{profile.pk}/usage/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "shown"),
    [("manager", True), ("admin", True), ("executive", True), ("marketing", False), ("sales", False)],
)
def test_the_profile_page_loads_the_history_only_for_roles_that_see_usage(
    client_as, users, profile, role, shown
):
    page = client_as(users[role]).get(f"/references/{profile.pk}/").content.decode()
    assert (f'hx-get="/references/{profile.pk}/usage/"' in page) is shown
    assert (f'href="/usage/?reference={profile.pk}"' in page) is shown
    assert ('id="usage"' in page) is shown


def test_a_profile_nobody_may_see_is_a_404(client_as, manager):
    assert client_as(manager).get("/references/999999/usage/").status_code == 404


def test_anonymous_goes_to_the_login_page(client, profile):
    response = client.get(f"/references/{profile.pk}/usage/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- What it shows -------------------------------------------------------------------------------


def test_the_history_lists_the_asks_the_requests_served_and_their_outcome(client_as, users, profile, facts):
    manager = users["manager"]
    won = make_request(users["sales"], "Globex", outcome="won", status="fulfilled")
    open_request = make_request(users["sales"], "Initech")
    entry(profile, 40, request_ref=won.pk, source=f"candidate:{won.pk}")
    entry(profile, 5, code="email", status="asked", request_ref=open_request.pk)
    entry(profile, 2, status="withdrawn", request_ref=open_request.pk + 1000)
    entry(profile, 1, code="case_study", status="reserved", override=True, override_reason="CEO asked")
    UsageEntryFactory()  # another reference's ask: not in this history

    response = client_as(manager).get(f"/references/{profile.pk}/usage/", headers={"HX-Request": "true"})
    html = response.content.decode()
    usage = response.context["usage"]

    assert "<html" not in html  # the partial, for the profile page
    assert [(e.activity_type.code, e.status) for e in usage.entries] == [
        ("case_study", "reserved"),
        ("call", "withdrawn"),
        ("email", "asked"),
        ("call", "done"),
    ]
    # Withdrawn asks served nothing; asks without a request are not requests.
    assert [(s.request_id, s.prospect, s.activity, s.status, s.outcome) for s in usage.served] == [
        (open_request.pk, "Initech", "Email exchange", "asked", "In progress"),
        (won.pk, "Globex", "Reference call", "done", "Won"),
    ]
    assert f'href="/requests/{won.pk}/"' in html
    assert "CEO asked" in html
    assert f'href="/usage/?reference={profile.pk}"' in html


def test_without_the_request_workflow_the_history_still_links_the_requests(client_as, manager, profile):
    entry(profile, 4, request_ref=77)
    html = client_as(manager).get(f"/references/{profile.pk}/usage/").content.decode()
    assert '<a href="/requests/77/">#77</a>' in html
    assert "<html" in html  # without htmx: a page of its own
    assert f'href="/references/{profile.pk}/"' in html


def test_capacity_month_by_month_against_the_cap(client_as, manager, profile, policy, monkeypatch):
    """Policy: cap 6 points in 180 days. Today is 2026-06-15 (frozen)."""
    today = date(2026, 6, 15)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)

    def at(day, code="call", status="done"):
        activity = ActivityType.objects.get(code=code)
        UsageEntry.objects.create(
            reference=profile,
            customer_id=profile.customer_id,
            activity_type=activity,
            status=status,
            points=activity.weight,
            occurred_on=day,
        )

    at(date(2025, 5, 20))  # 2 points, before the twelve months; counts in the window until 2025-11-16
    at(date(2025, 9, 10))  # 2 points
    at(date(2026, 1, 5), code="case_study")  # 6 points
    at(date(2026, 3, 3), status="withdrawn")  # counts nowhere
    at(date(2026, 7, 1))  # 2 points reserved for a later day: counts today, as capacity does

    usage = client_as(manager).get(f"/references/{profile.pk}/usage/").context["usage"]
    rows = [(m.month.isoformat()[:7], m.in_month, m.in_window, m.cap, m.at_cap) for m in usage.months]

    assert rows == [
        ("2025-07", 0, 2, 6, False),  # window (2025-02-01, 2025-07-31]: the May call
        ("2025-08", 0, 2, 6, False),
        ("2025-09", 2, 4, 6, False),  # May + September
        ("2025-10", 0, 4, 6, False),
        ("2025-11", 0, 2, 6, False),  # window (2025-06-03, 2025-11-30]: May left it
        ("2025-12", 0, 2, 6, False),
        ("2026-01", 6, 8, 6, True),  # September + the case study
        ("2026-02", 0, 8, 6, True),
        ("2026-03", 0, 6, 6, True),  # window (2025-10-02, 2026-03-31]: September left it
        ("2026-04", 0, 6, 6, True),
        ("2026-05", 0, 6, 6, True),
        ("2026-06", 0, 8, 6, True),  # as of today: the case study + July's reservation
    ]
    # The current month is the capacity the profile page shows (ledger.capacity, one home).
    assert profile.capacity(today=today, policy=policy)["used"] == 8


def test_the_history_shows_the_newest_fifty_asks_and_links_the_rest(client_as, manager, profile):
    call = ActivityType.objects.get(code="call")
    start = timezone.localdate() - timedelta(days=700)
    UsageEntry.objects.bulk_create(
        UsageEntry(
            reference=profile,
            customer_id=profile.customer_id,
            activity_type=call,
            status="done",
            points=2,
            occurred_on=start + timedelta(days=i),
        )
        for i in range(51)
    )
    response = client_as(manager).get(f"/references/{profile.pk}/usage/")
    usage = response.context["usage"]
    assert len(usage.entries) == 50
    assert usage.entries[-1].occurred_on == start + timedelta(days=1)  # the oldest left out
    assert "See them all in the ledger" in response.content.decode()


# --- The ledger, filtered to one profile --------------------------------------------------------


def test_the_ledger_filters_to_one_profile_and_links_back(client_as, manager, profile):
    mine = entry(profile, 3, request_ref=55)
    other = UsageEntryFactory()

    response = client_as(manager).get(f"/usage/?reference={profile.pk}")
    html = response.content.decode()

    assert [e.pk for e in response.context["page"].object_list] == [mine.pk]
    assert other.pk != mine.pk
    assert "Usage ledger: Dana Reyes (Acme Rail)" in html
    assert f'href="/references/{profile.pk}/"' in html
    assert f'href="/references/{profile.pk}/usage/"' in html
    assert '<a href="/requests/55/">#55</a>' in html


def test_each_ledger_row_links_its_profile_and_request(client_as, manager, profile):
    entry(profile, 3, request_ref=56)
    html = client_as(manager).get("/usage/").content.decode()
    assert f'<a href="/references/{profile.pk}/">Dana Reyes</a>' in html
    assert f"?reference={profile.pk}" in html
    assert '<a href="/requests/56/">#56</a>' in html


def test_a_bad_reference_filter_shows_the_error_not_a_500(client_as, manager):
    response = client_as(manager).get("/usage/?reference=abc")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Enter a number." in response.content.decode()


# --- Fixed queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 12])
def test_history_query_count(client_as, users, profile, facts, rows, django_assert_num_queries):
    for i in range(rows):
        request = make_request(users["sales"], f"Prospect {i}")
        entry(profile, i * 20, request_ref=request.pk)
    client = client_as(users["manager"])
    client.get(f"/references/{profile.pk}/usage/")  # warm the session
    # session + user + unread notifications + profile + policy + asks + months (one aggregate)
    # + requests served + their prospect and outcome
    with django_assert_num_queries(9):
        response = client.get(f"/references/{profile.pk}/usage/", headers={"HX-Request": "true"})
    assert len(response.context["usage"].served) == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_ledger_filtered_to_a_profile_query_count(
    client_as, manager, profile, rows, django_assert_num_queries
):
    for i in range(rows):
        entry(profile, i * 20)
    client = client_as(manager)
    client.get("/usage/")  # warm the session
    # session + user + unread notifications + count + page (joined) + activity types + the profile
    # + one grouped count per facet (activity, status)
    with django_assert_num_queries(9):
        response = client.get(f"/usage/?reference={profile.pk}")
    assert response.context["page"].paginator.count == rows
