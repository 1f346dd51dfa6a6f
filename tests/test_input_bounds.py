"""Bounds on what people type, on the pages and in the services behind them: dates from 2000 to
2100, names on one line without control characters, names no longer than their columns, and an
overuse policy within sensible limits. (The API's side is in test_api_input.py, the import's in
tests/references/imports.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Notification
from accounts.services import notification_send
from ledger.models import OverusePolicy
from references.models import Customer
from refprogram.validators import validate_date_in_range, validate_no_nul, validate_single_line
from requests_app.models import Request
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

DATE_ERROR = "Use a date from 2000-01-01 to 2100-12-31."


# --- The validators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2000, 1, 1),
        dt.date(2100, 12, 31),
        dt.datetime(2000, 1, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.UTC),
        None,
    ],
)
def test_dates_from_2000_to_2100_pass(value):
    validate_date_in_range(value)


@pytest.mark.parametrize(
    "value",
    [
        dt.date(1, 1, 1),
        dt.date(1999, 12, 31),
        dt.date(2101, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2101, 1, 1, 0, 0, tzinfo=dt.UTC),
    ],
)
def test_dates_outside_2000_to_2100_are_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_date_in_range(value)
    assert refused.value.messages == [DATE_ERROR]


@pytest.mark.parametrize(
    "value",
    ["Müller & Söhne AG", "O'Brien — Consulting", "株式会社テスト", "Zero\u200bwidth", "", "A" * 500],
)
def test_one_line_text_passes(value):
    validate_single_line(value)


@pytest.mark.parametrize(
    "value,message",
    [
        ("a\x00b", "Contains a NUL (U+0000); use one line of plain text."),
        ("a\nb", "Contains a line break (U+000A); use one line of plain text."),
        ("a\rb", "Contains a carriage return (U+000D); use one line of plain text."),
        ("a\tb", "Contains a tab (U+0009); use one line of plain text."),
        ("a\x1bb", "Contains a control character (U+001B); use one line of plain text."),
        ("a\x7fb", "Contains a control character (U+007F); use one line of plain text."),
        ("a\x85b", "Contains a control character (U+0085); use one line of plain text."),
        ("a\u2028b", "Contains a LINE SEPARATOR (U+2028); use one line of plain text."),
        ("a\u2029b", "Contains a PARAGRAPH SEPARATOR (U+2029); use one line of plain text."),
    ],
)
def test_control_characters_and_line_separators_are_refused(value, message):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(value)
    assert refused.value.messages == [message]


def test_multi_line_text_may_break_lines_but_not_hold_nul():
    validate_no_nul("First line\nsecond line\r\n\tindented")
    with pytest.raises(ValidationError) as refused:
        validate_no_nul("bad\x00text")
    assert refused.value.messages == ["Contains a NUL character; remove it."]


# --- Dates on the pages ------------------------------------------------------------------------


def _form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("needed_by", ["0001-01-02T00:00", "1999-12-31T23:59", "2101-01-01T00:00"])
def test_the_intake_page_refuses_a_needed_by_outside_the_range(client_as, users, needed_by):
    page = client_as(users["sales"])
    response = page.post(
        "/requests/new/",
        {"activity_type": "call", "prospect_name": "Globex", "needed_by": needed_by, "references_needed": 1},
    )
    assert _form_errors(response) == {"needed_by": [DATE_ERROR]}
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_the_intake_page_takes_the_last_day_of_the_range(client_as, users):
    response = client_as(users["sales"]).post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Globex",
            "needed_by": "2100-12-31T10:00",
            "references_needed": 1,
        },
    )
    assert response.status_code == 302
    assert Request.objects.get().needed_by.date() == dt.date(2100, 12, 31)


def _customer_form(**overrides) -> dict:
    data = {"name": "Initech", "industry": "finance", "region": "emea", "country": "DE", "size_band": "smb"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_customer_page_refuses_a_health_date_in_1999(client_as, users):
    response = client_as(users["manager"]).post(
        "/customers/new/", _customer_form(health_updated="1999-12-31")
    )
    assert _form_errors(response) == {"health_updated": [DATE_ERROR]}
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_the_profile_page_refuses_a_validation_date_in_year_one(client_as, users):
    profile = ReferenceProfileFactory()
    before = profile.last_validated
    response = client_as(users["manager"]).post(
        f"/references/{profile.pk}/edit/", {"headline": "Same", "last_validated": "0001-01-01"}
    )
    assert _form_errors(response) == {"last_validated": [DATE_ERROR]}
    profile.refresh_from_db()
    assert profile.last_validated == before


@pytest.mark.django_db
def test_the_approval_page_refuses_an_expiry_in_2101(client_as, users):
    customer = CustomerFactory()
    response = client_as(users["marketing"]).post(
        f"/approvals/customer/{customer.pk}/request/",
        {"use": "logo", "scope": ["website"], "expires_on": "2101-01-01"},
    )
    assert _form_errors(response) == {"expires_on": [DATE_ERROR]}
    assert customer.approvals.count() == 0


@pytest.mark.django_db
def test_the_dashboard_shows_an_error_for_a_period_in_year_one(client_as, users):
    response = client_as(users["manager"]).get("/dashboard/", {"from": "0001-01-01", "to": "2025-01-31"})
    assert response.status_code == 200
    assert DATE_ERROR in response.content.decode()


# --- Names on the pages ------------------------------------------------------------------------

LINE_BREAK = "Contains a line break (U+000A); use one line of plain text."
CARRIAGE_RETURN = "Contains a carriage return (U+000D); use one line of plain text."


@pytest.mark.django_db
def test_the_customer_page_refuses_a_name_with_a_line_break(client_as, users):
    response = client_as(users["manager"]).post("/customers/new/", _customer_form(name="Evil\nCorp"))
    assert _form_errors(response) == {"name": [LINE_BREAK]}
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_the_contact_page_refuses_a_title_with_a_carriage_return(client_as, users):
    contact = ContactFactory()
    response = client_as(users["manager"]).post(
        f"/contacts/{contact.pk}/edit/", {"name": contact.name, "title": "CIO\rX", "seniority": "vp"}
    )
    assert _form_errors(response) == {"title": [CARRIAGE_RETURN]}
    contact.refresh_from_db()
    assert contact.title == "VP of IT"


@pytest.mark.django_db
def test_the_intake_page_refuses_a_prospect_name_with_a_line_separator(client_as, users):
    response = client_as(users["sales"]).post(
        "/requests/new/",
        {
            "activity_type": "call",
            "prospect_name": "Globex\u2028Corp",
            "needed_by": "2030-01-01T10:00",
            "references_needed": 1,
        },
    )
    assert _form_errors(response) == {
        "prospect_name": ["Contains a LINE SEPARATOR (U+2028); use one line of plain text."]
    }


@pytest.mark.django_db
def test_the_nomination_page_refuses_a_contact_name_with_a_line_break(client_as, users):
    customer = CustomerFactory()
    response = client_as(users["manager"]).post(
        "/nominations/new/",
        {"customer": customer.pk, "contact_name": "Ben\nOtto", "source": "sales", "reason": "Happy.\nVery."},
    )
    assert _form_errors(response) == {"contact_name": [LINE_BREAK]}
    assert customer.nominations.count() == 0


@pytest.mark.django_db
def test_the_profile_page_refuses_a_new_contact_name_with_a_line_break(client_as, users):
    customer = CustomerFactory()
    response = client_as(users["manager"]).post(
        f"/customers/{customer.pk}/references/new/",
        {"new_contact_name": "Ben\nOtto", "new_contact_seniority": "vp", "status": "vetting"},
    )
    assert _form_errors(response) == {"new_contact_name": [LINE_BREAK]}
    assert customer.contacts.count() == 0


@pytest.mark.django_db
def test_the_consent_page_refuses_a_name_with_a_line_break(client, users):
    from approvals import services as approvals
    from approvals.models import Approval

    customer = CustomerFactory(country="US")  # the consent page speaks the customer's language: English
    approval = Approval.objects.create(customer=customer, use="logo", scope=["website"])
    sent = approvals.approval_send_link(
        approval=approval, by=users["manager"], base_url="http://testserver", email="dana@customer.example"
    )
    response = client.post(f"/consent/{sent.token}/", {"name": "Dana\nX", "decision": "approve"})
    assert response.status_code == 400  # the consent page answers a refused form with a 400
    assert response.context["form"].errors == {"name": [LINE_BREAK]}
    approval.refresh_from_db()
    assert (approval.status, approval.approver_name) == ("in_review", "")  # sending the link; not decided


# --- Long names ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_customer_with_a_200_character_name_can_be_proposed_on_the_page(client_as, api_as, users):
    profile = ReferenceProfileFactory(
        contact__customer__name="N" * 200, contact__customer__account_owner=users["sales"]
    )
    request_id = (
        api_as(users["sales"])
        .post(
            "/api/v1/requests/",
            {"activity_type": "call", "prospect": {"name": "P" * 200}, "needed_by": "2030-01-01T10:00:00Z"},
            format="json",
        )
        .json()["id"]
    )
    response = client_as(users["manager"]).post(f"/requests/{request_id}/propose/", {"reference": profile.pk})
    assert response.status_code == 302
    assert profile.candidacies.count() == 1
    subject = Notification.objects.get(user=users["sales"], key__endswith=":proposed:owner").subject
    assert subject == "Your customer " + "N" * 185 + "…"


@pytest.mark.django_db
def test_a_notification_subject_is_one_line_cut_to_its_column(users):
    """A name stored before names were checked may still hold a line break: the subject (an email
    header) is made one line, and cut with an ellipsis at the column's 200 characters."""
    assert notification_send(user=users["sales"], key="k1", subject="Your customer Evil\r\nBcc: x@y.example")
    assert notification_send(user=users["sales"], key="k2", subject="S" * 250)
    subjects = dict(Notification.objects.filter(user=users["sales"]).values_list("key", "subject"))
    assert subjects == {"k1": "Your customer Evil Bcc: x@y.example", "k2": "S" * 199 + "…"}


