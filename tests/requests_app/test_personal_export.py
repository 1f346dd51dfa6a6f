"""The access export of a person's data (#18 part 4): one document of everything the program
stores about them, as JSON and as a printable page; nothing of anyone else; managers and admins
only; an erased contact exports only the placeholder; a fixed number of queries."""

import datetime as dt
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Approval
from ledger.models import Hold
from references import services as reference_services
from references.models import ContactConsent, ContactNotice, NoticeTemplate, WithdrawalLink
from requests_app.models import Candidate, CandidateFeedback
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE = "Ada Lovelace", "ada.lovelace@engines.example", "+44 20 7946 0001"
OTHER_NAME, OTHER_EMAIL = "Charles Babbage", "charles@engines.example"


def _ask(profile, request, **fields):
    return Candidate.objects.create(request=request, reference=profile, **fields)


@pytest.fixture
def ada(manager, make_request):
    """Ada at Analytical Engines: a consent, two asks (one declined with a reason and a date to
    ask again, one completed with her offered times and her feedback), a ledger entry, a hold,
    an approval naming her and a withdrawal link. Charles, at the same customer, has his own."""
    customer = CustomerFactory(name="Analytical Engines")
    contact = ContactFactory(customer=customer, name=NAME, email=EMAIL, phone=PHONE, title="Countess")
    profile = ReferenceProfileFactory(contact=contact, customer=customer, headline="Notes on the engine")
    reference_services.contact_update(contact=contact, actor=manager, title="Analyst")  # a history row
    ContactConsent.objects.create(
        contact=contact,
        scope="quote",
        method="signed_document",
        method_reference="Quote release 2026",
        text_version="quote-v3",
        given_on=date(2026, 1, 5),
        recorded_by=manager,
    )
    first = make_request(manager, prospect="Difference Ltd")
    second = make_request(manager, prospect="Jacquard Looms", activity="email")
    _ask(
        profile,
        first,
        state="declined",
        answer_reason="Busy with the Bernoulli numbers",
        ask_again_after=date(2026, 9, 1),
    )
    done = _ask(profile, second, state="completed", offered_slots=["2026-03-02T10:00:00+00:00"])
    CandidateFeedback.objects.create(
        candidate=done, side="reference", happened=True, rating=5, comment="A lovely chat about looms"
    )
    CandidateFeedback.objects.create(
        candidate=done, side="requester", happened=True, rating=4, comment="Requester's own words"
    )
    UsageEntryFactory(reference=profile, occurred_on=date(2026, 3, 2), note="Loom call")
    Hold.objects.create(
        reference=profile,
        kind="reference",
        reason="Writing her notes",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 5, 1),
    )
    Approval.objects.create(
        customer=customer,
        use="quote",
        status="approved",
        quote_text="The engine weaves algebra.",
        scope=["website"],
        expires_on=date(2027, 1, 1),
        decided_at=timezone.now(),
        person=contact,
    )
    WithdrawalLink.objects.create(
        contact=contact, token_hash="f" * 64, expires_at=timezone.now() + timedelta(days=365)
    )

    other = ContactFactory(customer=customer, name=OTHER_NAME, email=OTHER_EMAIL, title="Inventor")
    other_profile = ReferenceProfileFactory(contact=other, customer=customer, headline="Difference engine")
    ContactConsent.objects.create(
        contact=other, scope="named", method="link", text_version="named-v9", given_on=date(2026, 1, 5)
    )
    _ask(other_profile, first, state="declined", answer_reason="Charles is at sea")
    UsageEntryFactory(reference=other_profile, occurred_on=date(2026, 2, 2), note="Charles's call")
    Hold.objects.create(
        reference=other_profile,
        reason="Charles's pause",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 5, 1),
    )
    Approval.objects.create(customer=customer, use="quote", quote_text="Charles's quote", person=other)
    return contact


