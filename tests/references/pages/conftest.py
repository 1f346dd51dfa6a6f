"""Fixtures for the inventory pages: a small inventory every role can be pointed at."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import (
    ContactFactory,
    CustomerFactory,
    NominationFactory,
    ProductFactory,
    ReferenceProfileFactory,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The suite makes a user per role per test; PBKDF2's real cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(users):
    """An active and a retired reference, a contact without a profile, and two nominations."""
    product = ProductFactory(name="Monitor Pro", product_line="Management")
    active = ReferenceProfileFactory(
        contact__customer__name="Acme Health",
        contact__customer__industry_id="healthcare",
        contact__name="Dana Active",
        contact__email="dana@acme.example",
        contact__phone="+1 555 0100",
        products=[product],
    )
    retired = ReferenceProfileFactory(
        status="retired", contact__customer__name="Gone Corp", contact__name="Rita Retired"
    )
    spare_contact = ContactFactory(customer=active.customer, name="Sam Spare")
    nomination = NominationFactory(nominated_by=users["manager"], customer=active.customer)
    own_nomination = NominationFactory(nominated_by=users["sales"], customer=active.customer)
    return SimpleNamespace(
        product=product,
        active=active,
        retired=retired,
        customer=active.customer,
        contact=active.contact,
        spare_contact=spare_contact,
        nomination=nomination,
        own_nomination=own_nomination,
    )


@pytest.fixture
def old_nomination(users):
    """A nomination waiting ten days: it is aging."""
    return NominationFactory(
        nominated_by=users["sales"],
        customer=CustomerFactory(name="Slow Inc"),
        created_at=timezone.now() - timedelta(days=10),
    )
