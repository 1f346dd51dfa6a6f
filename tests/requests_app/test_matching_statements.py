"""How the match list reaches the database: its statements are prepared once per connection, still
counted like any other query, and its candidates are read a page at a time without changing the
order (the speed work of issue #13; the figures are in benchmarks/README.md)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ledger.models import OverusePolicy
from requests_app import matching
from tests.factories import UsageEntryFactory

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_match_lists_statements_are_prepared_on_the_connection(sales, make_profile, make_request):
    """The candidate read, the batch's ledger sums and the details are planned once per connection:
    after one match list, PostgreSQL holds them as prepared statements."""
    for size in ("enterprise", "smb", "global"):
        UsageEntryFactory(reference=make_profile(size_band=size), occurred_on=timezone.localdate())
    request = make_request(sales, must=[("industry", "finance")], size_band="enterprise")

    matches = matching.matches_for_request(request, limit=3)

    assert len(matches) == 3
    prepared = _prepared_statements()
    read = [sql for sql in prepared if "references_matchingrow" in sql and "ORDER BY" in sql]
    sums = [sql for sql in prepared if "references_usageentry" in sql and "GROUP BY" in sql]
    assert read and all("$1" in sql for sql in read)  # the server binds the values
    assert len(sums) >= 2  # per reference and per customer


def test_the_match_list_still_counts_every_statement(
    sales, make_profile, make_request, django_assert_num_queries
):
    """Prepared statements go through Django's cursor wrapper: query counts and logs see them. A
    match list is seven queries however many references: the product list, the candidate read, the
    batch's profiles, their ledger and their customers' ledger, the details of the top ones, and
    the industries' names to say the must-have in words."""
    for i in range(6):
        make_profile(size_band=["enterprise", "smb"][i % 2], products=["Vault"])
    made = make_request(sales, must=[("industry", "finance")], size_band="enterprise")
    # As the API reads it: with its activity type and its products.
    request = type(made).objects.select_related("activity_type").prefetch_related("products").get(pk=made.pk)
    today, policy = timezone.localdate(), OverusePolicy.current()

    with django_assert_num_queries(7):
        matches = matching.matches_for_request(request, limit=4, today=today, policy=policy)

    assert len(matches) == 4


def test_later_pages_of_candidates_give_the_database_ranking(sales, make_profile, make_request, monkeypatch):
    """With a first page of two candidates (each further page three times what was read), the ranking
    reads on page after page and still orders exactly as ranking every candidate in the database."""
    monkeypatch.setattr(matching.ranking, "READ_PAGE", 2)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_MIN", 1)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_MIN_MANY", 1)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_FACTOR", 1)
    read = []
    original = matching.ranking.statements.rows

    def counting(qs):
        found = original(qs)
        read.append(len(found))
        return found

    monkeypatch.setattr(matching.ranking.statements, "rows", counting)
    for i in range(12):
        profile = make_profile(
            size_band=["enterprise", "midmarket", "global", "smb"][i % 4],
            seniority=["vp", "director", "manager"][i % 3],
            products=["Vault"] if i % 2 else [],
        )
        for day in range(i % 4):  # the best by base score are the most used: the read goes on
            UsageEntryFactory(reference=profile, occurred_on=timezone.localdate() - timedelta(days=5 + day))
    request = make_request(sales, nice=[("product", "Vault", 3)], size_band="enterprise", seniority="vp")
    today, policy = timezone.localdate(), OverusePolicy.current()
    ranked = matching.rank_queryset(request, policy=policy, today=today)
    expected = list(ranked.values_list("pk", flat=True)[:6])

    matches = matching.matches_for_request(request, limit=6, today=today, policy=policy)

    assert [m["reference"]["id"] for m in matches] == expected
    assert read[:2] == [2, 6]  # the first page, then three times what was read
