"""Inventory, profile, customer and catalog pages: what each role sees, filters, forms, lifecycle."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from references.models import Contact, Customer, ProfileEvent, ReferenceProfile
from tests.factories import ContactFactory, ReferenceProfileFactory, UsageEntryFactory


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- Personal data ---------------------------------------------------------------------------


def test_sales_rep_never_sees_contact_email_or_phone(world, users, client_as):
    client = client_as(users["sales"])
    for url in (
        reverse("catalog"),
        reverse("catalog") + "?search=Acme",
        reverse("profile-detail", args=[world.active.pk]),
        reverse("home"),
    ):
        page = html(client.get(url))
        assert "dana@acme.example" not in page, url
        assert "555 0100" not in page, url
    assert "Dana Active" in html(client.get(reverse("profile-detail", args=[world.active.pk])))


def test_contact_pii_only_for_roles_that_need_it(world, users, client_as):
    url = reverse("profile-detail", args=[world.active.pk])
    assert "dana@acme.example" in html(client_as(users["manager"]).get(url))
    marketing_page = html(client_as(users["marketing"]).get(url))
    assert "dana@acme.example" not in marketing_page
    assert "555 0100" not in marketing_page


def test_contact_email_change_is_hidden_in_history_without_pii(world, users, client_as):
    manager = client_as(users["manager"])
    response = manager.post(
        reverse("contact-edit", args=[world.contact.pk]),
        {"name": "Dana Active", "title": "CIO", "seniority": "c_level", "email": "new-dana@acme.example"},
    )
    assert response.status_code == 302
    url = reverse("profile-detail", args=[world.active.pk])
    assert "new-dana@acme.example" in html(manager.get(url))
    marketing_page = html(client_as(users["marketing"]).get(url))
    assert "new-dana@acme.example" not in marketing_page
    assert "dana@acme.example" not in marketing_page
    assert "CIO" in marketing_page


# --- Filters ---------------------------------------------------------------------------------


def test_inventory_filters_by_industry_status_and_free_text(world, users, client_as):
    ReferenceProfileFactory(contact__customer__name="Bank of Tests", headline="Moved payroll to the cloud")
    client = client_as(users["manager"])
    page = html(client.get(reverse("inventory"), {"industry": "healthcare"}))
    assert "Acme Health" in page and "Bank of Tests" not in page and "Gone Corp" not in page
    page = html(client.get(reverse("inventory"), {"status": "retired"}))
    assert "Gone Corp" in page and "Acme Health" not in page
    page = html(client.get(reverse("inventory"), {"search": "payroll"}))
    assert "Bank of Tests" in page and "Acme Health" not in page


def test_inventory_stale_filter_and_flag(world, users, client_as):
    stale = ReferenceProfileFactory(
        contact__customer__name="Dusty Ltd", last_validated=timezone.localdate() - timedelta(days=400)
    )
    client = client_as(users["manager"])
    page = html(client.get(reverse("inventory"), {"stale": "true"}))
    assert "Dusty Ltd" in page and "Acme Health" not in page
    assert 'class="pill bad"' in page
    page = html(client.get(reverse("inventory"), {"stale": "false"}))
    assert "Dusty Ltd" not in page and "Acme Health" in page
    assert stale.pk


def test_inventory_shows_capacity_and_available_from(world, users, client_as):
    UsageEntryFactory(reference=world.active, occurred_on=timezone.localdate() - timedelta(days=5))
    page = html(client_as(users["manager"]).get(reverse("inventory"), {"industry": "healthcare"}))
    expected = (timezone.localdate() - timedelta(days=5) + timedelta(days=30)).isoformat()
    assert "2/6" in page
    assert f"Available from {expected}" in page


def test_inventory_bad_filter_value_is_not_an_error(world, users, client_as):
    response = client_as(users["manager"]).get(
        reverse("inventory"), {"industry": "no-such", "available": "maybe", "sort": "bogus", "page": "x"}
    )
    assert response.status_code == 200


def test_inventory_sorts_by_column(world, users, client_as):
    client = client_as(users["manager"])
    page = html(client.get(reverse("inventory"), {"sort": "-customer"}))
    assert page.index("Gone Corp") < page.index("Acme Health")
    page = html(client.get(reverse("inventory"), {"sort": "customer"}))
    assert page.index("Acme Health") < page.index("Gone Corp")


def test_inventory_export_uses_the_same_filters(world, users, client_as):
    response = client_as(users["manager"]).get(reverse("inventory-export"), {"industry": "healthcare"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert "Acme Health" in body and "Gone Corp" not in body


def test_catalog_filters_and_free_text_for_sales(world, users, client_as):
    german = ReferenceProfileFactory(
        contact__customer__name="Berlin Bahn",
        headline="Rolled out to every station",
        contact__languages=["de"],
        activity_types=["site_visit"],
    )
    client = client_as(users["sales"])
    page = html(client.get(reverse("catalog")))
    assert "Acme Health" in page and "Berlin Bahn" in page and "Gone Corp" not in page
    page = html(client.get(reverse("catalog"), {"language": "de", "activity_type": "site_visit"}))
    assert "Berlin Bahn" in page and "Acme Health" not in page
    page = html(client.get(reverse("catalog"), {"search": "station"}))
    assert "Berlin Bahn" in page and "Acme Health" not in page
    page = html(client.get(reverse("catalog"), {"status": "retired"}))
    assert "Gone Corp" not in page
    assert "/requests/new/?search=station" in html(client.get(reverse("catalog"), {"search": "station"}))
    assert german.pk


# --- Forms -----------------------------------------------------------------------------------


def test_profile_edit_saves_through_the_service_and_shows_the_change(world, users, client_as):
    client = client_as(users["manager"])
    response = client.post(
        reverse("profile-edit", args=[world.active.pk]),
        {
            "headline": "Halved the time to close the books",
            "story": "A long story.",
            "activity_types": ["call", "case_study"],
            "products": [world.product.pk],
            "deployment": "hybrid",
            "competitor": "OldLedger",
            "outcomes": "5 days faster close",
            "last_validated": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profile-detail", args=[world.active.pk])
    page = html(client.get(response["Location"]))
    assert "Halved the time to close the books" in page
    assert "Case study" in page
    # The change history says what changed.
    assert "Cut incident response time in half" in page
    world.active.refresh_from_db()
    assert world.active.deployment == "hybrid"
    assert "OldLedger" in world.active.search_document


def test_profile_edit_bad_input_re_renders_with_errors(world, users, client_as):
    response = client_as(users["manager"]).post(
        reverse("profile-edit", args=[world.active.pk]),
        {"headline": "x" * 300, "activity_types": ["no-such-activity"], "last_validated": "yesterday"},
    )
    page = html(response)
    assert "Please correct the errors below" in page
    assert page.count('class="errorlist') >= 3
    world.active.refresh_from_db()
    assert world.active.headline == "Cut incident response time in half"


def test_customer_edit_bad_input_re_renders_with_errors(world, users, client_as):
    client = client_as(users["manager"])
    url = reverse("customer-edit", args=[world.customer.pk])
    data = {
        "name": "Acme Health",
        "industry": "healthcare",
        "region": "emea",
        "country": "Germany",
        "size_band": "enterprise",
        "health_score": "500",
    }
    page = html(client.post(url, data))
    assert page.count('class="errorlist') >= 2
    assert Customer.objects.get(pk=world.customer.pk).health_score == 50
    data.update(country="de", health_score="70", health_updated=timezone.localdate().isoformat())
    response = client.post(url, data)
    assert response.status_code == 302
    customer = Customer.objects.get(pk=world.customer.pk)
    assert (customer.country, customer.health_score) == ("DE", 70)


def test_contact_edit_rejects_a_bad_email(world, users, client_as):
    page = html(
        client_as(users["manager"]).post(
            reverse("contact-edit", args=[world.contact.pk]),
            {"name": "Dana", "seniority": "vp", "email": "not-an-email"},
        )
    )
    assert "errorlist" in page
    assert Contact.objects.get(pk=world.contact.pk).email == "dana@acme.example"


def test_new_reference_with_a_new_contact(world, users, client_as):
    client = client_as(users["manager"])
    url = reverse("profile-new", args=[world.customer.pk])
    page = html(client.post(url, {"status": "vetting", "headline": "Nobody"}))
    assert "Choose an existing contact" in page
    response = client.post(
        url,
        {
            "status": "vetting",
            "new_contact_name": "Nora New",
            "new_contact_seniority": "director",
            "headline": "Rolled out in 3 weeks",
            "activity_types": ["call"],
        },
    )
    assert response.status_code == 302
    profile = ReferenceProfile.objects.get(contact__name="Nora New")
    assert (profile.customer, profile.status) == (world.customer, "vetting")
    response = client.post(url, {"status": "active", "contact": world.spare_contact.pk, "headline": "Sam"})
    assert response.status_code == 302
    assert ReferenceProfile.objects.get(contact=world.spare_contact).status == "active"


def test_script_in_a_text_field_is_rendered_escaped(world, users, client_as):
    evil = "<script>alert('x')</script>"
    world.active.headline = evil
    world.active.save()
    ContactFactory(customer=world.customer, name=evil)
    for user, url in (
        (users["manager"], reverse("profile-detail", args=[world.active.pk])),
        (users["manager"], reverse("inventory")),
        (users["manager"], reverse("customer-detail", args=[world.customer.pk])),
        (users["sales"], reverse("catalog")),
    ):
        page = html(client_as(user).get(url))
        assert evil not in page, url
        assert "&lt;script&gt;" in page, url


# --- Lifecycle -------------------------------------------------------------------------------


def test_lifecycle_buttons_only_offer_allowed_transitions(world, users, client_as):
    page = html(client_as(users["manager"]).get(reverse("profile-detail", args=[world.active.pk])))
    assert 'value="resting"' in page and 'value="retired"' in page
    assert 'value="vetting"' not in page and 'value="nominated"' not in page
    sales_page = html(client_as(users["sales"]).get(reverse("profile-detail", args=[world.active.pk])))
    assert 'name="to"' not in sales_page


def test_lifecycle_transition_and_refusal(world, users, client_as):
    client = client_as(users["manager"])
    url = reverse("profile-transition", args=[world.active.pk])
    response = client.post(url, {"to": "resting", "note": "Asked for a break"}, follow=True)
    assert "now resting" in html(response)
    world.active.refresh_from_db()
    assert world.active.status == "resting"
    event = ProfileEvent.objects.filter(profile=world.active, to_status="resting").get()
    assert event.note == "Asked for a break" and event.actor == users["manager"]

    response = client.post(url, {"to": "vetting"}, follow=True)
    page = html(response)
    assert "cannot become vetting" in page
    world.active.refresh_from_db()
    assert world.active.status == "resting"

    response = client.post(url, {"to": "bogus"}, follow=True)
    assert "Choose a status" in html(response)


# --- Query counts ----------------------------------------------------------------------------


def _make_profiles(n, **kwargs):
    for _ in range(n):
        profile = ReferenceProfileFactory(
            activity_types=["call", "quote"], contact__languages=["en", "de"], **kwargs
        )
        UsageEntryFactory(reference=profile)


@pytest.mark.parametrize("url_name", ["inventory", "catalog"])
def test_list_pages_have_a_fixed_number_of_queries(users, client_as, django_assert_num_queries, url_name):
    client = client_as(users["manager"])
    url = reverse(url_name) + "?status=active&available=false"
    _make_profiles(3)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _make_profiles(10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('href="/references/') >= 13
    assert len(small.captured_queries) < 25


def test_a_status_move_is_one_lifecycle_entry_in_the_history(world, users, client_as):
    """Moving a profile writes a history record and a lifecycle event; the history shows the
    move once, as the lifecycle event with its note."""
    from references import services

    services.profile_transition(
        profile=world.active, to="resting", actor=users["manager"], note="Quarter-end pause"
    )
    page = html(client_as(users["manager"]).get(reverse("profile-detail", args=[world.active.pk])))
    history = page[page.index("Change history") :]
    assert history.count("Quarter-end pause") == 1
    assert history.count("<strong>Status</strong>") == 1  # the lifecycle entry, not also an edit