@pytest.mark.django_db
def test_a_name_takes_as_many_characters_on_the_page_as_in_the_api_and_the_import(client_as, api_as, users):
    """200 characters, the column's size, everywhere a customer's name is typed; 201 nowhere."""
    from references import imports

    page, api = client_as(users["manager"]), api_as(users["manager"])
    header = "customer_name,industry,region,country,size_band\n"

    response = page.post("/customers/new/", _customer_form(name="P" * 201))
    assert _form_errors(response) == {"name": ["Ensure this value has at most 200 characters (it has 201)."]}
    response = api.post("/api/v1/customers/", {**_customer_form(name="A" * 201)}, format="json")
    assert response.json() == {"name": ["Ensure this field has no more than 200 characters."]}
    report = imports.inventory_import(
        file=(header + "I" * 201 + ",finance,emea,DE,smb\n").encode(), actor=None
    )
    assert [str(e) for e in report.errors] == [
        "line 2, customer_name: Too long: 201 characters, at most 200."
    ]
    assert Customer.objects.count() == 0

    assert page.post("/customers/new/", _customer_form(name="P" * 200)).status_code == 302
    assert api.post("/api/v1/customers/", _customer_form(name="A" * 200), format="json").status_code == 201
    report = imports.inventory_import(
        file=(header + "I" * 200 + ",finance,emea,DE,smb\n").encode(), actor=None
    )
    assert report.ok, report.errors
    assert sorted(len(n) for n in Customer.objects.values_list("name", flat=True)) == [200, 200, 200]


