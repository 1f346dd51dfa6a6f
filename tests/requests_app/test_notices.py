"""The Art. 14 notice (#18 part 6): people whose details came from a CSV import or the CRM are sent
the notice once each, with their private withdrawal link (which works); never erased people or
those who left; a person without an e-mail is reported, not an error; editing the text adds a
version and each record names the version sent."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ledger.models import OverusePolicy
from references.imports.columns import CHANGE_REASON
from references.models import Contact, ContactNotice, NoticeTemplate
from references.services import contact_erase
from references.services.notices import notice_send, notices_due
from refprogram import nightly
from refprogram.errors import RuleViolation
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _imported(**fields) -> Contact:
    """A contact as the CSV import creates it: its first history row says "CSV import"."""
    contact = ContactFactory(**fields)
    Contact.history.filter(id=contact.pk, history_type="+").update(history_change_reason=CHANGE_REASON)
    return contact


@pytest.fixture
def arrivals(db, manager):
    customer = CustomerFactory(name="Acme Freight")
    imported = _imported(customer=customer, name="Ivy Import", email="ivy@acme.example")
    from_crm = ContactFactory(customer=customer, name="Cal Crm", email="cal@acme.example", crm_id="003XYZ")
    no_email = _imported(customer=customer, name="Nora Noemail", email="")
    by_hand = ContactFactory(customer=customer, name="Hal Hand", email="hal@acme.example")
    erased = _imported(customer=customer, name="Erin Erased", email="erin@acme.example", phone="+1 555 0101")
    contact_erase(contact=erased, reason="She asked", by=manager)
    left = _imported(
        customer=customer, name="Lee Left", email="lee@acme.example", left_program_at=timezone.now()
    )
    return {
        "imported": imported,
        "crm": from_crm,
        "no_email": no_email,
        "by_hand": by_hand,
        "erased": erased,
        "left": left,
    }


def test_who_is_due_the_notice(arrivals):
    assert set(notices_due().values_list("name", flat=True)) == {"Ivy Import", "Cal Crm", "Nora Noemail"}


def test_managers_send_the_notices_once_each(
    arrivals, client_as, manager, django_capture_on_commit_callbacks
):
    browser = client_as(manager)
    page = browser.get("/contacts/notices/").content.decode()
    assert "Ivy Import" in page and "Cal Crm" in page and "Hal Hand" not in page and "Lee Left" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/contacts/notices/", follow=True)

    assert "Notice sent to 2 contacts. 1 without an e-mail address" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["cal@acme.example", "ivy@acme.example"]
    ivy_mail = next(m for m in mail.outbox if m.to == ["ivy@acme.example"])
    assert ivy_mail.subject == "How we use your details in our customer reference program"
    assert "Hello Ivy Import," in ivy_mail.body
    assert "Acme Freight" in ivy_mail.body
    assert "no valid consent from you for 24 months" in ivy_mail.body and "30 days later" in ivy_mail.body
    assert "Art. 17" in ivy_mail.body and "Art. 6(1)(f)" in ivy_mail.body
    record = ContactNotice.objects.get(contact=arrivals["imported"])
    assert (record.template.version, record.sent_by, record.sent_via) == (1, manager, "notices page")

    # Once per person: a second press sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = browser.post("/contacts/notices/", follow=True)
    assert "Notice sent to 0 contacts. 1 without an e-mail address" in again.content.decode()
    assert len(mail.outbox) == 2
    with pytest.raises(RuleViolation) as refused:
        notice_send(contact=arrivals["imported"], by=manager, via="test")
    assert refused.value.code == "notice_already_sent"
    assert ContactNotice.objects.count() == 2


def test_the_link_in_the_notice_works(arrivals, client, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(contact=arrivals["imported"], by=manager, via="test", base_url="http://testserver")
    link = re.search(r"http://testserver(/withdraw/[^\s]+/)", mail.outbox[0].body).group(1)

    page = client.get(link)
    assert page.status_code == 200
    assert "Acme Freight" in page.content.decode()
    left = client.post(link, {"leave_program": "on"})
    assert left.status_code == 200
    assert Contact.objects.get(pk=arrivals["imported"].pk).left_program_at is not None


def test_never_to_erased_or_withdrawn_people_and_none_without_an_e_mail(arrivals, manager, api_as):
    client = api_as(manager)
    for key, code in (("erased", "already_erased"), ("left", "consent_withdrawn"), ("no_email", "no_email")):
        response = client.post(f"/api/v1/contacts/{arrivals[key].pk}/notice/")
        assert response.status_code == 409, key
        assert response.json()["code"] == code
    assert ContactNotice.objects.count() == 0
    assert mail.outbox == []


def test_the_notice_in_the_api(arrivals, manager, users, api_as, django_capture_on_commit_callbacks):
    client = api_as(manager)
    url = f"/api/v1/contacts/{arrivals['crm'].pk}/notice/"
    before = client.get(url)
    assert before.status_code == 200
    assert before.json() == {
        "contact": arrivals["crm"].pk,
        "sent": False,
        "sent_at": None,
        "template_version": None,
        "sent_by": None,
        "sent_via": None,
        "due": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["sent"], body["template_version"], body["sent_by"], body["sent_via"], body["due"]) == (
        True,
        1,
        "manager1",
        "API",
        False,
    )
    assert mail.outbox[0].to == ["cal@acme.example"] and "/withdraw/" in mail.outbox[0].body
    again = client.post(url)
    assert (again.status_code, again.json()["code"]) == (409, "notice_already_sent")
    assert client.get(f"/api/v1/contacts/{arrivals['by_hand'].pk}/notice/").json()["due"] is False
    assert api_as(users["marketing"]).get(url).status_code == 403
    assert api_as(users["executive"]).post(url).status_code == 403


def test_editing_the_notice_adds_a_version(arrivals, client_as, manager, django_capture_on_commit_callbacks):
    browser = client_as(manager)
    form = {
        "subject": "About your details, {name}",
        "body": (
            "Dear {name} of {company}.\n{purpose}\n{legal_basis}\n{retention}\n{rights}\n"
            "Leave: {withdrawal_link}"
        ),
        "purpose": "References.",
        "legal_basis": "Legitimate interest.",
        "rights": "Access, erasure.",
    }
    assert browser.get("/contacts/notices/template/").status_code == 200
    unknown = browser.post("/contacts/notices/template/", {**form, "body": "Hi {nmae} {withdrawal_link}"})
    assert unknown.status_code == 400 and "Unknown placeholder {nmae}" in unknown.content.decode()
    no_link = browser.post("/contacts/notices/template/", {**form, "body": "Hi {name}"})
    assert no_link.status_code == 400
    assert NoticeTemplate.objects.count() == 1  # the shipped default (migration 0016)

    saved = browser.post("/contacts/notices/template/", form)
    assert saved.status_code == 302
    assert list(NoticeTemplate.objects.values_list("version", flat=True)) == [2, 1]
    assert NoticeTemplate.objects.get(version=2).created_by == manager
    browser.post("/contacts/notices/template/", form)  # the same text again: no new version
    assert NoticeTemplate.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        notice_send(contact=arrivals["imported"], by=manager, via="test")
    assert mail.outbox[0].subject == "About your details, Ivy Import"
    assert mail.outbox[0].body.startswith("Dear Ivy Import of Acme Freight.\nReferences.")
    assert ContactNotice.objects.get().template.version == 2
    assert NoticeTemplate.objects.get(version=1).body.startswith("Hello {name},")  # the old one stays


def test_the_nightly_check_sends_them_when_the_policy_says_so(
    arrivals, manager, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    assert nightly.run_all(today=today, only=["art14_notices"]) == {"art14_notices": {"notices_sent": 0}}
    OverusePolicy.objects.filter(pk=OverusePolicy.current().pk).update(notice_auto_send=True)
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = nightly.run_all(today=today, only=["art14_notices"])
    assert first == {"art14_notices": {"notices_sent": 2}}
    assert ContactNotice.objects.filter(sent_by=None, sent_via="nightly check").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        second = nightly.run_all(today=today + timedelta(days=1), only=["art14_notices"])
    assert second == {"art14_notices": {"notices_sent": 0}}
    assert len(mail.outbox) == 2


def test_the_notices_page_for_managers_only_with_pinned_queries(
    arrivals, client_as, manager, users, django_assert_num_queries
):
    browser = client_as(manager)
    browser.get("/contacts/notices/")  # warm the session
    with django_assert_num_queries(8):
        browser.get("/contacts/notices/")
    for index in range(3):
        _imported(customer=arrivals["crm"].customer, name=f"More {index}")
    with django_assert_num_queries(8):
        response = browser.get("/contacts/notices/")
    assert "More 2" in response.content.decode()
    assert client_as(users["sales"]).get("/contacts/notices/").status_code == 403
    assert client_as(users["executive"]).get("/contacts/notices/template/").status_code == 403
