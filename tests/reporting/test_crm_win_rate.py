"""Influenced revenue and win rate from the CRM's closed deals, and deals with references against
deals without, on a hand-made program with the arithmetic in the comments."""

from datetime import date
from decimal import Decimal

import pytest

from references.models import Industry, Region
from requests_app.models import Candidate, Opportunity
from tests.factories import ReferenceProfileFactory

from .conftest import MARCH, at, make_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/summary/"


def deal(crm_id, *, segment="F", won=None, amount=None, opened=None, closed=None):
    """A CRM opportunity; segment F is finance / EMEA / enterprise, R retail / NA / SMB."""
    industry, region, size = ("finance", "emea", "enterprise") if segment == "F" else ("retail", "na", "smb")
    return Opportunity.objects.create(
        crm="salesforce",
        crm_id=crm_id,
        name=f"Deal {crm_id}",
        amount=Decimal(amount) if amount is not None else None,
        is_closed=won is not None,
        is_won=bool(won),
        opened_on=opened,
        close_date=closed,
        industry=Industry.objects.get(code=industry),
        region=Region.objects.get(code=region),
        size_band=size,
    )


@pytest.fixture
def crm_program(users):
    sales = users["sales"]
    profile = ReferenceProfileFactory()

    def referenced(opportunity=None, *, status="fulfilled", **extra):
        request = make_request(
            sales,
            created=at(2025, 2, 1),
            status=status,
            closed=at(2025, 2, 20),
            opportunity=opportunity,
            **extra,
        )
        Candidate.objects.create(request=request, reference=profile, state="completed")
        return request

    # With a fulfilled reference request, closed in March, segment F.
    o1 = deal("o1", won=True, amount=100_000, opened=date(2025, 1, 1), closed=date(2025, 3, 1))  # 59 days
    o2 = deal("o2", won=True, amount=50_000, opened=date(2025, 2, 1), closed=date(2025, 3, 3))  # 30 days
    o3 = deal("o3", won=False, amount=70_000, opened=date(2025, 2, 10), closed=date(2025, 3, 12))  # 30 days
    referenced(o1)
    # A manual outcome typed before the link does not count: the CRM's result does.
    referenced(o2, outcome_result="lost", outcome_reported_at=at(2025, 2, 10))
    referenced(o3)
    # Without one, segment F: won, lost (no opened date), lost, lost; and a won deal whose
    # request is not fulfilled (still submitted), which counts as without.
    deal("o4", won=True, amount=10, opened=date(2024, 12, 1), closed=date(2025, 3, 20))  # 109 days
    deal("o5", won=False, closed=date(2025, 3, 20))
    deal("o6", won=False, opened=date(2025, 3, 1), closed=date(2025, 3, 21))  # 20 days
    deal("o7", won=False, opened=date(2025, 1, 15), closed=date(2025, 3, 25))  # 69 days
    o9 = deal("o9", won=True, amount=5, opened=date(2025, 3, 5), closed=date(2025, 3, 15))  # 10 days
    make_request(sales, created=at(2025, 3, 1), opportunity=o9)
    # Segment R has deals without references only: left out of the comparison (unmatched).
    deal("o8", segment="R", won=True, closed=date(2025, 3, 2))
    # Not in March's comparison: closed won in April (its manual "won" in March is ignored), and
    # an open deal (its manual "won" in March ignored too).
    o10 = deal("o10", won=True, amount=999, opened=date(2025, 3, 1), closed=date(2025, 4, 3))
    referenced(o10, outcome_result="won", outcome_amount=Decimal(5), outcome_reported_at=at(2025, 3, 10))
    o11 = deal("o11", amount=1_000_000, opened=date(2025, 3, 1))
    referenced(o11, outcome_result="won", outcome_amount=Decimal(5), outcome_reported_at=at(2025, 3, 11))
    # A program without a CRM: an unlinked request's reported outcome, as before.
    referenced(outcome_result="won", outcome_amount=Decimal(20_000), outcome_reported_at=at(2025, 3, 10))
    return users


