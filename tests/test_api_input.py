"""Text with NUL characters is refused at the door of the API, whatever field carries it."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/requests/", {"activity_type": "call\u0000", "prospect": {"name": "Acme"}}),
        ("/api/v1/customers/", {"name": "Evil\u0000Corp", "industry": "finance"}),
        ("/api/v1/nominations/", {"reason": "ok", "source": "sales", "note": ["a", {"b": "\u0000"}]}),
    ],
)
def test_nul_characters_in_json_are_a_400(api_as, users, path, body):
    response = api_as(users["manager"]).post(path, body, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body,field",
    [
        ("/api/v1/requests/assign/", {"requests": [1, 2**70]}, "requests"),
        ("/api/v1/requests/assign/", {"requests": [1], "assignee": -3}, "assignee"),
        ("/api/v1/requests/assign/", {"requests": [0]}, "requests"),
    ],
)
def test_ids_beyond_any_row_are_a_400_with_the_field(api_as, users, path, body, field):
    """An id no database column can hold is refused by the API, never handed to the database."""
    response = api_as(users["manager"]).post(path, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- Dates: every date a client sends lies in 2000-01-01 … 2100-12-31 -------------------------------

DATE_ERROR = "Use a date from 2000-01-01 to 2100-12-31."


def _request_body(**overrides):
    body = {"activity_type": "call", "prospect": {"name": "Globex"}, "needed_by": "2030-06-01T12:00:00Z"}
    body.update(overrides)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "needed_by",
    ["0001-01-02T00:00:00Z", "1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
)
def test_a_request_needed_outside_2000_to_2100_is_a_400_on_needed_by(api_as, users, needed_by):
    from requests_app.models import Request

    response = api_as(users["sales"]).post(
        "/api/v1/requests/", _request_body(needed_by=needed_by), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"needed_by": [DATE_ERROR]}
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_the_first_and_last_day_of_the_range_are_accepted(api_as, users):
    api = api_as(users["sales"])
    response = api.post("/api/v1/requests/", _request_body(needed_by="2100-12-31T23:00:00Z"), format="json")
    assert response.status_code == 201, response.content
    # The first day is in range, but a request needed by a moment already past is refused.
    response = api.post("/api/v1/requests/", _request_body(needed_by="2000-01-01T00:00:00Z"), format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"needed_by": ["This date and time is already past: choose a later one."]}


@pytest.mark.django_db
def test_changing_a_request_to_year_one_is_a_400(api_as, users):
    api = api_as(users["sales"])
    pk = api.post("/api/v1/requests/", _request_body(), format="json").json()["id"]
    response = api.patch(f"/api/v1/requests/{pk}/", {"needed_by": "0001-01-02T00:00:00Z"}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"needed_by": [DATE_ERROR]}


@pytest.fixture
def proposable(users):
    """A fresh, active reference owned by sales1, proposed for sales1's request: the candidate."""
    from tests.factories import ReferenceProfileFactory

    profile = ReferenceProfileFactory(contact__customer__account_owner=users["sales"])
    request_id = (
        api_as_user(users["sales"]).post("/api/v1/requests/", _request_body(), format="json").json()["id"]
    )
    return profile, request_id