def test_the_export_holds_every_record_of_the_person_and_nothing_of_another(ada, api_as, manager):
    ContactNotice.objects.create(
        contact=ada,
        template=NoticeTemplate.objects.get(version=1),
        sent_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC),
        sent_via="the nightly check",
    )
    response = api_as(manager).get(f"/api/v1/contacts/{ada.pk}/export/")
    assert response.status_code == 200, response.content
    doc = response.json()

    assert doc["erased"] is False
    assert doc["contact"]["name"] == NAME
    assert doc["contact"]["email"] == EMAIL and doc["contact"]["phone"] == PHONE
    assert doc["contact"]["title"] == "Analyst"
    assert doc["customer"] == {"name": "Analytical Engines"}

    [consent] = doc["consents"]
    assert consent["scope"] == "Quote" and consent["method"] == "Signed document"
    assert consent["method_reference"] == "Quote release 2026" and consent["text_version"] == "quote-v3"
    assert consent["given_on"] == "2026-01-05" and consent["withdrawn_at"] is None

    assert [p["headline"] for p in doc["profiles"]] == ["Notes on the engine"]

    asks = {a["prospect_name"]: a for a in doc["asks"]}
    assert set(asks) == {"Difference Ltd", "Jacquard Looms"}
    declined = asks["Difference Ltd"]
    assert declined["state"] == "Declined by customer"
    assert declined["answer_reason"] == "Busy with the Bernoulli numbers"
    assert declined["ask_again_after"] == "2026-09-01"
    assert declined["activity"] == "Reference call"
    assert asks["Jacquard Looms"]["offered_slots"] == ["2026-03-02T10:00:00+00:00"]
    assert asks["Jacquard Looms"]["request_id"] != declined["request_id"]

    [feedback] = doc["feedback"]  # hers only: not the requester's side
    assert feedback["comment"] == "A lovely chat about looms" and feedback["rating"] == 5
    assert feedback["prospect_name"] == "Jacquard Looms"

    assert [(u["occurred_on"], u["note"]) for u in doc["usage"]] == [("2026-03-02", "Loom call")]
    assert [(h["reason"], h["starts_on"]) for h in doc["holds"]] == [("Writing her notes", "2026-04-01")]
    assert [a["quote_text"] for a in doc["approvals"]] == ["The engine weaves algebra."]

    [link] = doc["withdrawal_links"]
    assert set(link) == {"issued_at", "expires_at", "used_at", "withdrawn_at"}
    [notice] = doc["notices"]
    assert (notice["sent_at"], notice["text_version"], notice["sent_via"]) == (
        "2026-02-01T09:00:00+00:00",
        1,
        "the nightly check",
    )

    kinds = [(h["kind"], h["changed_fields"]) for h in doc["history"]]
    assert kinds == [("created", []), ("changed", ["title"])]
    assert set(doc["history"][1]) == {"date", "who", "kind", "changed_fields", "reason"}

    text = json.dumps(doc)
    for foreign in (OTHER_NAME, OTHER_EMAIL, "Charles", "named-v9", "Difference engine", "Inventor"):
        assert foreign not in text, foreign
    assert "f" * 64 not in text  # never a token's hash


def test_the_printable_page_shows_the_same_document(ada, client_as, manager):
    response = client_as(manager).get(f"/contacts/{ada.pk}/export/")
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        NAME,
        EMAIL,
        "Analytical Engines",
        "quote-v3",
        "Busy with the Bernoulli numbers",
        "2026-09-01",
        "A lovely chat about looms",
        "Writing her notes",
        "The engine weaves algebra.",
        "Loom call",
    ):
        assert expected in page, expected
    assert "Charles" not in page
    assert "Requester&#x27;s own words" not in page and "Requester's own words" not in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager", 200), ("admin", 200), ("sales", 403), ("marketing", 403), ("executive", 403)],
)
def test_who_may_export(ada, api_as, client_as, users, role, expected):
    assert api_as(users[role]).get(f"/api/v1/contacts/{ada.pk}/export/").status_code == expected
    assert client_as(users[role]).get(f"/contacts/{ada.pk}/export/").status_code == expected


def test_an_unknown_contact_is_404_and_anonymous_is_refused(ada, api_as, client_as, manager):
    assert api_as(manager).get("/api/v1/contacts/999999/export/").status_code == 404
    assert client_as(manager).get("/contacts/999999/export/").status_code == 404
    assert api_as(None).get(f"/api/v1/contacts/{ada.pk}/export/").status_code in (401, 403)
    assert client_as(None).get(f"/contacts/{ada.pk}/export/").status_code == 302


def test_an_erased_contact_exports_only_the_placeholder(ada, api_as, client_as, manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    reference_services.contact_erase(contact=ada, reason="She asked.", by=manager)
    doc = api_as(manager).get(f"/api/v1/contacts/{ada.pk}/export/").json()
    assert doc["erased"] is True
    assert doc["contact"]["name"] == f"Erased contact #{ada.pk}"
    assert doc["customer"] is None
    for section in ("consents", "asks", "feedback", "usage", "holds", "approvals", "history"):
        assert doc[section] == [], section
    text = json.dumps(doc)
    for needle in (NAME, EMAIL, PHONE, "Bernoulli", "Analyst"):
        assert needle not in text
    page = client_as(manager).get(f"/contacts/{ada.pk}/export/").content.decode()
    assert f"Erased contact #{ada.pk}" in page and EMAIL not in page


def _count_queries(api, contact_id) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(f"/api/v1/contacts/{contact_id}/export/").status_code == 200
    return len(ctx.captured_queries)


def test_the_export_costs_a_fixed_number_of_queries(ada, api_as, manager, make_request):
    api = api_as(manager)
    profile = ada.profiles.get()
    few = _count_queries(api, ada.pk)
    for n in range(6):
        request = make_request(manager, prospect=f"Prospect {n}")
        ask = _ask(profile, request, state="completed")
        CandidateFeedback.objects.create(candidate=ask, side="reference", happened=True)
        UsageEntryFactory(reference=profile, occurred_on=date(2026, 5, 1 + n))
    many = _count_queries(api, ada.pk)
    assert len(api.get(f"/api/v1/contacts/{ada.pk}/export/").json()["asks"]) == 8
    # The contact with its customer, its languages, then one query per section (consents,
    # profiles, asks, feedback, usage, holds, approvals, withdrawal links, notices, history): 12 at
    # any size.
    assert (few, many) == (12, 12)
