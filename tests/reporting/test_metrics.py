"""Every metric on the hand-made program of conftest.py, with the answers worked out by hand."""

from datetime import date

import pytest

from reporting.models import MetricSnapshot

from .conftest import MARCH, at, make_request

URL = "/api/v1/metrics/summary/"


@pytest.fixture
def march(program, api_as, users):
    response = api_as(users["executive"]).get(f"{URL}?{MARCH}")
    assert response.status_code == 200, response.content
    return response.json()


def test_period_and_previous_period(march):
    assert march["period"] == {
        "from": "2025-03-01",
        "to": "2025-03-31",
        "days": 31,
        "previous_from": "2025-01-29",
        "previous_to": "2025-02-28",
    }


def test_request_counts_rates_and_times(march):
    cur = march["requests"]["current"]
    # Received: r1 r2 r3 r4 r6 r7 r8 r9 r10 (r5 was received in February).
    assert cur["received"] == 9
    # Fulfilled: r1 r2 r3 r4 and r5 (received in February, fulfilled on 3 March); not r9 (April).
    assert cur["fulfilled"] == 5
    assert cur["unfulfilled"] == 2
    assert cur["unfulfilled_by_reason"] == {"no_match": 1, "unspecified": 1}
    assert cur["cancelled"] == 1
    assert cur["fulfilment_rate"] == 0.7143  # 5 / (5 + 2)
    # Days to fulfil: 2, 4, 10, 11, 30.5 → median 10; p90 = 11 + 0.6 × (30.5 − 11) = 22.7.
    assert cur["median_days_to_fulfil"] == 10.0
    assert cur["p90_days_to_fulfil"] == 22.7
    # On time (closed by needed-by): r1, r3, r4; late: r2, r5.
    assert cur["fulfilled_on_time"] == 3
    assert cur["on_time_share"] == 0.6


def test_time_to_fulfil_against_lead_time(march):
    rows = {r["activity_type"]: r for r in march["requests"]["current"]["by_activity_type"]}
    # Calls (lead time 5 days): 2, 4, 10, 11 days → median 7, p90 = 10 + 0.7 × 1 = 10.7; 2 within.
    assert rows["call"] == {
        "activity_type": "call",
        "name": "Reference call",
        "lead_time_days": 5,
        "fulfilled": 4,
        "median_days": 7.0,
        "p90_days": 10.7,
        "within_lead_time": 2,
        "within_lead_time_share": 0.5,
    }
    # The case study (lead time 60 days) took 30.5 days.
    assert rows["case_study"]["fulfilled"] == 1
    assert rows["case_study"]["median_days"] == 30.5
    assert rows["case_study"]["within_lead_time_share"] == 1.0
    assert set(rows) == {"call", "case_study"}


def test_previous_period_counts_the_cross_period_request_as_received(march):
    prev = march["requests"]["previous"]
    assert prev["received"] == 1  # r5
    assert prev["fulfilled"] == 0
    assert prev["fulfilment_rate"] is None
    assert prev["median_days_to_fulfil"] is None


def test_request_fulfilled_in_the_next_period_counts_there(program, api_as, users):
    april = api_as(users["executive"]).get(f"{URL}?from=2025-04-01&to=2025-04-30").json()
    cur = april["requests"]["current"]
    assert (cur["received"], cur["fulfilled"]) == (0, 1)  # r9: received 30 March, fulfilled 2 April
    assert cur["median_days_to_fulfil"] == 3.0
    assert april["satisfaction"]["current"] == {
        "count": 1,
        "average": 2.0,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0},
        "after_activity": {
            "requester_count": 0,
            "requester_average": None,
            "reference_count": 0,
            "reference_average": None,
            "would_do_again": None,
            "did_not_happen": 0,
        },  # no feedback after an activity in this program
    }


def test_influenced_revenue(march):
    # Won with a reference used and reported in March: r1 100,000 and r3 (opportunity amount)
    # 50,000; r2 lost. r6 was won without a completed reference, r4 was reported in April.
    assert march["revenue"]["current"] == {
        "influenced_revenue": 150000.0,
        "won": 2,
        "lost": 1,
        "win_rate": 0.6667,
        "average_deal_size": 75000.0,
    }
    assert march["revenue"]["previous"]["win_rate"] is None
    assert march["revenue"]["previous"]["average_deal_size"] is None


