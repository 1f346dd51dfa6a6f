"""The narrow matching row (``references.models.MatchingRow``, migration 0014): the database keeps it
in step with its profile however the profile is written (the application, a bulk ``UPDATE``, a
delete), codes a facet key the first time a profile holds it, and the match list reads its
candidates from it (issue #13, speed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledger.models import OverusePolicy
from references import services
from references.models import FacetCode, MatchingRow, ReferenceProfile
from requests_app import matching
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _keys(profile) -> set[str]:
    """The facet keys the profile's matching row holds, decoded."""
    row = MatchingRow.objects.get(profile=profile)
    return set(FacetCode.objects.filter(code__in=row.codes).values_list("key", flat=True))


def _row(profile) -> MatchingRow:
    return MatchingRow.objects.get(profile=profile)


def test_a_new_profile_has_its_row_with_every_key_coded(make_profile):
    today = timezone.localdate()
    profile = make_profile(
        industry="finance",
        region="emea",
        country="DE",
        size_band="enterprise",
        seniority="vp",
        deployment="cloud",
        languages=("en",),
        activities=("call", "email"),
        validated_days_ago=10,
    )

    row = _row(profile)

    assert _keys(profile) == {
        "industry=finance",
        "region=emea",
        "country=DE",
        "size=enterprise",
        "deployment=cloud",
        "seniority=vp",
        "activity=call",
        "activity=email",
        "language=en",
        "health=50",  # the customer factory's health score
    }
    assert len(row.codes) == 10
    assert (row.customer_id, row.status, row.private_only) == (profile.customer_id, "active", False)
    assert row.last_validated == today - timedelta(days=10)
    assert row.customer_health == 50


def test_the_row_follows_a_profile_edit_and_a_new_key_gets_a_new_code(make_profile):
    profile = make_profile(industry="finance", products=())
    codes_before = FacetCode.objects.count()

    services.profile_update(profile=profile, deployment="hybrid", private_only=True)

    keys = _keys(profile)
    assert "deployment=hybrid" in keys and "deployment=cloud" not in keys
    assert _row(profile).private_only is True
    assert FacetCode.objects.filter(key="deployment=hybrid").exists()
    assert FacetCode.objects.count() == codes_before + 1  # only the key never held before


def test_the_row_follows_a_status_change_and_a_revalidation(make_profile):
    profile = make_profile(status="active", validated_days_ago=200)

    ReferenceProfile.objects.filter(pk=profile.pk).update(status="retired")
    assert _row(profile).status == "retired"

    today = timezone.localdate()
    ReferenceProfile.objects.filter(pk=profile.pk).update(last_validated=today)
    assert _row(profile).last_validated == today


def test_the_row_follows_a_change_of_its_customers_health(make_profile):
    profile = make_profile()
    assert _row(profile).customer_health == 50

    services.customer_update(customer=profile.customer, health_score=-40)

    row = _row(profile)
    assert row.customer_health == -40
    assert "health=-40" in _keys(profile) and "health=50" not in _keys(profile)


def test_the_row_follows_a_bulk_update_of_many_profiles(make_profile):
    profiles = [make_profile(industry="finance") for _ in range(3)]
    other = make_profile(industry="retail")

    # A bulk SQL update, as a data fix or a later migration would write it: no save(), no signal.
    ReferenceProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(
        search_facets="industry=energy region=apac activity=call"
    )

    for profile in profiles:
        assert _keys(profile) == {"industry=energy", "region=apac", "activity=call"}
        assert _row(profile).customer_health is None  # no health key any more
    assert "industry=retail" in _keys(other)


def test_an_update_that_changes_nothing_the_row_holds_leaves_it_alone(make_profile):
    profile = make_profile()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM references_matchingrow WHERE profile_id = %s", [profile.pk])
        (before,) = cursor.fetchone()

        ReferenceProfile.objects.filter(pk=profile.pk).update(headline="A new headline")
        profile.refresh_from_db()
        profile.save()  # every column set again

        cursor.execute("SELECT ctid::text FROM references_matchingrow WHERE profile_id = %s", [profile.pk])
        (after,) = cursor.fetchone()
    assert after == before  # the row was not rewritten


