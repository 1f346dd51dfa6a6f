"""The rule: no public activity for a customer without a valid approval for every use it needs."""

from datetime import timedelta

import pytest
from rest_framework.test import APIRequestFactory

from approvals import services
from approvals.choices import ACTIVITY_APPROVAL_USES, PRIVATE_ACTIVITY_TYPES
from references.models import ActivityType
from refprogram.api import exception_handler
from refprogram.errors import RuleViolation
from refprogram.nightly import run_all
from tests.factories import ReferenceProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("activity", sorted(ACTIVITY_APPROVAL_USES))
def test_every_public_activity_needs_its_approvals(activity, acme, make_approval, today):
    with pytest.raises(RuleViolation) as refused:
        services.approval_require_for_activity(customer=acme, activity_type=activity, on=today)
    assert refused.value.code == "approval_missing"
    assert "Acme Corp has no valid" in refused.value.message
    needed = ACTIVITY_APPROVAL_USES[activity]
    assert services.approvals_missing_for_activity(customer=acme, activity_type=activity) == list(needed)
    for use in needed:
        make_approval(status="approved", use=use, customer=acme, scope=[c for c, _ in _channels()])
    services.approval_require_for_activity(customer=acme, activity_type=activity, on=today)
    assert services.approvals_missing_for_activity(customer=acme, activity_type=activity) == []


def _channels():
    from approvals.choices import Channel

    return Channel.choices


@pytest.mark.parametrize("activity", sorted(PRIVATE_ACTIVITY_TYPES))
def test_private_activities_pass_without_approval(activity, acme):
    assert ActivityType.objects.get(code=activity).is_public is False
    services.approval_require_for_activity(customer=acme, activity_type=activity)
    assert services.approvals_missing_for_activity(customer=acme, activity_type=activity) == []


def test_a_public_type_admins_add_later_needs_the_name_approved(acme, make_approval):
    ActivityType.objects.create(code="podcast", name="Podcast", kind="public")
    with pytest.raises(RuleViolation) as refused:
        services.approval_require_for_activity(customer=acme, activity_type="podcast")
    assert "name approval" in refused.value.message
    make_approval(status="approved", use="name", customer=acme)
    services.approval_require_for_activity(customer=acme, activity_type="podcast")


def test_the_message_names_what_is_missing(acme, make_approval, today):
    make_approval(status="approved", use="logo", customer=acme, scope=["website"])
    with pytest.raises(RuleViolation) as refused:
        services.approval_require_for_activity(customer=acme, activity_type="logo_slide", on=today)
    assert refused.value.message.startswith("Acme Corp has no valid logo approval for the sales deck channel")
    services.approval_require_for_activity(customer=acme, activity_type="logo", channel="website")


def test_expired_approvals_are_refused_before_and_after_the_nightly_check(acme, make_approval, today):
    make_approval(status="approved", use="press_release", customer=acme, scope=["press"], days=-1)
    with pytest.raises(RuleViolation):
        services.approval_require_for_activity(customer=acme, activity_type="press_release", on=today)
    run_all(today, only=["approvals_expire"])
    with pytest.raises(RuleViolation):
        services.approval_require_for_activity(customer=acme, activity_type="press_release", on=today)


def test_an_approval_ending_before_the_activity_date_is_refused(acme, make_approval, today):
    make_approval(status="approved", use="video", customer=acme, days=5)
    services.approval_require_for_activity(customer=acme, activity_type="video", on=today)
    with pytest.raises(RuleViolation):
        services.approval_require_for_activity(
            customer=acme, activity_type="video", on=today + timedelta(days=6)
        )


def test_revoked_and_pending_approvals_do_not_count(acme, make_approval):
    make_approval(status="revoked", use="case_study", customer=acme)
    make_approval(status="in_review", use="case_study", customer=acme)
    assert services.approvals_missing_for_activity(customer=acme, activity_type="case_study") == [
        "case_study"
    ]


def test_another_customers_approval_does_not_count(acme, make_approval):
    make_approval(status="approved", use="quote")
    assert services.approvals_missing_for_activity(customer=acme, activity_type="quote") == ["quote"]


def test_a_private_only_reference_is_never_used_publicly(acme, make_approval):
    for use in ("logo", "name"):
        make_approval(status="approved", use=use, customer=acme, scope=["website", "event"])
    profile = ReferenceProfileFactory(contact=acme.contacts.first(), private_only=True)
    with pytest.raises(RuleViolation) as refused:
        services.approval_require_for_activity(customer=acme, activity_type="speaking", reference=profile)
    assert refused.value.code == "reference_private_only"
    services.approval_require_for_activity(customer=acme, activity_type="call", reference=profile)
    profile.private_only = False
    services.approval_require_for_activity(customer=acme, activity_type="speaking", reference=profile)


def test_the_api_answers_409_with_the_reason_code(acme):
    try:
        services.approval_require_for_activity(customer=acme, activity_type="case_study")
    except RuleViolation as exc:
        response = exception_handler(exc, {"request": APIRequestFactory().post("/")})
    assert response.status_code == 409
    assert response.data == {
        "detail": "Acme Corp has no valid case study approval.",
        "code": "approval_missing",
    }
