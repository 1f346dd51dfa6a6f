"""Fixtures of the overuse tests: ledger rows written straight into the ledger, dates relative
to today, and the default policy."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ledger.models import OverusePolicy, UsageEntry
from references.models import ActivityType


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def policy(db):
    return OverusePolicy.current()


@pytest.fixture
def activity(db):
    """``activity("email")`` → the ActivityType with that code."""
    return lambda code: ActivityType.objects.get(code=code)


@pytest.fixture
def ledger(db, today):
    """``ledger(profile, "call", days_ago=3, status="done")``: a past ask, written directly."""

    def add(profile, code="email", *, days_ago=0, status="done", points=None, **extra):
        activity_type = ActivityType.objects.get(code=code)
        return UsageEntry.objects.create(
            reference=profile,
            customer_id=profile.customer_id,
            activity_type=activity_type,
            status=status,
            points=points if points is not None else activity_type.weight,
            occurred_on=today - timedelta(days=days_ago),
            **extra,
        )

    return add


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Test users need no slow password hashing (the shared ``users`` fixture makes five)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def shipped_lists(db):
    """Transactional tests flush the database, data migrations included: put the shipped lists
    (industries, regions, activity types…) and the policy row back."""
    from references.defaults import install

    install()
