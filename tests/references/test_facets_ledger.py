"""The usage ledger's filters as facets: the activity (not "Will do") and the status with counts,
the override as Any / Yes / No, a link's reference kept as a hidden filter."""

import pytest
from django.urls import reverse

from references.models import ActivityType
from tests.factories import ReferenceProfileFactory, UsageEntryFactory
from tests.references.test_facets_pages import facets, result_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(db):
    alpha = ReferenceProfileFactory(contact__customer__name="Alpha Bank")
    beta = ReferenceProfileFactory(contact__customer__name="Beta Bank")
    visit = ActivityType.objects.get(code="site_visit")
    UsageEntryFactory(reference=alpha)
    UsageEntryFactory(reference=alpha, status="withdrawn")
    UsageEntryFactory(reference=beta, activity_type=visit, status="asked")
    return alpha


def test_the_ledger_filters_are_facets_with_counts(ledger, users, client_as):
    response = client_as(users["manager"]).get(reverse("usage-list"))
    html = response.content.decode()
    assert result_count(response) == 3
    shown = facets(response)
    assert shown["activity_type"] == {"Reference call": 2, "Site visit": 1}
    assert shown["status"] == {"Done": 1, "Withdrawn": 1, "Asked": 1}
    assert "<legend>Activity</legend>" in html and "Will do" not in html
    assert "Unknown" not in html and "Ctrl-click" not in html
    assert 'type="radio" name="override"' in html


def test_the_ledger_narrows_with_htmx_and_keeps_the_reference_of_a_link(ledger, users, client_as):
    client = client_as(users["manager"])
    partial = client.get(
        reverse("usage-list"), {"reference": ledger.pk, "status": "done"}, headers={"HX-Request": "true"}
    )
    html = partial.content.decode()
    assert "<html" not in html
    assert result_count(partial) == 1
    assert f'<input type="hidden" name="reference" value="{ledger.pk}"' in html
    # The status facet counts Alpha's asks only (the reference applies, its own choice not).
    assert facets(partial)["status"] == {"Done": 1, "Withdrawn": 1}
