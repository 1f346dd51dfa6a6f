"""Every list endpoint runs a fixed number of queries whatever the page holds; pagination."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import Customer, Industry, Region
from tests.factories import (
    ContactFactory,
    NominationFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UsageEntryFactory,
    UseCaseFactory,
)

from .conftest import API

pytestmark = pytest.mark.django_db


def _grow_references(n: int) -> None:
    for i in range(n):
        profile = ReferenceProfileFactory(
            products=[ProductFactory(name=f"P{i % 3}")],
            use_cases=[UseCaseFactory(name=f"U{i % 2}")],
            activity_types=["call", "video"],
        )
        profile.customer.programs.set([1, 2])
        UsageEntryFactory(reference=profile, occurred_on=timezone.localdate() - timedelta(days=i))


def _grow_nominations(n: int) -> None:
    for i in range(n):
        NominationFactory().products.set([ProductFactory(name=f"P{i % 3}")])


def _grow_customers(n: int) -> None:
    for i in range(n):
        customer = ContactFactory(languages=["en", "de"]).customer
        customer.products.set([ProductFactory(name=f"P{i % 3}")])
        customer.programs.set([1, 2])


# path, role, how to add rows, pinned query count
LISTS = [
    # count, the page's keys, the page, prefetch: activity types, products, use cases, customer
    # programs, contact languages; plus the overuse policy fetched once per request
    ("references/", "manager", _grow_references, 9),
    ("references/", "sales", _grow_references, 9),
    # + the product and language values checked (2), the policy read once more by the filters (1)
    (
        "references/?search=Customer&available=false&stale=false&product=P1&language=en",
        "manager",
        _grow_references,
        12,
    ),
    ("customers/", "manager", _grow_customers, 4),  # count, page, products, programs
    ("contacts/", "manager", _grow_customers, 3),  # count, page, languages
    ("nominations/", "manager", _grow_nominations, 3),  # count, page, products
    ("industries/", "sales", lambda n: None, 2),
    ("regions/", "sales", lambda n: None, 2),
    ("products/", "sales", lambda n: [ProductFactory() for _ in range(n)], 2),
    ("use-cases/", "sales", lambda n: [UseCaseFactory() for _ in range(n)], 2),
    ("programs/", "sales", lambda n: None, 2),
]


@pytest.mark.parametrize("path,role,grow,queries", LISTS, ids=[f"{p} {r}" for p, r, _, _ in LISTS])
def test_list_query_count_is_fixed(api_as, users, django_assert_num_queries, path, role, grow, queries):
    client = api_as(users[role])
    grow(3)
    with django_assert_num_queries(queries):
        small = client.get(API + path)
    grow(10)
    with django_assert_num_queries(queries):
        large = client.get(API + path)
    assert small.status_code == large.status_code == 200
    if grow.__name__.startswith("_grow"):
        assert large.json()["count"] > small.json()["count"] >= 1  # the pages were not empty


def test_page_size_is_capped_at_200(api_as, manager):
    finance, emea = Industry.objects.get(code="finance"), Region.objects.get(code="emea")
    Customer.objects.bulk_create(
        Customer(name=f"Bulk {i:03d}", industry=finance, region=emea, country="DE", size_band="smb")
        for i in range(205)
    )
    client = api_as(manager)
    capped = client.get(f"{API}customers/?page_size=500").json()
    assert capped["count"] == 205
    assert len(capped["results"]) == 200
    assert capped["next"] is not None
    small = client.get(f"{API}customers/?page_size=2&page=2").json()
    assert [row["name"] for row in small["results"]] == ["Bulk 002", "Bulk 003"]
    assert small["previous"] is not None
    default = client.get(f"{API}customers/").json()
    assert len(default["results"]) == 50
    assert client.get(f"{API}customers/?page=999").status_code == 404


@pytest.mark.parametrize("filter_first_max_rows", [5_000, 5], ids=["all keys, sliced here", "slice of keys"])
def test_deep_pages_hold_the_same_rows_in_the_same_order(users, api_as, monkeypatch, filter_first_max_rows):
    """The page's keys are read first, then its rows: every page holds exactly the rows of a
    plain OFFSET slice of the same ordering, and the pages together hold every row once, whether
    the keys are read all at once (few matches) or one page's slice at a time (many)."""
    from references.models import ReferenceProfile
    from refprogram import paging

    monkeypatch.setattr(paging, "FILTER_FIRST_MAX_ROWS", filter_first_max_rows)
    _grow_references(23)
    api = api_as(users["manager"])
    seen = []
    for number in (1, 2, 3):
        body = api.get("/api/v1/references/", {"page": number, "page_size": 10}).json()
        seen += [row["id"] for row in body["results"]]
    expected = list(ReferenceProfile.objects.order_by("customer__name", "id").values_list("pk", flat=True))
    assert seen == expected and len(seen) == ReferenceProfile.objects.count() >= 23
