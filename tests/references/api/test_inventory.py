"""Managed lists, customers and contacts: CRUD, and bad input is a 400 that says what is valid."""

import pytest

from references.models import Contact, Customer, Industry, Product, Program, ReferenceProfile
from tests.factories import ContactFactory, CustomerFactory, ProductFactory, UsageEntryFactory

from .conftest import API, ids

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "name": "Nimbus Health",
    "crm_id": "CRM-NIMBUS",
    "industry": "healthcare",
    "region": "na",
    "country": "US",
    "size_band": "midmarket",
    "employees": 450,
    "products": ["Alpha"],
    "programs": ["Beta program", "Community"],
    "health_score": 40,
    "health_updated": "2026-01-15",
    "is_marquee": True,
    "revenue_band": "$10-50M",
    "strategic_segment": "Hospitals",
}


# --- Managed lists ----------------------------------------------------------------------


def test_managed_lists_read_create_and_rename(api_as, manager, sales):
    reader = api_as(sales)
    codes = {row["code"] for row in reader.get(f"{API}industries/?page_size=200").json()["results"]}
    assert {"healthcare", "finance", "transport"} <= codes
    assert reader.get(f"{API}regions/emea/").json()["code"] == "emea"
    client = api_as(manager)
    created = client.post(f"{API}industries/", {"code": "aerospace", "name": "Aerospace"}, format="json")
    assert created.status_code == 201
    renamed = client.patch(
        f"{API}industries/aerospace/", {"name": "Aerospace & defence", "code": "other"}, format="json"
    )
    assert renamed.status_code == 200
    assert Industry.objects.get(code="aerospace").name == "Aerospace & defence"  # the code stays
    product = client.post(f"{API}products/", {"name": "Omega", "product_line": "Security"}, format="json")
    assert product.status_code == 201
    assert (
        client.patch(f"{API}products/{product.json()['id']}/", {"product_line": "Ops"}, format="json").json()[
            "product_line"
        ]
        == "Ops"
    )
    assert client.post(f"{API}use-cases/", {"name": "Fraud"}, format="json").status_code == 201
    program = client.post(f"{API}programs/", {"name": "Champions"}, format="json")
    assert program.status_code == 201
    assert reader.get(f"{API}programs/{program.json()['id']}/").json()["name"] == "Champions"


def test_managed_list_duplicates_are_a_400(api_as, manager):
    client = api_as(manager)
    assert (
        client.post(f"{API}industries/", {"code": "finance", "name": "Money"}, format="json").status_code
        == 400
    )
    assert client.post(f"{API}programs/", {"name": "Beta program"}, format="json").status_code == 400
    assert Industry.objects.get(code="finance").name != "Money"


def test_sales_cannot_change_managed_lists(api_as, sales):
    response = api_as(sales).post(f"{API}programs/", {"name": "Sneaky"}, format="json")
    assert response.status_code == 403
    assert not Program.objects.filter(name="Sneaky").exists()


# --- Customers ----------------------------------------------------------------------------


