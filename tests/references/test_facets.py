"""The catalog's facet keys: built from the profile, its customer and contact; kept current on
every change; the catalog's filters read them and find exactly the profiles written down here."""

import importlib

import pytest
from django.db import connection
from django.http import QueryDict

from references import services
from references.filters import ReferenceProfileFilter
from references.models import ActivityType, Industry, Language, ReferenceProfile, Region
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
)

pytestmark = pytest.mark.django_db


def _profile(**kwargs):
    customer = CustomerFactory(
        industry=Industry.objects.get(code=kwargs.pop("industry", "finance")),
        region=Region.objects.get(code=kwargs.pop("region", "emea")),
        country=kwargs.pop("country", "DE"),
        size_band=kwargs.pop("size_band", "enterprise"),
    )
    contact = ContactFactory(
        customer=customer, seniority=kwargs.pop("seniority", "vp"), languages=kwargs.pop("languages", ["en"])
    )
    return ReferenceProfileFactory(contact=contact, **kwargs)


def _keys(profile) -> str:
    profile.refresh_from_db(fields=["search_facets"])
    return profile.search_facets


def test_keys_hold_every_filterable_attribute():
    product_a, product_b = ProductFactory(name="Sentinel"), ProductFactory(name="Patch")
    use_case = UseCaseFactory(name="Ransomware recovery")
    profile = _profile(
        industry="insurance",
        region="apac",
        country="JP",
        size_band="global",
        seniority="c_level",
        languages=["ja", "en"],
        deployment="hybrid",
        activity_types=["quote", "call"],
        products=[product_b, product_a],
        use_cases=[use_case],
    )
    first, second = sorted([product_a.pk, product_b.pk])
    assert _keys(profile) == (
        "industry=insurance region=apac country=JP size=global deployment=hybrid seniority=c_level "
        f"product={first} product={second} usecase={use_case.pk} activity=call activity=quote "
        "language=en language=ja health=50"
    )


def test_keys_follow_changes_to_customer_contact_and_profile(users):
    profile = _profile(activity_types=["call"])
    services.customer_update(
        customer=profile.customer, actor=users["manager"], region=Region.objects.get(code="na")
    )
    assert "region=na" in _keys(profile).split()
    services.contact_update(
        contact=profile.contact, actor=users["manager"], languages=list(Language.objects.filter(code="fr"))
    )
    assert "language=fr" in _keys(profile).split() and "language=en" not in _keys(profile).split()
    services.profile_update(
        profile=profile, actor=users["manager"], activity_types=list(ActivityType.objects.filter(code="logo"))
    )
    assert [k for k in _keys(profile).split() if k.startswith("activity=")] == ["activity=logo"]


def test_migration_backfill_writes_the_same_keys_as_the_builder():
    product = ProductFactory(name="Sentinel")
    profiles = [
        _profile(languages=["de", "en"], products=[product], activity_types=["quote", "call", "email"]),
        _profile(deployment="", seniority="manager", languages=["fr"]),
    ]
    expected = {p.pk: _keys(p) for p in profiles}
    ReferenceProfile.objects.update(search_facets="")
    with connection.cursor() as cursor:
        for name in ("0005_search_facets", "0011_facet_health"):
            cursor.execute(importlib.import_module(f"references.migrations.{name}").BACKFILL)
    assert dict(ReferenceProfile.objects.values_list("pk", "search_facets")) == expected


def _health_column(profile) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_health FROM references_referenceprofile WHERE id = %s", [profile.pk])
        return cursor.fetchone()[0]


def test_the_customers_health_follows_every_change_into_the_row_matching_reads(users):
    """Matching scores health from the profile's own row: the key and the stored column follow
    the customer's edit, a re-confirmation with a new score, and a score removed."""
    profile = _profile(activity_types=["call"])
    assert "health=50" in _keys(profile).split() and _health_column(profile) == 50
    services.customer_update(customer=profile.customer, actor=users["manager"], health_score=-35)
    assert "health=-35" in _keys(profile).split() and _health_column(profile) == -35
    services.profile_reconfirm(profile=profile, actor=users["manager"], health_score=72)
    assert "health=72" in _keys(profile).split() and _health_column(profile) == 72
    services.customer_update(customer=profile.customer, actor=users["manager"], health_score=None)
    assert not [k for k in _keys(profile).split() if k.startswith("health=")]
    assert _health_column(profile) is None


