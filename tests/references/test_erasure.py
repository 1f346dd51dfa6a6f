"""Erasure on request (#18 part 3): the person's e-mail, name and phone appear nowhere in any text
column of the database afterwards, the files of approvals naming them are gone from storage, and
the program's counts for the period do not move."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from approvals.models import Approval
from ledger.models import UsageEntry
from references import services
from references.models import ActivityType, Contact, ContactConsent
from refprogram.errors import RuleViolation
from requests_app import services as request_services
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Grace Hopper", "grace.hopper@navy.example", "+1 202 555 0199"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def grace(db, manager):
    """Grace at Navy Corp: a reference with two done calls, a consent, a quote approval naming
    her with its signed document, and her name in the profile's story and the approval's notes."""
    customer = CustomerFactory(name="Navy Corp")
    contact = ContactFactory(customer=customer, name=NAME, email=EMAIL, phone=PHONE, title="Rear Admiral")
    profile = ReferenceProfileFactory(
        contact=contact, story=f"{NAME} moved 40 sites in a year; call {PHONE} or {EMAIL}."
    )
    services.contact_update(contact=contact, actor=manager, title="Commodore")  # a history row
    ContactConsent.objects.create(
        contact=contact, scope="quote", method="link", text_version="v1", given_on=timezone.localdate()
    )
    approval = Approval.objects.create(
        customer=customer,
        use="quote",
        status="approved",
        scope=["website"],
        quote_text=f"It just works. — {NAME}",
        notes=f"Agreed with {NAME} by phone ({PHONE}).",
        expires_on=timezone.localdate() + timedelta(days=90),
        approver_name=NAME,
        approver_email=EMAIL,
        decided_at=timezone.now(),
        person=contact,
    )
    approval.document.save("signed.pdf", ContentFile(b"%PDF-1.4 signed by Grace"), save=True)
    march = timezone.localdate().replace(day=1) - timedelta(days=40)
    for days in (0, 3):
        UsageEntryFactory(reference=profile, occurred_on=march + timedelta(days=days))
    return profile


def _everywhere(needle: str) -> list[str]:
    """Every ``table.column`` of a text, varchar or jsonb type whose value contains ``needle``."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', ["%" + needle + "%"]
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def test_erasure_leaves_no_trace_of_the_person_and_keeps_the_counts(grace, api_as, manager, users):
    summary = api_as(users["executive"]).get("/api/v1/metrics/summary/").json()
    document = Approval.objects.get().document
    assert document.storage.exists(document.name)
    assert _everywhere(NAME) and _everywhere(EMAIL) and _everywhere(PHONE)  # the test can fail

    response = api_as(manager).post(
        f"/api/v1/contacts/{grace.contact.pk}/erase/", {"reason": "She asked on 3 March."}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    placeholder = f"Erased contact #{grace.contact.pk}"
    assert body["name"] == placeholder
    assert body["title"] == ""
    assert body["email"] == "" and body["phone"] == ""

    for needle in (NAME, EMAIL, PHONE, "Commodore", "Rear Admiral"):
        assert _everywhere(needle) == [], needle
    assert not document.storage.exists(document.name)
    approval = Approval.objects.get()
    assert approval.status == "revoked"
    assert approval.document.name == ""
    assert approval.quote_text == f"It just works. — {placeholder}"
    # The ledger keeps its entries, and the program's numbers do not move.
    assert UsageEntry.objects.filter(reference=grace, customer=grace.customer, status="done").count() == 2
    after = api_as(users["executive"]).get("/api/v1/metrics/summary/").json()
    # What changes is what should: her quote approval is revoked, she is no longer available (the
    # heat map and supply vs demand) and the most-used list names the placeholder, with the same counts.
    assert summary["approvals"]["approved"] == 1 and after["approvals"]["approved"] == 0
    assert [{**row, "contact": ""} for row in after.pop("most_used")] == [
        {**row, "contact": ""} for row in summary.pop("most_used")
    ]
    for moved in ("approvals", "heatmap", "supply_demand"):  # supply: who is available now
        after.pop(moved), summary.pop(moved)
    assert after == summary
    # Audited: the history says who erased and why (in words that no longer name her).
    erased = Contact.history.filter(id=grace.contact.pk).latest("history_date")
    assert erased.history_change_reason == "Erased: She asked on 3 March."
    assert erased.history_user == manager
    # Irreversible and once; never proposed again.
    again = api_as(manager).post(
        f"/api/v1/contacts/{grace.contact.pk}/erase/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_erased"


def test_erasure_needs_a_reason_and_a_manager(grace, api_as, users):
    url = f"/api/v1/contacts/{grace.contact.pk}/erase/"
    assert api_as(users["manager"]).post(url, {"reason": ""}, format="json").status_code == 400
    assert api_as(users["marketing"]).post(url, {"reason": "asked"}, format="json").status_code == 403
    assert api_as(users["sales"]).post(url, {"reason": "asked"}, format="json").status_code == 403
    assert Contact.objects.get(pk=grace.contact.pk).name == NAME


def test_an_erased_contact_cannot_be_proposed(grace, manager, sales):
    services.contact_erase(contact=grace.contact, reason="asked", by=manager)
    request, _ = request_services.request_submit(
        requester=sales,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Globex",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    with pytest.raises(RuleViolation) as refused:
        request_services.candidate_propose(request=request, reference=grace, actor=manager)
    assert refused.value.code == "consent_withdrawn"


def test_the_erase_page_is_confirmed_by_typing_the_name(grace, client_as, manager):
    client = client_as(manager)
    url = f"/contacts/{grace.contact.pk}/erase/"
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"reason": "asked", "confirm_name": "Grace"})
    assert wrong.status_code == 400
    assert "Type the name exactly as shown" in wrong.content.decode()
    assert Contact.objects.get(pk=grace.contact.pk).erased_at is None
    done = client.post(url, {"reason": "asked", "confirm_name": NAME}, follow=True)
    assert done.status_code == 200
    assert f"Erased contact #{grace.contact.pk}" in done.content.decode()
    assert Contact.objects.get(pk=grace.contact.pk).erased_at is not None


def test_a_number_or_name_another_person_shares_is_not_taken_from_them(manager):
    """A switchboard number two contacts share, and a namesake at another customer: erasing one
    person leaves the other's number and name alone, and a second erasure does not touch the first
    one's placeholder."""
    customer = CustomerFactory(name="Harbour Ltd")
    switchboard = "+44 20 7946 0000"
    ada = ContactFactory(customer=customer, name="Ada King", email="ada@harbour.example", phone=switchboard)
    ben = ContactFactory(customer=customer, name="Ben Ames", email="ben@harbour.example", phone=switchboard)
    namesake = ContactFactory(name="Ada King", email="ada.king@elsewhere.example", phone="+1 555 0100")

    services.contact_erase(contact=ada, reason="Asked on 3 March", by=manager)
    ben.refresh_from_db()
    namesake.refresh_from_db()
    assert (ben.phone, ben.name) == ("+44 20 7946 0000", "Ben Ames")
    assert (namesake.name, namesake.email) == ("Ada King", "ada.king@elsewhere.example")

    services.contact_erase(contact=ben, reason="Asked on 4 March", by=manager)
    ada.refresh_from_db()
    ben.refresh_from_db()
    assert ada.name == f"Erased contact #{ada.pk}"
    assert (ben.name, ben.phone) == (f"Erased contact #{ben.pk}", "")
