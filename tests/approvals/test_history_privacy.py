"""An approval's history names the customer's person who decided or was sent the link, but
their e-mail address only reaches roles that may see contact data: in the API and on the page,
for history written now and for history written before the fix."""

import importlib
import re

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from approvals.models import ApprovalEvent

pytestmark = pytest.mark.django_db

EMAIL = "dana@acme.example"

# (role, sees the e-mail address)
ROLES = [("manager", True), ("admin", True), ("marketing", False), ("executive", False), ("sales", False)]


@pytest.fixture
def decided(users, api_as, client, acme, make_approval, django_capture_on_commit_callbacks):
    """Acme's logo approval, sent by link to Dana and approved by her through it. The sales rep
    owns the account, so they may see the approved approval."""
    acme.account_owner = users["sales"]
    acme.save(update_fields=["account_owner"])
    approval = make_approval(status="requested", customer=acme, contact=acme.contacts.get())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(users["manager"]).post(
            f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json"
        )
    assert response.status_code == 201, response.content
    url = re.search(r"http://testserver(/consent/\S+/)", mail.outbox[-1].body).group(1)
    response = client.post(url, {"name": "Dana Decider", "title": "CMO", "decision": "approve"})
    assert response.status_code == 200
    approval.refresh_from_db()
    assert approval.status == "approved"
    return approval


def test_the_address_is_kept_apart_from_the_history_text(decided):
    link_sent = decided.events.get(kind="link_sent")
    assert (link_sent.person_name, link_sent.person_email, link_sent.note) == ("Dana Decider", EMAIL, "")
    decision = decided.events.get(kind="transition", to_status="approved")
    assert (decision.actor_label, decision.person_name, decision.person_title, decision.person_email) == (
        "Customer",
        "Dana Decider",
        "CMO",
        EMAIL,
    )
    for event in decided.events.all():
        assert EMAIL not in event.note and EMAIL not in event.actor_label


@pytest.mark.parametrize(("role", "sees"), ROLES)
def test_api_history_shows_the_address_only_with_contact_data(role, sees, decided, users, api_as):
    response = api_as(users[role]).get(f"/api/v1/approvals/{decided.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    history = {event["kind"]: event for event in response.json()["history"] if event["kind"] != "transition"}
    decision = next(e for e in response.json()["history"] if e["to_status"] == "approved")
    if sees:
        assert decision["who"] == "Customer: Dana Decider, CMO <dana@acme.example>"
        assert history["link_sent"]["note"] == "To Dana Decider <dana@acme.example>"
        assert response.json()["approver_email"] == EMAIL
    else:
        assert EMAIL not in body
        assert "acme.example" not in body
        assert decision["who"] == "Customer: Dana Decider, CMO"
        assert history["link_sent"]["note"] == "To Dana Decider"
        assert response.json()["approver_email"] is None


@pytest.mark.parametrize(("role", "sees"), ROLES)
def test_page_history_shows_the_address_only_with_contact_data(role, sees, decided, users, client_as):
    response = client_as(users[role]).get(f"/approvals/{decided.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Customer: Dana Decider, CMO" in html
    assert "To Dana Decider" in html
    if sees:
        assert "Customer: Dana Decider, CMO &lt;dana@acme.example&gt;" in html
    else:
        assert EMAIL not in html
        assert "acme.example" not in html


def test_history_written_before_the_fix_stops_leaking(users, api_as, client_as, acme, make_approval):
    """Rows in the old shape (the address in the note and the label) are moved by the migration."""
    acme.account_owner = users["sales"]
    acme.save(update_fields=["account_owner"])
    approval = make_approval(
        status="approved", customer=acme, approver_name="Jane Approver", approver_title="CMO, EMEA"
    )
    now = timezone.now()
    old = [
        ApprovalEvent(approval=approval, kind="link_sent", actor=users["manager"], note=f"To Jane ({EMAIL})"),
        ApprovalEvent(approval=approval, kind="link_sent", note=f"To {EMAIL} ({EMAIL})"),
        ApprovalEvent(
            approval=approval,
            kind="transition",
            from_status="in_review",
            to_status="approved",
            actor_label=f"Customer: Jane Approver, CMO, EMEA <{EMAIL}>",
            created_at=now,
        ),
        ApprovalEvent(  # cut at 300 characters in the middle of the address
            approval=approval, kind="transition", actor_label="Customer: " + "X" * 280 + " <dana@acm"
        ),
        ApprovalEvent(approval=approval, kind="edited", note="To do: ask legal (quickly)"),
    ]
    ApprovalEvent.objects.bulk_create(old)
    migration = importlib.import_module("references.migrations.0007_approval_event_person")
    # The models as that migration saw them (then still in the references app; same tables).
    state = MigrationLoader(connection).project_state(("references", "0007_approval_event_person"))
    migration.move_emails_out_of_text(state.apps, None)

    rows = list(
        approval.events.order_by("id").values_list(
            "note", "actor_label", "person_name", "person_title", "person_email"
        )
    )
    assert rows == [
        ("", "", "Jane", "", EMAIL),
        ("", "", "", "", EMAIL),
        ("", "Customer", "Jane Approver", "CMO, EMEA", EMAIL),
        ("", "Customer", "X" * 200, "", ""),  # the name field holds 200 characters
        ("To do: ask legal (quickly)", "", "", "", ""),
    ]
    for role in ("marketing", "executive", "sales"):
        response = api_as(users[role]).get(f"/api/v1/approvals/{approval.pk}/")
        assert response.status_code == 200
        assert "dana@acm" not in response.content.decode()
        page = client_as(users[role]).get(f"/approvals/{approval.pk}/")
        assert page.status_code == 200
        assert "dana@acm" not in page.content.decode()
    body = api_as(users["manager"]).get(f"/api/v1/approvals/{approval.pk}/").content.decode()
    assert "Customer: Jane Approver, CMO, EMEA <dana@acme.example>" in body
