"""When supply is short, the alternatives are real content: the approved quotes, case studies and
videos of the content library from the customers nearest to the must-haves (with their scope and
expiry, and the must-haves they miss), and references who would meet the prospect at an event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Approval
from ledger.models import OverusePolicy
from references.models import Customer
from requests_app.matching import supply
from requests_app.matching.supply import alternatives, supply_for_request
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

FINANCE_EMEA = [("industry", "finance"), ("region", "emea")]


def _content(
    customer, use="quote", *, title="", status="approved", days=200, scope=("website",), ago=0, **extra
):
    """An approval of the content library (by default approved and valid for ``days`` more days)."""
    approval = Approval.objects.create(
        customer=customer,
        use=use,
        status=status,
        title=title,
        scope=list(scope),
        expires_on=timezone.localdate() + timedelta(days=days),
        quote_text=extra.pop("quote_text", f"{customer.name} loves it." if use == "quote" else ""),
        approver_name="Dana Customer",
        approver_title="CMO",
        decided_at=timezone.now(),
        **extra,
    )
    if ago:
        Approval.objects.filter(pk=approval.pk).update(created_at=timezone.now() - timedelta(days=ago))
    return approval


def _short_request(make_profile, make_request, sales, *, must=FINANCE_EMEA, activity="call"):
    """A request whose only matching reference (Acme, finance in EMEA) is resting: supply is short."""
    acme = make_profile(
        name="Acme Corp", industry="finance", region="emea", status="resting", resting_reason="request"
    )
    return acme.customer, make_request(sales, must=must, activity=activity)


def _content_items(supply):
    return [a for a in supply["alternatives"] if a["kind"] != "event_meeting"]


def _events(supply):
    return [a for a in supply["alternatives"] if a["kind"] == "event_meeting"]


def test_approved_quote_of_a_customer_meeting_every_must_have_is_offered_with_scope_and_expiry(
    manager, sales, make_profile, make_request
):
    acme, request = _short_request(make_profile, make_request, sales)
    quote = _content(
        acme,
        "quote",
        title="Acme on response times",
        scope=("website", "sales_deck"),
        days=200,
        quote_text="RefProgram halved our response time.",
    )

    supply = supply_for_request(request, user=manager)

    assert supply["short"] is True and supply["reason"] == "all_unavailable"
    [item] = _content_items(supply)
    assert item["kind"] == "quote" and item["activity_type"] == "quote" and item["name"] == "Quote"
    assert item["customer"] == {"id": acme.pk, "name": "Acme Corp"}
    assert item["title"] == "Acme on response times"
    assert item["quote_text"] == "RefProgram halved our response time."
    assert item["scope"] == ["website", "sales_deck"]
    assert item["scope_labels"] == ["Website", "Sales deck"]
    assert item["expires_on"] == timezone.localdate() + timedelta(days=200)
    assert item["must_missed"] == [] and item["must_missed_criteria"] == []
    assert item["approval"] == quote.pk and item["url"] == f"/approvals/{quote.pk}/"
    assert "Meets every must-have" in item["note"]


def test_case_study_and_video_carry_their_asset_link(manager, sales, make_profile, make_request):
    acme, request = _short_request(make_profile, make_request, sales)
    study = _content(acme, "case_study", title="Acme case study", asset_url="https://cdn.example/acme.pdf")
    video = _content(acme, "video", title="Acme video", asset_url="https://cdn.example/acme.mp4", days=100)
    _content(acme, "logo", title="Acme logo")  # a logo is no customer voice

    items = _content_items(supply_for_request(request, user=manager))

    assert [(i["kind"], i["title"], i["asset_url"], i["url"]) for i in items] == [
        ("case_study", "Acme case study", "https://cdn.example/acme.pdf", f"/approvals/{study.pk}/"),
        ("video", "Acme video", "https://cdn.example/acme.mp4", f"/approvals/{video.pk}/"),
    ]


def test_expired_revoked_and_unapproved_content_is_not_offered(manager, sales, make_profile, make_request):
    acme, request = _short_request(make_profile, make_request, sales)
    _content(acme, "quote", title="Past its date", days=-1)  # approved, but the nightly check has not run
    _content(acme, "quote", title="Marked expired", status="expired", days=-5)
    _content(acme, "case_study", title="Revoked", status="revoked")
    _content(acme, "video", title="Only requested", status="requested")
    _content(acme, "case_study", title="In review", status="in_review")
    _content(acme, "quote", title="Declined", status="declined")
    _content(acme, "quote", title="Expires today", days=0)

    items = _content_items(supply_for_request(request, user=manager))

    assert [i["title"] for i in items] == ["Expires today"]


def test_a_customer_missing_a_must_have_comes_after_one_missing_none_and_names_it(
    manager, sales, make_profile, make_request
):
    acme, request = _short_request(make_profile, make_request, sales)
    bolt = make_profile(name="Bolt Bank", industry="finance", region="na").customer
    make_profile(name="Corner Shop", industry="retail", region="na")  # misses both, no content
    corner = Customer.objects.get(name="Corner Shop")
    # Bolt's content expires later and is newer, yet Acme meets every must-have and comes first.
    _content(bolt, "case_study", title="Bolt case study", days=700)
    _content(acme, "quote", title="Acme older", days=300, ago=30)
    _content(acme, "quote", title="Acme short-lived", days=50)
    _content(acme, "quote", title="Acme newer", days=300, ago=1)
    _content(corner, "video", title="Corner video", days=900)

    items = _content_items(supply_for_request(request, user=manager))

    assert [(i["title"], i["must_missed"]) for i in items] == [
        ("Acme newer", []),
        ("Acme older", []),
        ("Acme short-lived", []),
        ("Bolt case study", ["region"]),
        ("Corner video", ["industry", "region"]),
    ]
    bolt_item = items[3]
    assert bolt_item["customer"] == {"id": bolt.pk, "name": "Bolt Bank"}
    assert bolt_item["must_missed_criteria"] == [{"field": "region", "value": "emea"}]
    assert "Misses the must-have region Europe, Middle East and Africa" in bolt_item["note"]


def test_at_most_five_of_a_kind_and_ten_in_all(manager, sales, make_profile, make_request):
    acme, request = _short_request(make_profile, make_request, sales)
    for n in range(7):
        _content(acme, "quote", title=f"Quote {n}", days=100 + n)
    for n in range(7):
        _content(acme, "case_study", title=f"Study {n}", days=200 + n)
    for n in range(3):
        _content(acme, "video", title=f"Video {n}", days=300 + n)

    items = _content_items(supply_for_request(request, user=manager))

    kinds = [i["kind"] for i in items]
    assert len(items) == 10
    assert kinds.count("quote") <= 5 and kinds.count("case_study") == 5 and kinds.count("video") == 3
    # Latest expiry first: the three videos, then the case studies, then the quotes that fit.
    assert [i["title"] for i in items] == [
        "Video 2",
        "Video 1",
        "Video 0",
        "Study 6",
        "Study 5",
        "Study 4",
        "Study 3",
        "Study 2",
        "Quote 6",
        "Quote 5",
    ]


def test_offered_when_no_reference_meets_every_must_have(api_as, manager, sales, make_profile, make_request):
    bolt = make_profile(
        name="Bolt Bank", industry="finance", region="na", activities=("call", "event_meeting"), title="CFO"
    ).customer
    study = _content(bolt, "case_study", title="Bolt case study", scope=("press",))
    request = make_request(sales, must=FINANCE_EMEA)

    supply = api_as(manager).get(f"/api/v1/requests/{request.pk}/supply/").json()

    assert supply["short"] is True and supply["reason"] == "no_match"
    content = _content_items(supply)
    assert [(a["kind"], a["customer"]["name"], a["title"], a["must_missed"]) for a in content] == [
        ("case_study", "Bolt Bank", "Bolt case study", ["region"])
    ]
    assert content[0]["scope"] == ["press"] and content[0]["url"] == f"/approvals/{study.pk}/"
    assert content[0]["expires_on"] == (timezone.localdate() + timedelta(days=200)).isoformat()
    events = _events(supply)
    assert [(a["customer"]["name"], a["contact_title"], a["must_missed"]) for a in events] == [
        ("Bolt Bank", "CFO", ["region"])
    ]


def test_event_meeting_references_are_listed_nearest_first(manager, sales, make_profile, make_request):
    _, request = _short_request(make_profile, make_request, sales)
    cedar = make_profile(
        name="Cedar Capital",
        industry="finance",
        activities=("event_meeting",),
        title="CFO",
        validated_days_ago=30,
    )
    ReferenceProfileFactory(  # the same customer's second, fresher reference: one per customer
        customer=cedar.customer,
        contact=ContactFactory(customer=cedar.customer, title="Controller"),
        activity_types=["event_meeting"],
        last_validated=timezone.localdate() - timedelta(days=5),
    )
    delta = make_profile(
        name="Delta Retail", industry="retail", activities=("event_meeting",), title="VP Sales"
    )
    make_profile(  # willing, but resting after a request: cannot be proposed now
        name="Echo Finance", activities=("event_meeting",), status="resting", resting_reason="request"
    )
    make_profile(name="Fox Finance", activities=("event_meeting",), validated_days_ago=800)  # stale
    make_profile(name="Gulf Finance", activities=("email",))  # not for event meetings

    events = _events(supply_for_request(request, user=manager))

    assert [(e["customer"]["name"], e["contact_title"], e["must_missed"]) for e in events] == [
        ("Cedar Capital", "Controller", []),
        ("Delta Retail", "VP Sales", ["industry"]),
    ]
    assert events[0]["name"] == "Meeting a prospect at an event" and events[0]["reference"] is not None
    assert events[0]["url"] == f"/references/{events[0]['reference']}/"
    assert events[1]["reference"] == delta.pk and events[1]["title"] == "VP Sales"
    assert "VP Sales at Delta Retail would meet the prospect at an event" in events[1]["note"]


def test_no_event_meetings_proposed_for_an_event_meeting_request(manager, sales, make_profile, make_request):
    make_profile(name="Cedar Capital", activities=("event_meeting",), title="CFO")
    request = make_request(sales, must=[("industry", "energy")], activity="event_meeting")
    assert _events(supply_for_request(request, user=manager)) == []


def test_a_sales_rep_sees_what_the_content_library_shows_a_sales_rep(
    manager, sales, make_profile, make_request
):
    acme, request = _short_request(make_profile, make_request, sales)
    gone = make_profile(name="Gone Bank", status="retired").customer  # not in the catalog
    mine = make_profile(name="Own Bank", status="retired", account_owner=sales).customer  # the rep's account
    _content(acme, "quote", title="Acme quote", days=300)
    _content(gone, "quote", title="Gone quote", days=200)
    _content(mine, "quote", title="Own quote", days=100)

    as_manager = [i["title"] for i in alternatives(request, user=manager)]
    as_sales = [i["title"] for i in alternatives(request, user=sales)]
    nobody = UserFactory(username="inactive", role="sales", is_active=False)

    assert as_manager == ["Acme quote", "Gone quote", "Own quote"]
    assert as_sales == ["Acme quote", "Own quote"]
    assert alternatives(request, user=nobody) == []


def test_alternatives_take_a_fixed_number_of_queries(manager, sales, make_profile, make_request):
    _, request = _short_request(make_profile, make_request, sales)

    def grow(n):
        for _ in range(n):
            profile = make_profile(industry="finance", region="na", activities=("event_meeting", "call"))
            _content(profile.customer, "quote")
            _content(profile.customer, "case_study", asset_url="https://cdn.example/x.pdf")

    policy = OverusePolicy.current()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            found = alternatives(request, user=manager, policy=policy)
        return len(ctx.captured_queries), len(found)

    grow(2)
    small, n_small = count()
    grow(8)
    large, n_large = count()
    assert n_small < n_large
    # The content, the event-meeting activity type, the references, and the labels of the two
    # listed must-have fields (industry, region, in one query) to say what an item misses.
    assert small == large == 4


def test_request_page_shows_the_content_with_links_and_a_fixed_query_count(
    client_as, manager, sales, make_profile, make_request
):
    acme, request = _short_request(make_profile, make_request, sales)
    bolt = make_profile(name="Bolt Bank", industry="finance", region="na").customer
    quote = _content(acme, "quote", title="Acme on speed", quote_text="Fast & friendly.", scope=("website",))
    study = _content(bolt, "case_study", title="Bolt story", asset_url="https://cdn.example/bolt.pdf")
    client = client_as(manager)

    def page():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(f"/requests/{request.pk}/").content.decode()
        return html, len(ctx.captured_queries)

    html, small = page()
    assert "Alternatives to a one-to-one" in html
    assert f'href="/approvals/{quote.pk}/"' in html and f'href="/approvals/{study.pk}/"' in html
    assert "Fast &amp; friendly." in html and "Website" in html
    assert "https://cdn.example/bolt.pdf" in html
    assert "misses region Europe, Middle East and Africa" in html and "meets every must-have" in html
    assert html.index("Acme on speed") < html.index("Bolt story")

    for n in range(6):
        customer = CustomerFactory(name=f"More {n}")
        _content(customer, "video", title=f"Video {n}")
    _, large = page()
    assert large == small


def test_without_must_haves_every_customer_is_nearest_latest_expiry_first(
    manager, sales, make_profile, make_request
):
    acme, request = _short_request(make_profile, make_request, sales, must=[])
    make_profile(name="Hub Health", industry="healthcare", activities=("event_meeting",), title="CIO")
    _content(acme, "quote", title="Acme soon", days=20)
    _content(CustomerFactory(name="Iris Insurance"), "video", title="Iris later", days=400)

    items = supply_for_request(request, user=manager)["alternatives"]

    assert [(i["kind"], i["customer"]["name"], i["must_missed"]) for i in items] == [
        ("video", "Iris Insurance", []),
        ("quote", "Acme Corp", []),
        ("event_meeting", "Hub Health", []),
    ]


def test_event_meetings_past_the_first_page_are_those_of_weighing_every_reference(
    manager, sales, make_profile, make_request, monkeypatch
):
    """Only the nearest ``EVENT_MEETING_PAGE`` willing references are weighed against the ledger at
    first; when none of them can be proposed, the next, larger page finds the same picks as
    weighing them all, at one more query."""
    _, request = _short_request(make_profile, make_request, sales)
    for name in ("Alpha Bank", "Beta Bank"):  # the nearest and freshest, but resting after a request
        make_profile(
            name=name,
            activities=("event_meeting",),
            status="resting",
            resting_reason="request",
            validated_days_ago=5,
        )
    make_profile(name="Gamma Bank", activities=("event_meeting",), title="CFO", validated_days_ago=20)
    make_profile(name="Delta Retail", industry="retail", activities=("event_meeting",), title="COO")
    make_profile(
        name="Echo Retail", industry="retail", region="apac", activities=("event_meeting",), title="CIO"
    )
    policy = OverusePolicy.current()

    def events():
        with CaptureQueriesContext(connection) as ctx:
            found = supply.event_meetings(request, user=manager, policy=policy)
        return [(e["customer"]["name"], e["must_missed"]) for e in found], len(ctx.captured_queries)

    expected = [
        ("Gamma Bank", []),
        ("Delta Retail", ["industry"]),
        ("Echo Retail", ["industry", "region"]),
    ]
    # The activity type, the labels of industry and region (one query), the references.
    assert events() == (expected, 3)
    monkeypatch.setattr(supply, "EVENT_MEETING_PAGE", 2)  # Alpha and Beta only, then a page of 8
    assert events() == (expected, 4)


def test_product_and_competitor_must_haves_are_read_from_the_references(
    manager, sales, make_profile, make_request
):
    """A must-have naming a product (an id in the facet keys, looked up by name) or a competitor
    replaced (the profile's text) ranks both kinds of alternative as the match list reads them."""
    vault = make_profile(
        name="Vault Bank", products=("Vault",), competitor="Oracle CX", activities=("event_meeting",)
    )
    make_profile(name="Plain Bank", products=("Ledger",), activities=("event_meeting",), validated_days_ago=1)
    request = make_request(sales, must=[("product", "Vault"), ("competitor", "oracle")])
    _content(vault.customer, "quote", title="Vault quote", days=100)
    _content(CustomerFactory(name="No Refs Inc"), "video", title="Orphan video", days=900)

    items = alternatives(request, user=manager)

    assert [(i["kind"], i["customer"]["name"], i["must_missed"]) for i in items] == [
        ("quote", "Vault Bank", []),
        ("video", "No Refs Inc", ["product", "competitor"]),
        ("event_meeting", "Vault Bank", []),
        ("event_meeting", "Plain Bank", ["product", "competitor"]),
    ]

    request.criteria = {"must": [{"field": "product", "value": "No Such Product"}]}  # since removed
    assert [(i["title"], i["must_missed"]) for i in supply.approved_content(request, user=manager)] == [
        ("Orphan video", ["product"]),
        ("Vault quote", ["product"]),
    ]
    request.criteria = {"must": [{"field": "product", "value": "Vault"}]}  # one must-have
    assert [(i["title"], i["must_missed"]) for i in supply.approved_content(request, user=manager)] == [
        ("Vault quote", []),
        ("Orphan video", ["product"]),
    ]
    request.criteria = {"must": [{"field": "product", "value": "No Such Product"}]}
    assert [
        (e["customer"]["name"], e["must_missed"]) for e in supply.event_meetings(request, user=manager)
    ] == [
        ("Plain Bank", ["product"]),
        ("Vault Bank", ["product"]),
    ]