@pytest.fixture
def five_profiles():
    """Five references that differ on every filter (P0–P2 products, U0–U1 use cases)."""
    products = [ProductFactory(name=f"Product {i}") for i in range(3)]
    use_cases = [UseCaseFactory(name=f"Use case {i}") for i in range(2)]
    p, u = products, use_cases
    return {
        "alpha": _profile(
            industry="finance",
            region="emea",
            country="DE",
            size_band="enterprise",
            seniority="vp",
            languages=["en"],
            deployment="cloud",
            activity_types=["call"],
            products=[p[0]],
            use_cases=[u[0]],
        ),
        "bravo": _profile(
            industry="insurance",
            region="apac",
            country="JP",
            size_band="global",
            seniority="c_level",
            languages=["ja", "en"],
            deployment="hybrid",
            activity_types=["quote", "call"],
            products=[p[1]],
        ),
        "charlie": _profile(
            industry="finance",
            region="na",
            country="US",
            size_band="smb",
            seniority="manager",
            languages=["de"],
            deployment="",
            activity_types=["email", "logo"],
            products=[p[0], p[1]],
            use_cases=[u[1]],
        ),
        "delta": _profile(
            industry="healthcare",
            region="emea",
            country="DE",
            size_band="enterprise",
            seniority="c_level",
            languages=["de", "en"],
            deployment="cloud",
            activity_types=["quote"],
            products=[p[2]],
            use_cases=[u[0], u[1]],
        ),
        "echo": _profile(
            industry="insurance",
            region="na",
            country="US",
            size_band="smb",
            seniority="vp",
            languages=["en"],
            deployment="hybrid",
            activity_types=["logo"],
            products=[p[2]],
            use_cases=[u[0]],
        ),
    }


# Each query (filter → values; several values of one filter: any of them; several filters: all)
# and the references it finds, read off the fixture by hand.
FACET_QUERIES = [
    ({"industry": ["finance"]}, {"alpha", "charlie"}),
    ({"industry": ["finance", "insurance"]}, {"alpha", "bravo", "charlie", "echo"}),
    ({"region": ["emea"]}, {"alpha", "delta"}),
    ({"country": ["de"]}, {"alpha", "delta"}),  # the country is matched in upper case
    ({"size_band": ["smb"]}, {"charlie", "echo"}),
    ({"seniority": ["vp", "c_level"]}, {"alpha", "bravo", "delta", "echo"}),
    ({"language": ["de"]}, {"charlie", "delta"}),
    ({"language": ["ja"]}, {"bravo"}),
    ({"deployment": ["hybrid"]}, {"bravo", "echo"}),
    ({"deployment": ["cloud"]}, {"alpha", "delta"}),
    ({"activity_type": ["quote"]}, {"bravo", "delta"}),
    ({"activity_type": ["logo", "email"]}, {"charlie", "echo"}),
    ({"product": ["Product 0"]}, {"alpha", "charlie"}),
    ({"product": ["Product 1", "Product 2"]}, {"bravo", "charlie", "delta", "echo"}),
    ({"use_case": ["Use case 1"]}, {"charlie", "delta"}),
    ({"industry": ["finance"], "region": ["na"]}, {"charlie"}),
    ({"industry": ["insurance"], "activity_type": ["logo"]}, {"echo"}),
    ({"seniority": ["vp"], "language": ["en"], "product": ["Product 0"]}, {"alpha"}),
    ({"region": ["apac"], "size_band": ["smb"]}, set()),
    ({"country": ["US"], "use_case": ["Use case 0"]}, {"echo"}),
]


def _facet_query_id(value) -> str:
    """A stable test id (the same in every process, as parallel runs need): sets in sorted order."""
    return str(sorted(value)) if isinstance(value, (set, frozenset)) else str(value)


@pytest.mark.parametrize(("query", "expected"), FACET_QUERIES, ids=_facet_query_id)
def test_facet_filters_find_the_written_down_profiles(five_profiles, query, expected):
    data = QueryDict(mutable=True)
    for key, values in query.items():
        data.setlist(key, values)
    filterset = ReferenceProfileFilter(data, queryset=ReferenceProfile.objects.all())
    assert filterset.is_valid(), filterset.errors
    names = {profile.pk: name for name, profile in five_profiles.items()}
    assert {names[pk] for pk in filterset.qs.values_list("pk", flat=True)} == expected
