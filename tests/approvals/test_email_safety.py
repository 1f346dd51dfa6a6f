"""Approval e-mails go out only after the change is committed, and a line break stored in a
customer's name never breaks one: the subject is always a single line."""

from datetime import timedelta

import pytest
from django.core import mail

from approvals.checks import approvals_expire
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_name(db):
    customer = CustomerFactory(name="Acme\r\nBcc: everyone@evil.example")
    ContactFactory(customer=customer, name="Dana Decider", email="dana@acme.example")
    return customer


def test_sending_a_link_for_a_name_with_a_line_break_does_not_fail(
    broken_name, users, api_as, make_approval, django_capture_on_commit_callbacks
):
    approval = make_approval(status="requested", customer=broken_name, contact=broken_name.contacts.get())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(users["manager"]).post(
            f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json"
        )
    assert response.status_code == 201, response.content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your approval is requested: Logo for Acme Bcc: everyone@evil.example"
    assert message.to == ["dana@acme.example"]
    assert message.bcc == []
    rendered = message.message()  # what the mail server would get: headers validated
    assert rendered["Subject"] == "Your approval is requested: Logo for Acme Bcc: everyone@evil.example"
    assert rendered["Bcc"] is None
    approval.refresh_from_db()
    assert approval.status == "in_review"


def test_the_page_sends_the_link_for_such_a_name_too(
    broken_name, users, client_as, make_approval, django_capture_on_commit_callbacks
):
    approval = make_approval(status="requested", customer=broken_name, contact=broken_name.contacts.get())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(users["manager"]).post(
            f"/approvals/{approval.pk}/send-link/", {"contact": broken_name.contacts.get().pk}
        )
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == [
        "Your approval is requested: Logo for Acme Bcc: everyone@evil.example"
    ]


def test_the_link_is_mailed_only_after_the_commit(
    acme, users, api_as, make_approval, django_capture_on_commit_callbacks
):
    approval = make_approval(status="requested", customer=acme, contact=acme.contacts.get())
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = api_as(users["manager"]).post(
            f"/api/v1/approvals/{approval.pk}/send-link/", {}, format="json"
        )
        assert response.status_code == 201
    assert mail.outbox == []
    assert len(pending) == 1
    pending[0]()
    assert [m.to for m in mail.outbox] == [["dana@acme.example"]]


def test_the_expiry_warning_for_such_a_name_has_a_one_line_subject(
    broken_name, users, make_approval, today, django_capture_on_commit_callbacks
):
    make_approval(status="approved", customer=broken_name, days=10)
    with django_capture_on_commit_callbacks(execute=True):
        result = approvals_expire(today)
    assert result["expiry_warnings"] == 1
    subjects = {m.subject for m in mail.outbox}
    ends = (today + timedelta(days=10)).strftime("%d %b %Y")
    assert subjects == {f"Acme Bcc: everyone@evil.example: logo approval expires on {ends}"}
