"""Revenue only for the roles that may see it, CSV exports, targets, the snapshot, and pinned
query counts (which role may open which page is the one table of tests/proof/test_access_matrix.py)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from refprogram.nightly import run_all
from reporting.models import MetricSnapshot, StrategicTarget

from .conftest import MARCH, at, ledger, make_request

ROLES = ["manager", "sales", "marketing", "executive", "admin", None]
OK_DASH = {"manager", "executive", "admin"}
OK_REVENUE = {"manager", "executive"}


@pytest.mark.parametrize("role", ROLES)
def test_summary_api_access(users, api_as, role):
    response = api_as(users[role] if role else None).get("/api/v1/metrics/summary/")
    if role is None:
        assert response.status_code in (401, 403)
        assert "results" not in response.json() and "requests" not in response.json()
    elif role in OK_DASH:
        assert response.status_code == 200
        # Revenue is for executives and managers; admins get the rest without it.
        assert (response.json()["revenue"] is not None) == (role in OK_REVENUE)
    else:
        assert response.status_code == 403


def test_dashboard_hides_revenue_from_admins(users, client_as):
    assert "Influenced revenue" in client_as(users["executive"]).get("/dashboard/").content.decode()
    assert "Influenced revenue" not in client_as(users["admin"]).get("/dashboard/").content.decode()


def test_post_to_targets_needs_the_capability(users, client_as):
    for role in ("executive", "sales", "marketing"):
        response = client_as(users[role]).post(
            "/dashboard/targets/", {"dimension": "region", "value": "emea", "target_share": "20"}
        )
        assert response.status_code == 403
    assert not StrategicTarget.objects.exists()


def test_manager_sets_changes_and_removes_a_target(users, client_as):
    c = client_as(users["manager"])
    assert (
        c.post(
            "/dashboard/targets/", {"dimension": "region", "value": "emea", "target_share": "20"}
        ).status_code
        == 302
    )
    assert (
        c.post(
            "/dashboard/targets/", {"dimension": "region", "value": "emea", "target_share": "35"}
        ).status_code
        == 302
    )
    target = StrategicTarget.objects.get()
    assert (target.value, str(target.target_share), target.updated_by) == ("emea", "35.00", users["manager"])
    bad = c.post("/dashboard/targets/", {"dimension": "region", "value": "mars", "target_share": "120"})
    assert bad.status_code == 400
    assert "Unknown region" in bad.content.decode() or "less than or equal to 100" in bad.content.decode()
    assert c.post(f"/dashboard/targets/{target.pk}/delete/").status_code == 302
    assert not StrategicTarget.objects.exists()


def test_bad_period_on_the_page_is_shown_not_a_500(users, client_as):
    response = client_as(users["executive"]).get("/dashboard/?preset=custom&from=2025-13-01")
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()
    csv_response = client_as(users["executive"]).get(
        "/dashboard/export/requests.csv?from=2025-03-31&to=2025-01-01"
    )
    assert csv_response.status_code == 400


def test_unknown_export_is_404(users, client_as):
    assert client_as(users["executive"]).get("/dashboard/export/passwords.csv").status_code == 404


def test_csv_export_content(program, users, client_as):
    response = client_as(users["executive"]).get(f"/dashboard/export/requests.csv?{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="requests_2025-03-01_2025-03-31.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "Metric,This period,Previous period",
        "Requests received,9,1",
        "Fulfilled,5,0",
        "Closed unfulfilled,2,0",
        "Cancelled,1,0",
        "Fulfilment rate,0.7143,",
        "Median days to fulfil,10.0,",
        "90th percentile days to fulfil,22.7,",
        "Fulfilled by the needed-by date,3,0",
        "Share fulfilled on time,0.6,",
    ]
    reasons = client_as(users["executive"]).get(f"/dashboard/export/unfulfilled_reasons.csv?{MARCH}")
    assert reasons.content.decode().splitlines() == [
        "Reason,This period,Previous period",
        "No reference meets the must-haves,1,0",
        "No reason recorded,1,0",
    ]


def test_csv_export_of_the_segment(program, users, client_as):
    response = client_as(users["executive"]).get(f"/dashboard/export/coverage.csv?{MARCH}")
    assert response.content.decode().splitlines() == [
        "Dimension,Segment,Target %,Actual %,References,Gap (points)",
        "Industry,finance,50.0,60.0,3,10.0",
        "Product line,Management,75.0,20.0,1,-55.0",
        "Region,apac,10.0,0.0,0,-10.0",
    ]


def test_dashboard_page_has_charts_data_and_tables(program, users, client_as):
    html = client_as(users["executive"]).get(f"/dashboard/?{MARCH}").content.decode()
    assert '<script id="chart-requests" type="application/json">' in html
    assert 'data-chart="chart-requests"' in html
    assert "/static/js/charts.js" in html
    # No inline script code: every <script> is either a JSON block or a src.
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/json"' in tag or "src=" in tag
    assert 'id="table-supply_demand"' in html and 'id="heatmap"' in html
    assert "70.0 %" not in html and "71.4 %" in html  # fulfilment rate 5/7


def test_operations_view(users, client_as):
    now = timezone.now()
    overdue = make_request(
        users["sales"], created=now - timedelta(days=5), needed_by=now - timedelta(hours=2)
    )
    soon = make_request(users["sales"], created=now - timedelta(days=1), needed_by=now + timedelta(hours=30))
    later = make_request(users["sales"], created=now - timedelta(days=1), needed_by=now + timedelta(days=9))
    response = client_as(users["manager"]).get("/dashboard/operations/")
    assert response.status_code == 200
    queue = response.context["queue"]
    assert [r.pk for r in queue["overdue"].rows] == [overdue.pk]
    assert [r.pk for r in queue["due_soon"].rows] == [soon.pk]
    assert later.pk not in [r.pk for r in queue["due_soon"].rows]


def test_operations_lists_stale_aging_and_capped(program, users, client_as):
    queue = client_as(users["manager"]).get("/dashboard/operations/").context["queue"]
    assert [p.pk for p in queue["stale"].rows] == [program["p3"].pk]
    assert {p.pk for p in queue["capped"].rows} == {program["p2"].pk, program["p4"].pk}
    assert (len(queue["aging_nominations"].rows), queue["aging_nominations"].count) == (3, 3)


# --- The nightly snapshot -----------------------------------------------------------------------


def test_snapshot_is_taken_once_per_day(program):
    today = timezone.localdate()
    assert run_all(today, only=["metrics_snapshot"]) == {"metrics_snapshot": {"snapshots_taken": 1}}
    first = MetricSnapshot.objects.get(date=today).figures
    # More happens during the day; a second run the same day changes nothing.
    ledger(program["p1"], today)
    assert run_all(today, only=["metrics_snapshot"]) == {"metrics_snapshot": {"snapshots_taken": 0}}
    assert MetricSnapshot.objects.count() == 1
    assert MetricSnapshot.objects.get(date=today).figures == first
    assert first["active"] == 4 and first["resting"] == 1 and first["stale"] == 1
    assert first["near_cap"] == 1 and first["at_cap"] == 1 and first["approvals_pending"] == 2
    assert first["flows_for"] == (today - timedelta(days=1)).isoformat()


def test_snapshot_records_the_flows_of_the_day_before(users):
    make_request(users["sales"], created=at(2025, 3, 9, 8), status="cancelled", closed=at(2025, 3, 9, 9))
    make_request(users["sales"], created=at(2025, 3, 10, 8))
    run_all(date(2025, 3, 10), only=["metrics_snapshot"])
    figures = MetricSnapshot.objects.get(date=date(2025, 3, 10)).figures
    assert (figures["flows_for"], figures["received"], figures["cancelled"]) == ("2025-03-09", 1, 1)


def test_snapshot_check_is_registered():
    from refprogram.nightly import registered

    assert "metrics_snapshot" in [c.name for c in registered()]


# --- Query counts -------------------------------------------------------------------------------


def _grow(users, n):
    for i in range(n):
        make_request(
            users["sales"],
            created=at(2025, 3, 2 + i % 20),
            status="fulfilled",
            closed=at(2025, 3, 25),
            industry="finance",
            region="emea",
            rating=4,
        )


def _count(callable_):
    with CaptureQueriesContext(connection) as ctx:
        response = callable_()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_data(program, users, client_as, api_as):
    dashboard = lambda: client_as(users["executive"]).get(f"/dashboard/?{MARCH}")  # noqa: E731
    summary = lambda: api_as(users["executive"]).get(f"/api/v1/metrics/summary/?{MARCH}")  # noqa: E731
    small = (_count(dashboard), _count(summary))
    _grow(users, 12)
    large = (_count(dashboard), _count(summary))
    assert small == large
    assert large == PINNED


# Constant whatever the data: one aggregate query per figure family (the percentiles per
# activity type in a second grouped query). The ledger figures of both periods are one
# statement, and so is the inventory today (shared by inventory health, supply against demand,
# the heatmap and the coverage).
# The period's trend (received, fulfilled, asks, revenue by day) and the checks for the daily
# aggregates (built? counted today?) add nine; the feedback after the activity (both periods) two;
# the page one more for the menu. Closed CRM deals with references against without: one grouped
# query more.
PINNED = (69, 46)


def test_figures_are_reused_for_the_same_period_until_the_cache_expires(program, users, api_as, settings):
    from django.core.cache import cache

    settings.METRICS_CACHE_SECONDS = 60
    cache.clear()
    summary = lambda query: api_as(users["executive"]).get(f"/api/v1/metrics/summary/?{query}")  # noqa: E731
    first = _count(lambda: summary(MARCH))
    again = _count(lambda: summary(MARCH))
    other_period = _count(lambda: summary("from=2025-04-01&to=2025-04-30"))
    assert again < first / 4  # the second view reads the cached figures
    assert other_period == first  # another period is computed afresh
    assert summary(MARCH).json() == summary(MARCH).json()
    cache.clear()
