"""A nomination is accepted only when vetted: strategic fit, customer health and the account
owner's consent all checked and passed, and at least one activity the reference will do."""

import pytest
from django.urls import reverse

from references.models import Nomination, ReferenceProfile
from tests.factories import NominationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"
VETTED = {"strategic_fit": True, "health_ok": True, "owner_consent": True, "status": "vetting"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _accept(api_as, manager, nomination, payload):
    return api_as(manager).post(f"{API}nominations/{nomination.pk}/accept/", payload, format="json")


def test_nothing_vetted_is_refused_with_the_missing_checks(api_as, manager):
    nomination = NominationFactory()  # all three checks "not checked yet"
    response = _accept(api_as, manager, nomination, {"activity_types": ["call"]})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "vetting_incomplete"
    for words in (
        "strategic fit not checked yet",
        "customer health not checked yet",
        "account owner not asked yet",
    ):
        assert words in body["detail"]
    assert not ReferenceProfile.objects.exists()
    nomination.refresh_from_db()
    assert nomination.status == "submitted"


@pytest.mark.parametrize(
    ("checks", "code"),
    [
        ({"strategic_fit": None}, "vetting_incomplete"),
        ({"health_ok": None}, "vetting_incomplete"),
        ({"owner_consent": None}, "vetting_incomplete"),
        ({"strategic_fit": False}, "vetting_failed"),
        ({"health_ok": False}, "vetting_failed"),
        ({"owner_consent": False}, "owner_consent_missing"),
    ],
)
def test_each_check_is_needed(checks, code, api_as, manager):
    nomination = NominationFactory(**{**VETTED, **checks})
    response = _accept(api_as, manager, nomination, {"activity_types": ["call"]})
    assert (response.status_code, response.json()["code"]) == (409, code)
    assert not ReferenceProfile.objects.exists()


def test_an_empty_will_do_list_is_refused(api_as, manager):
    nomination = NominationFactory(**VETTED)
    for payload in ({}, {"activity_types": []}):
        response = _accept(api_as, manager, nomination, payload)
        assert (response.status_code, response.json()["code"]) == (409, "activities_missing")
    assert _accept(api_as, manager, nomination, {"activity_types": ["teleport"]}).status_code == 400
    assert not ReferenceProfile.objects.exists()


def test_vetted_with_activities_becomes_an_active_profile_that_does_them(api_as, manager):
    nomination = NominationFactory(**VETTED)
    response = _accept(api_as, manager, nomination, {"activity_types": ["call", "email"], "note": "ok"})
    assert response.status_code == 200, response.content
    profile = ReferenceProfile.objects.get(pk=response.json()["profile"])
    assert profile.status == "active"
    assert sorted(profile.activity_types.values_list("code", flat=True)) == ["call", "email"]
    assert api_as(manager).get(f"{API}references/{profile.pk}/").json()["capacity"]["available"] is True


def test_the_page_lists_the_missing_checks_before_the_button(users, client_as):
    nomination = NominationFactory(strategic_fit=True)
    html = (
        client_as(users["manager"]).get(reverse("nomination-detail", args=[nomination.pk])).content.decode()
    )
    missing = html.index('id="missing-checks"')
    assert missing < html.index("Accept into the inventory")
    block = html[missing : html.index("</div>", missing)]
    assert "customer health not checked yet" in block
    assert "account owner not asked yet" in block
    assert "strategic fit" not in block
    assert 'name="activity_types" value="call"' in html


def test_the_page_refuses_with_a_form_error(users, client_as):
    client = client_as(users["manager"])
    url = reverse("nomination-accept", args=[NominationFactory().pk])
    response = client.post(url, {"activity_types": ["call"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Finish vetting before accepting" in html and "form-errors" in html
    vetted = NominationFactory(**VETTED)
    response = client.post(reverse("nomination-accept", args=[vetted.pk]), {"note": "no activity"})
    assert response.status_code == 200
    assert "Choose at least one activity the reference has agreed to do." in response.content.decode()
    assert 'id="missing-checks"' not in response.content.decode()  # the checks are done
    assert not ReferenceProfile.objects.exists()
    response = client.post(reverse("nomination-accept", args=[vetted.pk]), {"activity_types": ["call"]})
    profile = ReferenceProfile.objects.get()
    assert response["Location"] == reverse("profile-detail", args=[profile.pk])
    assert Nomination.objects.get(pk=vetted.pk).status == "accepted"