@pytest.fixture
def march(crm_program, api_as):
    response = api_as(crm_program["executive"]).get(f"{URL}?{MARCH}")
    assert response.status_code == 200, response.content
    return response.json()


def test_influenced_revenue_and_win_rate_use_the_crm_result(march):
    # Won: o1 100,000 (closed 1 March) and o2 50,000 (3 March) from the CRM, the unlinked request's
    # reported 20,000 (10 March); lost: o3. Not o10 (closed in April), not o11 (open).
    assert march["revenue"]["current"] == {
        "influenced_revenue": 170000.0,
        "won": 3,
        "lost": 1,
        "win_rate": 0.75,
        "average_deal_size": 56666.67,
    }
    # o2's manual "lost" reported in February does not count in February either.
    assert march["revenue"]["previous"]["won"] == 0
    assert march["revenue"]["previous"]["lost"] == 0


def test_the_revenue_trend_puts_a_crm_deal_on_its_close_date(march):
    points = {
        p["start"]: p["influenced_revenue"] for p in march["series"]["points"] if p["influenced_revenue"]
    }
    assert points == {"2025-03-01": 100000.0, "2025-03-03": 50000.0, "2025-03-10": 20000.0}


def test_a_deal_closed_in_april_counts_in_april(crm_program, api_as):
    april = api_as(crm_program["executive"]).get(f"{URL}?from=2025-04-01&to=2025-04-30").json()
    assert april["revenue"]["current"]["won"] == 1
    assert april["revenue"]["current"]["influenced_revenue"] == 999.0


def test_with_references_against_without(march):
    comparison = march["with_vs_without"]
    # With: o1 won, o2 won, o3 lost → 2 of 3 = 66.7 %; cycles 59, 30, 30 → 119 / 3 = 39.7 days.
    assert comparison["with"] == {
        "closed": 3,
        "won": 2,
        "lost": 1,
        "win_rate": 0.6667,
        "average_cycle_days": 39.7,
    }
    # Without (segment F): o4 won, o5, o6, o7 lost, o9 won → 2 of 5 = 40 %; cycles 109, 20, 69,
    # 10 (o5 has no opened date) → 208 / 4 = 52 days.
    assert comparison["without"] == {
        "closed": 5,
        "won": 2,
        "lost": 3,
        "win_rate": 0.4,
        "average_cycle_days": 52.0,
    }
    assert comparison["unmatched"] == 1  # o8: retail / NA / SMB had no deal with references
    assert [(s["industry"], s["region"], s["size_band"]) for s in comparison["segments"]] == [
        ("finance", "emea", "enterprise")
    ]
    assert comparison["segments"][0]["with"]["win_rate"] == 0.6667


def test_a_segment_filter_slices_the_comparison(crm_program, api_as):
    retail = api_as(crm_program["executive"]).get(f"{URL}?{MARCH}&industry=retail").json()
    assert retail["with_vs_without"]["with"]["closed"] == 0
    assert retail["with_vs_without"]["with"]["win_rate"] is None
    assert retail["with_vs_without"]["unmatched"] == 1


def test_the_comparison_is_revenue_data(crm_program, api_as, client_as):
    admin = api_as(crm_program["admin"]).get(f"{URL}?{MARCH}").json()
    assert admin["revenue"] is None
    assert admin["with_vs_without"] is None
    page = client_as(crm_program["executive"]).get(f"/dashboard/?{MARCH}").content.decode()
    assert "Deals with references against deals without" in page
    assert "66.7 %" in page and "39.7 d" in page and "40.0 %" in page and "52.0 d" in page
    admin_page = client_as(crm_program["admin"]).get(f"/dashboard/?{MARCH}").content.decode()
    assert "Deals with references against deals without" not in admin_page
