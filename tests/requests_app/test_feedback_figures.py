"""The dashboard's satisfaction figures include what both sides said a day after the activity
(feedback given in the period): ratings by side, who would do it again, what did not happen."""

from datetime import UTC, date, datetime

import pytest

from reporting.metrics import satisfaction_figures
from reporting.periods import Period
from requests_app import services
from requests_app.models import CandidateFeedback

pytestmark = pytest.mark.django_db

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def _said(candidate, side, *, on: date, **answers):
    at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    return CandidateFeedback.objects.create(candidate=candidate, side=side, created_at=at, **answers)


def test_feedback_of_the_period_by_side(manager, sales, make_profile, make_request):
    request = make_request(sales, prospect="Globex Corp")
    first, second = (
        services.candidate_propose(request=request, reference=make_profile(name=name), actor=manager)
        for name in ("Nordbank", "Südbank")
    )
    _said(first, "requester", on=date(2025, 3, 10), happened=True, rating=4, comment="Clear")
    _said(first, "reference", on=date(2025, 3, 11), happened=True, rating=5, would_do_again=True)
    _said(second, "requester", on=date(2025, 2, 28), happened=False)  # before the period
    _said(second, "reference", on=date(2025, 3, 12), happened=True, rating=2, would_do_again=False)

    after = satisfaction_figures(MARCH)["after_activity"]

    assert after == {
        "requester_count": 1,
        "requester_average": 4.0,
        "reference_count": 2,
        "reference_average": 3.5,
        "would_do_again": 0.5,
        "did_not_happen": 0,  # the one that did not happen was said in February
    }


def test_no_feedback_is_no_figure_not_zero():
    assert satisfaction_figures(MARCH)["after_activity"] == {
        "requester_count": 0,
        "requester_average": None,
        "reference_count": 0,
        "reference_average": None,
        "would_do_again": None,
        "did_not_happen": 0,
    }
