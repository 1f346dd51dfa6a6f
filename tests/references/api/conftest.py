"""Fixtures of the inventory API tests: a small program two profiles apart on every filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import Industry, Program, Region
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
)

API = "/api/v1/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Five users per test with the production hasher cost seconds; these tests are not about it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pair(users):
    """Two reference profiles that differ on every catalog filter.

    ``a``: active, available, fresh, finance/emea/DE, enterprise, marquee, product Alpha
    (Observability), use case Fraud detection, cloud, call, a VP speaking German, "zeppelin".
    ``b``: resting, stale, retail/na/US, smb, product Beta (Security), use case Inventory,
    on premises, case study, a director speaking French, "rocket".
    """
    today = timezone.localdate()
    alpha = ProductFactory(name="Alpha", product_line="Observability")
    beta = ProductFactory(name="Beta", product_line="Security")
    fraud = UseCaseFactory(name="Fraud detection")
    inventory = UseCaseFactory(name="Inventory")
    customer_a = CustomerFactory(
        name="Aurora Bank",
        industry=Industry.objects.get(code="finance"),
        region=Region.objects.get(code="emea"),
        country="DE",
        size_band="enterprise",
        is_marquee=True,
        account_owner=users["sales"],
    )
    customer_a.programs.set([Program.objects.get(name="Beta program")])
    customer_b = CustomerFactory(
        name="Bolt Retail",
        industry=Industry.objects.get(code="retail"),
        region=Region.objects.get(code="na"),
        country="US",
        size_band="smb",
        employees=50,
        health_updated=today - timedelta(days=20),
    )
    a = ReferenceProfileFactory(
        contact=ContactFactory(
            customer=customer_a, seniority="vp", languages=["de"], phone="+49 89 555 0101"
        ),
        status="active",
        deployment="cloud",
        story="They flew a zeppelin to the kickoff.",
        activity_types=["call"],
        products=[alpha],
        use_cases=[fraud],
    )
    b = ReferenceProfileFactory(
        contact=ContactFactory(
            customer=customer_b, seniority="director", languages=["fr"], phone="+1 212 555 0199"
        ),
        status="resting",
        resting_reason="request",
        deployment="on_premises",
        story="A rocket launch of a rollout.",
        activity_types=["case_study"],
        products=[beta],
        use_cases=[inventory],
        last_validated=today - timedelta(days=400),
    )
    return {"a": a, "b": b}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}
