"""A contact's email and phone never reach a role without ``view_contact_pii``."""

import pytest

from tests.factories import NominationFactory

from .conftest import API

pytestmark = pytest.mark.django_db


def _pii_strings(pair) -> list[str]:
    strings = []
    for profile in pair.values():
        strings += [profile.contact.email, profile.contact.phone]
    return strings


def _responses(client, pair, nomination):
    a, b = pair["a"], pair["b"]
    paths = [
        "references/",
        "references/?page_size=200",
        "references/?search=zeppelin",
        f"references/{a.pk}/",
        f"references/{b.pk}/",
        "contacts/",
        f"contacts/{a.contact_id}/",
        f"contacts/{b.contact_id}/",
        "nominations/",
        f"nominations/{nomination.pk}/",
    ]
    return {path: client.get(API + path) for path in paths}


@pytest.mark.parametrize("role", ["sales", "marketing", "executive"])
def test_no_contact_pii_for_roles_without_it(api_as, users, pair, role):
    nomination = NominationFactory(
        customer=pair["a"].customer, nominated_by=users[role], contact_email="nominee@aurora.example"
    )
    secrets = [*_pii_strings(pair), "nominee@aurora.example"]
    assert all(secrets)
    seen_a_reference = False
    for path, response in _responses(api_as(users[role]), pair, nomination).items():
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, (role, path, secret)
        assert '"email"' not in text and '"phone"' not in text and '"contact_email"' not in text, (role, path)
        if path.startswith("references/") and response.status_code == 200:
            seen_a_reference = True
    assert seen_a_reference  # the checks above looked at real data
    assert _responses(api_as(users[role]), pair, nomination)[f"references/{pair['a'].pk}/"].status_code == 200


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_see_contact_pii(api_as, users, pair, role):
    nomination = NominationFactory(customer=pair["a"].customer, contact_email="nominee@aurora.example")
    responses = _responses(api_as(users[role]), pair, nomination)
    a = pair["a"].contact
    detail = responses[f"references/{pair['a'].pk}/"].json()["contact_summary"]
    assert (detail["email"], detail["phone"]) == (a.email, a.phone)
    assert a.phone in responses["contacts/"].content.decode()
    assert responses[f"nominations/{nomination.pk}/"].json()["contact_email"] == "nominee@aurora.example"
