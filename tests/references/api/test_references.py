"""GET/POST/PATCH references/, its filters, lifecycle transitions, re-confirmation and history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import ProfileEvent, ReferenceProfile
from tests.factories import ContactFactory, ProductFactory, UsageEntryFactory, UserFactory

from .conftest import API, ids

pytestmark = pytest.mark.django_db


# --- Filters: one positive and one negative case each ----------------------------------------

FILTERS = [
    # (query, profiles it returns, a query on the same filter that returns neither)
    ("status=active", {"a"}, "status=retired"),
    ("status=resting", {"b"}, "status=vetting"),
    ("industry=finance", {"a"}, "industry=energy"),
    ("industry=retail", {"b"}, "industry=media"),
    ("region=emea", {"a"}, "region=apac"),
    ("country=de", {"a"}, "country=FR"),
    ("size_band=smb", {"b"}, "size_band=global"),
    ("product=Alpha", {"a"}, None),
    ("product_line=Security", {"b"}, "product_line=Robotics"),
    ("use_case=Fraud detection", {"a"}, None),
    ("deployment=on_premises", {"b"}, "deployment=hybrid"),
    ("activity_type=call", {"a"}, "activity_type=site_visit"),
    ("activity_type=case_study", {"b"}, "activity_type=video"),
    ("seniority=vp", {"a"}, "seniority=c_level"),
    ("language=fr", {"b"}, "language=ja"),
    ("marquee=true", {"a"}, None),
    ("available=true", {"a"}, None),
    ("available=false", {"b"}, None),
    ("stale=true", {"b"}, None),
    ("stale=false", {"a"}, None),
    ("search=zeppelin", {"a"}, "search=submarine"),
    ("search=Bolt Retail", {"b"}, "search=Bolt Aviation"),
    ("status=active&status=resting", {"a", "b"}, None),
    ("status=active&industry=retail", set(), None),
]


@pytest.mark.parametrize("query,expected,empty_query", FILTERS, ids=[f[0] for f in FILTERS])
def test_reference_filters(api_as, manager, pair, query, expected, empty_query):
    client = api_as(manager)
    assert ids(client.get(f"{API}references/?{query}")) == {pair[key].pk for key in expected}
    if empty_query:
        assert ids(client.get(f"{API}references/?{empty_query}")) == set()


def test_customer_filter_of_references(api_as, manager, pair):
    found = ids(api_as(manager).get(f"{API}references/?customer={pair['b'].customer_id}"))
    assert found == {pair["b"].pk}


def test_unavailable_when_at_cap_or_resting_after_a_live_activity(api_as, manager, pair):
    UsageEntryFactory(reference=pair["a"], activity_type_id="call")  # live: starts the rest period
    client = api_as(manager)
    assert ids(client.get(f"{API}references/?available=true")) == set()
    row = client.get(f"{API}references/{pair['a'].pk}/").json()
    assert row["capacity"]["available"] is False
    assert row["capacity"]["used"] == 2
    assert row["capacity"]["available_from"] == (timezone.localdate() + timedelta(days=30)).isoformat()


def test_unknown_filter_value_is_a_400_not_ignored(api_as, manager, pair):
    response = api_as(manager).get(f"{API}references/?industry=aerospace")
    assert response.status_code == 400
    assert "industry" in response.json()


def test_sales_catalog_shows_only_active_and_resting(api_as, sales, pair):
    pair["b"].status = "retired"
    pair["b"].resting_reason = ""
    pair["b"].save()
    client = api_as(sales)
    assert ids(client.get(f"{API}references/")) == {pair["a"].pk}
    assert client.get(f"{API}references/{pair['b'].pk}/").status_code == 404


# --- Reading and writing profiles -----------------------------------------------------------


def test_detail_shape_with_capacity_and_summaries(api_as, manager, pair):
    body = api_as(manager).get(f"{API}references/{pair['a'].pk}/").json()
    assert body["activity_types"] == ["call"]
    assert body["products"] == ["Alpha"]
    assert body["use_cases"] == ["Fraud detection"]
    assert body["is_stale"] is False
    assert body["capacity"] == {
        "used": 0,
        "cap": 6,
        "customer_used": 0,
        "customer_cap": 8,
        "available": True,
        "available_from": None,
        "on_hold": False,
    }
    assert body["customer_summary"]["industry"] == "finance"
    assert body["customer_summary"]["programs"] == ["Beta program"]
    assert body["customer_summary"]["is_marquee"] is True
    assert body["contact_summary"]["languages"] == ["de"]
    assert body["contact_summary"]["seniority"] == "vp"
    stale = api_as(manager).get(f"{API}references/{pair['b'].pk}/").json()
    assert stale["is_stale"] is True


def test_create_profile(api_as, manager, pair):
    contact = ContactFactory(customer=pair["a"].customer)
    response = api_as(manager).post(
        f"{API}references/",
        {
            "contact": contact.pk,
            "headline": "Halved onboarding time",
            "activity_types": ["call", "video"],
            "products": ["Alpha", "Beta"],
            "use_cases": ["Inventory"],
            "deployment": "hybrid",
            "competitor": "OldTool",
            "outcomes": "2x faster",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    profile = ReferenceProfile.objects.get(pk=body["id"])
    assert profile.customer == pair["a"].customer  # taken from the contact
    assert profile.status == "nominated"
    assert sorted(profile.activity_types.values_list("code", flat=True)) == ["call", "video"]
    assert body["products"] == ["Alpha", "Beta"]
    assert profile.events.filter(to_status="nominated").exists()


def test_create_profile_for_contact_of_another_customer_is_a_400(api_as, manager, pair):
    contact = ContactFactory(customer=pair["b"].customer)
    response = api_as(manager).post(
        f"{API}references/", {"contact": contact.pk, "customer": pair["a"].customer_id}, format="json"
    )
    assert response.status_code == 400
    assert "contact" in response.json()
    assert not ReferenceProfile.objects.filter(contact=contact).exists()


def test_second_profile_for_a_contact_is_a_400(api_as, manager, pair):
    response = api_as(manager).post(f"{API}references/", {"contact": pair["a"].contact_id}, format="json")
    assert response.status_code == 400
    assert ReferenceProfile.objects.filter(contact=pair["a"].contact).count() == 1


def test_patch_profile(api_as, manager, pair):
    ProductFactory(name="Gamma")
    response = api_as(manager).patch(
        f"{API}references/{pair['a'].pk}/",
        {"headline": "New headline", "products": ["Gamma"], "competitor": "Rival"},
        format="json",
    )
    assert response.status_code == 200, response.content
    profile = ReferenceProfile.objects.get(pk=pair["a"].pk)
    assert profile.headline == "New headline"
    assert list(profile.products.values_list("name", flat=True)) == ["Gamma"]
    assert response.json()["products"] == ["Gamma"]
    assert "Rival" in profile.search_document  # the catalog search sees the change


def test_patch_cannot_change_status_directly(api_as, manager, pair):
    response = api_as(manager).patch(f"{API}references/{pair['a'].pk}/", {"status": "retired"}, format="json")
    assert response.status_code == 400
    assert "transition" in response.json()["status"][0]
    assert ReferenceProfile.objects.get(pk=pair["a"].pk).status == "active"


# --- Lifecycle ----------------------------------------------------------------------------


def test_valid_transition(api_as, manager, pair):
    response = api_as(manager).post(
        f"{API}references/{pair['a'].pk}/transition/",
        {"to": "resting", "note": "Busy quarter"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "resting"
    assert response.json()["resting_reason"] == "request"
    event = ProfileEvent.objects.filter(profile=pair["a"]).first()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "active",
        "resting",
        "Busy quarter",
        manager,
    )


def test_invalid_transition_is_a_409_with_code(api_as, manager, pair):
    response = api_as(manager).post(
        f"{API}references/{pair['a'].pk}/transition/", {"to": "vetting"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert ReferenceProfile.objects.get(pk=pair["a"].pk).status == "active"


def test_transition_to_unknown_status_is_a_400(api_as, manager, pair):
    response = api_as(manager).post(
        f"{API}references/{pair['a'].pk}/transition/", {"to": "flying"}, format="json"
    )
    assert response.status_code == 400
    assert "to" in response.json()


def test_revalidate_by_account_owner(api_as, sales, pair):
    profile = pair["a"]
    profile.last_validated = timezone.localdate() - timedelta(days=300)
    profile.save()
    response = api_as(sales).post(
        f"{API}references/{profile.pk}/revalidate/", {"note": "Still happy"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["last_validated"] == timezone.localdate().isoformat()
    profile.refresh_from_db()
    assert profile.validated_by == sales
    assert profile.events.filter(kind="revalidated", note="Still happy").exists()


def test_revalidate_by_another_sales_rep_is_refused(api_as, pair):
    other = UserFactory(username="sales2", role="sales")
    before = pair["a"].last_validated
    response = api_as(other).post(f"{API}references/{pair['a'].pk}/revalidate/", {}, format="json")
    assert response.status_code == 403
    pair["a"].refresh_from_db()
    assert pair["a"].last_validated == before
    assert not pair["a"].events.filter(kind="revalidated").exists()


def test_history_shows_who_changed_what(api_as, manager, pair):
    client = api_as(manager)
    client.patch(f"{API}references/{pair['a'].pk}/", {"competitor": "Rival"}, format="json")
    client.post(
        f"{API}references/{pair['a'].pk}/transition/", {"to": "retired", "note": "Left"}, format="json"
    )
    response = client.get(f"{API}references/{pair['a'].pk}/history/")
    assert response.status_code == 200
    entries = response.json()
    assert entries[0]["kind"] == "transition"
    assert (entries[0]["who"], entries[0]["to_status"], entries[0]["note"]) == ("manager1", "retired", "Left")
    changed = [e for e in entries if e["kind"] == "changed"]
    assert changed[0]["who"] == "manager1"
    assert {
        "field": "competitor",
        "label": "competitor replaced",
        "old": "Legacy Monitor",
        "new": "Rival",
    } in (changed[0]["changes"])
    assert entries[-1]["kind"] == "created"