def test_the_row_goes_with_its_profile(make_profile):
    profile, kept = make_profile(), make_profile()

    profile.delete()

    assert not MatchingRow.objects.filter(profile_id=profile.pk).exists()
    assert MatchingRow.objects.filter(profile_id=kept.pk).exists()


def test_a_profile_added_by_a_bulk_insert_gets_its_row(make_profile):
    template = make_profile(industry="finance")
    contact = ContactFactory(customer=template.customer, seniority="director")
    ReferenceProfile.objects.bulk_create(
        [
            ReferenceProfile(
                customer=template.customer,
                contact=contact,
                status="active",
                search_facets="industry=finance activity=call seniority=director health=50",
            )
        ]
    )

    added = ReferenceProfile.objects.get(contact=contact)
    assert _keys(added) == {"industry=finance", "activity=call", "seniority=director", "health=50"}
    assert _row(added).customer_health == 50


def test_the_match_list_reads_its_candidates_from_the_matching_row(sales, make_profile, make_request):
    """The candidate read is the one statement on the narrow table: by integer codes, not by the
    profile's text keys; and it finds the same references as ranking every candidate on the
    profile table."""
    for size in ("enterprise", "smb", "global"):
        make_profile(size_band=size, products=["Vault"])
    make_profile(industry="retail")
    request = make_request(
        sales, must=[("industry", "finance")], nice=[("product", "Vault", 3)], size_band="enterprise"
    )
    today, policy = timezone.localdate(), OverusePolicy.current()

    with CaptureQueriesContext(connection) as queries:
        matches = matching.matches_for_request(request, limit=5, today=today, policy=policy)

    reads = [q["sql"] for q in queries if "references_matchingrow" in q["sql"]]
    assert len(reads) == 1
    assert "ORDER BY" in reads[0] and ".codes @> ARRAY[" in reads[0]
    assert "facet_keys" not in reads[0]
    with connection.cursor() as cursor:  # and it is prepared on the connection, bound by the server
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%matchingrow%"]
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared and all("$1" in sql for sql in prepared)
    expected = list(matching.rank_queryset(request, policy=policy, today=today).values_list("pk", flat=True))
    assert [m["reference"]["id"] for m in matches] == expected
    assert len(expected) == 3


def test_the_candidate_read_uses_the_codes_gin_index(sales, make_profile, make_request):
    """With sequential scans off (as PostgreSQL plans it on a large inventory), the read is a lookup
    of the GIN index on the codes."""
    make_profile(industry="finance")
    request = make_request(sales, must=[("industry", "finance"), ("region", "emea")])
    spec = matching.scoring.MatchSpec.for_request(request)
    qs = matching.ranking.candidate_rows(request.activity_type, spec)
    qs = qs.annotate(base_score=matching.scoring.base_sql(spec, timezone.localdate()))
    sql, params = qs.order_by("-base_score", "pk").values_list("pk", "base_score").query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "matching_row_codes" in plan
    assert "references_referenceprofile" not in plan


def test_a_competitor_criterion_is_read_through_the_profile(sales, make_profile, make_request):
    replaced = make_profile(competitor="Legacy Monitor", size_band="smb")
    other = make_profile(competitor="Someone Else", size_band="enterprise")
    must = make_request(sales, must=[("competitor", "legacy")])
    wish = make_request(sales, nice=[("competitor", "legacy", 10)], size_band="enterprise")
    today, policy = timezone.localdate(), OverusePolicy.current()

    assert [m["reference"]["id"] for m in matching.matches_for_request(must, today=today, policy=policy)] == [
        replaced.pk
    ]
    # 70 points for the wish outweigh the 20 of two size bands closer.
    ranked = matching.matches_for_request(wish, today=today, policy=policy)
    assert [m["reference"]["id"] for m in ranked] == [replaced.pk, other.pk]
    expected = list(matching.rank_queryset(wish, policy=policy, today=today).values_list("pk", flat=True))
    assert [m["reference"]["id"] for m in ranked] == expected
