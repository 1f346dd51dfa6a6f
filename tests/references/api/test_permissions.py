"""Every endpoint of the inventory API × every role (and anonymous) → the expected status.

401 without credentials, 403 for a role that may not act, 404 for what the caller may not see,
200/201/204 when allowed.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import ContactFactory, CustomerFactory, NominationFactory, ReferenceProfileFactory

from .conftest import API

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "manager", "admin", "marketing", "executive", "sales"]
EVERYONE = {"manager": 200, "admin": 200, "marketing": 200, "executive": 200, "sales": 200}
INVENTORY = {"manager": 200, "admin": 200, "marketing": 200, "executive": 200, "sales": 403}
CHANGE = {"manager": 200, "admin": 200, "marketing": 403, "executive": 403, "sales": 403}
CREATE = {role: (201 if status == 200 else status) for role, status in CHANGE.items()}
DELETE = {role: (204 if status == 200 else status) for role, status in CHANGE.items()}

CUSTOMER = {"name": "Role Test", "industry": "finance", "region": "emea", "country": "DE", "size_band": "smb"}

# (method, path, body, expected per role). Placeholders: {customer} (owned by sales1, in the
# catalog), {hidden_customer} (no catalog profile), {contact}, {free_contact} (no profile yet),
# {profile} (active), {retired} (retired), {nomination} (made by marketing1).
ENDPOINTS = [
    ("get", "industries/", None, EVERYONE),
    ("post", "industries/", {"code": "aerospace", "name": "Aerospace"}, CREATE),
    ("get", "industries/finance/", None, EVERYONE),
    ("patch", "industries/finance/", {"name": "Finance"}, CHANGE),
    ("get", "regions/", None, EVERYONE),
    ("post", "regions/", {"code": "mena", "name": "MENA"}, CREATE),
    ("get", "regions/emea/", None, EVERYONE),
    ("patch", "regions/emea/", {"name": "EMEA"}, CHANGE),
    ("get", "products/", None, EVERYONE),
    ("post", "products/", {"name": "Omega", "product_line": "Ops"}, CREATE),
    ("get", "products/{product}/", None, EVERYONE),
    ("patch", "products/{product}/", {"product_line": "Ops"}, CHANGE),
    ("get", "use-cases/", None, EVERYONE),
    ("post", "use-cases/", {"name": "Fraud"}, CREATE),
    ("get", "use-cases/{use_case}/", None, EVERYONE),
    ("patch", "use-cases/{use_case}/", {"name": "Fraud detection"}, CHANGE),
    ("get", "programs/", None, EVERYONE),
    ("post", "programs/", {"name": "Champions"}, CREATE),
    ("get", "programs/{program}/", None, EVERYONE),
    ("patch", "programs/{program}/", {"name": "Champions club"}, CHANGE),
    ("get", "customers/", None, EVERYONE),
    ("post", "customers/", CUSTOMER, CREATE),
    ("get", "customers/{customer}/", None, EVERYONE),
    ("get", "customers/{hidden_customer}/", None, {**EVERYONE, "sales": 404}),
    ("patch", "customers/{customer}/", {"health_score": 70}, CHANGE),
    ("delete", "customers/{customer}/", None, DELETE),
    ("get", "contacts/", None, INVENTORY),
    ("post", "contacts/", {"customer": "{customer}", "name": "New", "seniority": "vp"}, {**CREATE}),
    ("get", "contacts/{contact}/", None, INVENTORY),
    ("patch", "contacts/{contact}/", {"title": "CIO"}, CHANGE),
    ("get", "references/", None, EVERYONE),
    ("post", "references/", {"contact": "{free_contact}"}, CREATE),
    ("get", "references/{profile}/", None, EVERYONE),
    ("get", "references/{retired}/", None, {**EVERYONE, "sales": 404}),
    ("patch", "references/{profile}/", {"headline": "New"}, CHANGE),
    ("post", "references/{profile}/transition/", {"to": "resting"}, CHANGE),
    ("post", "references/{profile}/revalidate/", {}, {**CHANGE, "sales": 200}),  # sales1 owns it
    ("post", "references/{retired}/revalidate/", {}, {**CHANGE, "sales": 404}),
    ("get", "references/{profile}/history/", None, INVENTORY),
    ("get", "nominations/", None, EVERYONE),
    (
        "post",
        "nominations/",
        {"customer": "{customer}", "contact_name": "N", "source": "sales", "reason": "R"},
        {role: 201 for role in EVERYONE},
    ),
    ("get", "nominations/{nomination}/", None, {**EVERYONE, "executive": 404, "sales": 404}),
    ("post", "nominations/{nomination}/vet/", {"strategic_fit": True}, CHANGE),
    ("post", "nominations/{nomination}/accept/", {}, CHANGE),
    ("post", "nominations/{nomination}/reject/", {"reason": "No"}, CHANGE),
]

CASES = [
    (method, path, body, role, expected.get(role, 401))
    for method, path, body, expected in ENDPOINTS
    for role in ROLES
]


@pytest.fixture
def world(users):
    from references.models import Program
    from tests.factories import ProductFactory, UseCaseFactory

    customer = CustomerFactory(account_owner=users["sales"])
    profile = ReferenceProfileFactory(contact=ContactFactory(customer=customer), status="active")
    retired = ReferenceProfileFactory(status="retired")
    return {
        "customer": customer.pk,
        "hidden_customer": retired.customer_id,
        "contact": profile.contact_id,
        "free_contact": ContactFactory(customer=customer).pk,
        "profile": profile.pk,
        "retired": retired.pk,
        "nomination": NominationFactory(customer=customer, nominated_by=users["marketing"]).pk,
        "product": ProductFactory().pk,
        "use_case": UseCaseFactory().pk,
        "program": Program.objects.get(name="Community").pk,
    }


def _fill(value, world):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    "method,path,body,role,expected", CASES, ids=[f"{c[0]} {c[1]} {c[3]}" for c in CASES]
)
def test_endpoint_role_matrix(users, world, method, path, body, role, expected):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(users[role])
    url = API + path.format(**world)
    kwargs = {"format": "json"} if method in ("post", "patch") else {}
    response = (
        getattr(client, method)(url, _fill(body, world), **kwargs)
        if body is not None
        else getattr(client, method)(url, **kwargs)
    )
    assert response.status_code == expected, response.content


def test_every_inventory_route_is_in_the_matrix():
    """A new endpoint without a row in the table fails here."""
    from references.api import views

    covered = {path.split("/")[0] for _, path, _, _ in ENDPOINTS}
    prefixes = {prefix for prefix, viewset, _ in _registered(views)}
    assert prefixes <= covered
    actions = {path.rstrip("/").split("/")[-1] for _, path, _, _ in ENDPOINTS}
    assert {"transition", "revalidate", "history", "vet", "accept", "reject"} <= actions


def _registered(views):
    class Recorder:
        def __init__(self):
            self.rows = []

        def register(self, prefix, viewset, basename=None):
            self.rows.append((prefix, viewset, basename))

    recorder = Recorder()
    views.register(recorder)
    return recorder.rows


def test_anonymous_gets_401_with_token_challenge(db):
    response = APIClient().get(f"{API}references/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_authentication(api, users):
    token = api.post(
        "/api/v1/auth/token/", {"username": "sales1", "password": "pass-word-123"}, format="json"
    )
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get(f"{API}references/").status_code == 200
    assert api.post(f"{API}programs/", {"name": "X"}, format="json").status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(f"{API}references/").status_code == 401