def test_customer_crud(api_as, manager, users):
    ProductFactory(name="Alpha")
    client = api_as(manager)
    created = client.post(
        f"{API}customers/", {**NEW_CUSTOMER, "account_owner": users["sales"].pk}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    customer = Customer.objects.get(pk=body["id"])
    assert (customer.industry_id, customer.region_id, customer.account_owner) == (
        "healthcare",
        "na",
        users["sales"],
    )
    assert sorted(customer.programs.values_list("name", flat=True)) == ["Beta program", "Community"]
    assert body["products"] == ["Alpha"]
    assert body["programs"] == ["Beta program", "Community"]

    detail = client.get(f"{API}customers/{customer.pk}/").json()
    assert detail["industry"] == "healthcare" and detail["health_score"] == 40
    assert ids(client.get(f"{API}customers/?industry=healthcare")) == {customer.pk}
    assert ids(client.get(f"{API}customers/?industry=finance")) == set()

    patched = client.patch(
        f"{API}customers/{customer.pk}/", {"health_score": -20, "programs": []}, format="json"
    )
    assert patched.status_code == 200, patched.content
    customer.refresh_from_db()
    assert customer.health_score == -20 and not customer.programs.exists()
    assert customer.history.count() >= 2  # changes are kept

    assert client.delete(f"{API}customers/{customer.pk}/").status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_customer_with_usage_history_cannot_be_deleted(api_as, manager):
    entry = UsageEntryFactory()
    response = api_as(manager).delete(f"{API}customers/{entry.customer_id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "customer_has_usage"
    assert Customer.objects.filter(pk=entry.customer_id).exists()


def test_duplicate_crm_id_is_a_400(api_as, manager):
    CustomerFactory(crm_id="CRM-NIMBUS")
    response = api_as(manager).post(f"{API}customers/", {**NEW_CUSTOMER, "products": []}, format="json")
    assert response.status_code == 400
    assert "crm_id" in response.json()
    assert Customer.objects.count() == 1


UNKNOWN_VALUES = [
    ("customers/", {"industry": "aerospace"}, "industry", ["healthcare", "finance", "transport"]),
    ("customers/", {"region": "mars"}, "region", ["na", "emea", "apac", "latam"]),
    ("customers/", {"products": ["Alpha", "Zeta", "Eta"]}, "products", ["Alpha"]),
    ("customers/", {"programs": ["Skunkworks"]}, "programs", ["Beta program", "User group"]),
]


@pytest.mark.parametrize("path,change,field,named", UNKNOWN_VALUES, ids=[u[2] for u in UNKNOWN_VALUES])
def test_unknown_managed_value_is_a_400_naming_the_valid_ones(api_as, manager, path, change, field, named):
    ProductFactory(name="Alpha")
    before = (
        Customer.objects.count(),
        Industry.objects.count(),
        Product.objects.count(),
        Program.objects.count(),
    )
    response = api_as(manager).post(f"{API}{path}", {**NEW_CUSTOMER, **change}, format="json")
    assert response.status_code == 400
    message = response.json()[field][0]
    bad = change[field] if isinstance(change[field], str) else change[field][-1]
    assert bad in message
    for value in named:
        assert value in message
    after = (
        Customer.objects.count(),
        Industry.objects.count(),
        Product.objects.count(),
        Program.objects.count(),
    )
    assert after == before  # nothing created implicitly


def test_unknown_values_on_contacts_and_references_are_400s(api_as, manager, pair):
    client = api_as(manager)
    contact = client.post(
        f"{API}contacts/",
        {"customer": pair["a"].customer_id, "name": "Ida", "seniority": "vp", "languages": ["en", "xx"]},
        format="json",
    )
    assert contact.status_code == 400
    assert "xx" in contact.json()["languages"][0] and "de" in contact.json()["languages"][0]
    assert not Contact.objects.filter(name="Ida").exists()
    profile = client.patch(
        f"{API}references/{pair['a'].pk}/",
        {"activity_types": ["skywriting"], "use_cases": ["Fraud detection"]},
        format="json",
    )
    assert profile.status_code == 400
    message = profile.json()["activity_types"][0]
    assert "skywriting" in message and "case_study" in message and "site_visit" in message
    assert list(pair["a"].activity_types.values_list("code", flat=True)) == ["call"]
    use_case = client.patch(
        f"{API}references/{pair['a'].pk}/", {"use_cases": ["Teleportation"]}, format="json"
    )
    assert "Fraud detection" in use_case.json()["use_cases"][0]


BAD_INPUT = [
    ("post", "customers/", '{"name": "Broken",', "json"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "industry": 5}, "industry"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": "Alpha"}, "products"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "employees": "many"}, "employees"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "health_score": 500}, "health_score"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "country": "Germany"}, "country"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "size_band": "huge"}, "size_band"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "account_owner": "bob"}, "account_owner"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "colour": "red"}, "colour"),
    ("post", "customers/", ["not", "an", "object"], "non_field_errors"),
    # NUL never reaches a field: the API's JSON parser refuses it for the whole body.
    ("post", "customers/", {**NEW_CUSTOMER, "industry": "fin\x00"}, "json"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": ["Alpha\x00"]}, "json"),
    ("post", "customers/", {**NEW_CUSTOMER, "products": [], "account_owner": 10**20}, "account_owner"),
    ("post", "contacts/", {"customer": "abc", "name": "X", "seniority": "vp"}, "customer"),
    ("post", "contacts/", {"customer": {"id": 1}, "name": "X", "seniority": "vp"}, "customer"),
    ("post", "contacts/", {"customer": True, "name": "X", "seniority": "vp"}, "customer"),
    ("post", "contacts/", {"customer": 999999, "name": "X", "seniority": "vp"}, "customer"),
    ("post", "contacts/", {"name": "X", "seniority": "boss"}, "seniority"),
    ("post", "contacts/", {"name": "X", "seniority": "vp", "languages": "en"}, "languages"),
    ("post", "contacts/", {"name": "X", "seniority": "vp", "languages": [1, 2]}, "languages"),
    ("post", "contacts/", {"name": "X", "seniority": "vp", "email": "not-an-email"}, "email"),
    ("post", "references/", {"contact": [1]}, "contact"),
    ("post", "references/", {"contact": None}, "contact"),
    ("patch", "references/{a}/", {"deployment": "moon"}, "deployment"),
    ("patch", "references/{a}/", {"last_validated": "yesterday"}, "last_validated"),
    ("patch", "references/{a}/", "{not json", "json"),
    ("post", "references/{a}/transition/", {"to": ["active"]}, "to"),
    ("post", "references/{a}/transition/", [], "non_field_errors"),
    ("post", "nominations/", {"customer": "x", "source": "sales", "reason": "x"}, "customer"),
    ("post", "nominations/", {"source": "rumour", "reason": "x"}, "source"),
]


@pytest.mark.parametrize(
    "method,path,payload,field", BAD_INPUT, ids=[f"{b[0]} {b[1]} {b[3]}" for b in BAD_INPUT]
)
def test_bad_input_is_a_400_not_a_500(api_as, manager, pair, method, path, payload, field):
    ProductFactory(name="Alpha")
    client = api_as(manager)
    url = API + path.format(a=pair["a"].pk)
    before = (Customer.objects.count(), Contact.objects.count(), ReferenceProfile.objects.count())
    if isinstance(payload, str):  # raw malformed JSON
        response = getattr(client, method)(url, payload, content_type="application/json")
    else:
        if path in ("contacts/",) and isinstance(payload, dict) and "customer" not in payload:
            payload = {**payload, "customer": pair["a"].customer_id}
        response = getattr(client, method)(url, payload, format="json")
    assert response.status_code == 400, response.content
    if field != "json":
        assert field in response.json()
    assert (Customer.objects.count(), Contact.objects.count(), ReferenceProfile.objects.count()) == before


# --- Contacts -----------------------------------------------------------------------------


def test_contact_crud(api_as, manager, pair):
    client = api_as(manager)
    created = client.post(
        f"{API}contacts/",
        {
            "customer": pair["a"].customer_id,
            "name": "Ida Lind",
            "title": "CISO",
            "seniority": "c_level",
            "email": "ida@aurora.example",
            "phone": "+46 8 123",
            "languages": ["sv", "en"],
            "time_zone": "Europe/Stockholm",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    contact = Contact.objects.get(pk=created.json()["id"])
    assert sorted(contact.languages.values_list("code", flat=True)) == ["en", "sv"]
    assert created.json()["email"] == "ida@aurora.example"
    patched = client.patch(
        f"{API}contacts/{contact.pk}/", {"title": "CTO", "languages": ["de"]}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["languages"] == ["de"]
    contact.refresh_from_db()
    assert contact.title == "CTO"
    assert ids(client.get(f"{API}contacts/?seniority=c_level")) == {contact.pk}
    assert ids(client.get(f"{API}contacts/?language=fr")) == {pair["b"].contact_id}
    assert client.delete(f"{API}contacts/{contact.pk}/").status_code == 405


def test_contact_edit_refreshes_the_catalog_search(api_as, manager, pair):
    contact = ContactFactory(customer=pair["a"].customer)
    response = api_as(manager).patch(
        f"{API}contacts/{pair['a'].contact_id}/", {"title": "Chief Quokka"}, format="json"
    )
    assert response.status_code == 200
    assert ids(api_as(manager).get(f"{API}references/?search=Quokka")) == {pair["a"].pk}
    assert contact.pk != pair["a"].contact_id


def test_odd_lookups_and_query_strings_are_not_server_errors(api_as, manager, pair):
    client = api_as(manager)
    for path in ("industries/%00/", "references/abc/", "references/99999999999999999999/"):
        assert client.get(API + path).status_code == 404, path
    for query in ("industry=%00", "search=%00", "customer=abc", "language=xx"):
        assert client.get(f"{API}references/?{query}").status_code == 400, query
