"""The program's own fields: the one check of their values, their definitions through the API and
the page, ``custom`` on the objects' API, the facet keys, the import's columns and the criteria."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from references import services
from references.models import CustomField, ReferenceProfile
from references.services.custom_fields import CustomValuesInvalid, custom_values_clean
from requests_app.criteria import criteria_clean, criteria_in_words
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _define(slug, kind, on="profile", **extra):
    return services.custom_field_create(
        on=on, slug=slug, kind=kind, label_en=slug.replace("_", " ").title(), **extra
    )


@pytest.fixture
def fields():
    return {
        "note": _define("note", "text"),
        "seats": _define("seats", "number"),
        "go_live": _define("go_live", "date"),
        "speaker": _define("speaker", "yes_no"),
        "tier": _define(
            "tier",
            "one_of",
            on="customer",
            label_de="Stufe",
            choices=[{"value": "gold", "labels": {"en": "Gold", "de": "Gold"}}, "silver"],
        ),
        "topics": _define("topics", "several_of", choices=["ai", "cloud", "security"]),
    }


# --- The one check of a value, by kind ----------------------------------------------------


@pytest.mark.parametrize(
    "slug,given,stored",
    [
        ("note", "  Loves our API  ", "Loves our API"),
        ("seats", 250, 250),
        ("seats", "12.5", 12.5),
        ("seats", "40", 40),
        ("go_live", "2025-03-31", "2025-03-31"),
        ("go_live", date(2024, 1, 2), "2024-01-02"),
        ("speaker", False, False),
        ("topics", ["security", "ai"], ["ai", "security"]),  # in the list's order
    ],
)
def test_good_values_are_stored_in_their_shape(fields, slug, given, stored):
    assert custom_values_clean("profile", {slug: given}) == {slug: stored}


@pytest.mark.parametrize(
    "slug,given",
    [
        ("note", 12),
        ("note", "two\nlines"),
        ("note", "x" * 501),
        ("seats", "many"),
        ("seats", True),
        ("seats", 10**13),
        ("go_live", "31.03.2025"),
        ("speaker", "yes"),
        ("topics", ["ai", "blockchain"]),
        ("topics", "ai;cloud"),
    ],
)
def test_bad_values_are_refused_naming_the_field(fields, slug, given):
    with pytest.raises(CustomValuesInvalid) as refused:
        custom_values_clean("profile", {slug: given})
    assert list(refused.value.by_slug) == [slug]


def test_a_choice_outside_the_list_and_an_unknown_or_inactive_field_are_refused(fields):
    with pytest.raises(CustomValuesInvalid) as refused:
        custom_values_clean("customer", {"tier": "bronze", "nope": 1, "seats": 3})
    assert set(refused.value.by_slug) == {"tier", "nope", "seats"}  # seats is a profile's field
    assert "gold, silver" in refused.value.by_slug["tier"][0]
    services.custom_field_update(field=fields["tier"], active=False)
    with pytest.raises(CustomValuesInvalid) as refused:
        custom_values_clean("customer", {"tier": "gold"})
    assert list(refused.value.by_slug) == ["tier"]


def test_required_field_must_end_with_a_value_and_empty_clears(fields):
    services.custom_field_update(field=fields["seats"], required=True)
    with pytest.raises(CustomValuesInvalid) as refused:
        custom_values_clean("profile", {"note": "hi"})
    assert refused.value.by_slug == {"seats": ["This field is required."]}
    assert custom_values_clean("profile", {"note": None}, current={"note": "old", "seats": 3}) == {"seats": 3}
    with pytest.raises(CustomValuesInvalid):
        custom_values_clean("profile", {"seats": ""}, current={"seats": 3})


def test_definitions_are_checked(fields):
    with pytest.raises(ValidationError) as refused:
        _define("tier", "text")  # the slug is taken
    assert "slug" in refused.value.message_dict
    for bad in ({"slug": "Bad Slug", "kind": "text"}, {"slug": "list_no_choices", "kind": "one_of"}):
        with pytest.raises(ValidationError):
            _define(bad["slug"], bad["kind"])
    with pytest.raises(ValidationError):
        _define("weird", "one_of", choices=[{"value": "Has Space"}])
    with pytest.raises(ValidationError) as refused:
        services.custom_field_update(field=fields["tier"], kind="text")
    assert "kind" in refused.value.message_dict


def test_labels_fall_back_to_english(fields):
    tier = fields["tier"]
    assert tier.label("de") == "Stufe" and tier.label("fr") == "Tier"
    assert tier.choice_label("silver", "de") == "silver"  # no labels given: the value


# --- Facet keys, and a choice held by records ------------------------------------------------


def test_list_and_yes_no_values_of_the_profile_customer_and_contact_are_facet_keys(fields):
    customer = CustomerFactory(custom={"tier": "gold"})
    profile = ReferenceProfileFactory(
        customer=customer, contact=ContactFactory(customer=customer), custom={"speaker": True, "note": "x"}
    )
    services.profile_update(profile=profile, custom={"topics": ["cloud", "ai"]})
    keys = ReferenceProfile.objects.get(pk=profile.pk).search_facets.split()
    assert [k for k in keys if k.startswith("custom.")] == [
        "custom.speaker=yes",
        "custom.tier=gold",
        "custom.topics=ai",
        "custom.topics=cloud",
    ]
    # A deactivated field's keys go at once (set-based refresh of the profiles holding it).
    services.custom_field_update(field=fields["tier"], active=False)
    keys = ReferenceProfile.objects.get(pk=profile.pk).search_facets.split()
    assert "custom.tier=gold" not in keys and "custom.speaker=yes" in keys


def test_a_choice_still_held_cannot_be_removed(fields):
    CustomerFactory(custom={"tier": "silver"})
    with pytest.raises(ValidationError) as refused:
        services.custom_field_update(field=fields["tier"], choices=["gold"])
    assert "silver" in refused.value.message_dict["choices"][0]
    services.custom_field_update(field=fields["tier"], choices=["gold", "silver", "bronze"])
    assert CustomField.objects.get(slug="tier").choice_values() == ["gold", "silver", "bronze"]


# --- The API ---------------------------------------------------------------------------------


def test_definitions_api_read_by_catalog_roles_written_by_managers(users, api_as, fields):
    body = {"on": "contact", "slug": "alumni", "kind": "yes_no", "label_en": "Alumni"}
    assert api_as(users["sales"]).post(API + "custom-fields/", body, format="json").status_code == 403
    assert api_as(users["marketing"]).post(API + "custom-fields/", body, format="json").status_code == 403
    created = api_as(users["admin"]).post(API + "custom-fields/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["label"] == "Alumni"
    listed = api_as(users["sales"]).get(API + "custom-fields/").json()
    assert [f["slug"] for f in listed] == ["alumni", "tier", "go_live", "note", "seats", "speaker", "topics"]
    changed = api_as(users["manager"]).patch(API + "custom-fields/alumni/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert "alumni" not in [f["slug"] for f in api_as(users["sales"]).get(API + "custom-fields/").json()]
    assert api_as(users["sales"]).get(API + "custom-fields/alumni/").status_code == 404
    refused = api_as(users["manager"]).patch(API + "custom-fields/tier/", {"kind": "text"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()
    refused = api_as(users["manager"]).post(API + "custom-fields/", {**body, "slug": "Bad"}, format="json")
    assert refused.status_code == 400 and "slug" in refused.json()


def test_objects_read_and_write_custom_with_field_errors(users, api_as, fields):
    manager = api_as(users["manager"])
    customer = CustomerFactory()
    changed = manager.patch(f"{API}customers/{customer.pk}/", {"custom": {"tier": "gold"}}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["custom"] == {"tier": "gold"}
    refused = manager.patch(
        f"{API}customers/{customer.pk}/", {"custom": {"tier": "bronze", "ghost": 1}}, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()["custom"]) == {"tier", "ghost"}
    assert isinstance(refused.json()["custom"]["tier"], list)
    refused = manager.patch(f"{API}customers/{customer.pk}/", {"custom": ["gold"]}, format="json")
    assert refused.status_code == 400 and "custom" in refused.json()

    contact = ContactFactory(customer=customer)
    created = manager.post(
        f"{API}references/",
        {"contact": contact.pk, "custom": {"seats": "120", "topics": ["cloud"], "go_live": "2025-01-31"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom"] == {"seats": 120, "topics": ["cloud"], "go_live": "2025-01-31"}
    pk = created.json()["id"]
    # Writing one field keeps the others; null clears one.
    changed = manager.patch(
        f"{API}references/{pk}/", {"custom": {"seats": None, "speaker": True}}, format="json"
    )
    assert changed.json()["custom"] == {"topics": ["cloud"], "go_live": "2025-01-31", "speaker": True}
    assert changed.json()["customer_summary"]["custom"] == {"tier": "gold"}


def test_a_new_object_needs_its_required_fields(users, api_as, fields):
    services.custom_field_update(field=fields["tier"], required=True)
    manager = api_as(users["manager"])
    body = {"name": "Acme", "industry": "finance", "region": "emea", "country": "DE", "size_band": "smb"}
    refused = manager.post(f"{API}customers/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["custom"] == {"tier": ["This field is required."]}
    created = manager.post(f"{API}customers/", {**body, "custom": {"tier": "silver"}}, format="json")
    assert created.status_code == 201, created.content


def test_the_api_list_filters_on_custom_keys(users, api_as, fields):
    gold = CustomerFactory(custom={"tier": "gold"})
    a = ReferenceProfileFactory(customer=gold, contact=ContactFactory(customer=gold), status="active")
    b = ReferenceProfileFactory(status="active", custom={"topics": ["ai"]})
    services.search_documents_refresh(profile_ids=[a.pk, b.pk])
    sales = api_as(users["sales"])
    assert [r["id"] for r in sales.get(API + "references/?custom.tier=gold").json()["results"]] == [a.pk]
    found = sales.get(API + "references/?custom.topics=ai&custom.topics=cloud").json()["results"]
    assert [r["id"] for r in found] == [b.pk]
    assert sales.get(API + "references/?custom.tier=bronze").json()["results"] == []


def test_the_api_list_filters_number_and_date_fields_by_range(users, api_as, fields):
    """``custom.<slug>.min`` / ``.max``: numbers as numbers (12.5 < 40 < 250, not as text), dates
    as days, on the profile itself or on its customer; a profile without a value is left out."""
    renewal = _define("renewal", "date", on="customer")
    small = ReferenceProfileFactory(status="active", custom={"seats": 40, "go_live": "2024-01-02"})
    big = ReferenceProfileFactory(status="active", custom={"seats": 250, "go_live": "2025-03-31"})
    tiny = ReferenceProfileFactory(status="active", custom={"seats": 12.5})
    ReferenceProfileFactory(status="active")  # no values: never in a range
    renewing = ReferenceProfileFactory(
        status="active", customer=CustomerFactory(custom={"renewal": "2026-06-30"})
    )
    sales = api_as(users["sales"])

    def ids(query):
        response = sales.get(API + "references/?" + query)
        assert response.status_code == 200, response.content
        return sorted(r["id"] for r in response.json()["results"])

    assert ids("custom.seats.min=40") == sorted([small.pk, big.pk])
    assert ids("custom.seats.max=40") == sorted([small.pk, tiny.pk])
    assert ids("custom.seats.min=13&custom.seats.max=249.5") == [small.pk]
    assert ids("custom.go_live.min=2025-01-01") == [big.pk]
    assert ids("custom.go_live.max=2024-12-31") == [small.pk]
    assert ids(f"{renewal.key}.min=2026-01-01") == [renewing.pk]
    assert ids(f"{renewal.key}.max=2025-12-31") == []


def test_a_bad_range_value_or_an_unknown_range_field_is_a_400_naming_the_parameter(users, api_as, fields):
    sales = api_as(users["sales"])
    bad_number = sales.get(API + "references/?custom.seats.min=many")
    assert bad_number.status_code == 400
    assert list(bad_number.json()) == ["custom.seats.min"]
    bad_day = sales.get(API + "references/?custom.go_live.max=31.12.2025")
    assert bad_day.status_code == 400 and list(bad_day.json()) == ["custom.go_live.max"]
    for query in ("custom.nope.min=1", "custom.tier.max=3"):  # no such field; a list is not a range
        unknown = sales.get(API + "references/?" + query)
        assert unknown.status_code == 400, query
        assert unknown.json()[query.split("=")[0]] == [
            "The program has no number or date field of this name."
        ]


def test_the_inventory_page_offers_number_and_date_ranges(users, client_as, fields):
    big = ReferenceProfileFactory(status="active", custom={"seats": 250})
    small = ReferenceProfileFactory(status="active", custom={"seats": 40})
    client = client_as(users["manager"])

    page = client.get("/inventory/", {"custom.seats.min": "100"})

    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="custom.seats.min"' in text and 'name="custom.go_live.max"' in text
    assert "Seats at least" in text and "Go Live until" in text
    listed = {p.pk for p in page.context["page"].object_list}
    assert big.pk in listed and small.pk not in listed
    refused = client.get("/inventory/", {"custom.seats.min": "lots"})
    assert refused.status_code == 200  # the form says what is wrong; the list stays unfiltered
    assert "Enter a number." in refused.content.decode()


# --- Pages -----------------------------------------------------------------------------------


def test_manager_defines_a_field_and_fills_it_on_the_profile_form(users, client_as, fields):
    client = client_as(users["manager"])
    listed = client.get("/custom-fields/")
    assert listed.status_code == 200 and "custom.tier" in listed.content.decode()
    created = client.post(
        "/custom-fields/new/",
        {
            "on": "profile",
            "slug": "level",
            "kind": "one_of",
            "label_en": "Level",
            "label_fr": "Niveau",
            "position": "0",
            "active": "on",
            "choices_text": "basic | Basic | Einfach\npro | Pro",
        },
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    level = CustomField.objects.get(slug="level")
    assert level.choices == [
        {"value": "basic", "labels": {"en": "Basic", "de": "Einfach"}},
        {"value": "pro", "labels": {"en": "Pro"}},
    ]
    profile = ReferenceProfileFactory()
    form = client.get(f"/references/{profile.pk}/edit/").content.decode()
    assert 'name="custom.level"' in form and "Level" in form
    saved = client.post(
        f"/references/{profile.pk}/edit/",
        {"custom.level": "pro", "custom.topics": ["ai"], "custom.speaker": "true", "custom.seats": "abc"},
    )
    assert saved.status_code == 200  # the number is wrong: the form again, nothing saved
    assert ReferenceProfile.objects.get(pk=profile.pk).custom == {}
    saved = client.post(
        f"/references/{profile.pk}/edit/",
        {"custom.level": "pro", "custom.topics": ["ai"], "custom.speaker": "true", "custom.seats": "7"},
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert ReferenceProfile.objects.get(pk=profile.pk).custom == {
        "level": "pro",
        "topics": ["ai"],
        "speaker": True,
        "seats": 7,
    }
    detail = client.get(f"/references/{profile.pk}/").content.decode()
    assert "Level" in detail and "Pro" in detail


# --- The import's columns --------------------------------------------------------------------


def test_import_reports_bad_custom_cells_per_row_and_writes_nothing(users, fields):
    from references import imports

    header = (
        "customer_name,industry,region,country,size_band,contact_name,contact_seniority,"
        "custom.tier,custom.topics"
    )
    rows = [
        "Acme,finance,emea,DE,smb,Ann,vp,gold,ai;cloud",
        "Beta,finance,emea,DE,smb,Bob,vp,bronze,ai",
        "Gamma,finance,emea,DE,smb,Cid,vp,,blockchain",
    ]
    report = imports.inventory_import(file="\n".join([header, *rows]) + "\n", actor=users["manager"])
    assert [(e.line, e.column) for e in report.errors] == [(3, "custom.tier"), (4, "custom.topics")]
    assert ReferenceProfile.objects.count() == 0

    report = imports.inventory_import(file="\n".join([header, rows[0]]) + "\n", actor=users["manager"])
    assert report.ok, report.errors
    profile = ReferenceProfile.objects.get()
    assert profile.customer.custom == {"tier": "gold"} and profile.custom == {"topics": ["ai", "cloud"]}
    template = imports.inventory_csv_template().splitlines()[0]
    assert template.endswith(
        ",custom.tier,custom.go_live,custom.note,custom.seats,custom.speaker,custom.topics"
    )


def test_import_checks_required_fields_of_new_objects(users, fields):
    from references import imports

    services.custom_field_update(field=fields["tier"], required=True)
    text = "customer_name,industry,region,country,size_band\nAcme,finance,emea,DE,smb\n"
    report = imports.inventory_import(file=text, actor=users["manager"])
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "custom.tier", "This field is required.")
    ]


# --- Criteria --------------------------------------------------------------------------------


def test_criteria_accept_list_and_yes_no_fields_by_value_or_label(fields):
    cleaned = criteria_clean(
        {
            "must": [{"field": "custom.tier", "value": "Gold"}],
            "nice": [{"field": "custom.speaker", "value": "yes"}, {"field": "custom.topics", "value": "ai"}],
        }
    )
    assert cleaned == {
        "must": [{"field": "custom.tier", "value": "gold"}],
        "nice": [
            {"field": "custom.speaker", "value": "yes", "weight": 5},
            {"field": "custom.topics", "value": "ai", "weight": 4},
        ],
    }
    words = criteria_in_words(cleaned["must"], [])
    assert words["must"] == [{"field": "Tier", "value": "Gold"}]
    for bad in (
        {"field": "custom.tier", "value": "bronze"},  # not a choice
        {"field": "custom.note", "value": "x"},  # text: not a criterion
        {"field": "custom.ghost", "value": "x"},
    ):
        with pytest.raises(ValidationError):
            criteria_clean({"must": [bad]})


def test_the_request_form_offers_list_and_yes_no_fields_as_criteria(users, client_as, fields):
    page = client_as(users["sales"]).get("/requests/new/").content.decode()
    assert '<option value="custom.tier">Tier</option>' in page
    assert '<option value="custom.speaker">Speaker</option>' in page
    assert 'value="custom.note"' not in page  # text: not a criterion
    assert '<datalist id="criterion-values-custom.tier"><option value="Gold"></option>' in page