def test_satisfaction(march):
    # Ratings of requests closed in March: r1 5, r2 3, r3 4, r6 1 (r9 closed in April).
    assert march["satisfaction"]["current"] == {
        "count": 4,
        "average": 3.25,
        "distribution": {"1": 1, "2": 0, "3": 1, "4": 1, "5": 1},
        "after_activity": {
            "requester_count": 0,
            "requester_average": None,
            "reference_count": 0,
            "reference_average": None,
            "would_do_again": None,
            "did_not_happen": 0,
        },  # no feedback after an activity in this program
    }


def test_supply_against_demand_ranked_where_to_recruit(march):
    rows = march["supply_demand"]
    top = [
        (r["dimension"], r["value"], r["requests"], r["available"], r["unmet"], r["shortfall"])
        for r in rows[:4]
    ]
    assert top == [
        ("activity_type", "call", 8, 3, 1, 5),
        ("industry", "healthcare", 2, 0, 1, 2),
        ("product_line", "Security", 1, 0, 1, 1),
        ("region", "emea", 1, 3, 1, -2),
    ]
    industries = {
        r["value"]: (r["requests"], r["available"], r["unmet"]) for r in rows if r["dimension"] == "industry"
    }
    # Available today: P1, P2 (finance) and P4 (retail); P3 is stale, P5 resting.
    assert industries == {"healthcare": (2, 0, 1), "finance": (3, 2, 0), "retail": (0, 1, 0)}
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_heatmap(march):
    heat = march["heatmap"]
    assert [r["region"] for r in heat["regions"]] == ["emea"]
    cells = {row["industry"]: row["cells"][0] for row in heat["rows"]}
    # Only r6 has both an industry and a region (healthcare, EMEA).
    assert cells["healthcare"] == {"requests": 1, "available": 0, "gap": 1, "heat": 1}
    assert cells["finance"] == {"requests": 0, "available": 2, "gap": -2, "heat": 0}


def test_coverage_against_targets(march):
    rows = {
        (r["dimension"], r["value"]): (r["target_share"], r["references"], r["actual_share"], r["gap"])
        for r in march["coverage"]
    }
    # Catalog: P1 P2 P3 P4 (active) and P5 (resting) = 5; finance P1 P2 P5; Management P1 only.
    assert rows == {
        ("industry", "finance"): (50.0, 3, 60.0, 10.0),
        ("product_line", "Management"): (75.0, 1, 20.0, -55.0),
        ("region", "apac"): (10.0, 0, 0.0, -10.0),
    }


def test_inventory_health(march):
    assert march["inventory"]["current"] == {
        "active": 4,
        "resting": 1,
        "resting_at_cap": 1,
        "stale": 1,
        "in_catalog": 5,
        "near_cap": 1,  # P4: 5 of 6 points (≥ 0.75 × 6)
        "at_cap": 1,  # P2: 6 of 6
        "activated": 1,
        "retired": 1,
        "net_growth": 0,
        "asks": 6,  # P1 five times, P2 once (the withdrawn ask does not count)
        "overrides": 1,
        "over_asks": 1,  # P1 on 11 March: 10 points > 6 without an override
    }
    assert march["inventory"]["previous"] == {"asks": 1, "over_asks": 0, "overrides": 0}


def test_most_used_references(program, march):
    assert [(r["reference"], r["asks"], r["points"]) for r in march["most_used"]] == [
        (program["p1"].pk, 5, 10),
        (program["p2"].pk, 1, 2),
    ]


def test_nominations(march):
    noms = march["nominations"]
    assert noms["funnel"] == {"total": 4, "submitted": 1, "vetting": 1, "accepted": 1, "rejected": 1}
    assert noms["by_source"] == [
        {"source": "community", "total": 2, "submitted": 0, "vetting": 1, "accepted": 0, "rejected": 1},
        {"source": "sales", "total": 2, "submitted": 1, "vetting": 0, "accepted": 1, "rejected": 0},
    ]
    assert noms["aging"] == 3  # open and older than 7 days: two submitted, one vetting


