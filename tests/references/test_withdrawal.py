"""Withdrawal as easy as giving (#18 part 2): every e-mail to a reference contact carries a private
link to a small page where they withdraw any consent or leave the program, without logging in; the
withdrawal cascades at once to the approvals that name them, the content library, their open asks
and matching (409 ``consent_withdrawn``)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from approvals.models import Approval, ApprovalEvent
from approvals.selectors import library_assets
from ledger import capacity
from ledger.models import OverusePolicy
from references import services as reference_services
from references.models import ActivityType, ContactConsent, ReferenceProfile, WithdrawalLink
from requests_app import services
from requests_app.models import Candidate
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ada(db):
    """Ada at Nordbank: an active reference for calls and quotes, with a signed consent to be
    named and quoted, and the company's approval of her quote."""
    customer = CustomerFactory(name="Nordbank")
    contact = ContactFactory(customer=customer, name="Ada Lovelace", email="ada@nordbank.example")
    profile = ReferenceProfileFactory(contact=contact, activity_types=["call", "quote"])
    today = timezone.localdate()
    for scope in ("named", "quote", "speaking"):
        ContactConsent.objects.create(
            contact=contact,
            scope=scope,
            method="signed_document",
            method_reference="ada-consent.pdf",
            text_version="v1",
            given_on=today - timedelta(days=30),
        )
    Approval.objects.create(
        customer=customer,
        use="quote",
        status="approved",
        scope=["website", "press", "sales_deck", "analyst", "event", "social"],
        quote_text="Nordbank answers customers twice as fast.",
        expires_on=today + timedelta(days=200),
        approver_name="Nordbank CMO",
        decided_at=timezone.now(),
        person=contact,
    )
    return profile


def _request(requester, activity, manager):
    data = {
        "activity_type": ActivityType.objects.get(code=activity),
        "prospect_name": "Globex Corp",
        "needed_by": timezone.now() + timedelta(days=30),
        "references_needed": 1,
        "criteria": {"must": [], "nice": []},
    }
    request, _ = services.request_submit(requester=requester, data=data)
    request.assignee = manager
    request.save(update_fields=["assignee"])
    return request


def _ask(profile, request, manager, capture):
    """Propose and ask: the ask e-mail goes to the reference; returns it and the candidate."""
    candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
    services.candidate_transition(candidate=candidate, to="owner_approved", actor=manager, note="By phone")
    mail.outbox.clear()
    with capture(execute=True):
        services.candidate_transition(
            candidate=candidate, to="asked", actor=manager, base_url="http://testserver"
        )
    sent = [m for m in mail.outbox if m.to == ["ada@nordbank.example"]]
    assert len(sent) == 1
    return Candidate.objects.get(pk=candidate.pk), sent[0]


def _withdraw_path(message) -> str:
    return re.search(r"http://testserver(/withdraw/\S+/)", message.body).group(1)


def test_the_ask_email_carries_the_withdrawal_link_and_its_page_needs_no_log_in(
    ada, manager, sales, django_capture_on_commit_callbacks
):
    request = _request(sales, "call", manager)
    _candidate, message = _ask(ada, request, manager, django_capture_on_commit_callbacks)
    assert "To withdraw any consent you gave us, or to leave the reference program" in message.body
    path = _withdraw_path(message)
    page = Client().get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hello Ada Lovelace" in html
    assert "Named with title, Quote, Speaking at events" in html  # what she consented to
    assert "Globex Corp" not in html  # nothing of anyone else
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert WithdrawalLink.objects.filter(contact=ada.contact).count() == 1  # only its hash is stored
    assert path.split("/")[2] not in WithdrawalLink.objects.get().token_hash


