"""A crawl for people's data: every page and every API read of the access tables, fetched as
every role, must not contain a contact's or an approver's e-mail address or phone number unless
the role may see contact data (managers and admins). The world is seeded with unique markers and
the bodies — JSON, HTML and CSV alike — are searched for them.

The markers reach every place people's data is kept: a contact's fields, a nomination's typed
e-mail, an approval's link-sent event and the customer's own consent decision (who, with title).
"""

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from .test_access_matrix import API, PAGES, _fill

pytestmark = pytest.mark.django_db

CONTACT_EMAIL = "pii-crawl-contact@acme.example"
CONTACT_PHONE = "+1 555 0199 4242"
LINK_EMAIL = "dana@acme.example"  # the consent link went to this address; the approver used it
NOMINEE_EMAIL = "pii-crawl-nominee@acme.example"
OTHER_EMAIL = "pii-crawl-colleague@acme.example"
OTHER_PHONE = "+1 555 0199 5353"
MARKERS = (CONTACT_EMAIL, CONTACT_PHONE, LINK_EMAIL, NOMINEE_EMAIL, OTHER_EMAIL, OTHER_PHONE)
WITHOUT_CONTACT_DATA = ("sales", "marketing", "executive")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def marked_world(world, client):
    world.contact.email, world.contact.phone = CONTACT_EMAIL, CONTACT_PHONE
    world.contact.save()
    world.free_contact.email, world.free_contact.phone = OTHER_EMAIL, OTHER_PHONE
    world.free_contact.save()
    world.nomination.contact_email = NOMINEE_EMAIL
    world.nomination.save()
    # The customer approves through the link: the decision names the person and their title.
    decided = client.post(
        f"/consent/{world.consent_token}/",
        {"name": "Jane Approver", "title": "CMO", "comment": "Fine by us.", "decision": "approve"},
    )
    assert decided.status_code in (200, 302), decided.status_code
    world.approval.refresh_from_db()
    assert world.approval.status == "approved"
    return world


def _crawl(world, users, role) -> dict[str, str]:
    """Every GET of the access tables as ``role``: url → body of each successful answer."""
    ids = world.ids()
    page_client = Client()
    page_client.force_login(users[role])
    api_client = APIClient()
    api_client.force_authenticate(users[role])
    gets = [
        (page_client, path) for cases in PAGES.values() for method, path, _, _ in cases if method == "get"
    ]
    gets += [
        (api_client, path)
        for operation, cases in API.items()
        if cases and operation.startswith("GET ")
        for path, _, _ in cases
    ]
    bodies = {}
    for client, path in gets:
        url = _fill(path, ids)
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code == 200:
            bodies[url] = _body(response)
    return bodies


@pytest.mark.parametrize("role", WITHOUT_CONTACT_DATA)
def test_no_page_or_api_answer_shows_people_to_a_role_without_contact_data(marked_world, users, role):
    bodies = _crawl(marked_world, users, role)
    assert len(bodies) > 30, "the crawl reached the pages and API reads this role may see"
    leaks = [f"{url}: {marker}" for url, body in bodies.items() for marker in MARKERS if marker in body]
    assert leaks == []


def test_the_crawl_would_see_a_leak(marked_world, users):
    """The same crawl as a manager (who may see contact data) finds every marker: the markers
    are really on the crawled pages, so the test above can fail."""
    found = "\n".join(_crawl(marked_world, users, "manager").values())
    assert [marker for marker in MARKERS if marker not in found] == []
