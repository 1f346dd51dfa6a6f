"""Fixtures for the public-use approval tests: files go to a temporary MEDIA_ROOT, and a helper
makes approvals in any state without walking the whole lifecycle."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import Approval
from tests.factories import ContactFactory, CustomerFactory


@pytest.fixture(autouse=True)
def _private_media_and_fast_passwords(settings, tmp_path):
    """Uploaded files go to a throwaway MEDIA_ROOT; a fast hasher keeps the per-role users cheap."""
    settings.MEDIA_ROOT = tmp_path / "private_media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_approval(db):
    """``make_approval(status="approved", use="logo", scope=["website"], days=90, customer=...)``."""

    def make(status="requested", use="logo", scope=None, days=90, customer=None, **extra):
        customer = customer or CustomerFactory()
        fields = {
            "customer": customer,
            "use": use,
            "status": status,
            "scope": scope if scope is not None else ["website"],
            "expires_on": timezone.localdate() + timedelta(days=days),
            "quote_text": "RefProgram halved our response time." if use == "quote" else "",
        }
        if status in ("approved", "declined", "expired", "revoked"):
            fields.update(approver_name="Dana Customer", approver_title="CMO", decided_at=timezone.now())
        fields.update(extra)
        return Approval.objects.create(**fields)

    return make


@pytest.fixture
def acme(db):
    customer = CustomerFactory(name="Acme Corp")
    ContactFactory(customer=customer, name="Dana Decider", email="dana@acme.example", phone="+1 555 0100")
    return customer
