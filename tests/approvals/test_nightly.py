"""The nightly check: approvals past their term expire; watchers are warned 30 days before, once."""

from datetime import timedelta

import pytest
from django.core import mail

from accounts.models import Notification
from approvals.models import Approval
from refprogram.nightly import registered, run_all

pytestmark = pytest.mark.django_db


def test_the_check_is_registered():
    assert "approvals_expire" in [check.name for check in registered()]


def test_expires_past_term_and_warns_once(users, make_approval, today, django_capture_on_commit_callbacks):
    past = make_approval(status="approved", use="logo", days=-1)
    last_day = make_approval(status="approved", use="quote", days=0)
    soon = make_approval(status="approved", use="video", days=30)
    later = make_approval(status="approved", use="name", days=31)
    pending = make_approval(status="in_review", use="case_study", days=-5)

    with django_capture_on_commit_callbacks(execute=True):
        first = run_all(today, only=["approvals_expire"])["approvals_expire"]
    assert first == {"expired": 1, "expiry_warnings": 2, "notifications": 4}
    statuses = dict(Approval.objects.values_list("pk", "status"))
    assert statuses[past.pk] == "expired"
    assert statuses[last_day.pk] == "approved"  # its last day still counts
    assert statuses[later.pk] == "approved" and statuses[pending.pk] == "in_review"
    event = past.events.get()
    assert (event.kind, event.from_status, event.to_status, event.who) == (
        "expired",
        "approved",
        "expired",
        "Nightly check",
    )
    # Marketing and the manager are warned about the two approvals ending within 30 days.
    warned = sorted(Notification.objects.values_list("user__role", "key"))
    assert warned == sorted(
        (role, f"approval-expiring:{a.pk}:{a.expires_on.isoformat()}")
        for role in ("manager", "marketing")
        for a in (last_day, soon)
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [users["manager"].email, users["marketing"].email] * 2
    )

    with django_capture_on_commit_callbacks(execute=True):
        second = run_all(today, only=["approvals_expire"])["approvals_expire"]
    assert second == {"expired": 0, "expiry_warnings": 0, "notifications": 0}
    assert len(mail.outbox) == 4
    assert past.events.count() == 1

    # The next day the approval on its last day expires; nobody is warned twice.
    with django_capture_on_commit_callbacks(execute=True):
        third = run_all(today + timedelta(days=1), only=["approvals_expire"])["approvals_expire"]
    assert third == {"expired": 1, "expiry_warnings": 1, "notifications": 2}  # `later` enters the window
    assert len(mail.outbox) == 6


def test_nothing_to_do_changes_nothing(users, make_approval, today):
    make_approval(status="approved", days=200)
    assert run_all(today, only=["approvals_expire"])["approvals_expire"] == {
        "expired": 0,
        "expiry_warnings": 0,
        "notifications": 0,
    }
    assert not Notification.objects.exists()
