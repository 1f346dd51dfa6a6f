"""The catalog's facet keys: built from the profile, its customer and contact; kept current on
every change; on PostgreSQL the filters read them and must answer exactly as the relations do."""

import importlib
import itertools
import random

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

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the facet keys are read on PostgreSQL only"
)


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
        "language=en language=ja"
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


@postgres_only
def test_migration_backfill_writes_the_same_keys_as_the_builder():
    product = ProductFactory(name="Sentinel")
    profiles = [
        _profile(languages=["de", "en"], products=[product], activity_types=["quote", "call", "email"]),
        _profile(deployment="", seniority="manager", languages=["fr"]),
    ]
    expected = {p.pk: _keys(p) for p in profiles}
    ReferenceProfile.objects.update(search_facets="")
    migration = importlib.import_module("references.migrations.0005_search_facets")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert dict(ReferenceProfile.objects.values_list("pk", "search_facets")) == expected


@postgres_only
def test_facet_filters_answer_exactly_as_the_relations(monkeypatch):
    rng = random.Random(7)
    products = [ProductFactory(name=f"Product {i}") for i in range(4)]
    use_cases = [UseCaseFactory(name=f"Use case {i}") for i in range(3)]
    for _ in range(40):
        _profile(
            industry=rng.choice(["finance", "insurance", "healthcare"]),
            region=rng.choice(["emea", "na", "apac"]),
            country=rng.choice(["DE", "US", "JP"]),
            size_band=rng.choice(["smb", "enterprise", "global"]),
            seniority=rng.choice(["vp", "manager", "c_level"]),
            languages=rng.sample(["en", "de", "ja"], rng.randint(1, 2)),
            deployment=rng.choice(["cloud", "hybrid", ""]),
            activity_types=rng.sample(["call", "email", "quote", "logo"], rng.randint(1, 3)),
            products=rng.sample(products, rng.randint(1, 2)),
            use_cases=rng.sample(use_cases, rng.randint(0, 2)),
        )
    choices = {
        "industry": ["finance", "insurance"],
        "region": ["emea", "apac"],
        "country": ["de", "US"],
        "size_band": ["enterprise", "smb"],
        "seniority": ["vp", "c_level"],
        "language": ["de", "ja"],
        "deployment": ["hybrid", "cloud"],
        "activity_type": ["quote", "logo"],
        "product": [p.name for p in products[:2]],
        "use_case": [u.name for u in use_cases[:2]],
    }
    queries = []
    for a, b in itertools.combinations(sorted(choices), 2):
        queries.append({a: [choices[a][0]], b: [choices[b][0]]})
    for name, values in choices.items():
        if name != "country":
            queries.append({name: values})  # any of several values
    queries.append({name: [values[0]] for name, values in list(choices.items())[:3]})

    def ids(query):
        data = QueryDict(mutable=True)
        for key, values in query.items():
            data.setlist(key, values)
        filterset = ReferenceProfileFilter(data, queryset=ReferenceProfile.objects.all())
        assert filterset.is_valid(), filterset.errors
        return sorted(filterset.qs.values_list("pk", flat=True))

    by_facets = [ids(q) for q in queries]
    monkeypatch.setattr(ReferenceProfileFilter, "_reads_facets", staticmethod(lambda: False))
    by_relations = [ids(q) for q in queries]
    assert by_facets == by_relations
    assert sum(bool(found) for found in by_facets) > len(queries) / 2  # the queries do find profiles
