"""A public activity cannot be proposed or completed without the customer's valid approval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import Approval
from requests_app.models import Candidate


def _approve(customer, use="logo", scope=("website", "sales_deck"), days=90):
    return Approval.objects.create(
        customer=customer,
        use=use,
        status="approved",
        scope=list(scope),
        expires_on=timezone.localdate() + timedelta(days=days),
        approver_name="Dana Customer",
        approver_title="CMO",
        decided_at=timezone.now(),
    )


@pytest.mark.django_db
def test_public_activity_without_approval_is_refused_with_the_missing_use(
    api_as, users, make_profile, make_request
):
    profile = make_profile(name="Acme Corp", activities=("logo_slide", "call"))
    request = make_request(users["marketing"], activity="logo_slide")
    resp = api_as(users["manager"]).post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json"
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "approval_missing"
    assert "Acme Corp" in resp.json()["detail"] and "logo" in resp.json()["detail"]
    assert not Candidate.objects.filter(request=request).exists()
    assert not profile.usage.exists()


@pytest.mark.django_db
def test_public_activity_with_valid_approval_is_proposed_and_completed(
    api_as, users, make_profile, make_request
):
    profile = make_profile(name="Acme Corp", activities=("logo_slide",))
    _approve(profile.customer)
    request = make_request(users["marketing"], activity="logo_slide")
    manager = api_as(users["manager"])
    resp = manager.post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    candidate_id = resp.json()["id"]
    for step in ("owner_approved", "asked", "accepted", "completed"):
        body = (
            {"to": step, "completion_notes": "Logo slide used in the deck."}
            if step == "completed"
            else {"to": step, "note": "Agreed by phone."}
        )
        moved = manager.post(f"/api/v1/candidates/{candidate_id}/transition/", body, format="json")
        assert moved.status_code == 200, (step, moved.json())
    assert Candidate.objects.get(pk=candidate_id).state == "completed"


@pytest.mark.django_db
def test_completion_is_refused_when_the_approval_was_revoked_meanwhile(
    api_as, users, make_profile, make_request
):
    profile = make_profile(name="Acme Corp", activities=("logo_slide",))
    approval = _approve(profile.customer)
    request = make_request(users["marketing"], activity="logo_slide")
    manager = api_as(users["manager"])
    candidate_id = manager.post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json"
    ).json()["id"]
    for step in ("owner_approved", "asked", "accepted"):
        manager.post(
            f"/api/v1/candidates/{candidate_id}/transition/", {"to": step, "note": "By phone."}, format="json"
        )
    Approval.objects.filter(pk=approval.pk).update(status="revoked")
    resp = manager.post(
        f"/api/v1/candidates/{candidate_id}/transition/",
        {"to": "completed", "completion_notes": "Used."},
        format="json",
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "approval_missing"
    assert Candidate.objects.get(pk=candidate_id).state == "accepted"


@pytest.mark.django_db
def test_private_activity_needs_no_approval(api_as, users, make_profile, make_request):
    profile = make_profile(activities=("call",))
    request = make_request(users["sales"], activity="call")
    resp = api_as(users["manager"]).post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": profile.pk}, format="json"
    )
    assert resp.status_code == 201