def api_as_user(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_scheduling_a_candidate_in_year_one_is_a_400(api_as, users, proposable):
    profile, request_id = proposable
    api = api_as(users["manager"])
    candidate = api.post(
        f"/api/v1/requests/{request_id}/candidates/", {"reference": profile.pk}, format="json"
    )
    assert candidate.status_code == 201, candidate.content
    response = api.post(
        f"/api/v1/candidates/{candidate.json()['id']}/transition/",
        {"to": "scheduled", "scheduled_for": "0001-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"scheduled_for": [DATE_ERROR]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body,field",
    [
        ("customers", {"health_updated": "1999-12-31"}, "health_updated"),
        ("references", {"last_validated": "0001-01-01"}, "last_validated"),
        ("references", {"last_validated": "2101-01-01"}, "last_validated"),
    ],
)
def test_inventory_dates_outside_the_range_are_a_400(api_as, users, path, body, field):
    from tests.factories import ReferenceProfileFactory

    profile = ReferenceProfileFactory()
    pk = profile.customer.pk if path == "customers" else profile.pk
    response = api_as(users["manager"]).patch(f"/api/v1/{path}/{pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: [DATE_ERROR]}


@pytest.mark.django_db
def test_a_new_customer_with_a_health_date_in_year_one_is_a_400(api_as, users):
    body = {
        "name": "Initech",
        "industry": "finance",
        "region": "emea",
        "country": "DE",
        "size_band": "smb",
        "health_updated": "0001-01-01",
    }
    response = api_as(users["manager"]).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"health_updated": [DATE_ERROR]}


@pytest.mark.django_db
def test_an_approval_until_2101_is_a_400_when_requested_and_when_decided(api_as, users):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    api = api_as(users["marketing"])
    body = {"customer": customer.pk, "use": "logo", "scope": ["website"], "expires_on": "2101-01-01"}
    response = api.post("/api/v1/approvals/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"expires_on": [DATE_ERROR]}

    body["expires_on"] = "2030-01-01"
    pk = api.post("/api/v1/approvals/", body, format="json").json()["id"]
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{pk}/transition/",
        {"to": "approved", "approver_name": "Dana", "expires_on": "2101-01-01"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"expires_on": [DATE_ERROR]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ({"from": "0001-01-01", "to": "2025-01-31"}, "from"),
        ({"from": "1999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "0001-01-31"}, "to"),
        ({"to": "9999-12-31", "from": "2100-12-01"}, "to"),
    ],
)
def test_a_metrics_period_outside_the_range_is_a_400(api_as, users, query, field):
    response = api_as(users["manager"]).get("/api/v1/metrics/summary/", query)
    assert response.status_code == 400, response.content
    assert response.json()[field] == [DATE_ERROR]


# --- Names: one line of text, no control characters ---------------------------------------------

CONTROL = ["Acme\nCorp", "Acme\r\nCorp", "Acme\u2028Corp", "Acme\u2029Corp", "Acme\x1bCorp", "Acme\x85Corp"]


def _customer_body(**overrides):
    body = {"name": "Initech", "industry": "finance", "region": "emea", "country": "DE", "size_band": "smb"}
    body.update(overrides)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("name", CONTROL)
def test_a_customer_name_with_a_control_character_is_a_400(api_as, users, name):
    from references.models import Customer

    response = api_as(users["manager"]).post("/api/v1/customers/", _customer_body(name=name), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["name"]
    assert "use one line of plain text" in response.json()["name"][0]
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_the_error_names_the_character(api_as, users):
    api = api_as(users["manager"])
    cases = {
        "Acme\nCorp": "Contains a line break (U+000A); use one line of plain text.",
        "Acme\rCorp": "Contains a carriage return (U+000D); use one line of plain text.",
        "Acme\tCorp": "Contains a tab (U+0009); use one line of plain text.",
        "Acme\u2028Corp": "Contains a LINE SEPARATOR (U+2028); use one line of plain text.",
        "Acme\x07Corp": "Contains a control character (U+0007); use one line of plain text.",
    }
    for name, message in cases.items():
        response = api.post("/api/v1/customers/", _customer_body(name=name), format="json")
        assert response.json() == {"name": [message]}, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body,error",
    [
        ("products/", {"name": "Patch\nManager", "product_line": "Ops"}, {"name"}),
        ("products/", {"name": "Patch Manager", "product_line": "Ops\r"}, set()),  # trailing: trimmed
        ("products/", {"name": "Patch Manager", "product_line": "O\rps"}, {"product_line"}),
        ("use-cases/", {"name": "Patch\u2028compliance"}, {"name"}),
        ("programs/", {"name": "Beta\nprogram"}, {"name"}),
        ("industries/", {"code": "space", "name": "Space\x1b[31m"}, {"name"}),
        ("requests/", _request_body(prospect={"name": "Globex\nCorp"}), {"prospect"}),
        ("requests/", _request_body(prospect={"name": "Globex", "contact_title": "CIO\r\nX"}), {"prospect"}),
        ("requests/", _request_body(opportunity={"stage": "won\nlost"}), {"opportunity"}),
        ("requests/", _request_body(notes="Two\nlines\r\nare fine in notes"), set()),
        (
            "requests/",
            _request_body(criteria={"must": [{"field": "competitor", "value": "Legacy\nTool"}]}),
            {"criteria"},
        ),
    ],
)
def test_names_and_titles_with_control_characters_are_a_400(api_as, users, path, body, error):
    role = "sales" if path == "requests/" else "manager"
    response = api_as(users[role]).post(f"/api/v1/{path}", body, format="json")
    if not error:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400, response.content
    assert set(response.json()) == error


@pytest.mark.django_db
def test_contact_and_nomination_names_with_control_characters_are_a_400(api_as, users):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    api = api_as(users["manager"])
    contact = {"customer": customer.pk, "name": "Anna Schmidt", "title": "VP", "seniority": "vp"}
    for field, value in [("name", "Anna\nSchmidt"), ("title", "VP\rIT"), ("phone", "+49\n30")]:
        response = api.post("/api/v1/contacts/", {**contact, field: value}, format="json")
        assert (response.status_code, list(response.json())) == (400, [field]), field
    nomination = {"customer": customer.pk, "contact_name": "Ben\u2029Otto", "source": "sales", "reason": "ok"}
    response = api.post("/api/v1/nominations/", nomination, format="json")
    assert (response.status_code, list(response.json())) == (400, ["contact_name"])
    nomination.update(contact_name="Ben Otto", reason="Happy customer.\nWent live in a week.")
    assert api.post("/api/v1/nominations/", nomination, format="json").status_code == 201


@pytest.mark.django_db
def test_an_approval_title_and_approver_with_control_characters_are_a_400(api_as, users):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    api = api_as(users["marketing"])
    body = {"customer": customer.pk, "use": "logo", "scope": ["website"], "title": "Logo\non the site"}
    response = api.post("/api/v1/approvals/", body, format="json")
    assert (response.status_code, list(response.json())) == (400, ["title"])
    body["title"] = "Logo on the site"
    pk = api.post("/api/v1/approvals/", body, format="json").json()["id"]
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{pk}/transition/", {"to": "approved", "approver_name": "Dana\rX"}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["approver_name"])


# --- Long names: a 200-character customer name can be proposed ---------------------------------


@pytest.mark.django_db
def test_a_customer_with_a_200_character_name_can_be_proposed(api_as, users, proposable):
    """Proposing notifies the account owner "Your customer <name> was proposed as a reference":
    with a 200-character name that subject no longer fits its column, and it was a 500."""
    from accounts.models import Notification

    profile, request_id = proposable
    name = "N" * 200
    api = api_as(users["manager"])
    assert (
        api.patch(f"/api/v1/customers/{profile.customer.pk}/", {"name": name}, format="json").status_code
        == 200
    )
    response = api.post(
        f"/api/v1/requests/{request_id}/candidates/", {"reference": profile.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["reference"]["customer"]["name"] == name
    subject = Notification.objects.get(user=users["sales"], key__endswith=":proposed:owner").subject
    assert subject == "Your customer " + "N" * 185 + "…"
    assert len(subject) == 200


@pytest.mark.django_db
def test_a_customer_name_is_at_most_200_characters(api_as, users):
    api = api_as(users["manager"])
    response = api.post("/api/v1/customers/", _customer_body(name="N" * 201), format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["Ensure this field has no more than 200 characters."]}
    assert api.post("/api/v1/customers/", _customer_body(name="N" * 200), format="json").status_code == 201


# --- The overuse policy's bounds ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,message",
    [
        ({"near_cap_ratio": "1.50"}, "Ensure this value is less than or equal to 1.00."),
        ({"near_cap_ratio": "0.00"}, "Ensure this value is greater than or equal to 0.05."),
        ({"reference_cap": 101}, "Ensure this value is less than or equal to 100."),
        ({"customer_cap": 501}, "Ensure this value is less than or equal to 500."),
        ({"window_days": 731}, "Ensure this value is less than or equal to 730."),
        ({"rest_days": 366}, "Ensure this value is less than or equal to 365."),
        ({"stale_after_days": 32767}, "Ensure this value is less than or equal to 730."),
    ],
)
def test_policy_settings_past_their_bounds_are_a_400(api_as, users, body, message):
    from ledger.models import OverusePolicy

    response = api_as(users["manager"]).patch("/api/v1/policy/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {name: [message] for name in body}
    policy = OverusePolicy.current()
    assert (policy.window_days, policy.reference_cap, policy.customer_cap) == (180, 6, 8)
    assert (policy.rest_days, policy.stale_after_days, str(policy.near_cap_ratio)) == (30, 180, "0.75")


@pytest.mark.django_db
def test_policy_settings_at_their_bounds_are_accepted(api_as, users):
    body = {
        "window_days": 730,
        "reference_cap": 100,
        "customer_cap": 500,
        "rest_days": 0,
        "stale_after_days": 1,
        "near_cap_ratio": "1.00",
    }
    response = api_as(users["manager"]).patch("/api/v1/policy/", body, format="json")
    assert response.status_code == 200, response.content
    assert {name: response.json()[name] for name in body} == body


@pytest.mark.django_db
def test_an_activity_lead_time_over_a_year_is_a_400(api_as, users):
    api = api_as(users["manager"])
    response = api.patch("/api/v1/activity-types/call/", {"lead_time_days": 366}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"lead_time_days": ["Ensure this value is less than or equal to 365."]}
    assert (
        api.patch("/api/v1/activity-types/call/", {"lead_time_days": 365}, format="json").status_code == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field", [({"since": "0001-01-01"}, "since"), ({"until": "2101-01-01"}, "until")]
)
def test_a_ledger_filter_date_outside_the_range_is_a_400(api_as, users, query, field):
    response = api_as(users["manager"]).get("/api/v1/usage/", query)
    assert response.status_code == 400, response.content
    assert response.json() == {field: [DATE_ERROR]}
