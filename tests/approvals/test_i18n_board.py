"""The approvals board says who acts next in the reader's language (#19), and the approvals API
refuses in it; the refusal's code stays the same."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _rows(html: str, section: str) -> list[str]:
    start = html.index(f'id="{section}"')
    block = html[start : html.index("</section>", start)]
    rows = re.findall(r'<tr data-approval="\d+">(.*?)</tr>', block, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_a_german_reader_sees_who_acts_next_in_german(users, client_as, make_approval):
    marketing = users["marketing"]
    marketing.language = "de"
    marketing.save(update_fields=["language"])
    alpha = CustomerFactory(name="Alpha")
    dana = ContactFactory(customer=alpha, name="Dana Decider")
    to_send = make_approval(status="requested", use="logo", customer=alpha, contact=dana)
    to_send.created_at = timezone.now() - timedelta(days=2, minutes=5)
    to_send.save()
    make_approval(status="approved", use="case_study", customer=alpha, days=1)

    html = client_as(marketing).get("/approvals/").content.decode()

    waiting = _rows(html, "approvals-waiting")
    assert len(waiting) == 1
    assert waiting[0].endswith(
        "Referenzmanager : den Einwilligungslink an Dana Decider senden (angefragt vor 2 Tagen)"
    )
    ending = _rows(html, "approvals-ending")
    assert len(ending) == 1
    assert "Marketing : eine Verlängerung anfragen: Diese Freigabe endet morgen (" in ending[0]


def test_the_approvals_api_refuses_in_the_callers_language(users, make_approval):
    marketing = users["marketing"]
    marketing.language = "fr"
    marketing.save(update_fields=["language"])
    _, key = AuthToken.objects.create(marketing)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    approval = make_approval(status="approved", use="logo", scope=["website"])
    response = client.patch(f"/api/v1/approvals/{approval.pk}/", {"notes": "ok"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cette approbation est approuvée ; seules les demandes ouvertes peuvent être modifiées.",
        "code": "approval_locked",
    }
