"""Every role × every approvals endpoint and page: allowed, 403, 404 (not visible), 401/login."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["manager", "admin", "marketing", "executive", "sales", None]

# (name, method, path, body, expected by role: manager, admin, marketing, executive, sales, anonymous)
# The sample approval is *pending*, so a sales rep (who only sees approved ones, of customers they
# can see: here their own account) gets 404 on it.
API = [
    ("list", "get", "/api/v1/approvals/", None, [200, 200, 200, 200, 200, 401]),
    ("library", "get", "/api/v1/library/", None, [200, 200, 200, 200, 200, 401]),
    ("detail", "get", "/api/v1/approvals/{pk}/", None, [200, 200, 200, 200, 404, 401]),
    ("detail_approved", "get", "/api/v1/approvals/{approved}/", None, [200, 200, 200, 200, 200, 401]),
    (
        "create",
        "post",
        "/api/v1/approvals/",
        {"customer": "{customer}", "use": "logo", "scope": ["website"]},
        [201, 201, 201, 403, 403, 401],
    ),
    ("patch", "patch", "/api/v1/approvals/{pk}/", {"title": "New title"}, [200, 200, 200, 403, 403, 401]),
    # No PUT or DELETE: an approval is never replaced or deleted, only moved along (history stays).
    ("put", "put", "/api/v1/approvals/{pk}/", {"title": "x"}, [403, 403, 403, 403, 403, 401]),
    ("delete", "delete", "/api/v1/approvals/{pk}/", None, [403, 403, 403, 403, 403, 401]),
    (
        "transition",
        "post",
        "/api/v1/approvals/{pk}/transition/",
        {"to": "in_review"},
        [200, 200, 403, 403, 403, 401],
    ),
    (
        "send_link",
        "post",
        "/api/v1/approvals/{pk}/send-link/",
        {"email": "pr@customer.example"},
        [201, 201, 403, 403, 403, 401],
    ),
    ("document", "get", "/api/v1/approvals/{pk}/document/", None, [404, 404, 404, 403, 403, 401]),
]

PAGES = [
    ("board", "/approvals/", [200, 200, 200, 200, 200]),
    ("library", "/library/", [200, 200, 200, 200, 200]),
    ("customer", "/approvals/customer/{customer}/", [200, 200, 200, 200, 200]),
    ("detail", "/approvals/{pk}/", [200, 200, 200, 200, 404]),
    ("detail_approved", "/approvals/{approved}/", [200, 200, 200, 200, 200]),
    ("request", "/approvals/customer/{customer}/request/", [200, 200, 200, 403, 403]),
    ("edit", "/approvals/{pk}/edit/", [200, 200, 200, 403, 403]),
]


@pytest.fixture
def sample(acme, make_approval, users):
    acme.account_owner = users["sales"]  # the rep can see Acme, so only approved uses show
    acme.save()
    return {
        "pk": make_approval(status="requested", customer=acme).pk,
        "approved": make_approval(status="approved", customer=acme, use="name").pk,
        "customer": acme.pk,
    }


def _fill(value, sample):
    if isinstance(value, str):
        return value.format(**sample) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, sample) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), API, ids=[row[0] for row in API])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[r or "anonymous" for r in ROLES])
def test_api_role_matrix(name, method, path, body, expected, role_index, users, api_as, sample):
    role = ROLES[role_index]
    api = api_as(users[role] if role else None)
    response = getattr(api, method)(_fill(path, sample), _fill(body, sample), format="json")
    assert response.status_code == expected[role_index], response.content


@pytest.mark.parametrize(("name", "path", "expected"), PAGES, ids=[row[0] for row in PAGES])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[r or "anonymous" for r in ROLES])
def test_page_role_matrix(name, path, expected, role_index, users, client_as, sample):
    role = ROLES[role_index]
    response = client_as(users[role] if role else None).get(_fill(path, sample))
    if role is None:
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == expected[role_index]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/approvals/{pk}/transition/", {"to": "in_review"}),
        ("/approvals/{pk}/send-link/", {"email": "pr@customer.example"}),
    ],
)
@pytest.mark.parametrize(("role", "allowed"), [("manager", True), ("marketing", False), ("executive", False)])
def test_only_managers_run_approvals_on_the_pages(url, body, role, allowed, users, client_as, sample):
    response = client_as(users[role]).post(_fill(url, sample), body)
    assert response.status_code == (302 if allowed else 403)


def test_a_sales_rep_sees_only_approved_uses_of_customers_they_can_see(users, api_as, make_approval):
    owned = make_approval(status="approved", customer=None)
    owned.customer.account_owner = users["sales"]
    owned.customer.save()
    make_approval(status="requested", customer=owned.customer, use="quote")
    make_approval(status="approved")  # a customer the rep cannot see
    body = api_as(users["sales"]).get("/api/v1/approvals/").json()
    assert [row["id"] for row in body["results"]] == [owned.pk]
    assert body["results"][0]["approver_email"] is None  # the customer's personal data stays hidden
