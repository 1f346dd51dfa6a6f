"""Fixtures for requests and matching: a terse way to build a hand-written inventory."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import ActivityType, Industry, Region
from requests_app import services
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The shared ``users`` fixture hashes five passwords per test; a fast hasher keeps this folder quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_profile(db):
    """``make_profile(industry="finance", size_band="enterprise", products=["Vault"], ...)``"""

    def make(
        *,
        name=None,
        industry="finance",
        region="emea",
        country="DE",
        size_band="enterprise",
        seniority="vp",
        title=None,
        products=(),
        use_cases=(),
        deployment="cloud",
        competitor="",
        languages=("en",),
        activities=("call", "email"),
        status="active",
        resting_reason="",
        validated_days_ago=10,
        health_days_ago=10,
        private_only=False,
        account_owner=None,
    ):
        today = timezone.localdate()
        customer = CustomerFactory(
            **({"name": name} if name else {}),
            industry=Industry.objects.get(code=industry),
            region=Region.objects.get(code=region),
            country=country,
            size_band=size_band,
            health_updated=today - timedelta(days=health_days_ago),
            account_owner=account_owner,
        )
        contact = ContactFactory(
            customer=customer,
            seniority=seniority,
            title=title or seniority.upper(),
            languages=list(languages),
        )
        return ReferenceProfileFactory(
            contact=contact,
            customer=customer,
            status=status,
            resting_reason=resting_reason or ("cap" if status == "resting" else ""),
            deployment=deployment,
            competitor=competitor,
            private_only=private_only,
            last_validated=today - timedelta(days=validated_days_ago),
            activity_types=list(activities),
            products=[ProductFactory(name=p) for p in products],
            use_cases=[UseCaseFactory(name=u) for u in use_cases],
        )

    return make


@pytest.fixture
def make_request(db):
    """``make_request(user, must=[("industry", "finance")], nice=[("product", "Vault", 5)], ...)``"""

    def make(
        requester,
        *,
        activity="call",
        must=(),
        nice=(),
        size_band="",
        seniority="",
        needed_in_days=30,
        references_needed=1,
        prospect="Prospect Inc",
        industry=None,
        region=None,
        products=(),
    ):
        data = {
            "activity_type": ActivityType.objects.get(code=activity),
            "prospect_name": prospect,
            "prospect_size_band": size_band,
            "prospect_seniority": seniority,
            "prospect_industry": Industry.objects.get(code=industry) if industry else None,
            "prospect_region": Region.objects.get(code=region) if region else None,
            "needed_by": timezone.now() + timedelta(days=needed_in_days),
            "references_needed": references_needed,
            "criteria": {
                "must": [{"field": f, "value": v} for f, v in must],
                "nice": [{"field": f, "value": v, "weight": w} for f, v, w in nice],
            },
        }
        if products:
            data["products"] = [ProductFactory(name=p) for p in products]
        # An overdue request (a negative needed_in_days) was submitted before its date passed.
        submitted = data["needed_by"] - timedelta(days=1) if needed_in_days < 0 else None
        request, _ = services.request_submit(requester=requester, data=data, now=submitted)
        return request

    return make
