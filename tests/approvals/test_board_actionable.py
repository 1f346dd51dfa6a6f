"""The approvals board opens on what needs action and says who must act next; the full grid is
one click away; no raw codes on the board or the detail page; "approved until" in the past is
refused when an approval is recorded."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import ApprovalEvent, ConsentLink
from approvals.services import approval_update
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _link(approval, *, sent_days_ago, valid_days=14, name="Dana Decider", **extra):
    sent = timezone.now() - timedelta(days=sent_days_ago, minutes=5)
    return ConsentLink.objects.create(
        approval=approval,
        token_hash=f"hash-{approval.pk}-{sent_days_ago}-{valid_days}",
        email="dana@example.com",
        name=name,
        created_at=sent,
        expires_at=sent + timedelta(days=valid_days),
        **extra,
    )


def _rows(html: str, section: str) -> list[str]:
    """The text of each row of one section of the action view, tags stripped."""
    start = html.index(f'id="{section}"')
    block = html[start : html.index("</section>", start)]
    rows = re.findall(r'<tr data-approval="\d+">(.*?)</tr>', block, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.fixture
def board(make_approval):
    """Six approvals: three waiting on someone, one ending soon, two needing nothing."""
    alpha = CustomerFactory(name="Alpha")
    beta = CustomerFactory(name="Beta")
    gamma = CustomerFactory(name="Gamma")
    dana = ContactFactory(customer=alpha, name="Dana Decider")
    now = timezone.now()
    to_send = make_approval(status="requested", use="logo", customer=alpha, contact=dana)
    to_send.created_at = now - timedelta(days=2)
    to_send.save()
    waiting = make_approval(status="in_review", use="quote", customer=beta)
    waiting.created_at = now - timedelta(days=6)
    waiting.save()
    _link(waiting, sent_days_ago=3, name="Bea Boss")
    lapsed = make_approval(status="in_review", use="video", customer=gamma)
    lapsed.created_at = now - timedelta(days=30)
    lapsed.save()
    _link(lapsed, sent_days_ago=20, valid_days=14, name="Gil Gamma")  # expired 6 days ago
    ending = make_approval(status="approved", use="case_study", customer=gamma, days=10)
    make_approval(status="approved", use="logo", customer=beta, days=200)  # fine for months
    make_approval(status="declined", use="name", customer=beta)  # decided: nothing to do
    return {"to_send": to_send, "waiting": waiting, "lapsed": lapsed, "ending": ending}


def test_the_board_opens_on_what_needs_action_with_who_acts_next(users, client_as, board):
    html = client_as(users["marketing"]).get("/approvals/").content.decode()
    assert 'id="approval-board"' not in html  # not the grid
    ends_on = (timezone.localdate() + timedelta(days=10)).strftime("%d %b %Y")
    assert _rows(html, "approvals-waiting") == [
        "Gamma Video In customer review Reference manager : the link to Gil Gamma expired unanswered "
        "6 days ago: resend it",
        "Beta Quote In customer review The customer : waiting for Bea Boss to answer (sent 3 days ago)",
        "Alpha Logo Requested Reference manager : send the consent link to Dana Decider "
        "(requested 2 days ago)",
    ]
    assert _rows(html, "approvals-ending") == [
        f"Gamma Case study Approved Marketing : request a renewal: this approval ends in 10 days ({ends_on})"
    ]
    assert "Waiting on someone (3)" in html and "Ending within 30 days (1)" in html
    assert 'href="?view=all"' in html


def test_the_full_grid_is_one_click_away(users, client_as, board):
    html = client_as(users["marketing"]).get("/approvals/", {"view": "all"}).content.decode()
    assert 'id="approval-board"' in html
    assert html.count('<tr data-customer="') == 3
    assert 'data-use="case_study" data-state="expiring"' in html
    assert 'name="view" value="all"' in html  # the filters stay on the grid


def test_a_renewal_pending_says_so(users, client_as, make_approval):
    customer = CustomerFactory(name="Delta")
    make_approval(status="approved", use="logo", customer=customer, days=5)
    make_approval(status="requested", use="logo", customer=customer)
    html = client_as(users["manager"]).get("/approvals/").content.decode()
    assert _rows(html, "approvals-ending")[0].endswith(
        "Reference manager : a renewal is requested; this approval ends in 5 days ("
        + (timezone.localdate() + timedelta(days=5)).strftime("%d %b %Y")
        + ")"
    )


def test_who_only_views_approvals_opens_on_the_grid(users, client_as, board):
    html = client_as(users["executive"]).get("/approvals/").content.decode()
    assert 'id="approval-board"' in html


@pytest.mark.parametrize("size", [2, 8])
def test_the_action_view_query_count_is_fixed(
    size, users, client_as, make_approval, django_assert_num_queries
):
    for i in range(size):
        customer = CustomerFactory(name=f"Customer {i:02d}")
        make_approval(status="approved", use="logo", customer=customer, days=10 + i)
        waiting = make_approval(status="in_review", use="quote", customer=customer)
        _link(waiting, sent_days_ago=1)
    client = client_as(users["marketing"])
    client.get("/approvals/")  # warm the session
    # session, user, notifications badge, the approvals (with customer, contact and whether a
    # renewal is pending), their consent links
    with django_assert_num_queries(5):
        response = client.get("/approvals/")
    assert len(_rows(response.content.decode(), "approvals-waiting")) == size


def test_the_detail_page_shows_no_codes_and_who_acts_next(users, client_as, board):
    waiting = board["waiting"]
    approval_update(
        approval=waiting,
        by=users["marketing"],
        data={"expires_on": timezone.localdate() + timedelta(days=99)},
    )
    ApprovalEvent.objects.create(
        approval=waiting, kind="transition", from_status="requested", to_status="in_review"
    )
    html = client_as(users["manager"]).get(f"/approvals/{waiting.pk}/").content.decode()
    assert (
        "Next: Reference manager</strong> — the request changed after the link was sent: send a new link"
        in html
    )
    history = html[html.index('id="approval-history"') :]
    assert "Status change</strong>: Requested → In customer review" in history
    assert "Approved until: " in history and "expires_on" not in history
    assert "→ in_review" not in html and "requested →" not in html
    assert "withdrawn (a newer version or link replaced it)" in html  # the link's state in words
    assert "— usable" not in html and "— withdrawn<" not in html


def test_approved_until_in_the_past_is_refused_when_recording_an_approval(users, api_as, client_as, board):
    waiting = board["waiting"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api_as(users["manager"]).post(
        f"/api/v1/approvals/{waiting.pk}/transition/",
        {"to": "approved", "approver_name": "Bea Boss", "expires_on": yesterday},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["expires_on"]
    response = client_as(users["manager"]).post(
        f"/approvals/{waiting.pk}/transition/",
        {"to": "approved", "approver_name": "Bea Boss", "expires_on": yesterday},
    )
    assert response.status_code == 400
    assert "“Approved until” is in the past: choose today or later." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "in_review"