def test_leaving_the_program_cascades_at_once(ada, manager, sales, django_capture_on_commit_callbacks):
    request = _request(sales, "call", manager)
    candidate, message = _ask(ada, request, manager, django_capture_on_commit_callbacks)
    quote = Approval.objects.get(use="quote")
    on = timezone.localdate()
    assert list(library_assets(Approval.objects.all(), status_given=False, on=on)) == [quote]
    path = _withdraw_path(message)

    done = Client().post(path, {"leave_program": "on"})
    assert done.status_code == 200
    assert "You have left the reference program" in done.content.decode()

    # Every consent ended, and she is recorded as having left.
    ada.contact.refresh_from_db()
    assert ada.contact.left_program_at is not None
    assert not ContactConsent.objects.filter(withdrawn_at__isnull=True).exists()
    assert set(ContactConsent.objects.values_list("withdrawn_via", flat=True)) == {"their private link"}
    # The approval that names her is revoked, with "withdrawn on …" in its history.
    quote.refresh_from_db()
    assert quote.status == "revoked"
    event = ApprovalEvent.objects.filter(approval=quote).latest("pk")
    assert event.to_status == "revoked"
    assert event.note.startswith(f"Withdrawn on {timezone.localdate():%d %b %Y}")
    # The content library no longer offers the quote.
    assert list(library_assets(Approval.objects.all(), status_given=False, on=on)) == []
    # Her open ask is withdrawn, and the manager and the requester are told.
    candidate.refresh_from_db()
    assert candidate.state == "withdrawn"
    told = set(
        Notification.objects.filter(key__startswith=f"candidate:{candidate.pk}:withdrawn").values_list(
            "user__username", flat=True
        )
    )
    assert {manager.username, sales.username} <= told
    # Matching: she can no longer be proposed, for anything.
    again = _request(sales, "call", manager)
    response = Client()
    response.force_login(manager)
    answer = response.post(
        f"/api/v1/requests/{again.pk}/candidates/", {"reference": ada.pk}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "consent_withdrawn"
    # The link decided once.
    assert Client().post(path, {"leave_program": "on"}).status_code == 410


def test_withdrawing_the_quote_only_ends_what_needs_it(
    ada, manager, sales, django_capture_on_commit_callbacks
):
    call = _request(sales, "call", manager)
    candidate, message = _ask(ada, call, manager, django_capture_on_commit_callbacks)
    response = Client().post(_withdraw_path(message), {"scopes": ["quote"]})
    assert response.status_code == 200
    assert "Your consent is withdrawn" in response.content.decode()

    assert Approval.objects.get(use="quote").status == "revoked"
    assert set(ContactConsent.objects.filter(withdrawn_at__isnull=True).values_list("scope", flat=True)) == {
        "named",
        "speaking",
    }
    # A call needs no quote: the ask stands and she is still proposable for calls…
    assert Candidate.objects.get(pk=candidate.pk).state == "asked"
    ada.contact.refresh_from_db()
    assert ada.contact.left_program_at is None
    call_type = ActivityType.objects.get(code="call")
    policy, today = OverusePolicy.current(), timezone.localdate()
    columns = capacity.columns_for([ada.pk], today=today, policy=policy, activity_type=call_type)[ada.pk]
    assert "consent_withdrawn" not in capacity.verdict(columns, policy=policy).reasons
    # …but not for a quote: 409 consent_withdrawn, before the missing approval.
    quote_request = _request(sales, "quote", manager)
    client = Client()
    client.force_login(manager)
    answer = client.post(
        f"/api/v1/requests/{quote_request.pk}/candidates/",
        {"reference": ada.pk},
        content_type="application/json",
    )
    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "Ada Lovelace withdrew their consent (quote).",
        "code": "consent_withdrawn",
    }


def test_a_withdrawal_of_a_quote_withdraws_an_open_quote_ask(ada, manager, sales):
    request = _request(sales, "quote", manager)
    candidate = services.candidate_propose(request=request, reference=ada, actor=manager)
    withdrawal = reference_services.consent_withdraw(
        contact=ada.contact, scopes=["quote"], via="recorded by Mia"
    )
    assert withdrawal.effects == {
        "approvals_revoked": 1,
        "approval_requests_declined": 0,
        "asks_withdrawn": 1,
    }
    assert Candidate.objects.get(pk=candidate.pk).state == "withdrawn"


def test_the_withdrawal_page_refuses_what_it_cannot_use(ada):
    assert Client().get("/withdraw/not-a-token/").status_code == 404
    issued = reference_services.withdrawal_link_issue(contact=ada.contact)
    empty = Client().post(f"/withdraw/{issued.token}/", {})
    assert empty.status_code == 400
    assert "Tick at least one consent to withdraw, or leave the program." in empty.content.decode()
    assert not ContactConsent.objects.filter(withdrawn_at__isnull=False).exists()
    WithdrawalLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(f"/withdraw/{issued.token}/").status_code == 410


def test_a_manager_records_a_withdrawal_asked_for_by_phone(client_as, ada, manager):
    page = client_as(manager).post(
        f"/contacts/{ada.contact.pk}/consents/", {"action": "withdraw", "scopes": ["speaking"]}, follow=True
    )
    assert page.status_code == 200
    assert "withdrawal is recorded" in page.content.decode()
    speaking = ContactConsent.objects.get(scope="speaking")
    assert speaking.withdrawn_via == "recorded by manager1"
    assert Approval.objects.get(use="quote").status == "approved"  # a quote needs no speaking consent


def test_capacity_gives_consent_withdrawn_in_sql_and_python_alike(ada):
    """The one definition of availability: a person who left is askable for nothing, no date frees
    them, and the SQL filter and the Python verdict agree."""
    other = ReferenceProfileFactory(activity_types=["call"])
    policy, today = OverusePolicy.current(), timezone.localdate()
    reference_services.consent_withdraw(contact=ada.contact, leave_program=True, via="recorded by Mia")
    rows = {p.pk: p for p in capacity.annotate(ReferenceProfile.objects.all(), today=today, policy=policy)}
    assert capacity.verdict(rows[ada.pk], policy=policy) == capacity.Verdict(
        False, ("consent_withdrawn",), None
    )
    assert capacity.verdict(rows[other.pk], policy=policy).askable is True
    askable = set(
        capacity.available(ReferenceProfile.objects.all(), today=today, policy=policy).values_list(
            "pk", flat=True
        )
    )
    assert askable == {other.pk}
    call = ActivityType.objects.get(code="call")
    batch = capacity.columns_for([ada.pk, other.pk], today=today, policy=policy, activity_type=call)
    assert capacity.verdict(batch[ada.pk], policy=policy).reasons == ("consent_withdrawn",)
    assert capacity.verdict(batch[other.pk], policy=policy).askable is True
    assert ada.capacity(today=today, policy=policy)["available"] is False
    # Recording a new consent for someone who left is refused: they must come back first.
    with pytest.raises(ValidationError, match="left the reference program"):
        reference_services.consent_record(
            contact=ada.contact,
            scope="named",
            method="link",
            text_version="v2",
            given_on=today,
            by=UserFactory(),
        )
