"""The matching settings of the policy through the API: the detractor threshold and the C-level
protection, within their bounds."""

import pytest

from ledger.models import OverusePolicy

pytestmark = pytest.mark.django_db


def test_a_manager_sets_the_detractor_threshold_and_the_c_level_protection(api_as, users):
    response = api_as(users["manager"]).patch(
        "/api/v1/policy/", {"detractor_below": -20, "c_level_protected_below": "vp"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["detractor_below"], response.json()["c_level_protected_below"]) == (-20, "vp")
    policy = OverusePolicy.current()
    assert (policy.detractor_below, policy.c_level_protected_below) == (-20, "vp")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"detractor_below": 101}, "detractor_below"),
        ({"c_level_protected_below": "boss"}, "c_level_protected_below"),
    ],
)
def test_settings_outside_their_bounds_are_refused(api_as, users, body, field):
    response = api_as(users["manager"]).patch("/api/v1/policy/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert (OverusePolicy.current().detractor_below, OverusePolicy.current().c_level_protected_below) == (
        0,
        "director",
    )


def test_blank_turns_the_c_level_protection_off(api_as, users):
    response = api_as(users["manager"]).patch(
        "/api/v1/policy/", {"c_level_protected_below": ""}, format="json"
    )
    assert response.status_code == 200
    assert OverusePolicy.current().c_level_protected_below == ""