def test_approvals(march):
    # the two approved ones carry no decision date, so none was approved in March
    assert march["approvals"] == {"pending": 2, "expiring_30_days": 1, "declined": 1, "approved": 0}


def test_segment_filter(program, api_as, users):
    data = api_as(users["executive"]).get(f"{URL}?{MARCH}&industry=finance").json()
    assert data["segment"]["industry"] == "finance"
    assert data["requests"]["current"]["received"] == 3  # r1 r2 r3
    assert data["requests"]["current"]["fulfilled"] == 3
    assert data["revenue"]["current"]["influenced_revenue"] == 150000.0
    assert data["inventory"]["current"]["in_catalog"] == 3  # P1 P2 P5


def test_bad_filters_are_400(program, api_as, users):
    api = api_as(users["executive"])
    assert api.get(f"{URL}?industry=atlantis").status_code == 400
    response = api.get(f"{URL}?from=2025-03-31&to=2025-03-01")
    assert response.status_code == 400 and "from" in response.json()
    assert api.get(f"{URL}?from=yesterday").status_code == 400
    assert api.get(f"{URL}?preset=decade").status_code == 400


def test_trends_from_snapshots(program, api_as, users):
    MetricSnapshot.objects.create(
        date=date(2025, 2, 10), figures={"flows_for": "2025-02-09", "received": 2, "active": 3}
    )
    MetricSnapshot.objects.create(
        date=date(2025, 3, 5), figures={"flows_for": "2025-03-04", "received": 1, "active": 4}
    )
    MetricSnapshot.objects.create(
        date=date(2025, 3, 20),
        figures={"flows_for": "2025-03-19", "received": 2, "over_asks": 1, "active": 5},
    )
    trends = api_as(users["executive"]).get(f"{URL}?{MARCH}").json()["trends"]
    assert [(t["month"], t["days"], t["received"], t["over_asks"], t["active"]) for t in trends] == [
        ("2025-02", 1, 2, 0, 3),
        ("2025-03", 2, 3, 1, 5),
    ]


def test_no_data_at_all(db, api_as, users):
    data = api_as(users["executive"]).get(f"{URL}?{MARCH}").json()
    cur = data["requests"]["current"]
    assert (cur["received"], cur["fulfilled"], cur["unfulfilled"], cur["cancelled"]) == (0, 0, 0, 0)
    assert cur["fulfilment_rate"] is None and cur["on_time_share"] is None
    assert cur["median_days_to_fulfil"] is None and cur["p90_days_to_fulfil"] is None
    assert data["revenue"]["current"] == {
        "influenced_revenue": 0.0,
        "won": 0,
        "lost": 0,
        "win_rate": None,
        "average_deal_size": None,
    }
    assert data["satisfaction"]["current"]["average"] is None
    assert data["supply_demand"] == [] and data["coverage"] == [] and data["trends"] == []
    assert data["inventory"]["current"]["over_asks"] == 0


def test_no_data_dashboard_shows_dashes(db, client_as, users):
    response = client_as(users["executive"]).get(f"/dashboard/?{MARCH}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num">—</td>' in html  # fulfilment rate with nothing to divide by


def test_period_with_only_cancelled_requests(users, api_as):
    make_request(users["sales"], created=at(2024, 6, 3), status="cancelled", closed=at(2024, 6, 4))
    make_request(users["sales"], created=at(2024, 6, 10), status="cancelled", closed=at(2024, 6, 12))
    cur = api_as(users["executive"]).get(f"{URL}?from=2024-06-01&to=2024-06-30").json()["requests"]["current"]
    assert (cur["received"], cur["fulfilled"], cur["unfulfilled"], cur["cancelled"]) == (2, 0, 0, 2)
    assert cur["fulfilment_rate"] is None
    assert cur["median_days_to_fulfil"] is None
    assert cur["on_time_share"] is None
