"""The dashboard's CSV exports: money only for the roles that may see revenue, and no cell that
opens as a formula in a spreadsheet (labels come from people: customer, contact, product line
and target names). Figures from the hand-made program of ``conftest.py``."""

import csv
import io

import pytest

from references.models import ActivityType, Product
from reporting.models import StrategicTarget

from .conftest import MARCH

# Every dashboard table but revenue, written out (a new one should be added here by hand).
TABLES_WITHOUT_MONEY = [
    "requests",
    "unfulfilled_reasons",
    "time_to_fulfil",
    "supply_demand",
    "heatmap",
    "coverage",
    "inventory",
    "most_used",
    "nominations",
    "approvals",
    "satisfaction",
    "trends",
]


def rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


# --- Money by role ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "executive"])
def test_revenue_csv_for_roles_that_see_revenue(program, users, client_as, role):
    # Won in March with a reference: r1 100,000 + r3 50,000; r2 lost (see test_metrics.py).
    response = client_as(users[role]).get(f"/dashboard/export/revenue.csv?{MARCH}")
    assert rows(response) == [
        ["Metric", "This period", "Previous period"],
        ["Influenced revenue (won amounts)", "150000.0", "0.0"],
        ["Referenced opportunities won", "2", "0"],
        ["Referenced opportunities lost", "1", "0"],
        ["Win rate", "0.6667", ""],
        ["Average deal size", "75000.0", ""],
    ]


@pytest.mark.parametrize(("role", "status"), [("admin", 403), ("sales", 403), ("marketing", 403)])
def test_no_revenue_csv_for_other_roles(program, users, client_as, role, status):
    assert client_as(users[role]).get(f"/dashboard/export/revenue.csv?{MARCH}").status_code == status


@pytest.mark.parametrize("role", ["admin", "manager", "executive"])
@pytest.mark.parametrize("table", TABLES_WITHOUT_MONEY)
def test_no_other_dashboard_csv_holds_money(program, users, client_as, role, table):
    body = client_as(users[role]).get(f"/dashboard/export/{table}.csv?{MARCH}").content.decode()
    for money in ("150000", "75000", "100000", "50000", "999999", "revenue", "deal size", "Win rate"):
        assert money not in body


@pytest.mark.parametrize("role", ["sales", "marketing"])
@pytest.mark.parametrize("table", ["requests", "most_used", "coverage"])
def test_roles_without_the_dashboard_get_no_csv(program, users, client_as, role, table):
    assert client_as(users[role]).get(f"/dashboard/export/{table}.csv?{MARCH}").status_code == 403


# --- No formulas ---------------------------------------------------------------------------------


@pytest.fixture
def hostile(program):
    """The program, with names that a spreadsheet would run as formulas."""
    p1, p2 = program["p1"], program["p2"]
    p1.customer.name = '=HYPERLINK("http://x","y")'
    p1.customer.save()
    p1.contact.name = "@SUM(A1)"
    p1.contact.save()
    p2.customer.name = "-2+3 GmbH"
    p2.customer.save()
    p2.contact.name = "\tTabbed"
    p2.contact.save()
    Product.objects.filter(name="Sentinel").update(product_line="+1 Security")
    StrategicTarget.objects.filter(dimension="region", value="apac").update(value="-apac")
    ActivityType.objects.filter(code="case_study").update(name="=Case study")
    return program


def test_most_used_names_are_escaped(hostile, users, client_as):
    response = client_as(users["executive"]).get(f"/dashboard/export/most_used.csv?{MARCH}")
    assert rows(response) == [
        ["Reference", "Customer", "Asks", "Points"],
        ["'@SUM(A1)", '\'=HYPERLINK("http://x","y")', "5", "10"],
        ["'\tTabbed", "'-2+3 GmbH", "1", "2"],
    ]


def test_coverage_escapes_text_and_keeps_negative_numbers(hostile, users, client_as):
    response = client_as(users["admin"]).get(f"/dashboard/export/coverage.csv?{MARCH}")
    assert rows(response) == [
        ["Dimension", "Segment", "Target %", "Actual %", "References", "Gap (points)"],
        ["Industry", "finance", "50.0", "60.0", "3", "10.0"],
        ["Product line", "Management", "75.0", "20.0", "1", "-55.0"],
        ["Region", "'-apac", "10.0", "0.0", "0", "-10.0"],
    ]


def test_supply_demand_escapes_the_product_line(hostile, users, client_as):
    response = client_as(users["manager"]).get(f"/dashboard/export/supply_demand.csv?{MARCH}")
    by_segment = {(row[1], row[2]): row for row in rows(response)[1:]}
    # Sentinel's line: one request (r6), no reference, unmet once; EMEA has 3 more references
    # than requests: covered, short by 0 (the page shows "—").
    assert by_segment[("Product line", "'+1 Security")] == [
        "3",
        "Product line",
        "'+1 Security",
        "1",
        "0",
        "1",
        "1",
        "",
    ]
    assert by_segment[("Region", "Europe, Middle East and Africa")][3:7] == ["1", "3", "1", "0"]


def test_time_to_fulfil_escapes_the_activity_type(hostile, users, client_as):
    response = client_as(users["executive"]).get(f"/dashboard/export/time_to_fulfil.csv?{MARCH}")
    names = [row[0] for row in rows(response)[1:]]
    assert "'=Case study" in names
    assert "=Case study" not in names
