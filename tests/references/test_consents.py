"""A person's consent records (#18 part 1): recorded through the API and the consent box, refused
with field errors when incomplete, and checked by the public-use approval where a use names or
shows the person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import Approval
from approvals.services import approvals_missing_for_activity
from references.models import ContactConsent
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def dana(db):
    customer = CustomerFactory(name="Acme Corp")
    return ContactFactory(customer=customer, name="Dana Quoted", email="dana@acme.example")


def _consent(contact, scope, *, days_ago=10, expires_in=None, withdrawn=False):
    today = timezone.localdate()
    return ContactConsent.objects.create(
        contact=contact,
        scope=scope,
        method="signed_document",
        method_reference="consent-form-2026.pdf",
        text_version="v3 (2026-01)",
        given_on=today - timedelta(days=days_ago),
        expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def test_manager_records_a_consent_and_reads_it_back(api_as, users, dana):
    manager = users["manager"]
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    today = timezone.localdate()
    response = api_as(manager).post(
        f"/api/v1/contacts/{dana.pk}/consents/",
        {
            "scope": "quote",
            "method": "contract_clause",
            "method_reference": "MSA 2025 §12.3",
            "text_version": "Quote consent v2",
            "given_on": (today - timedelta(days=3)).isoformat(),
            "expires_on": (today + timedelta(days=365)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == "quote"
    assert body["method"] == "contract_clause"
    assert body["method_reference"] == "MSA 2025 §12.3"
    assert body["text_version"] == "Quote consent v2"
    assert body["recorded_by"] == manager.pk
    assert body["recorded_by_name"] == "Mia Manager"
    assert body["state"] == "valid"
    assert body["withdrawn_at"] is None

    listed = api_as(users["marketing"]).get(f"/api/v1/contacts/{dana.pk}/consents/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert [c["scope"] for c in listed.json()["results"]] == ["quote"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"method": "contract_clause", "method_reference": ""}, "method_reference"),
        ({"text_version": ""}, "text_version"),
        ({"scope": "logo"}, "scope"),  # the logo is the company's: an approval, not a person's consent
        ({"given_on": "2999-01-01"}, "given_on"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"surprise": "x"}, "surprise"),
    ],
)
def test_incomplete_consent_is_a_400_naming_the_field(api_as, manager, dana, change, field):
    data = {
        "scope": "named",
        "method": "signed_document",
        "method_reference": "form.pdf",
        "text_version": "v1",
        "given_on": "2026-01-05",
    }
    data.update(change)
    response = api_as(manager).post(f"/api/v1/contacts/{dana.pk}/consents/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ContactConsent.objects.exists()


@pytest.mark.parametrize(
    "role, get, post", [("sales", 403, 403), ("marketing", 200, 403), ("admin", 200, 201)]
)
def test_who_reads_and_records_consents(api_as, users, dana, role, get, post):
    client = api_as(users[role])
    assert client.get(f"/api/v1/contacts/{dana.pk}/consents/").status_code == get
    data = {"scope": "named", "method": "link", "text_version": "v1", "given_on": "2026-01-05"}
    assert client.post(f"/api/v1/contacts/{dana.pk}/consents/", data, format="json").status_code == post


def test_consent_box_on_the_profile_page_and_the_consent_page(client_as, manager, dana):
    profile = ReferenceProfileFactory(contact=dana, customer=dana.customer)
    _consent(dana, "photo_video", days_ago=400, expires_in=-5)
    client = client_as(manager)
    page = client.get(f"/references/{profile.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="consent-box"' in html
    assert "Photo or video" in html and "Expired" in html

    url = f"/contacts/{dana.pk}/consents/"
    bad = client.post(
        url, {"scope": "quote", "method": "contract_clause", "text_version": "v1", "given_on": "2026-01-05"}
    )
    assert bad.status_code == 400
    assert "Name the contract and clause" in bad.content.decode()
    good = client.post(
        url,
        {"scope": "quote", "method": "link", "text_version": "Quote text v1", "given_on": "2026-01-05"},
        follow=True,
    )
    assert good.status_code == 200
    assert "consent is recorded" in good.content.decode()
    assert "Quote text v1" in good.content.decode()  # listed in the records on the page
    consent = ContactConsent.objects.get(scope="quote")
    assert (consent.method, consent.text_version, consent.recorded_by) == ("link", "Quote text v1", manager)


def test_marketing_reads_the_consent_page_but_cannot_record(client_as, users, dana):
    client = client_as(users["marketing"])
    url = f"/contacts/{dana.pk}/consents/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="consent-form"' not in page.content.decode()
    data = {"scope": "quote", "method": "link", "text_version": "v1", "given_on": "2026-01-05"}
    assert client.post(url, data).status_code == 403
    assert client_as(users["sales"]).get(url).status_code == 403


def test_an_approval_naming_a_person_counts_only_while_their_consent_holds(dana):
    """A quote approval with Dana as its person needs her consent to be named and quoted."""
    today = timezone.localdate()
    Approval.objects.create(
        customer=dana.customer,
        use="quote",
        status="approved",
        scope=["website"],
        quote_text="RefProgram halved our response time.",
        expires_on=today + timedelta(days=90),
        approver_name="Dana Customer",
        decided_at=timezone.now(),
        person=dana,
    )
    missing = approvals_missing_for_activity(customer=dana.customer, activity_type="quote", on=today)
    assert missing == ["quote"]  # no consent of the person yet
    _consent(dana, "named")
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="quote", on=today) == [
        "quote"
    ]
    quote = _consent(dana, "quote", expires_in=20)
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="quote", on=today) == []
    # On a day past the person's consent, the company's approval alone is not enough.
    later = today + timedelta(days=21)
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="quote", on=later) == [
        "quote"
    ]
    quote.withdrawn_at = timezone.now()
    quote.save()
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="quote", on=today) == [
        "quote"
    ]


def test_an_approval_without_a_person_and_the_logo_need_no_persons_consent(dana):
    today = timezone.localdate()
    for use in ("logo", "case_study"):
        Approval.objects.create(
            customer=dana.customer,
            use=use,
            status="approved",
            scope=["website", "sales_deck"],
            expires_on=today + timedelta(days=90),
            approver_name="Dana Customer",
            decided_at=timezone.now(),
            person=dana if use == "logo" else None,
        )
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="logo", on=today) == []
    assert approvals_missing_for_activity(customer=dana.customer, activity_type="case_study", on=today) == []
