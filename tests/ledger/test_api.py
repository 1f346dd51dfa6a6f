"""API of overuse protection: the ledger, its transitions, the policy and the activity types."""

import pytest

from ledger import services
from ledger.models import OverusePolicy, UsageEntry
from references.models import ActivityType
from tests.factories import ReferenceProfileFactory, UsageEntryFactory

ROLES = ["manager", "admin", "executive", "marketing", "sales"]

# (method, path, body, roles allowed). Paths with {entry} get a reserved ledger row's id.
MATRIX = [
    ("get", "/api/v1/usage/", None, {"manager", "admin", "executive"}),
    ("get", "/api/v1/usage/{entry}/", None, {"manager", "admin", "executive"}),
    ("post", "/api/v1/usage/{entry}/transition/", {"to": "asked"}, {"manager"}),
    ("get", "/api/v1/policy/", None, {"manager", "admin", "executive", "marketing"}),
    ("patch", "/api/v1/policy/", {"rest_days": 21}, {"manager", "admin"}),
    ("get", "/api/v1/activity-types/", None, set(ROLES)),
    ("patch", "/api/v1/activity-types/call/", {"weight": 3}, {"manager", "admin"}),
]


@pytest.fixture
def entry(db, manager):
    profile = ReferenceProfileFactory()
    return services.capacity_reserve(
        reference=profile, activity_type=ActivityType.objects.get(code="email"), actor=manager, source="c:1"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_permissions_by_role(api_as, users, entry, role, method, path, body, allowed):
    response = getattr(api_as(users[role]), method)(path.format(entry=entry.pk), body, format="json")
    assert response.status_code == (200 if role in allowed else 403), response.content


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_anonymous_gets_401(api_as, entry, method, path, body, allowed):
    response = getattr(api_as(None), method)(path.format(entry=entry.pk), body, format="json")
    assert response.status_code == 401


def test_ledger_fields_and_filters(api_as, manager, users, entry):
    other = UsageEntryFactory(status="declined", override=True, override_reason="CEO ask", request_ref=5)

    response = api_as(users["executive"]).get("/api/v1/usage/")
    assert response.status_code == 200
    assert response.data["count"] == 2
    row = next(r for r in response.data["results"] if r["id"] == entry.pk)
    for field in [
        "id",
        "reference",
        "customer",
        "activity_type",
        "status",
        "points",
        "occurred_on",
        "request",
        "asked_by",
        "override",
        "override_reason",
        "note",
        "created_at",
    ]:
        assert field in row
    assert (row["reference"], row["customer"], row["activity_type"]) == (
        entry.reference_id,
        entry.customer_id,
        "email",
    )
    assert (row["status"], row["points"], row["asked_by"]) == ("reserved", 1, manager.pk)

    def ids(query):
        return [r["id"] for r in api_as(manager).get(f"/api/v1/usage/?{query}").data["results"]]

    assert ids("status=declined") == [other.pk]
    assert ids("override=true") == [other.pk]
    assert ids("request=5") == [other.pk]
    assert ids(f"reference={entry.reference_id}") == [entry.pk]
    assert ids("activity_type=email") == [entry.pk]


def test_bad_filter_is_a_400(api_as, manager, entry):
    assert api_as(manager).get("/api/v1/usage/?status=nonsense").status_code == 400
    assert api_as(manager).get("/api/v1/usage/?since=yesterday").status_code == 400


def test_transition_through_the_api(api_as, manager, entry):
    client = api_as(manager)

    asked = client.post(
        f"/api/v1/usage/{entry.pk}/transition/", {"to": "asked", "note": "Called her"}, format="json"
    )
    invalid = client.post(f"/api/v1/usage/{entry.pk}/transition/", {"to": "withdrawn"}, format="json")
    unknown = client.post(f"/api/v1/usage/{entry.pk}/transition/", {"to": "maybe"}, format="json")

    assert asked.status_code == 200
    assert asked.data["status"] == "asked"
    assert "Called her" in asked.data["note"]
    assert invalid.status_code == 409
    assert invalid.data["code"] == "invalid_transition"
    assert unknown.status_code == 400
    assert "to" in unknown.data
    assert client.post("/api/v1/usage/999999/transition/", {"to": "asked"}, format="json").status_code == 404


def test_policy_read_and_change(api_as, manager):
    client = api_as(manager)
    policy = client.get("/api/v1/policy/").data
    assert (policy["window_days"], policy["reference_cap"], policy["customer_cap"]) == (180, 6, 8)
    assert (policy["rest_days"], policy["stale_after_days"]) == (30, 180)

    changed = client.patch("/api/v1/policy/", {"customer_cap": 10, "stale_after_days": 120}, format="json")
    assert changed.status_code == 200
    assert (changed.data["customer_cap"], changed.data["updated_by"]) == (10, manager.pk)
    stored = OverusePolicy.current()
    assert (stored.customer_cap, stored.stale_after_days, stored.updated_by_id) == (10, 120, manager.pk)


@pytest.mark.parametrize(
    "body", [{"reference_cap": 0}, {"window_days": "soon"}, {"caps": 3}, {"updated_by": 1}, {"rest_days": -1}]
)
def test_bad_policy_is_a_400_and_changes_nothing(api_as, manager, body):
    response = api_as(manager).patch("/api/v1/policy/", body, format="json")
    assert response.status_code == 400
    assert set(body) <= set(response.data)
    assert OverusePolicy.current().reference_cap == 6


def test_activity_type_weight_lead_time_and_live(api_as, manager, users):
    listed = api_as(users["sales"]).get("/api/v1/activity-types/?page_size=100").data["results"]
    call = next(a for a in listed if a["code"] == "call")
    assert (call["weight"], call["live"], call["kind"]) == (2, True, "private")

    response = api_as(manager).patch(
        "/api/v1/activity-types/call/", {"weight": 3, "lead_time_days": 7, "live": False}, format="json"
    )
    assert response.status_code == 200
    stored = ActivityType.objects.get(code="call")
    assert (stored.weight, stored.lead_time_days, stored.live) == (3, 7, False)

    assert (
        api_as(manager).patch("/api/v1/activity-types/call/", {"weight": 0}, format="json").status_code == 400
    )
    assert (
        api_as(manager).patch("/api/v1/activity-types/call/", {"code": "x"}, format="json").status_code == 400
    )
    assert (
        api_as(manager).patch("/api/v1/activity-types/nope/", {"weight": 2}, format="json").status_code == 404
    )


def test_capacity_field_of_the_references_api(api_as, manager, ledger, today):
    profile = ReferenceProfileFactory()
    ledger(profile, "email", days_ago=3, points=4)

    data = api_as(manager).get(f"/api/v1/references/{profile.pk}/").data["capacity"]

    assert (data["used"], data["cap"], data["available"], data["available_from"]) == (4, 6, True, None)

    ledger(profile, "email", days_ago=3, points=2)
    services.profiles_rest_at_cap(today=today)
    data = api_as(manager).get(f"/api/v1/references/{profile.pk}/").data["capacity"]
    assert (data["used"], data["available"]) == (6, False)
    assert data["available_from"] is not None


@pytest.mark.parametrize("rows", [3, 13])
def test_ledger_list_query_count_does_not_grow(api_as, manager, rows, django_assert_num_queries):
    UsageEntryFactory.create_batch(rows)
    client = api_as(manager)
    # count + page (the reference's contact and the customer are joined in)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/usage/")
    assert response.data["count"] == rows


@pytest.mark.parametrize("rows", [3, 13])
def test_activity_types_query_count(api_as, sales, rows, django_assert_num_queries):
    ActivityType.objects.bulk_create(
        [ActivityType(code=f"extra_{i}", name=f"Extra {i}", kind="private") for i in range(rows)]
    )
    client = api_as(sales)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/activity-types/")
    assert response.status_code == 200


def test_usage_entries_are_never_double_counted(entry, manager):
    again = services.capacity_reserve(
        reference=entry.reference, activity_type=entry.activity_type, actor=manager, source="c:1"
    )
    assert again.pk == entry.pk
    assert UsageEntry.objects.count() == 1