# --- The overuse policy's bounds -------------------------------------------------------------------


def _policy_form(**overrides) -> dict:
    data = {
        "window_days": 180,
        "reference_cap": 6,
        "customer_cap": 8,
        "rest_days": 30,
        "stale_after_days": 180,
        "near_cap_ratio": "0.75",
        "detractor_below": 0,
        "c_level_protected_below": "director",
        "types-TOTAL_FORMS": 0,
        "types-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value,message",
    [
        ("near_cap_ratio", "1.50", "Ensure this value is less than or equal to 1.00."),
        ("near_cap_ratio", "0.01", "Ensure this value is greater than or equal to 0.05."),
        ("reference_cap", 101, "Ensure this value is less than or equal to 100."),
        ("customer_cap", 10000, "Ensure this value is less than or equal to 500."),
        ("window_days", 731, "Ensure this value is less than or equal to 730."),
        ("rest_days", 366, "Ensure this value is less than or equal to 365."),
        ("stale_after_days", 20000, "Ensure this value is less than or equal to 730."),
        ("detractor_below", 101, "Ensure this value is less than or equal to 100."),
        ("detractor_below", -101, "Ensure this value is greater than or equal to -100."),
    ],
)
def test_the_policy_page_refuses_settings_past_their_bounds(client_as, users, field, value, message):
    response = client_as(users["manager"]).post("/policy/", _policy_form(**{field: value}))
    assert _form_errors(response) == {field: [message]}
    assert (
        getattr(OverusePolicy.current(), field)
        == {
            "near_cap_ratio": Decimal("0.75"),
            "reference_cap": 6,
            "customer_cap": 8,
            "window_days": 180,
            "rest_days": 30,
            "stale_after_days": 180,
            "detractor_below": 0,
        }[field]
    )


@pytest.mark.django_db
def test_the_policy_page_shows_the_bounds(client_as, users):
    html = client_as(users["manager"]).get("/policy/").content.decode()
    assert 'name="near_cap_ratio"' in html and 'max="1.00"' in html
    assert "0.05 to 1.00." in html
    assert "1 to 100." in html


@pytest.mark.django_db
def test_the_policy_service_refuses_settings_past_their_bounds(users):
    """The bounds live in the service, so every caller (page, API, a script) gets them."""
    from ledger import services as ledger

    with pytest.raises(ValidationError) as refused:
        ledger.policy_update(
            actor=users["manager"], near_cap_ratio=Decimal("2.00"), reference_cap=0, rest_days=30
        )
    assert refused.value.message_dict == {
        "near_cap_ratio": ["Use a value from 0.05 to 1.00."],
        "reference_cap": ["Use a value from 1 to 100."],
    }
    assert OverusePolicy.current().near_cap_ratio == Decimal("0.75")


@pytest.mark.django_db
def test_the_activity_type_service_refuses_a_lead_time_over_a_year(users):
    from ledger import services as ledger
    from references.models import ActivityType

    call = ActivityType.objects.get(code="call")
    with pytest.raises(ValidationError) as refused:
        ledger.activity_type_update(actor=users["manager"], activity_type=call, lead_time_days=10_000)
    assert refused.value.message_dict == {"lead_time_days": ["Use a value from 0 to 365."]}
